/**
 * Tokens shaped as each provider documents its access tokens (and ID tokens, which a resource
 * server must refuse): the header (`typ` or none, `kid`, RS256) and the claim set, with the
 * values of a realistic sign-in. Only the issuer's origin is local.
 */

import type { FakeIdp } from './idp.js';

const now = () => Math.floor(Date.now() / 1000);

/** Auth0 API access token (RBAC on, "Add Permissions in the Access Token" on), header `typ: JWT`. */
export function auth0Access(idp: FakeIdp, overrides: Record<string, unknown> = {}): string {
  const iat = now();
  return idp.sign(
    { typ: 'JWT' },
    {
      'https://api.example.com/roles': ['admin'],
      iss: idp.issuer,
      sub: 'auth0|65f1c2d3e4a5b6c7d8e9f012',
      aud: ['https://api.example.com', `${idp.issuer}userinfo`],
      iat,
      exp: iat + 86_400,
      scope: 'openid profile email read:notes',
      azp: 'mX7qP2c9Lk3N8vB1zR4tY6wE0aS5dF7g',
      permissions: ['read:notes', 'write:notes'],
      ...overrides,
    },
  );
}

/** Auth0 ID token: `aud` is the client id, with `nonce`. */
export function auth0Id(idp: FakeIdp): string {
  const iat = now();
  return idp.sign(
    { typ: 'JWT' },
    {
      nickname: 'alice',
      name: 'alice@example.com',
      email: 'alice@example.com',
      email_verified: true,
      iss: idp.issuer,
      aud: 'mX7qP2c9Lk3N8vB1zR4tY6wE0aS5dF7g',
      sub: 'auth0|65f1c2d3e4a5b6c7d8e9f012',
      iat,
      exp: iat + 36_000,
      sid: 'k3dT0yZl9sQ2vWn8',
      nonce: 'bjRhT3dWa2ZxN0pV',
    },
  );
}

/** Keycloak access token (header `typ: JWT`; payload `typ: Bearer`, roles under `realm_access` and `resource_access`). */
export function keycloakAccess(idp: FakeIdp, overrides: Record<string, unknown> = {}): string {
  const iat = now();
  return idp.sign(
    { typ: 'JWT' },
    {
      exp: iat + 300,
      iat,
      auth_time: iat - 5,
      jti: 'onrtac:2f0c9a1e-7d4b-4f53-9a5e-6b1c2d3e4f50',
      iss: idp.issuer,
      aud: ['notes-api', 'account'],
      sub: '8c2f4a1b-3d5e-4f6a-9b7c-1d2e3f4a5b6c',
      typ: 'Bearer',
      azp: 'notes-app',
      sid: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
      acr: '1',
      'allowed-origins': ['http://localhost:5173'],
      realm_access: { roles: ['default-roles-acme', 'offline_access', 'uma_authorization', 'admin'] },
      resource_access: {
        'notes-api': { roles: ['editor'] },
        account: { roles: ['manage-account', 'view-profile'] },
      },
      scope: 'openid email profile notes:read',
      email_verified: true,
      preferred_username: 'alice',
      ...overrides,
    },
  );
}

/** Keycloak ID token: header `typ: JWT`, payload `typ: ID`, `aud` the client, `at_hash`. */
export function keycloakId(idp: FakeIdp): string {
  const iat = now();
  return idp.sign(
    { typ: 'JWT' },
    {
      exp: iat + 300,
      iat,
      auth_time: iat - 5,
      jti: 'ntrtac:9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d',
      iss: idp.issuer,
      aud: 'notes-app',
      sub: '8c2f4a1b-3d5e-4f6a-9b7c-1d2e3f4a5b6c',
      typ: 'ID',
      azp: 'notes-app',
      sid: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
      at_hash: 'q2Xw7y1rZ3b4N5m6K7j8Lg',
      acr: '1',
      email_verified: true,
      preferred_username: 'alice',
    },
  );
}

/** The API's application id and the tenant, as Entra v2 tokens carry them. */
export const ENTRA = {
  tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  api: '6e74172b-be56-4843-9ff4-e66a39bb12e3',
  client: '2d4d11a2-f814-46a7-890a-274a72a7309e',
};

/** Entra ID (v2.0) access token for an API: header `typ: JWT`, `aud` the API's app id, `scp`, `roles`. */
export function entraAccess(idp: FakeIdp, overrides: Record<string, unknown> = {}): string {
  const iat = now();
  return idp.sign(
    { typ: 'JWT' },
    {
      aud: ENTRA.api,
      iss: idp.issuer,
      iat,
      nbf: iat,
      exp: iat + 4_510,
      aio: 'AWQAm/8TAAAAbZ8Kq0k9x3',
      azp: ENTRA.client,
      azpacr: '0',
      name: 'Alice Example',
      oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
      preferred_username: 'alice@contoso.example',
      rh: '0.ARoAv4j5cvGGr0GRqy180BHbR7',
      roles: ['Notes.Admin'],
      scp: 'Notes.Read Notes.Write',
      sub: 'l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA',
      tid: ENTRA.tenant,
      uti: 'fqiBqXLPj0eQa82S-IYFAA',
      ver: '2.0',
      ...overrides,
    },
  );
}

/** Entra ID (v2.0) ID token: `aud` the client app, `nonce`. */
export function entraId(idp: FakeIdp): string {
  const iat = now();
  return idp.sign(
    { typ: 'JWT' },
    {
      aud: ENTRA.client,
      iss: idp.issuer,
      iat,
      nbf: iat,
      exp: iat + 3_600,
      name: 'Alice Example',
      nonce: '12345',
      oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
      preferred_username: 'alice@contoso.example',
      rh: '0.ARoAv4j5cvGGr0GRqy180BHbR7',
      sub: 'l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA',
      tid: ENTRA.tenant,
      uti: 'fqiBqXLPj0eQa82S-IYFAA',
      ver: '2.0',
    },
  );
}

/** The app client id of the Cognito user pool. */
export const COGNITO_CLIENT = '1example23456789';

/** Cognito user pool access token: no `typ`, no `aud`; `client_id`, `token_use: access`, `cognito:groups`. */
export function cognitoAccess(idp: FakeIdp, overrides: Record<string, unknown> = {}): string {
  const iat = now();
  return idp.sign(
    {},
    {
      sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      'cognito:groups': ['admin'],
      iss: idp.issuer,
      version: 2,
      client_id: COGNITO_CLIENT,
      origin_jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      event_id: 'bbbbbbbb-cccc-dddd-eeee-ffffffffffff',
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin notes/read',
      auth_time: iat,
      exp: iat + 3_600,
      iat,
      jti: 'cccccccc-dddd-eeee-ffff-aaaaaaaaaaaa',
      username: 'alice',
      ...overrides,
    },
  );
}

/** Cognito ID token: no `typ`, `aud` the client id, `token_use: id`. */
export function cognitoId(idp: FakeIdp): string {
  const iat = now();
  return idp.sign(
    {},
    {
      sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      'cognito:groups': ['admin'],
      email_verified: true,
      iss: idp.issuer,
      'cognito:username': 'alice',
      origin_jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      aud: COGNITO_CLIENT,
      event_id: 'bbbbbbbb-cccc-dddd-eeee-ffffffffffff',
      token_use: 'id',
      auth_time: iat,
      exp: iat + 3_600,
      iat,
      jti: 'dddddddd-eeee-ffff-aaaa-bbbbbbbbbbbb',
      email: 'alice@example.com',
    },
  );
}

/** Okta custom authorization server (`default`) access token: no `typ`, `cid`, `uid`, `scp` as an array. */
export function oktaAccess(idp: FakeIdp, overrides: Record<string, unknown> = {}): string {
  const iat = now();
  return idp.sign(
    {},
    {
      ver: 1,
      jti: 'AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE',
      iss: idp.issuer,
      aud: 'api://default',
      iat,
      exp: iat + 3_600,
      cid: '0oa1a2b3c4d5e6f7g8h9',
      uid: '00u1a2b3c4d5e6f7g8h9',
      scp: ['openid', 'email', 'notes.read'],
      auth_time: iat - 10,
      sub: 'alice@example.com',
      groups: ['Everyone', 'NotesAdmins'],
      ...overrides,
    },
  );
}

/** Okta ID token: no `typ`, `aud` the client id, `nonce`, `at_hash`, `amr`. */
export function oktaId(idp: FakeIdp): string {
  const iat = now();
  return idp.sign(
    {},
    {
      sub: '00u1a2b3c4d5e6f7g8h9',
      ver: 1,
      iss: idp.issuer,
      aud: '0oa1a2b3c4d5e6f7g8h9',
      iat,
      exp: iat + 3_600,
      jti: 'ID.4eAWJOCMB3SX8XewDfVR',
      amr: ['pwd'],
      idp: '00o1a2b3c4d5e6f7g8h9',
      nonce: 'n-0S6_WzA2Mj',
      auth_time: iat - 10,
      at_hash: 'preview_at_hash',
    },
  );
}
