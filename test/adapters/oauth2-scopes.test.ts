/** Scopes over HTTP: the OAuth2 token endpoint grants a requested scope within grantScopes (RFC 6749 3.3, 5.1). */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtures, type Fixtures, FRAMEWORKS, type RunningServer, startApp } from './support/apps.js';
import { type Reply, send } from './support/client.js';

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await createFixtures();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(FRAMEWORKS)('%s', (framework) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startApp(framework, fixtures);
  });
  afterAll(() => server?.close());

  const token = (form: Record<string, string>, path = '/scoped-oauth/token') =>
    send(server.url, { method: 'POST', path, headers: FORM, body: new URLSearchParams(form).toString() });
  const password = (user: string, extra: Record<string, string> = {}) =>
    token({ grant_type: 'password', username: user, password: `${user}-password`, ...extra });
  const get = (path: string, reply: Reply) =>
    send(server.url, { path, headers: { authorization: `Bearer ${reply.json?.access_token}` } });

  it('grants the requested scopes the user may have, answers them (5.1), and the token carries them', async () => {
    const reply = await password('alice', { scope: 'write:notes  read:notes unknown:scope' });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ token_type: 'Bearer', scope: 'read:notes write:notes' });
    expect((await get('/scoped/all', reply)).status).toBe(200);
    const me = await get('/me', reply);
    expect(me.json?.scope).toBe('read:notes write:notes');
    // notes:admin was not requested: not granted, though the user may have it.
    expect((await get('/scoped/any', reply)).status).toBe(200);
  });

  it('passes the request to grantScopes', async () => {
    const reply = await password('bob', { scope: 'self:profile read:notes' });
    expect(reply.json?.scope).toBe('read:notes self:profile');
  });

  it("without a requested scope, grants grantScopes' default", async () => {
    const reply = await password('bob');
    expect(reply.status).toBe(200);
    expect(reply.json?.scope).toBe('read:notes');
    const forbidden = await get('/scoped/all', reply);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="read:notes write:notes"');
  });

  it.each([
    ['nothing the user may have', 'notes:admin'],
    ['a malformed scope', 'read:notes "quoted"'],
    ['a non-ASCII scope', 'lire:notés'],
  ])('refuses %s as invalid_scope (RFC 6749 5.2), issuing nothing', async (_name, scope) => {
    const reply = await password('bob', { scope });
    expect(reply.status).toBe(400);
    expect(reply.json?.error).toBe('invalid_scope');
    expect(reply.json?.access_token).toBeUndefined();
    expect(reply.headers.get('cache-control')).toBe('no-store');
  });

  it('checks the credentials before it looks at the scope', async () => {
    const reply = await token({
      grant_type: 'password',
      username: 'bob',
      password: 'wrong',
      scope: 'notes:admin',
    });
    expect(reply.json?.error).toBe('invalid_grant');
  });

  it('keeps the granted scope at refresh and answers it', async () => {
    const login = await password('alice', { scope: 'read:notes' });
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: login.json?.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json?.scope).toBe('read:notes');
    expect((await get('/me', refreshed)).json?.scope).toBe('read:notes');
  });

  it('ignores a requested scope where the app grants none, as before', async () => {
    const form = { grant_type: 'password', username: 'alice', password: 'alice-password' };
    const malformed = await token({ ...form, scope: 'read:notes "malformed"' }, '/oauth/token');
    expect(malformed.status).toBe(200);
    const reply = await token({ ...form, scope: 'read:notes' }, '/oauth/token');
    expect(reply.status).toBe(200);
    expect(reply.json?.scope).toBeUndefined();
    expect((await get('/me', reply)).json?.scope).toBeUndefined();
  });
});
