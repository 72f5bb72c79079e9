/**
 * What the scenario apps share besides a framework: the constants, the auth instances and the
 * users. Loads no framework, so that Bun and Deno can serve the Web adapter's app from it too.
 */

import { generateKeyPairSync } from 'node:crypto';
import { type Auth, createAuth } from '../../../src/create-auth.js';
import { hashPassword } from '../../../src/password/index.js';
import { unreachableStore } from '../../support/broken-stores.js';
import { SECRET } from '../../support/tokens.js';

export { SECRET };
export const ISSUER = 'https://tokenward.test';
export const AUDIENCE = 'api';
export const ALLOWED_ORIGIN = 'https://app.example';
export const ACCESS_COOKIE = 'access_token';
/** The header the apps' custom token source (`getToken`) reads. */
export const CUSTOM_TOKEN_HEADER = 'x-access-token';
/** The realm of the route that answers its own AuthError with `sendAuthError`. */
export const OWN_REALM = 'notes';
/** The error that route answers. */
export const OWN_ERROR_MESSAGE = 'only the author may do this';
/** The FORBIDDEN message of the `requireRole(..., { message })` route. */
export const ADMINS_ONLY = 'Admins only';
/** The scopes `/scoped/all` requires, every one. */
export const NOTES_SCOPES = ['read:notes', 'write:notes'] as const;
/** The scopes `/scoped/any` requires, any one. */
export const ANY_NOTES_SCOPES = ['read:notes', 'notes:admin'] as const;
/** The FORBIDDEN message of the `requireScope(..., { message })` route. */
export const READ_ONLY = 'This token is read-only';
/** The Ed25519 key the JWKS route publishes. */
export const JWKS_SIGNING_KEY = generateKeyPairSync('ed25519').privateKey;
/** The login field names of the `/fields-auth` mount. */
export const LOGIN_FIELDS = { username: 'email', password: 'pass' } as const;

/** What the apps need besides the framework: the auth instances and the users. */
export interface Fixtures {
  auth: Auth;
  /** Same keys and claims rules, but its store is down. */
  storeDownAuth: Auth;
  findUser(username: string): Promise<{ sub: string; passwordHash: string; roles: string[] } | null>;
  /** Unexpected errors the adapters reported instead of leaking them. */
  internalErrors: unknown[];
  /** Signs with an Ed25519 key: its public key is what the JWKS route serves. */
  jwksAuth: Auth;
  /** Verify-only (a JWKS, no signing key): asked to issue tokens, it throws CONFIG_INVALID. */
  verifyOnlyAuth: Auth;
  /** Server faults (non-AuthErrors and CONFIG_INVALID) the extension routes reported. */
  serverFaults: unknown[];
  /** The server's keys, reading scopes from `permissions` only (`scopeClaims`). */
  permissionsOnlyAuth: Auth;
}

export async function createFixtures(): Promise<Fixtures> {
  // The scenarios replay a spent refresh token at once to prove reuse detection: no grace
  // window for that retry here (the default window is tested in test/core/refresh.test.ts).
  const options = {
    keys: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    checkRevocation: true,
    refreshReuseGrace: 0,
  };
  const jwksAuth = createAuth({ keys: JWKS_SIGNING_KEY, issuer: ISSUER, audience: AUDIENCE });
  const users = new Map([
    [
      'alice',
      { sub: 'u-alice', passwordHash: await hashPassword('alice-password', { cost: 10 }), roles: ['admin'] },
    ],
    [
      'bob',
      { sub: 'u-bob', passwordHash: await hashPassword('bob-password', { cost: 10 }), roles: ['user'] },
    ],
  ]);
  return {
    auth: createAuth(options),
    storeDownAuth: createAuth({ ...options, store: unreachableStore(), storeTimeoutMs: 1000 }),
    findUser: async (username) => users.get(username) ?? null,
    internalErrors: [],
    jwksAuth,
    verifyOnlyAuth: createAuth({ jwks: jwksAuth.jwks(), issuer: ISSUER, audience: AUDIENCE }),
    serverFaults: [],
    permissionsOnlyAuth: createAuth({ ...options, scopeClaims: ['permissions'] }),
  };
}

export function routeOptions(fixtures: Fixtures) {
  return {
    findUser: fixtures.findUser,
    passwordHashCost: 10,
    allowedOrigins: [ALLOWED_ORIGIN],
    onInternalError: (error: unknown) => fixtures.internalErrors.push(error),
  };
}

/** The options of the extension routes, which report server faults apart from the scenario's other routes. */
export function faultReporting(fixtures: Fixtures) {
  return { onInternalError: (error: unknown) => fixtures.serverFaults.push(error) };
}

/** The scopes each user may be granted: what `/scoped-oauth`'s `grantScopes` answers. */
export const USER_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'u-alice': ['read:notes', 'write:notes', 'notes:admin'],
  'u-bob': ['read:notes'],
};
