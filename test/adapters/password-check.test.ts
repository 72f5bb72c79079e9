/**
 * The token routes' `passwordCheck`: an application's own password hashes (the Workers
 * example's PBKDF2 from Web Crypto) instead of bcrypt, with the unknown-user dummy check kept,
 * through `tokenward/web` called with `Request`s.
 */

import { describe, expect, it } from 'vitest';
import { hashPbkdf2, pbkdf2Check, verifyPbkdf2 } from '../../examples/workers/pbkdf2.js';
import * as web from '../../src/adapters/web.js';
import { createAuth } from '../../src/create-auth.js';
import { codeOfSync } from '../support/tokens.js';

const auth = createAuth({ keys: 'a-password-check-test-secret-of-32-bytes' });

function login(username: string, password: string): Request {
  return new Request('https://api.example/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

/** The token routes with a PBKDF2 check that records the hashes it was asked to check against. */
async function routesWithRecorder(
  verify: (password: string, hash: string) => Promise<boolean> = verifyPbkdf2,
) {
  const users = {
    alice: { sub: 'user-1', roles: ['admin'], passwordHash: await hashPbkdf2('wonderland') },
    nohash: { sub: 'user-3', passwordHash: null },
  };
  const checked: string[] = [];
  const routes = web.tokenRoutes(auth, {
    prefix: '/auth',
    cookie: false,
    loginThrottle: false,
    findUser: (username) => (Object.hasOwn(users, username) ? users[username as keyof typeof users] : null),
    passwordCheck: {
      dummyHash: pbkdf2Check.dummyHash,
      verify(password, hash) {
        checked.push(hash);
        return verify(password, hash);
      },
    },
  });
  return { routes, checked, users };
}

async function answer(response: Response | undefined) {
  expect(response).toBeDefined();
  return { status: response!.status, body: (await response!.json()) as Record<string, string> };
}

describe('token routes with passwordCheck', () => {
  it('logs a user in when the check matches, and refuses a wrong password', async () => {
    const { routes, checked, users } = await routesWithRecorder();
    const ok = await answer(await routes(login('alice', 'wonderland')));
    expect(ok.status).toBe(200);
    expect((await auth.verifyToken(ok.body.accessToken)).sub).toBe('user-1');
    const wrong = await answer(await routes(login('alice', 'not wonderland')));
    expect(wrong).toEqual({
      status: 401,
      body: { error: { code: 'INVALID_CREDENTIALS', message: 'invalid username or password' } },
    });
    expect(checked).toEqual([users.alice.passwordHash, users.alice.passwordHash]);
  });

  it('checks the dummy hash for an unknown user and a user without a hash, and answers as for a wrong password', async () => {
    const { routes, checked } = await routesWithRecorder();
    const wrong = await answer(await routes(login('alice', 'not wonderland')));
    const unknown = await answer(await routes(login('mallory', 'wonderland')));
    const noHash = await answer(await routes(login('nohash', 'wonderland')));
    expect(unknown).toEqual(wrong);
    expect(noHash).toEqual(wrong);
    expect(checked.slice(1)).toEqual([pbkdf2Check.dummyHash, pbkdf2Check.dummyHash]);
  });

  it('never logs in on the dummy hash, even when the check says it matches', async () => {
    const { routes, checked } = await routesWithRecorder(async () => true);
    expect((await routes(login('mallory', 'anything')))?.status).toBe(401);
    // A known user without a hash: the routes' own answer is all that stands between him and a login.
    expect((await routes(login('nohash', 'anything')))?.status).toBe(401);
    expect(checked).toEqual([pbkdf2Check.dummyHash, pbkdf2Check.dummyHash]);
  });

  it('logs in only on true, not on a truthy answer', async () => {
    const { routes } = await routesWithRecorder((async () => 'yes') as never);
    expect((await routes(login('alice', 'wonderland')))?.status).toBe(401);
  });

  it('refuses a malformed check, and passwordHashCost with it (a bcrypt setting)', () => {
    const findUser = () => null;
    expect(
      codeOfSync(() => web.tokenRoutes(auth, { findUser, passwordCheck: { dummyHash: 'x' } as never })),
    ).toBe('CONFIG_INVALID');
    expect(
      codeOfSync(() =>
        web.tokenRoutes(auth, { findUser, passwordCheck: { verify: verifyPbkdf2, dummyHash: '' } }),
      ),
    ).toBe('CONFIG_INVALID');
    expect(
      codeOfSync(() => web.tokenRoutes(auth, { findUser, passwordCheck: pbkdf2Check, passwordHashCost: 10 })),
    ).toBe('CONFIG_INVALID');
  });
});

describe('the Workers example PBKDF2 hashes', () => {
  it('match their password only, and refuse a hash they did not write', async () => {
    const stored = await hashPbkdf2('wonderland');
    expect(stored).toMatch(/^pbkdf2-sha256\$100000\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPbkdf2('wonderland', stored)).toBe(true);
    expect(await verifyPbkdf2('wonderlanD', stored)).toBe(false);
    expect(await hashPbkdf2('wonderland')).not.toBe(stored);
    expect(await verifyPbkdf2('wonderland', stored.replace('100000', '1000'))).toBe(false);
    expect(await verifyPbkdf2('wonderland', `$2b$10$${'a'.repeat(53)}`)).toBe(false);
    expect(await verifyPbkdf2('wonderland', `${stored.slice(0, -1)}`)).toBe(false);
    expect(await verifyPbkdf2('wonderland', `${stored}A`)).toBe(false);
  });
});
