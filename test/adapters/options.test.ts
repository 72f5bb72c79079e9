/**
 * Options every adapter checks alike, through the one place that resolves them, and the
 * Koa mount prefix under the shared rule.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as expressAdapter from '../../src/adapters/express.js';
import * as fastifyAdapter from '../../src/adapters/fastify.js';
import * as koaAdapter from '../../src/adapters/koa.js';
import { createAuth } from '../../src/create-auth.js';
import { codeOfSync } from '../support/tokens.js';
import { createFixtures, type Fixtures, SECRET } from './support/apps.js';
import { send } from './support/client.js';

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await createFixtures();
});

async function registrationCode(register: (app: ReturnType<typeof Fastify>) => unknown): Promise<string> {
  const app = Fastify();
  try {
    register(app);
    await app.ready();
    return 'registered';
  } catch (error) {
    return (error as { code?: string }).code ?? 'unknown';
  } finally {
    await app.close();
  }
}

const findUser = async () => null;
const badOptions = [
  ['a realm that is not a string', { realm: 42 }],
  ['an onInternalError that is not a function', { onInternalError: 'log' }],
] as const;

describe.each(badOptions)('%s', (_name, bad) => {
  const options = bad as unknown as { realm?: string };

  it('is CONFIG_INVALID for authenticate and the token routes of Express and Koa', () => {
    const { auth } = fixtures;
    expect(codeOfSync(() => expressAdapter.authenticate(auth, options))).toBe('CONFIG_INVALID');
    expect(codeOfSync(() => expressAdapter.tokenRoutes(auth, { findUser, ...options }))).toBe(
      'CONFIG_INVALID',
    );
    expect(codeOfSync(() => koaAdapter.authenticate(auth, options))).toBe('CONFIG_INVALID');
    expect(codeOfSync(() => koaAdapter.tokenRoutes(auth, { findUser, ...options }))).toBe('CONFIG_INVALID');
  });

  it('is CONFIG_INVALID for both Fastify plugins', async () => {
    const { auth } = fixtures;
    expect(
      await registrationCode((app) => app.register(fastifyAdapter.tokenward, { auth, ...options })),
    ).toBe('CONFIG_INVALID');
    expect(
      await registrationCode((app) =>
        app.register(fastifyAdapter.tokenRoutes, { auth, findUser, ...options }),
      ),
    ).toBe('CONFIG_INVALID');
  });
});

describe('configuration errors of the extension points', () => {
  it('refuses a getToken that is not a function', () => {
    const getToken = 'x-token' as never;
    expect(codeOfSync(() => expressAdapter.authenticate(fixtures.auth, { getToken }))).toBe('CONFIG_INVALID');
    expect(codeOfSync(() => koaAdapter.authenticate(fixtures.auth, { getToken }))).toBe('CONFIG_INVALID');
  });

  it.each([
    ['no role', []],
    ['only options', [{ message: 'x' }]],
    ['an empty role', ['']],
    ['an empty message', ['admin', { message: '' }]],
  ])('refuses a role requirement with %s, in every adapter and the core', async (_name, args) => {
    const roles = args as unknown as ['admin'];
    expect(codeOfSync(() => expressAdapter.requireRole(...roles))).toBe('CONFIG_INVALID');
    expect(codeOfSync(() => koaAdapter.requireAllRoles(...roles))).toBe('CONFIG_INVALID');
    expect(codeOfSync(() => fixtures.auth.requireRole({ roles: ['admin'] }, ...roles))).toBe(
      'CONFIG_INVALID',
    );
    const app = Fastify();
    await app.register(fastifyAdapter.tokenward, { auth: fixtures.auth });
    expect(codeOfSync(() => app.requireRole(...roles))).toBe('CONFIG_INVALID');
    await app.close();
  });

  it('refuses a JWKS route for an instance with nothing to publish (an HMAC secret)', async () => {
    const hmac = createAuth({ keys: SECRET });
    expect(codeOfSync(() => expressAdapter.jwksRoute(hmac))).toBe('CONFIG_INVALID');
    expect(codeOfSync(() => koaAdapter.jwksRoute(hmac))).toBe('CONFIG_INVALID');
    expect(await registrationCode((app) => app.register(fastifyAdapter.jwksRoute, { auth: hmac }))).toBe(
      'CONFIG_INVALID',
    );
    expect(codeOfSync(() => expressAdapter.jwksRoute(fixtures.jwksAuth, { maxAge: '-1m' as never }))).toBe(
      'CONFIG_INVALID',
    );
  });
});

describe('the Koa prefix, judged by the shared mount-prefix rule', () => {
  let url: string;
  let server: ReturnType<typeof createServer>;

  beforeAll(async () => {
    const app = new Koa();
    app.silent = true;
    // A trailing slash was refused (CONFIG_INVALID) before the shared rule; now it is trimmed.
    app.use(
      koaAdapter.tokenRoutes(fixtures.auth, {
        findUser: fixtures.findUser,
        prefix: '/auth/',
        passwordHashCost: 10,
      }),
    );
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('serves the routes under the trimmed prefix, with the __Host- cookie at Path=/ as everywhere', async () => {
    const reply = await send(url, {
      method: 'POST',
      path: '/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    });
    expect(reply.status).toBe(200);
    expect(reply.setCookies[0]).toMatch(/^__Host-refresh_token=[^;]+; Max-Age=\d+; Path=\/;/);
  });

  it.each([['auth'], [42]])('still refuses the prefix %j', (prefix) => {
    expect(
      codeOfSync(() => koaAdapter.tokenRoutes(fixtures.auth, { findUser, prefix: prefix as string })),
    ).toBe('CONFIG_INVALID');
  });
});
