/**
 * The entry points that must load on runtimes without `node:` modules (workerd
 * without nodejs_compat) reach no `node:` module: checked on the built chunks
 * (what users load, after tsup has split and shared code) and on the sources
 * (type-only imports are erased and allowed). A new static `node:` import
 * anywhere in their graph fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_POINTS } from '../../scripts/entry-points.js';
import { BUILD_TIMEOUT_MS, DIST, ensureBuilt, ROOT } from '../support/dist.js';

/** The entries that run everywhere (tokenward/password loads, and answers CONFIG_INVALID where bcrypt cannot). */
const PORTABLE = ['index', 'password', 'web', 'hono'];
/**
 * What those entries may import: jose everywhere, hono for tokenward/hono, and the memory
 * limiter of rate-limiter-flexible by its own module (its entry loads node:cluster).
 */
const ALLOWED = new Set(['jose', 'hono', 'rate-limiter-flexible/lib/RateLimiterMemory.js']);
const BUILTINS = new Set(builtinModules);

// Static import and re-export statements (not `import(...)`, which loads on first use).
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const TYPE_ONLY = /^\s*(?:import|export)\s+type\s/;

function staticImports(code: string, keepTypeOnly: boolean): string[] {
  const found: string[] = [];
  for (const match of code.matchAll(STATIC_IMPORT)) {
    if (!keepTypeOnly && TYPE_ONLY.test(match[0])) continue;
    found.push(match[1]!);
  }
  return found;
}

/** Every file an entry reaches through static imports, with the external specifiers each imports. */
function graph(entry: string, resolveLocal: (from: string, specifier: string) => string | undefined) {
  const seen = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const externals: string[] = [];
    seen.set(file, externals);
    for (const specifier of staticImports(readFileSync(file, 'utf8'), false)) {
      const local = resolveLocal(file, specifier);
      if (local === undefined) externals.push(specifier);
      else queue.push(local);
    }
  }
  return seen;
}

function forbidden(specifier: string): boolean {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return true;
  return !ALLOWED.has(specifier) && !specifier.startsWith('hono/');
}

function offenders(files: Map<string, string[]>): string[] {
  return [...files].flatMap(([file, externals]) =>
    externals.filter(forbidden).map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
  );
}

/** Every source file the given ones reach through static imports (type-only ones erased). */
function sourceGraph(sources: readonly string[]): Map<string, string[]> {
  const files = new Map<string, string[]>();
  for (const source of sources) {
    for (const [file, externals] of graph(source, (from, specifier) => {
      if (!specifier.startsWith('.')) return undefined;
      const path = resolve(dirname(from), specifier.replace(/\.js$/, '.ts'));
      return existsSync(path) ? path : undefined;
    })) {
      files.set(file, externals);
    }
  }
  return files;
}

describe('no node: module on the portable entries', () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  it.each(PORTABLE)('dist/%s.js reaches none through its chunks', (output) => {
    const files = graph(join(DIST, `${output}.js`), (from, specifier) =>
      specifier.startsWith('.') ? resolve(dirname(from), specifier) : undefined,
    );
    expect(files.size).toBeGreaterThan(1);
    expect(offenders(files)).toEqual([]);
  });

  it('checks every portable entry the package exports', () => {
    expect(PORTABLE.filter((output) => !ENTRY_POINTS.some((entry) => entry.output === output))).toEqual([]);
  });

  it.each(PORTABLE)('the sources of %s, and the shared HTTP layer, import none', (output) => {
    const entry = ENTRY_POINTS.find((point) => point.output === output)!;
    const sources = [join(ROOT, entry.source)];
    if (output === 'index') {
      // The framework-free layer under the adapters, which tokenward/web and tokenward/hono share.
      const http = join(ROOT, 'src/lib/http');
      sources.push(...readdirSync(http).map((name) => join(http, name)));
    }
    const files = sourceGraph(sources);
    if (output === 'web' || output === 'hono') {
      // The Fetch API layer both adapters stand on is in what was checked.
      for (const name of ['fetch-adapter.ts', 'fetch-request.ts', 'token-routes.ts', 'password-check.ts'])
        expect([...files.keys()]).toContain(join(ROOT, 'src/lib/http', name));
    }
    expect(offenders(files)).toEqual([]);
  });

  it('the checker finds a static node: import, and passes over type-only ones', () => {
    expect(staticImports("import { createHash } from 'node:crypto';\n", false)).toEqual(['node:crypto']);
    expect(staticImports('import \'node:os\';\nexport * from "node:fs";\n', false)).toEqual([
      'node:os',
      'node:fs',
    ]);
    expect(staticImports("import type { KeyObject } from 'node:crypto';\n", false)).toEqual([]);
    expect(staticImports("const m = await import('node:crypto');\n", false)).toEqual([]);
    expect(forbidden('node:crypto') && forbidden('crypto') && forbidden('@node-rs/bcrypt')).toBe(true);
    expect(forbidden('rate-limiter-flexible')).toBe(true);
    expect(forbidden('jose')).toBe(false);
  });
});
