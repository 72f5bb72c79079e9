/**
 * What an adapter answers for tokens of several issuers, over real HTTP: the claims of each
 * issuer's token, roles from its `rolesClaim`, and a JWKS outage as 503 JWKS_UNAVAILABLE with
 * `Retry-After`, never a pass.
 */

import { createServer } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, requireRole } from '../../src/adapters/express.js';
import { createAuth } from '../../src/index.js';
import { listen, type RunningServer } from '../support/servers.js';
import { type FakeIdp, startIdp } from './idp.js';
import { keycloakAccess } from './shapes.js';

let keycloak: FakeIdp;
let down: FakeIdp;
let api: RunningServer;

beforeAll(async () => {
  [keycloak, down] = await Promise.all([startIdp('/realms/acme'), startIdp('/realms/down')]);
  down.jwksMode = 'fail';
  const auth = createAuth({
    issuers: [
      {
        issuer: keycloak.issuer,
        discovery: true,
        audience: 'notes-api',
        accessTokenType: 'JWT',
        rolesClaim: 'realm_access.roles',
      },
      { issuer: down.issuer, jwks: down.jwksUri, audience: 'notes-api', accessTokenType: 'JWT' },
    ],
  });
  const app = express();
  app.get('/admin', authenticate(auth), requireRole('admin'), (req, res) => {
    res.json({ sub: req.auth?.sub, roles: req.auth?.roles });
  });
  api = await listen(createServer(app));
});

afterAll(async () => {
  await Promise.all([keycloak?.close(), down?.close(), api?.close()]);
});

const get = (token: string) => fetch(`${api.url}/admin`, { headers: { authorization: `Bearer ${token}` } });

describe('an Express API trusting two issuers', () => {
  it('lets an admin of the working issuer in, roles read from realm_access', async () => {
    const response = await get(keycloakAccess(keycloak));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sub: '8c2f4a1b-3d5e-4f6a-9b7c-1d2e3f4a5b6c',
      roles: ['default-roles-acme', 'offline_access', 'uma_authorization', 'admin'],
    });
    const user = await get(keycloakAccess(keycloak, { realm_access: { roles: ['user'] } }));
    expect(user.status).toBe(403);
  });

  it('answers 503 JWKS_UNAVAILABLE with Retry-After while the other issuer’s JWKS is down', async () => {
    const first = await get(keycloakAccess(down));
    const second = await get(keycloakAccess(down));
    for (const response of [first, second]) {
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('JWKS_UNAVAILABLE');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(response.headers.get('www-authenticate') ?? '').not.toContain('error=');
    }
    expect(down.hits.jwks).toBe(1);
    // The working issuer is not affected.
    expect((await get(keycloakAccess(keycloak))).status).toBe(200);
  });
});
