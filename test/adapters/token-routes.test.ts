/**
 * The token routes' options and the rules the scenario table does not reach:
 * the refresh cookie's name and path wherever the routes are mounted, a
 * client-controlled mount path, the login field names, and which routes are served.
 */

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenRoutes } from '../../src/adapters/express.js';
import { createAuth } from '../../src/create-auth.js';
import type { AuthError } from '../../src/errors.js';
import { readCookie } from '../../src/lib/http/cookies.js';
import { nodeRequestView } from '../../src/lib/http/node-request.js';
import { createTokenRoutes, type TokenRoutesOptions } from '../../src/lib/http/token-routes.js';
import { hashPassword } from '../../src/password/index.js';
import { send } from './support/client.js';

const require = createRequire(import.meta.url);
const auth = createAuth({ keys: 'a-token-routes-test-secret-of-32-bytes!!' });

function configCode(options: Partial<TokenRoutesOptions>): string | undefined {
  try {
    createTokenRoutes(auth, { findUser: () => null, ...options });
    return undefined;
  } catch (error) {
    return (error as AuthError).code;
  }
}

describe('createTokenRoutes', () => {
  it('serves login, refresh and logout; /token and /logout-all only when turned on', () => {
    expect(createTokenRoutes(auth, { findUser: () => null }).routes).toEqual(['login', 'refresh', 'logout']);
    const all = createTokenRoutes(auth, { findUser: () => null, oauth2: true, logoutAll: true });
    expect(all.routes).toEqual(['login', 'refresh', 'logout', 'token', 'logout-all']);
    expect(all.routeOf('POST', '/logout-all')).toBe('logout-all');
    expect(all.routeOf('GET', '/logout-all')).toBeUndefined();
  });

  it.each([
    ['an empty field name', { fields: { username: '' } }],
    ['a field name with a space', { fields: { password: 'pass word' } }],
    ['a 65-character field name', { fields: { username: 'x'.repeat(65) } }],
    ['the same name twice', { fields: { username: 'login', password: 'login' } }],
    ['a password field named like the default user field', { fields: { password: 'username' } }],
  ])('refuses %s (CONFIG_INVALID)', (_name, options) => {
    expect(configCode(options)).toBe('CONFIG_INVALID');
  });

  it('takes field names of letters, digits, _, . and -', () => {
    expect(configCode({ fields: { username: 'user.e-mail_1', password: 'pass' } })).toBeUndefined();
  });
});

describe('reading the refresh cookie', () => {
  const view = (cookie: string) => nodeRequestView({ headers: { cookie }, rawHeaders: ['cookie', cookie] });

  it('reads the exact name only: the __Secure-, lower-case and unprefixed cookies a sibling plants are others', () => {
    const header =
      '__Secure-refresh_token=planted; __host-refresh_token=planted; refresh_token=planted; __Host-refresh_token=mine';
    expect(readCookie(view(header), '__Host-refresh_token')).toBe('mine');
    expect(readCookie(view('__Secure-refresh_token=planted'), '__Host-refresh_token')).toBeUndefined();
  });

  it('refuses the exact name twice, which no other host can cause for a __Host- cookie', () => {
    let code: string | undefined;
    try {
      readCookie(view('__Host-refresh_token=a; __Host-refresh_token=b'), '__Host-refresh_token');
    } catch (error) {
      code = (error as AuthError).code;
    }
    expect(code).toBe('REQUEST_INVALID');
  });
});

// Express hands the routes a mount path a client chooses: baseUrl under a regexp mount.
describe.each(['express4', 'express'])('a client-controlled mount path (%s)', (framework) => {
  let url: string;
  let close: () => Promise<void>;
  let baseUrl: string | undefined;

  beforeAll(async () => {
    const passwordHash = await hashPassword('alice-password', { cost: 10 });
    const app = (require(framework) as typeof express)();
    const options = {
      findUser: (name: string) => (name === 'alice' ? { sub: 'u-alice', passwordHash } : null),
      passwordHashCost: 10,
    };
    // The mount is /tenant and all but the last slash of the run that follows: baseUrl ends in slashes.
    const seeBaseUrl: express.RequestHandler = (req, _res, next) => {
      baseUrl = req.baseUrl;
      next();
    };
    app.use(/^\/tenant\/*(?=\/)/, seeBaseUrl, tokenRoutes(auth, options));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      });
  });
  afterAll(() => close?.());

  it('sets the __Host- cookie at Path=/ whatever the 15 KB mount path', async () => {
    const reply = await send(url, {
      method: 'POST',
      path: `/tenant${'/'.repeat(15_000)}login`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    });
    expect(reply.status).toBe(200);
    // The routes were handed the long run of slashes as their mount path.
    expect(baseUrl).toMatch(/^\/tenant\/+$/);
    expect(baseUrl?.length).toBeGreaterThan(15_000);
    expect(reply.setCookies).toHaveLength(1);
    expect(reply.setCookies[0]).toMatch(
      /^__Host-refresh_token=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
  });
});
