/**
 * What a verify-only instance accepts from each trusted issuer: its `typ` values, audiences,
 * clients, longest lifetime and where its roles are; and the check of a token against it.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';
import { ACCESS_TOKEN_TYPE, normalizeType } from './check-type.js';
import type { KeyLookup } from './verify-signature.js';

/** The checks a token of one trusted issuer must pass, resolved from its `issuers` entry. */
export interface IssuerPolicy {
  /** The exact `iss`. */
  readonly issuer: string;
  /** `aud` must include one of these; `undefined`: `aud` is not checked (then `clientIds` is). */
  readonly audiences: ReadonlySet<string> | undefined;
  /** The client (`client_id`, `azp` or `cid`) must be one of these, when given. */
  readonly clientIds: ReadonlySet<string> | undefined;
  /** Normalised header `typ` values accepted. */
  readonly types: ReadonlySet<string>;
  /** `true` when a header without `typ` is accepted. */
  readonly untyped: boolean;
  /** Where the roles are, when not in `roles`. */
  readonly rolesClaim: string | undefined;
  /** The longest lifetime (`exp - iat`) accepted, in seconds. */
  readonly maxLifetime: number;
  /** The algorithm allowlist of this issuer. */
  readonly algorithms: ReadonlySet<string>;
  /** Finds this issuer's keys, and no other issuer's. */
  readonly lookup: KeyLookup;
}

/** The trusted issuers of a verify-only instance, by their exact `iss`. */
export type IssuerPolicies = ReadonlyMap<string, IssuerPolicy>;

function claimInvalid(message: string): never {
  throw new AuthError('CLAIM_INVALID', message);
}

function notAnAccessToken(message: string): never {
  throw new AuthError('TOKEN_TYPE_MISMATCH', message);
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isRoleList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((role) => typeof role === 'string');
}

/**
 * Finds the policy of the token's issuer, before anything is fetched: an `iss` that no entry
 * names exactly (another host, a trailing slash, another case) is CLAIM_INVALID, so a token
 * from an unknown issuer never makes this instance fetch anything.
 */
export function policyOf(policies: IssuerPolicies, payload: Readonly<Record<string, unknown>>): IssuerPolicy {
  const iss = payload.iss;
  const policy = typeof iss === 'string' ? policies.get(iss) : undefined;
  if (policy === undefined) claimInvalid('the "iss" claim is not a trusted issuer');
  return policy;
}

/**
 * The value at `path` in the claims: a claim of that very name first (`cognito:groups`,
 * `https://example.com/roles`), else the dot-separated path (`realm_access.roles`,
 * `resource_access.my-api.roles`). Only own properties are followed.
 */
export function claimAt(payload: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Refuses what is not an access token even when its header `typ` is accepted: an ID token
 * (`nonce`, `at_hash`, `c_hash`; Cognito's `token_use: "id"`; an `aud` that is one of the
 * `clientIds` and not a configured audience), or a token whose own `typ` claim says it is
 * something else than a bearer access token (Keycloak's `ID`, `Refresh`).
 */
function checkIsAccessToken(
  policy: IssuerPolicy,
  header: Readonly<Record<string, unknown>>,
  payload: Record<string, unknown>,
): void {
  if (normalizeType(header.typ) === ACCESS_TOKEN_TYPE) return;
  if (payload.nonce !== undefined || payload.at_hash !== undefined || payload.c_hash !== undefined) {
    notAnAccessToken('the token is an ID token, not an access token');
  }
  if (payload.token_use !== undefined && payload.token_use !== 'access') {
    notAnAccessToken('the token is not an access token ("token_use")');
  }
  if (typeof payload.typ === 'string' && payload.typ.toLowerCase() !== 'bearer') {
    notAnAccessToken('the token is not an access token ("typ" claim)');
  }
  // An ID token is addressed to the client that asked for it: an audience that is a known client
  // id, and not one of this API's audiences, marks one.
  const { clientIds, audiences } = policy;
  if (clientIds !== undefined) {
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (aud.some((value) => typeof value === 'string' && clientIds.has(value) && !audiences?.has(value))) {
      notAnAccessToken('the token is addressed to a client (an ID token), not to this API');
    }
  }
}

/** The client a token was issued to: RFC 9068's `client_id`, OIDC's `azp`, or Okta's `cid`. */
function clientOf(payload: Readonly<Record<string, unknown>>): unknown {
  return payload.client_id ?? payload.azp ?? payload.cid;
}

/**
 * Checks a token of a trusted issuer whose signature that issuer's keys verified, at `now`
 * (seconds): header `typ` and ID-token confusion, then `iss`, `aud`, client, `sub`, the
 * validity window and lifetime, then the roles. `jti` is not required (Auth0 and Entra send
 * none). With `rolesClaim`, `roles` in the answer is the list found there (empty when absent).
 * Answers the claims; throws an AuthError.
 */
export function checkIssuerClaims(
  policy: IssuerPolicy,
  header: Readonly<Record<string, unknown>>,
  payload: Record<string, unknown>,
  now: number,
  clockTolerance: number,
): Record<string, unknown> {
  if (header.typ === undefined) {
    if (!policy.untyped) notAnAccessToken('the token has no "typ", which this issuer is not allowed');
  } else {
    const typ = normalizeType(header.typ);
    if (typ === undefined || !policy.types.has(typ)) {
      notAnAccessToken('the token "typ" is not one this issuer is allowed');
    }
  }
  checkIsAccessToken(policy, header, payload);

  const { iss, aud, sub, jti, iat, nbf, exp } = payload;
  if (iss !== policy.issuer) claimInvalid('the "iss" claim is not the expected issuer');
  if (typeof sub !== 'string' || sub === '') claimInvalid('the "sub" claim is missing or not a string');
  if (jti !== undefined && typeof jti !== 'string') claimInvalid('the "jti" claim is not a string');
  if (!isNumericDate(iat)) claimInvalid('the "iat" claim is missing or not a number');
  if (!isNumericDate(exp)) claimInvalid('the "exp" claim is missing or not a number');
  if (nbf !== undefined && !isNumericDate(nbf)) claimInvalid('the "nbf" claim is not a number');
  if (policy.audiences !== undefined) {
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.some((value) => typeof value === 'string' && policy.audiences?.has(value))) {
      claimInvalid('the "aud" claim does not include an accepted audience');
    }
  }
  if (policy.clientIds !== undefined) {
    const client = clientOf(payload);
    if (typeof client !== 'string' || !policy.clientIds.has(client)) {
      claimInvalid('the token was issued to a client that is not accepted');
    }
  }

  if (iat > now + clockTolerance)
    throw new AuthError('TOKEN_NOT_YET_VALID', 'the token was issued in the future');
  if (nbf !== undefined && nbf > now + clockTolerance)
    throw new AuthError('TOKEN_NOT_YET_VALID', 'the token is not valid yet');
  if (exp <= now - clockTolerance) throw new AuthError('TOKEN_EXPIRED', 'the token has expired');
  if (exp - iat > policy.maxLifetime) claimInvalid('the token lives longer than this issuer is trusted for');

  if (policy.rolesClaim !== undefined) {
    const roles = claimAt(payload, policy.rolesClaim);
    if (roles !== undefined && !isRoleList(roles)) {
      claimInvalid(`the roles at "${policy.rolesClaim}" are not an array of strings`);
    }
    payload.roles = roles ?? [];
  } else if (payload.roles !== undefined && !isRoleList(payload.roles)) {
    claimInvalid('the "roles" claim is not an array of strings');
  }
  return payload;
}
