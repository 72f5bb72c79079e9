/** loadSubject over HTTP: the token routes call auth.refresh, so they reload the subject with nothing to configure. */

import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, requireRole, tokenRoutes } from '../../src/adapters/express.js';
import { createAuth } from '../../src/index.js';
import { hashPassword } from '../../src/password/index.js';
import { SECRET } from '../support/tokens.js';

type Role = 'admin' | 'user';

describe('the token routes with loadSubject', () => {
  const roles = new Map<string, Role[] | null>([['u-alice', ['admin']]]);
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const passwordHash = await hashPassword('alice-password', { cost: 10 });
    const auth = createAuth<object, Role>({
      keys: SECRET,
      async loadSubject(sub) {
        const current = roles.get(sub);
        return current ? { roles: current } : null;
      },
    });
    const app = express();
    app.use(
      '/auth',
      tokenRoutes(auth, {
        cookie: false,
        findUser: async (username) =>
          username === 'alice' ? { sub: 'u-alice', passwordHash, roles: roles.get('u-alice') ?? [] } : null,
      }),
    );
    app.get('/admin', authenticate(auth), requireRole('admin'), (_req, res) => {
      res.json({ admin: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close?.());

  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const admin = (accessToken: string) =>
    fetch(`${url}/admin`, { headers: { authorization: `Bearer ${accessToken}` } });

  it('a demoted admin loses admin at the next POST /refresh; a removed user is logged out', async () => {
    roles.set('u-alice', ['admin']);
    const login = (await (
      await post('/auth/login', { username: 'alice', password: 'alice-password' })
    ).json()) as {
      accessToken: string;
      refreshToken: string;
    };
    expect((await admin(login.accessToken)).status).toBe(200);

    roles.set('u-alice', ['user']);
    const refreshed = await post('/auth/refresh', { refreshToken: login.refreshToken });
    expect(refreshed.status).toBe(200);
    const pair = (await refreshed.json()) as { accessToken: string; refreshToken: string };
    expect((await admin(pair.accessToken)).status).toBe(403);

    roles.set('u-alice', null);
    const ended = await post('/auth/refresh', { refreshToken: pair.refreshToken });
    expect(ended.status).toBe(401);
    expect(await ended.json()).toMatchObject({ error: { code: 'TOKEN_REVOKED' } });
  });
});
