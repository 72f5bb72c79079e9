/**
 * `tokenward/nestjs` in an application compiled as Nest's starter compiles it (`nest new`):
 * `experimentalDecorators` and `emitDecoratorMetadata`, so that Nest injects by the emitted
 * constructor types, with no `@Inject()`. The source is type-checked and compiled with those
 * settings by TypeScript itself, then served over HTTP.
 */

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/create-auth.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Inside the repository (and ignored by git): the compiled module's bare imports resolve from here.
const DIRECTORY = `${ROOT}.tmp/nest-starter`;
const SOURCE = `${DIRECTORY}/app.ts`;

/** The compiler options of Nest 11's and 12's starter tsconfig.json that bear on decorators and emit. */
const STARTER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  resolvePackageJsonExports: true,
  isolatedModules: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  allowSyntheticDefaultImports: true,
  esModuleInterop: true,
  target: ts.ScriptTarget.ES2023,
  strictNullChecks: true,
  skipLibCheck: true,
  noImplicitAny: false,
};

// A service injected by its type alone, a global guard, @Roles, @Scopes and @Claims.
const APP = `
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Claims, type RequestClaims, Roles, Scopes, TokenwardGuard, TokenwardModule } from '${ROOT}src/adapters/nestjs.js';
import type { Auth } from '${ROOT}src/create-auth.js';

@Injectable()
export class GreetingService {
  greet(sub: string): string {
    return 'hello ' + sub;
  }
}

@Controller()
export class AppController {
  constructor(private readonly greetings: GreetingService) {}

  @Get('hello')
  hello(@Claims('sub') sub: string) {
    return { text: this.greetings.greet(sub) };
  }

  @Get('admin')
  @Roles('admin')
  @Scopes('read:notes')
  admin(@Claims() claims: RequestClaims) {
    return { sub: claims.sub };
  }
}

export function appModule(auth: Auth<object, string>) {
  @Module({
    imports: [TokenwardModule.forRoot({ auth })],
    controllers: [AppController],
    providers: [GreetingService, { provide: APP_GUARD, useClass: TokenwardGuard }],
  })
  class AppModule {}
  return AppModule;
}
`;

const auth = createAuth<object, string>({ keys: 'a-nest-starter-secret-of-at-least-32-bytes' });
let app: INestApplication;
let base: string;

beforeAll(async () => {
  mkdirSync(DIRECTORY, { recursive: true });
  writeFileSync(SOURCE, APP);
  const program = ts.createProgram([SOURCE], { ...STARTER_OPTIONS, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === SOURCE);
  expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  // Emitted as an ES module for the test runner to load; the decorator metadata does not depend on it.
  const { outputText } = ts.transpileModule(APP, {
    compilerOptions: { ...STARTER_OPTIONS, module: ts.ModuleKind.ESNext },
  });
  expect(outputText).toContain('design:paramtypes');
  writeFileSync(`${DIRECTORY}/app.mjs`, outputText);
  await import('reflect-metadata');
  const compiled = (await import(/* @vite-ignore */ `${DIRECTORY}/app.mjs`)) as {
    appModule(auth: unknown): new () => unknown;
  };
  const { NestFactory } = await import('@nestjs/core');
  app = await NestFactory.create(compiled.appModule(auth), { logger: false });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  rmSync(DIRECTORY, { recursive: true, force: true });
});

describe("an application compiled with Nest's starter settings", () => {
  it('injects the service by its emitted type and hands the claims to the handler', async () => {
    const token = await auth.createAccessToken({ sub: 'u1' });
    const response = await fetch(`${base}/hello`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ text: 'hello u1' });
    expect((await fetch(`${base}/hello`)).status).toBe(401);
  });

  it('checks the role and scope decorators', async () => {
    const get = async (roles: string[], scope: string[]) => {
      const token = await auth.createAccessToken({ sub: 'u1', roles, scope });
      return fetch(`${base}/admin`, { headers: { authorization: `Bearer ${token}` } });
    };
    expect((await get(['admin'], ['read:notes'])).status).toBe(200);
    expect((await get(['user'], ['read:notes'])).status).toBe(403);
    expect((await get(['admin'], [])).headers.get('www-authenticate')).toContain('scope="read:notes"');
  });
});
