/**
 * Login protection over real HTTP, on every framework: throttling of failed logins per user
 * name and per client address (before any lookup or bcrypt work), and the cap on concurrent
 * password checks. bcrypt checks are counted by wrapping `verifyPassword`, which both the
 * real check and the unknown-user dummy check go through.
 */

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Auth, createAuth } from '../../src/create-auth.js';
import { hashPassword } from '../../src/password/index.js';
import type { AuthEvent } from '../../src/types.js';
import { AUDIENCE, FRAMEWORKS, ISSUER, type RunningServer, SECRET } from './support/apps.js';
import { type Reply, send } from './support/client.js';
import { type LoginAppOptions, startLoginApp } from './support/login-apps.js';

const bcryptChecks = vi.hoisted(() => ({ count: 0 }));

vi.mock('../../src/password/verify.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/password/verify.js')>();
  return {
    ...original,
    verifyPassword: (...args: Parameters<typeof original.verifyPassword>) => {
      bcryptChecks.count++;
      return original.verifyPassword(...args);
    },
  };
});

type User = { sub: string; passwordHash: string; roles: string[] };
let users: Map<string, User>;
let auth: Auth;

beforeAll(async () => {
  users = new Map([
    [
      'alice',
      { sub: 'u-alice', passwordHash: await hashPassword('alice-password', { cost: 10 }), roles: [] },
    ],
    ['bob', { sub: 'u-bob', passwordHash: await hashPassword('bob-password', { cost: 10 }), roles: [] }],
  ]);
  auth = createAuth({ keys: SECRET, issuer: ISSUER, audience: AUDIENCE });
});

const running: RunningServer[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(running.splice(0).map((server) => server.close()));
});

function baseOptions(extra: Partial<LoginAppOptions> = {}): LoginAppOptions {
  return { findUser: async (name) => users.get(name) ?? null, passwordHashCost: 10, ...extra };
}

function login(url: string, username: string, password: string, address: string): Promise<Reply> {
  return send(url, {
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username, password }),
  });
}

function tokenGrant(url: string, username: string, password: string, address: string): Promise<Reply> {
  return send(url, {
    method: 'POST',
    path: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
    body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
  });
}

/** Everything of an answer a client could compare, except the headers that name the moment or the connection. */
function observable(reply: Reply): string {
  const headers = [...reply.headers].filter(([name]) => !['date', 'keep-alive', 'connection'].includes(name));
  return JSON.stringify({ status: reply.status, headers: headers.sort(), body: reply.text });
}

/** Freezes the clock the limiters read (Date only: servers, sockets and bcrypt keep running). */
function freezeDate(): void {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
}

describe.each(FRAMEWORKS)('%s', (framework) => {
  async function start(extra: Partial<LoginAppOptions> = {}): Promise<string> {
    const server = await startLoginApp(framework, auth, baseOptions(extra));
    running.push(server);
    return server.url;
  }

  it('lets 1,000 guesses at one user name from 1,000 addresses reach bcrypt at most 5 times; another user is not slowed; the user logs in after the window', async () => {
    freezeDate();
    const events: AuthEvent[] = [];
    const url = await start({
      loginThrottle: { username: { attempts: 5, window: '15m' } },
      onEvent: (event) => {
        events.push(event);
      },
    });
    bcryptChecks.count = 0;
    const statuses = new Map<number, number>();
    let bobDuringAttack: Reply | undefined;
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, index) =>
          login(url, 'alice', `guess-${batch}-${index}`, `10.0.${batch}.${index + 1}`),
        ),
      );
      if (batch === 5) bobDuringAttack = await login(url, 'bob', 'bob-password', '192.0.2.7');
      for (const reply of replies) {
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.status === 429) {
          const retryAfter = Number(reply.headers.get('retry-after'));
          expect(retryAfter).toBeGreaterThanOrEqual(1);
          expect(retryAfter).toBeLessThanOrEqual(900);
          expect(reply.json).toEqual({
            error: { code: 'TOO_MANY_ATTEMPTS', message: 'too many login attempts, try again later' },
          });
        }
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 5, 429: 995 });
    // Bob's login is the only other bcrypt check.
    expect(bcryptChecks.count).toBe(6);
    expect(bobDuringAttack?.status).toBe(200);
    expect(events).toHaveLength(995);
    expect(events[0]).toMatchObject({ type: 'login-throttled', subject: 'alice', reason: 'username' });
    expect(events[0]?.address).toMatch(/^10\.0\./);

    // The right password is throttled too while the window lasts: the throttle cannot tell it from a guess.
    expect((await login(url, 'alice', 'alice-password', '192.0.2.8')).status).toBe(429);
    vi.setSystemTime(Date.now() + 15 * 60 * 1000 + 1000);
    const afterWindow = await login(url, 'alice', 'alice-password', '192.0.2.8');
    expect(afterWindow.status).toBe(200);
    expect(afterWindow.json?.accessToken).toEqual(expect.any(String));
  });

  it('answers a throttled known and unknown user name byte for byte alike, without a lookup or bcrypt', async () => {
    freezeDate();
    let lookups = 0;
    const url = await start({
      findUser: async (name) => {
        lookups++;
        return users.get(name) ?? null;
      },
      loginThrottle: { username: { attempts: 1, window: 60 } },
    });
    expect((await login(url, 'alice', 'wrong', '198.51.100.1')).status).toBe(401);
    expect((await login(url, 'nobody', 'wrong', '198.51.100.2')).status).toBe(401);
    lookups = 0;
    bcryptChecks.count = 0;
    const known = await login(url, 'alice', 'wrong', '198.51.100.3');
    const unknown = await login(url, 'nobody', 'wrong', '198.51.100.4');
    expect(known.status).toBe(429);
    expect(known.headers.get('retry-after')).toBe('60');
    expect(observable(unknown)).toBe(observable(known));
    expect(lookups).toBe(0);
    expect(bcryptChecks.count).toBe(0);
  });

  it('counts user names as the lookup sees them (trimmed, lower-cased, or as the app says)', async () => {
    const url = await start({ loginThrottle: { username: { attempts: 1, window: 60 } } });
    expect((await login(url, ' ALICE ', 'wrong', '198.51.100.1')).status).toBe(401);
    expect((await login(url, 'alice', 'wrong', '198.51.100.2')).status).toBe(429);
    const exact = await start({
      loginThrottle: { username: { attempts: 1, window: 60 }, normalizeUsername: (name) => name },
    });
    expect((await login(exact, 'ALICE', 'wrong', '198.51.100.1')).status).toBe(401);
    expect((await login(exact, 'alice', 'wrong', '198.51.100.2')).status).toBe(401);
  });

  it('throttles per client address across user names, and a success clears the user name’s count', async () => {
    const url = await start({
      loginThrottle: { username: { attempts: 3, window: 60 }, address: { attempts: 4, window: 60 } },
    });
    expect((await login(url, 'alice', 'wrong', '203.0.113.1')).status).toBe(401);
    expect((await login(url, 'alice', 'wrong', '203.0.113.2')).status).toBe(401);
    // The success clears alice's two failures and gives its own attempt back to the address.
    expect((await login(url, 'alice', 'alice-password', '203.0.113.2')).status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await login(url, 'alice', 'wrong', `203.0.113.${10 + i}`)).status).toBe(401);
    expect((await login(url, 'alice', 'wrong', '203.0.113.20')).status).toBe(429);
    // One address guessing at many user names: 4 failures, then 429 whatever the name.
    for (const name of ['carol', 'dave', 'erin']) {
      expect((await login(url, name, 'wrong', '203.0.113.99')).status).toBe(401);
    }
    expect((await login(url, 'frank', 'wrong', '203.0.113.99')).status).toBe(401);
    const throttled = await login(url, 'bob', 'bob-password', '203.0.113.99');
    expect(throttled.status).toBe(429);
    // Bob from elsewhere is not slowed.
    expect((await login(url, 'bob', 'bob-password', '203.0.113.100')).status).toBe(200);
  });

  it('answers the RFC 6749 form on /token, and never throttles refresh or logout', async () => {
    const url = await start({ loginThrottle: { username: { attempts: 1, window: 60 } } });
    const first = await tokenGrant(url, 'alice', 'alice-password', '198.51.100.1');
    expect(first.status).toBe(200);
    const refreshToken = first.json?.refresh_token as string;
    expect((await tokenGrant(url, 'alice', 'wrong', '198.51.100.1')).status).toBe(400);
    const throttled = await tokenGrant(url, 'alice', 'alice-password', '198.51.100.1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(throttled.json).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'too many login attempts, try again later',
    });
    expect((await login(url, 'alice', 'alice-password', '198.51.100.2')).status).toBe(429);
    const json = { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' };
    const refreshed = await send(url, {
      method: 'POST',
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refreshToken }),
    });
    expect(refreshed.status).toBe(200);
    const loggedOut = await send(url, {
      method: 'POST',
      path: '/auth/logout',
      headers: json,
      body: JSON.stringify({ refreshToken: refreshed.json?.refreshToken }),
    });
    expect(loggedOut.status).toBe(204);
  });

  it('fails closed with 503 STORE_UNAVAILABLE when a limiter fails or does not answer, and checks no password', async () => {
    const failing = {
      points: 5,
      consume: async () => {
        throw new Error('redis down');
      },
      reward: async () => undefined,
      delete: async () => undefined,
    };
    const silent = { ...failing, consume: () => new Promise<never>(() => {}) };
    bcryptChecks.count = 0;
    for (const limiter of [failing, silent]) {
      const url = await start({ loginThrottle: { username: limiter, timeoutMs: 50 } });
      const reply = await login(url, 'alice', 'alice-password', '198.51.100.1');
      expect(reply.status).toBe(503);
      expect(reply.json).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
    }
    expect(bcryptChecks.count).toBe(0);
  });

  it('caps concurrent password checks: beyond the queue, 503 LOGIN_BUSY with Retry-After, while GET /me keeps answering', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lookups = 0;
    let entered!: () => void;
    const firstLookup = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const events: AuthEvent[] = [];
    const url = await start({
      // Every lookup waits for the test: the first one holds the only slot until released.
      findUser: async (name) => {
        lookups++;
        entered();
        await held;
        return users.get(name) ?? null;
      },
      loginThrottle: false,
      loginConcurrency: { maxConcurrent: 1, maxQueued: 2 },
      onEvent: (event) => {
        events.push(event);
      },
    });
    const { accessToken } = await auth.issueTokens({ sub: 'u-bob' });
    let settled = 0;
    const flood = Array.from({ length: 20 }, (_, index) =>
      login(url, 'alice', 'alice-password', `10.1.0.${index + 1}`).then((reply) => {
        settled++;
        return reply;
      }),
    );
    await firstLookup;
    // 1 in the slot and 2 queued wait for the release; the 17 others are answered at once.
    await vi.waitFor(() => expect(settled).toBe(17), { timeout: 20_000, interval: 20 });
    const me = await send(url, { path: '/me', headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    expect(lookups).toBe(1);
    release();
    const replies = await Promise.all(flood);
    const busy = replies.filter((reply) => reply.status === 503);
    expect(busy).toHaveLength(17);
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(3);
    for (const reply of busy) {
      expect(reply.json).toMatchObject({ error: { code: 'LOGIN_BUSY' } });
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(lookups).toBe(3);
    expect(events).toHaveLength(17);
    expect(events[0]).toMatchObject({ type: 'login-busy', subject: 'alice', reason: 'queue-full' });
  });
});
