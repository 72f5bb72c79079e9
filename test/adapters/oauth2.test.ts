/** The OAuth2 token endpoint (RFC 6749 password and refresh grants), driven by a real OAuth2 client: simple-oauth2. */

import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtures, type Fixtures, FRAMEWORKS, type RunningServer, startApp } from './support/apps.js';
import { send } from './support/client.js';

interface AccessToken {
  token: Record<string, unknown>;
  refresh(): Promise<AccessToken>;
}
interface ResourceOwnerPassword {
  getToken(params: { username: string; password: string }): Promise<AccessToken>;
}
type ResourceOwnerPasswordClass = new (options: {
  client: { id: string; secret: string };
  auth: { tokenHost: string; tokenPath: string };
}) => ResourceOwnerPassword;

// simple-oauth2 ships no types; only the two grant calls used here are described above.
const { ResourceOwnerPassword: PasswordClient } = createRequire(import.meta.url)('simple-oauth2') as {
  ResourceOwnerPassword: ResourceOwnerPasswordClass;
};

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await createFixtures();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(FRAMEWORKS)('%s', (framework) => {
  let server: RunningServer;
  let client: ResourceOwnerPassword;
  beforeAll(async () => {
    server = await startApp(framework, fixtures);
    client = new PasswordClient({
      client: { id: 'spa', secret: 'unused' },
      auth: { tokenHost: server.url, tokenPath: '/oauth/token' },
    });
  });
  afterAll(() => server?.close());

  it('logs in with the password grant, refreshes with the refresh grant, and the tokens work', async () => {
    const first = await client.getToken({ username: 'alice', password: 'alice-password' });
    expect(first.token).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(typeof first.token.access_token).toBe('string');
    expect(typeof first.token.refresh_token).toBe('string');
    const me = await send(server.url, {
      path: '/me',
      headers: { authorization: `Bearer ${first.token.access_token}` },
    });
    expect(me.json?.sub).toBe('u-alice');

    const second = await first.refresh();
    expect(second.token.refresh_token).not.toBe(first.token.refresh_token);
    // The first refresh token was rotated: presenting it again is reuse, an invalid grant.
    await expect(first.refresh()).rejects.toMatchObject({ output: { statusCode: 400 } });
  });

  it('refuses a wrong password as invalid_grant, per RFC 6749 5.2', async () => {
    const error = await client.getToken({ username: 'alice', password: 'wrong' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ output: { statusCode: 400 }, data: { payload: expect.anything() } });
    const reply = await send(server.url, {
      method: 'POST',
      path: '/oauth/token',
      headers: FORM,
      body: 'grant_type=password&username=alice&password=wrong',
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ error: 'invalid_grant', error_description: 'invalid username or password' });
    expect(reply.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['an unknown grant type', 'grant_type=client_credentials', 'unsupported_grant_type'],
    // RFC 6749 5.2: a missing required parameter is a malformed request, not an unsupported grant.
    ['a missing grant type', 'username=alice&password=alice-password', 'invalid_request'],
    ['an empty grant type', 'grant_type=&username=alice&password=alice-password', 'invalid_request'],
    ['a refresh grant without a token', 'grant_type=refresh_token', 'invalid_request'],
    ['a password grant without a password', 'grant_type=password&username=alice', 'invalid_request'],
  ])('answers %s with %s', async (_name, body, error) => {
    const reply = await send(server.url, { method: 'POST', path: '/oauth/token', headers: FORM, body });
    expect(reply.status).toBe(400);
    expect(reply.json?.error).toBe(error);
  });

  it('refuses a JSON body on the token endpoint, and keeps the JSON login as it is', async () => {
    const body = JSON.stringify({ username: 'alice', password: 'alice-password' });
    const json = { 'content-type': 'application/json' };
    const token = await send(server.url, { method: 'POST', path: '/oauth/token', headers: json, body });
    expect(token.json?.error).toBe('invalid_request');
    const login = await send(server.url, { method: 'POST', path: '/oauth/login', headers: json, body });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
  });
});
