/**
 * The token routes make the unknown-user dummy hash when they are created, so
 * the first unknown-user login only verifies, like every other login. Counted
 * with spies on bcrypt, over a real Express server: no timing.
 */

import { createServer } from 'node:http';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listen, type RunningServer } from '../openapi/support.js';
import { SECRET } from '../support/tokens.js';

// Count the hashings without changing them.
vi.mock('@node-rs/bcrypt', async (importOriginal) => {
  const original = await importOriginal<typeof import('@node-rs/bcrypt')>();
  return { ...original, hash: vi.fn(original.hash), verify: vi.fn(original.verify) };
});

const bcrypt = await import('@node-rs/bcrypt');
const { createAuth } = await import('../../src/create-auth.js');
const { tokenRoutes } = await import('../../src/adapters/express.js');
const { loadBcrypt } = await import('../../src/password/bcrypt.js');
const hashSpy = vi.mocked(bcrypt.hash);
const verifySpy = vi.mocked(bcrypt.verify);

let server: RunningServer | undefined;
beforeEach(() => {
  hashSpy.mockClear();
  verifySpy.mockClear();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the dummy hash of the token routes', () => {
  it('is being made as soon as the routes are created, at their cost, before any login', async () => {
    const auth = createAuth({ keys: SECRET });
    tokenRoutes(auth, { findUser: async () => null, passwordHashCost: 11 });
    // bcrypt is loaded on first use: the hashing starts as soon as it is, and the routes'
    // callback on the load runs before this one, so no login can come first.
    await loadBcrypt();
    expect(hashSpy).toHaveBeenCalledTimes(1);
    expect(hashSpy.mock.calls[0]?.[1]).toBe(11);
    // Made once per cost and process: more routes of that cost start no other hashing.
    tokenRoutes(auth, { findUser: async () => null, passwordHashCost: 11 });
    expect(hashSpy).toHaveBeenCalledTimes(1);
  });

  it('is not made during the first unknown-user login, which only verifies', async () => {
    const auth = createAuth({ keys: SECRET });
    const app = express();
    app.use('/auth', tokenRoutes(auth, { findUser: async () => null, passwordHashCost: 10, cookie: false }));
    server = await listen(createServer(app));
    // Whatever the creation started is done with before the login is counted.
    await Promise.all(hashSpy.mock.results.map((result) => result.value));
    hashSpy.mockClear();
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'a guess' }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_CREDENTIALS');
    expect(hashSpy).not.toHaveBeenCalled();
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  it('refuses a bad passwordHashCost when the routes are created, not at the first login', () => {
    const auth = createAuth({ keys: SECRET });
    expect(() => tokenRoutes(auth, { findUser: async () => null, passwordHashCost: 9 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
