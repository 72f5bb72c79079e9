/** Importing one adapter loads no framework: each adapter uses its framework's types only. */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const FRAMEWORK_PACKAGES = ['express', 'express4', 'fastify', 'koa', 'koa2', '@koa/router'];
/** Nest's packages: only `tokenward/nestjs` may load them. */
const NEST_PACKAGES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  'reflect-metadata',
  'rxjs',
];

/** The packages under node_modules that requiring the module loads, in a fresh process. */
function loadedPackages(modulePath: string): string[] {
  const script = `
    require(${JSON.stringify(modulePath)});
    const names = new Set();
    for (const file of Object.keys(require.cache)) {
      const match = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file);
      if (match) names.add(match[1].replace(/\\\\/g, '/'));
    }
    process.stdout.write(JSON.stringify([...names]));
  `;
  const output = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
  return JSON.parse(output) as string[];
}

describe.each(['express', 'fastify', 'koa'])('src/adapters/%s.ts', (adapter) => {
  it('loads no framework', () => {
    const loaded = loadedPackages(`./src/adapters/${adapter}.ts`);
    // The probe works: a CommonJS dependency of the core is seen (ESM-only ones are not: see the
    // static check). rate-limiter-flexible's memory limiter, since bcrypt is loaded on first use.
    expect(loaded).toContain('rate-limiter-flexible');
    expect(loaded).not.toContain('@node-rs/bcrypt');
    expect(loaded.filter((name) => FRAMEWORK_PACKAGES.includes(name))).toEqual([]);
    expect(loaded.filter((name) => NEST_PACKAGES.includes(name))).toEqual([]);
    if (adapter === 'fastify') expect(loaded).toContain('fastify-plugin');
  });
});

describe('src/adapters/nestjs.ts', () => {
  it("loads Nest's common and core packages, no platform and no other framework", () => {
    const loaded = loadedPackages('./src/adapters/nestjs.ts');
    expect(loaded).toContain('@nestjs/common');
    expect(loaded).toContain('@nestjs/core');
    expect(loaded.filter((name) => FRAMEWORK_PACKAGES.includes(name))).toEqual([]);
    expect(loaded).not.toContain('@nestjs/platform-express');
    expect(loaded).not.toContain('@nestjs/platform-fastify');
  });
});

describe('the adapter sources and the shared HTTP layer', () => {
  const files = [
    ...['express', 'fastify', 'koa', 'nestjs'].map((name) => `src/adapters/${name}.ts`),
    ...readdirSync('src/lib/http').map((name) => `src/lib/http/${name}`),
  ];

  it.each(files)('%s imports frameworks for their types only', (file) => {
    const source = readFileSync(file, 'utf8');
    const valueImports = [...source.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map(
      (match) => match[1],
    );
    expect(
      valueImports.filter((specifier) =>
        FRAMEWORK_PACKAGES.some((name) => specifier === name || specifier?.startsWith(`${name}/`)),
      ),
    ).toEqual([]);
  });

  it('the probe sees a value import', () => {
    const source = readFileSync('src/adapters/fastify.ts', 'utf8');
    expect(
      [...source.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((match) => match[1]),
    ).toContain('fastify-plugin');
  });
});
