/**
 * The session routes' rules the scenario table does not reach: which routes are
 * served, the login's session label (the default short User-Agent, the option,
 * an invalid label from the app), and a store that cannot list sessions.
 */

import { createServer } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { tokenRoutes } from '../../src/adapters/express.js';
import { createAuth } from '../../src/create-auth.js';
import type { AuthError } from '../../src/errors.js';
import { shortUserAgent } from '../../src/lib/http/session-routes.js';
import { createTokenRoutes, type TokenRoutesOptions } from '../../src/lib/http/token-routes.js';
import { hashPassword } from '../../src/password/index.js';
import { MemoryTokenStore } from '../../src/stores/memory.js';
import type { TokenStore } from '../../src/stores/token-store.js';
import { listen } from '../support/servers.js';
import { send } from './support/client.js';

const SECRET = 'a-session-routes-test-secret-of-32-bytes';
const passwordHash = await hashPassword('pw', { cost: 10 });
const findUser = (name: string) => (name === 'bob' ? { sub: 'u-bob', passwordHash } : null);

describe('which session routes are served', () => {
  const auth = createAuth({ keys: SECRET });

  it('serves none unless sessions is on', () => {
    const routes = createTokenRoutes(auth, { findUser });
    expect(routes.routeOf('GET', '/sessions')).toBeUndefined();
    expect(routes.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual([
      'POST /login',
      'POST /refresh',
      'POST /logout',
    ]);
  });

  it('serves GET and DELETE /sessions and DELETE /sessions/:id with sessions: true', () => {
    const routes = createTokenRoutes(auth, { findUser, sessions: true });
    expect(routes.routeOf('GET', '/sessions')).toBe('sessions');
    expect(routes.routeOf('DELETE', '/sessions')).toBe('end-other-sessions');
    expect(routes.routeOf('DELETE', '/sessions/abc')).toBe('end-session');
    for (const [method, path] of [
      ['POST', '/sessions'],
      ['GET', '/sessions/abc'],
      ['DELETE', '/sessions/'],
      ['DELETE', '/sessions/a/b'],
      ['PUT', '/sessions'],
    ] as const) {
      expect(routes.routeOf(method, path), `${method} ${path}`).toBeUndefined();
    }
    // The POST routes stay as they were.
    expect(routes.routes).toEqual(['login', 'refresh', 'logout']);
  });

  it('refuses a sessionLabel that is neither false nor a function', () => {
    let code: string | undefined;
    try {
      createTokenRoutes(auth, { findUser, sessionLabel: 'Phone' as never });
    } catch (error) {
      code = (error as AuthError).code;
    }
    expect(code).toBe('CONFIG_INVALID');
  });
});

describe('shortUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
      'Safari on macOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1',
      'Chrome on iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    ['curl/8.5.0', 'curl'],
    ['okhttp/4.12.0', 'okhttp'],
    ['\u0000\u202e', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s -> %s', (agent, label) => {
    expect(shortUserAgent(agent)).toBe(label);
  });
});

/** An Express app with the routes on a given store and options; the store's sessions read back. */
async function app(options: Partial<TokenRoutesOptions> = {}, store: TokenStore = new MemoryTokenStore()) {
  const auth = createAuth({ keys: SECRET, store });
  const errors: unknown[] = [];
  const server = await listen(
    createServer(
      express().use(
        '/auth',
        tokenRoutes(auth, {
          findUser,
          passwordHashCost: 10,
          cookie: false,
          sessions: true,
          onInternalError: (error: unknown) => errors.push(error),
          ...options,
        }),
      ),
    ),
  );
  const login = (headers: Record<string, string> = {}) =>
    send(server.url, {
      method: 'POST',
      path: '/auth/login',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username: 'bob', password: 'pw' }),
    });
  return { server, auth, errors, login };
}

describe('the login labels its session', () => {
  it('with a short User-Agent by default', async () => {
    const { server, auth, login } = await app();
    try {
      await login({ 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' });
      expect((await auth.listSessions('u-bob')).map((s) => s.label)).toEqual(['Firefox on Linux']);
    } finally {
      await server.close();
    }
  });

  it("with the app's sessionLabel, or none with false", async () => {
    const labelled = await app({ sessionLabel: (request) => `app ${String(request.header('x-client'))}` });
    const none = await app({ sessionLabel: false });
    try {
      await labelled.login({ 'x-client': 'notes-ios' });
      expect((await labelled.auth.listSessions('u-bob'))[0]?.label).toBe('app notes-ios');
      await none.login({ 'user-agent': 'curl/8.5.0' });
      expect((await none.auth.listSessions('u-bob'))[0]).not.toHaveProperty('label');
    } finally {
      await labelled.server.close();
      await none.server.close();
    }
  });

  it("answers a reported 500 to a label the app's function makes invalid, never a 401", async () => {
    const { server, errors, login, auth } = await app({ sessionLabel: () => 'x'.repeat(500) });
    try {
      const reply = await login();
      expect(reply.status).toBe(500);
      expect(errors).toHaveLength(1);
      expect(await auth.listSessions('u-bob')).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('a store written for 0.1', () => {
  it('logs in and refreshes, and answers the session routes with a reported 500 CONFIG_INVALID', async () => {
    const inner = new MemoryTokenStore();
    const old: TokenStore = {
      createFamily: (f) => inner.createFamily(f),
      rotateRefreshToken: (i) => inner.rotateRefreshToken(i),
      getRefreshTokenState: (t) => inner.getRefreshTokenState(t),
      revokeFamily: (f) => inner.revokeFamily(f),
      revokeAccessToken: (t) => inner.revokeAccessToken(t),
      isAccessTokenRevoked: (t) => inner.isAccessTokenRevoked(t),
      revokeSubject: (i) => inner.revokeSubject(i),
    };
    const { server, login, errors } = await app({}, old);
    try {
      const pair = (await login()).json as { accessToken: string; refreshToken: string };
      const refreshed = await send(server.url, {
        method: 'POST',
        path: '/auth/refresh',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: pair.refreshToken }),
      });
      expect(refreshed.status).toBe(200);
      const listed = await send(server.url, {
        path: '/auth/sessions',
        headers: { authorization: `Bearer ${pair.accessToken}` },
      });
      expect(listed.status).toBe(500);
      expect(errors).toHaveLength(1);
      expect(String((errors[0] as Error).message)).toMatch(/listSessions/);
    } finally {
      await server.close();
    }
  });
});
