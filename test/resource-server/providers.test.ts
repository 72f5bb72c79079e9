/**
 * One verify-only instance trusting Auth0, Keycloak, Entra ID (v2), Cognito and Okta at once,
 * each served from its own real JWKS / discovery endpoint on 127.0.0.1, checked with tokens
 * shaped as each provider documents them: accepted, roles and scopes read where each puts them,
 * and each provider's ID token refused.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, createAuth } from '../../src/index.js';
import { codeOf, codeOfSync } from '../support/tokens.js';
import { type FakeIdp, startIdp } from './idp.js';
import {
  auth0Access,
  auth0Id,
  COGNITO_CLIENT,
  cognitoAccess,
  cognitoId,
  ENTRA,
  entraAccess,
  entraId,
  keycloakAccess,
  keycloakId,
  oktaAccess,
  oktaId,
} from './shapes.js';

let auth0: FakeIdp;
let keycloak: FakeIdp;
let entra: FakeIdp;
let cognito: FakeIdp;
let okta: FakeIdp;
let auth: Auth;

beforeAll(async () => {
  [auth0, keycloak, entra, cognito, okta] = await Promise.all([
    startIdp('/'),
    startIdp('/realms/acme', '/realms/acme/protocol/openid-connect/certs'),
    startIdp(`/${ENTRA.tenant}/v2.0`, '/common/discovery/v2.0/keys'),
    startIdp('/us-east-1_Example', '/us-east-1_Example/.well-known/jwks.json'),
    startIdp('/oauth2/default', '/oauth2/default/v1/keys'),
  ]);
  auth = createAuth({
    issuers: [
      {
        issuer: auth0.issuer,
        jwks: auth0.jwksUri,
        audience: 'https://api.example.com',
        accessTokenType: ['at+jwt', 'JWT'],
        rolesClaim: 'https://api.example.com/roles',
        accessTokenTtl: '24h',
        clientIds: ['mX7qP2c9Lk3N8vB1zR4tY6wE0aS5dF7g'],
      },
      {
        issuer: keycloak.issuer,
        discovery: true,
        audience: 'notes-api',
        accessTokenType: 'JWT',
        rolesClaim: 'realm_access.roles',
        clientIds: ['notes-app'],
      },
      {
        issuer: entra.issuer,
        discovery: true,
        audience: ENTRA.api,
        accessTokenType: 'JWT',
        rolesClaim: 'roles',
      },
      {
        issuer: cognito.issuer,
        jwks: cognito.jwksUri,
        clientIds: [COGNITO_CLIENT],
        accessTokenType: null,
        rolesClaim: 'cognito:groups',
      },
      {
        issuer: okta.issuer,
        discovery: true,
        audience: 'api://default',
        accessTokenType: null,
        rolesClaim: 'groups',
      },
    ],
  });
});

afterAll(async () => {
  await Promise.all([auth0, keycloak, entra, cognito, okta].map((idp) => idp?.close()));
});

describe('tokens of five providers, one instance', () => {
  it('Auth0: typ JWT allowed, roles from a namespaced claim, scopes from scope and permissions', async () => {
    const claims = await auth.verifyToken(auth0Access(auth0));
    expect(claims.sub).toBe('auth0|65f1c2d3e4a5b6c7d8e9f012');
    expect(claims.roles).toEqual(['admin']);
    expect(codeOfSync(() => auth.requireRole(claims, 'admin'))).toBe(undefined);
    expect(codeOfSync(() => auth.requireScope(claims, 'write:notes'))).toBe(undefined);
    expect(codeOfSync(() => auth.requireScope(claims, 'delete:notes'))).toBe('FORBIDDEN');
    expect(claims.jti).toBe(undefined);
    expect(auth0.hits.configuration).toBe(0);
  });

  it('Keycloak: found by discovery, realm roles, typ JWT', async () => {
    const claims = await auth.verifyToken(keycloakAccess(keycloak));
    expect(claims.roles).toEqual(['default-roles-acme', 'offline_access', 'uma_authorization', 'admin']);
    expect(codeOfSync(() => auth.requireRole(claims, 'admin'))).toBe(undefined);
    expect(codeOfSync(() => auth.requireAnyScope(claims, 'notes:write', 'notes:read'))).toBe(undefined);
    expect(keycloak.hits.configuration).toBe(1);
    expect(keycloak.hits.jwks).toBe(1);
  });

  it('Entra ID v2: the API app id as audience, app roles, scp', async () => {
    const claims = await auth.verifyToken(entraAccess(entra));
    expect(claims.roles).toEqual(['Notes.Admin']);
    expect(codeOfSync(() => auth.requireScope(claims, 'Notes.Read', 'Notes.Write'))).toBe(undefined);
    expect(codeOfSync(() => auth.requireRole(claims, 'Notes.Reader' as string))).toBe('FORBIDDEN');
  });

  it('Cognito: no typ and no aud, tied to the app client by client_id; groups as roles', async () => {
    const claims = await auth.verifyToken(cognitoAccess(cognito));
    expect(claims.roles).toEqual(['admin']);
    expect(codeOfSync(() => auth.requireScope(claims, 'notes/read'))).toBe(undefined);
    expect(await codeOf(auth.verifyToken(cognitoAccess(cognito, { client_id: 'another-app-client' })))).toBe(
      'CLAIM_INVALID',
    );
    expect(await codeOf(auth.verifyToken(cognitoAccess(cognito, { client_id: undefined })))).toBe(
      'CLAIM_INVALID',
    );
  });

  it('Okta: no typ, scp as an array, groups as roles', async () => {
    const claims = await auth.verifyToken(oktaAccess(okta));
    expect(claims.roles).toEqual(['Everyone', 'NotesAdmins']);
    expect(codeOfSync(() => auth.requireScope(claims, 'notes.read'))).toBe(undefined);
    expect(codeOfSync(() => auth.requireScope(claims, 'notes.write'))).toBe('FORBIDDEN');
  });

  it('each JWKS is fetched once and then served from the cache', async () => {
    const before = [auth0, keycloak, entra, cognito, okta].map((idp) => idp.hits.jwks);
    for (let i = 0; i < 3; i++) {
      await auth.verifyToken(auth0Access(auth0));
      await auth.verifyToken(keycloakAccess(keycloak));
      await auth.verifyToken(entraAccess(entra));
      await auth.verifyToken(cognitoAccess(cognito));
      await auth.verifyToken(oktaAccess(okta));
    }
    expect([auth0, keycloak, entra, cognito, okta].map((idp) => idp.hits.jwks)).toEqual(before);
    expect(before.every((count) => count === 1)).toBe(true);
  });

  it('refuses every provider ID token, typ JWT or none', async () => {
    expect(await codeOf(auth.verifyToken(auth0Id(auth0)))).toBe('TOKEN_TYPE_MISMATCH');
    expect(await codeOf(auth.verifyToken(keycloakId(keycloak)))).toBe('TOKEN_TYPE_MISMATCH');
    expect(await codeOf(auth.verifyToken(entraId(entra)))).toBe('TOKEN_TYPE_MISMATCH');
    expect(await codeOf(auth.verifyToken(cognitoId(cognito)))).toBe('TOKEN_TYPE_MISMATCH');
    expect(await codeOf(auth.verifyToken(oktaId(okta)))).toBe('TOKEN_TYPE_MISMATCH');
  });

  it('refuses an ID token without nonce whose aud is a client id', async () => {
    const token = keycloakAccess(keycloak, { aud: 'notes-app' });
    expect(await codeOf(auth.verifyToken(token))).toBe('TOKEN_TYPE_MISMATCH');
    const keycloakRefresh = keycloakAccess(keycloak, { typ: 'Refresh' });
    expect(await codeOf(auth.verifyToken(keycloakRefresh))).toBe('TOKEN_TYPE_MISMATCH');
  });

  it('refuses an aud of another API, a client not listed, and a typ the issuer is not allowed', async () => {
    expect(await codeOf(auth.verifyToken(auth0Access(auth0, { aud: 'https://billing.example.com' })))).toBe(
      'CLAIM_INVALID',
    );
    expect(
      await codeOf(auth.verifyToken(entraAccess(entra, { aud: '00000003-0000-0000-c000-000000000000' }))),
    ).toBe('CLAIM_INVALID');
    expect(await codeOf(auth.verifyToken(keycloakAccess(keycloak, { azp: 'other-app' })))).toBe(
      'CLAIM_INVALID',
    );
    expect(await codeOf(auth.verifyToken(okta.sign({ typ: 'JWT' }, decodePayload(oktaAccess(okta)))))).toBe(
      'TOKEN_TYPE_MISMATCH',
    );
    expect(await codeOf(auth.verifyToken(keycloak.sign({}, decodePayload(keycloakAccess(keycloak)))))).toBe(
      'TOKEN_TYPE_MISMATCH',
    );
  });

  it('refuses a token that lives longer than its issuer is trusted for, or has expired', async () => {
    const iat = Math.floor(Date.now() / 1000);
    expect(await codeOf(auth.verifyToken(keycloakAccess(keycloak, { exp: iat + 3 * 3600 })))).toBe(
      'CLAIM_INVALID',
    );
    expect(await codeOf(auth.verifyToken(auth0Access(auth0, { iat: iat - 7200, exp: iat - 60 })))).toBe(
      'TOKEN_EXPIRED',
    );
  });

  it('refuses refresh verification: other issuers’ tokens have no state here', async () => {
    expect(await codeOf(auth.verifyToken(keycloakAccess(keycloak), { type: 'refresh' }))).toBe(
      'TOKEN_TYPE_MISMATCH',
    );
  });

  it('reports the first issuer in settings and cannot issue', async () => {
    expect(auth.settings.issuer).toBe(auth0.issuer);
    expect(auth.settings.audience).toBe('https://api.example.com');
    expect(auth.settings.canIssue).toBe(false);
    expect(await codeOf(auth.createAccessToken({ sub: 'u1' }))).toBe('CONFIG_INVALID');
  });
});

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
}
