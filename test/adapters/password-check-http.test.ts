/**
 * The token routes' `passwordCheck` over real HTTP, through every adapter: the application's
 * own salted SHA-256 hashes log users in, bcrypt is never touched, an unknown user is checked
 * against the dummy hash and answered as a wrong password, and only a `true` answer logs in,
 * on the JSON login and on the OAuth2 `/token` password grant.
 */

import 'reflect-metadata';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Counts bcrypt's work without changing it: with passwordCheck there must be none.
vi.mock('@node-rs/bcrypt', async (importOriginal) => {
  const original = await importOriginal<typeof import('@node-rs/bcrypt')>();
  return { ...original, hash: vi.fn(original.hash), verify: vi.fn(original.verify) };
});

const bcrypt = await import('@node-rs/bcrypt');
const { createAuth } = await import('../../src/create-auth.js');
const { useTokenRoutes: mountTokenRoutes } = await import('../../src/adapters/nestjs.js');
const { AUDIENCE, FRAMEWORKS, ISSUER, SECRET } = await import('./support/apps.js');
const { startLoginApp } = await import('./support/login-apps.js');

type RunningServer = import('./support/apps.js').RunningServer;
type PasswordCheck = import('../../src/lib/http/password-check.js').PasswordCheck;
type LoginAppOptions = import('./support/login-apps.js').LoginAppOptions;

/** `sha256$<salt hex>$<digest hex>`: the application's own format, nothing bcrypt could read. */
function hashSha256(password: string, salt = randomBytes(16).toString('hex')): string {
  return `sha256$${salt}$${createHash('sha256').update(`${salt}:${password}`).digest('hex')}`;
}

function verifySha256(password: string, stored: string): boolean {
  const [scheme, salt, digest] = stored.split('$');
  if (scheme !== 'sha256' || salt === undefined || digest === undefined) return false;
  const expected = Buffer.from(hashSha256(password, salt));
  const actual = Buffer.from(stored);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const auth = createAuth({ keys: SECRET, issuer: ISSUER, audience: AUDIENCE });
const alice = { sub: 'u-alice', roles: ['admin'], passwordHash: hashSha256('alice-password') };
const dummyHash = hashSha256(randomBytes(32).toString('hex'));

/** The hashes `verify` was asked about, in order, and what it answers: its real check, or a forced value. */
const checked: string[] = [];
let forcedAnswer: unknown;
const passwordCheck: PasswordCheck = {
  dummyHash,
  verify(password, passwordHash) {
    checked.push(passwordHash);
    return forcedAnswer === undefined ? verifySha256(password, passwordHash) : (forcedAnswer as boolean);
  },
};

const options: LoginAppOptions = {
  findUser: async (username) => (username === 'alice' ? alice : null),
  passwordCheck,
  // Several wrong passwords per test: the throttle is tested elsewhere.
  loginThrottle: false,
};

/** A Nest application serving only the token routes, on its Express or Fastify platform. */
async function startNestLoginApp(platform: 'nest-express' | 'nest-fastify'): Promise<RunningServer> {
  @Module({})
  class LoginModule {}
  const app: INestApplication =
    platform === 'nest-express'
      ? await NestFactory.create<NestExpressApplication>(LoginModule, new ExpressAdapter(), { logger: false })
      : await NestFactory.create<NestFastifyApplication>(LoginModule, new FastifyAdapter(), {
          logger: false,
        });
  await mountTokenRoutes(app, auth, { ...options, cookie: false, oauth2: true, path: '/auth' });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close: () => app.close() };
}

const TARGETS = [...FRAMEWORKS, 'nest-express', 'nest-fastify'] as const;

async function post(url: string, contentType: string, body: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(TARGETS)('passwordCheck through %s', (target) => {
  let server: RunningServer;
  const login = (username: string, password: string) =>
    post(`${server.url}/auth/login`, 'application/json', JSON.stringify({ username, password }));
  const grant = (username: string, password: string) =>
    post(
      `${server.url}/auth/token`,
      'application/x-www-form-urlencoded',
      new URLSearchParams({ grant_type: 'password', username, password }).toString(),
    );

  beforeAll(async () => {
    server =
      target === 'nest-express' || target === 'nest-fastify'
        ? await startNestLoginApp(target)
        : await startLoginApp(target, auth, options);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    checked.length = 0;
    forcedAnswer = undefined;
    vi.mocked(bcrypt.hash).mockClear();
    vi.mocked(bcrypt.verify).mockClear();
  });

  it('logs a user in with the application check, never with bcrypt', async () => {
    expect(alice.passwordHash).not.toMatch(/^\$2[aby]\$/);
    const ok = await login('alice', 'alice-password');
    expect(ok.status).toBe(200);
    expect((await auth.verifyToken(ok.body.accessToken as string)).sub).toBe('u-alice');
    expect(typeof ok.body.refreshToken).toBe('string');
    const token = await grant('alice', 'alice-password');
    expect(token.status).toBe(200);
    expect(token.body.token_type).toBe('Bearer');
    expect((await auth.verifyToken(token.body.access_token as string)).sub).toBe('u-alice');
    expect(checked).toEqual([alice.passwordHash, alice.passwordHash]);
    expect(bcrypt.hash).not.toHaveBeenCalled();
    expect(bcrypt.verify).not.toHaveBeenCalled();
  });

  it('refuses a wrong password, and answers an unknown user alike after checking the dummy hash', async () => {
    const wrong = await login('alice', 'not-alice-password');
    expect(wrong).toEqual({
      status: 401,
      body: { error: { code: 'INVALID_CREDENTIALS', message: 'invalid username or password' } },
    });
    expect(checked).toEqual([alice.passwordHash]);
    checked.length = 0;
    expect(await login('mallory', 'alice-password')).toEqual(wrong);
    expect(checked).toEqual([dummyHash]);

    checked.length = 0;
    const wrongGrant = await grant('alice', 'not-alice-password');
    expect(wrongGrant).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'invalid username or password' },
    });
    expect(checked).toEqual([alice.passwordHash]);
    checked.length = 0;
    expect(await grant('mallory', 'alice-password')).toEqual(wrongGrant);
    expect(checked).toEqual([dummyHash]);
    expect(bcrypt.verify).not.toHaveBeenCalled();
  });

  it.each(['yes', 1])('does not log in on a truthy answer other than true (%j)', async (answer) => {
    forcedAnswer = answer;
    expect((await login('alice', 'alice-password')).status).toBe(401);
    expect((await grant('alice', 'alice-password')).body.error).toBe('invalid_grant');
    // The dummy hash never logs anyone in, even when the check says it matches.
    forcedAnswer = true;
    expect((await login('mallory', 'anything')).status).toBe(401);
    expect((await grant('mallory', 'anything')).body.error).toBe('invalid_grant');
    expect(checked).toEqual([alice.passwordHash, alice.passwordHash, dummyHash, dummyHash]);
  });
});
