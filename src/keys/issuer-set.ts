/**
 * The `issuers` option of a verify-only instance: each trusted issuer with its own keys (given,
 * a JWKS, a JWKS URL, or found by OpenID Connect discovery) and its own policy.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';
import { type Duration, toSeconds } from '../lib/duration.js';
import { normalizeType, REFRESH_TOKEN_TYPE } from '../tokens/check-type.js';
import type { IssuerPolicies, IssuerPolicy } from '../tokens/issuer-policy.js';
import type { KeyLookup } from '../tokens/verify-signature.js';
import type { JsonWebKeySet, JwsAlgorithm, KeysOption } from '../types.js';
import { isNoneAlgorithm, JWKS_ALGORITHMS } from './algorithms.js';
import { discoveredJwksUri } from './discovery.js';
import { type KeySet, keySetFromJwks, keySetFromKeys } from './key-set.js';
import { type RemoteJwksOptions, remoteJwks, remoteJwksTimings } from './remote-jwks.js';

/**
 * One issuer a verify-only instance trusts (`createAuth({ issuers: [...] })`). Give exactly one
 * of `jwks`, `keys` or `discovery: true`, and `audience`, `clientIds` or both.
 */
export interface IssuerOptions {
  /** The `iss` its tokens carry, compared exactly (a trailing slash or another case is another issuer). */
  issuer: string;
  /** Its JWKS (an object), or the https URL of it (fetched and cached). */
  jwks?: JsonWebKeySet | string | URL;
  /** Its public keys (JWK, PEM, `KeyObject`), or a shared HMAC secret of 32+ bytes. */
  keys?: KeysOption;
  /**
   * `true` to find its JWKS through OpenID Connect discovery: `{issuer}/.well-known/openid-configuration`,
   * whose `issuer` must equal `issuer` exactly, then its `jwks_uri`.
   */
  discovery?: boolean;
  /** The audience (or audiences) `aud` must include one of. Cognito access tokens carry none: give `clientIds`. */
  audience?: string | readonly string[];
  /**
   * The clients whose tokens are accepted, read from `client_id`, else `azp`, else `cid`. Without
   * `audience`, this is the check that ties tokens to this service.
   */
  clientIds?: readonly string[];
  /**
   * The header `typ` values accepted: a `typ` or a list; `null` accepts a header without `typ`
   * (Cognito, Okta). Default `'at+jwt'` (RFC 9068). Whatever is allowed, an ID token is refused.
   */
  accessTokenType?: string | null | readonly (string | null)[];
  /**
   * Where its roles are, for `requireRole`: a claim name (`'roles'`, `'cognito:groups'`,
   * `'https://example.com/roles'`) or a dot path (`'realm_access.roles'`,
   * `'resource_access.my-api.roles'`). The verified claims' `roles` is the list found there.
   * Default: the `roles` claim as it is.
   */
  rolesClaim?: string;
  /** The longest lifetime (`exp - iat`) accepted from this issuer. Default `'2h'`. */
  accessTokenTtl?: Duration;
  /** Its algorithm allowlist. Default: those of its keys, or for a JWKS `EdDSA`, `ES256`, `RS256`. */
  algorithms?: readonly JwsAlgorithm[];
  /** How its remote JWKS (and discovery document) are fetched and cached; default: the instance's `jwksOptions`. */
  jwksOptions?: RemoteJwksOptions;
}

/** The lifetime trusted when an entry names none: above the 60 to 90 minutes Okta, Cognito and Entra use by default. */
export const DEFAULT_ISSUER_TOKEN_TTL = '2h';

const ENTRY_OPTIONS: ReadonlySet<string> = new Set<keyof IssuerOptions>([
  'issuer',
  'jwks',
  'keys',
  'discovery',
  'audience',
  'clientIds',
  'accessTokenType',
  'rolesClaim',
  'accessTokenTtl',
  'algorithms',
  'jwksOptions',
]);

function invalid(message: string): never {
  throw new AuthError('CONFIG_INVALID', message);
}

function stringList(value: unknown, name: string): Set<string> | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((item) => typeof item === 'string' && item !== '')
  ) {
    invalid(`${name} must be a non-empty string or a non-empty list of them`);
  }
  return new Set(list);
}

function typePolicy(value: unknown, name: string): { types: Set<string>; untyped: boolean } {
  const list = value === undefined ? ['at+jwt'] : Array.isArray(value) ? value : [value];
  if (list.length === 0) invalid(`${name} must name at least one typ (or null)`);
  const types = new Set<string>();
  let untyped = false;
  for (const typ of list) {
    if (typ === null) {
      untyped = true;
      continue;
    }
    const normal = normalizeType(typ);
    if (normal === undefined || normal === '' || normal === REFRESH_TOKEN_TYPE) {
      invalid(`${name}: each typ must be a non-empty string other than the refresh token type, or null`);
    }
    types.add(normal);
  }
  return { types, untyped };
}

function algorithmList(value: unknown, name: string): Set<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((alg) => typeof alg === 'string')) {
    invalid(`${name} must be a non-empty array of algorithm names`);
  }
  if (value.some(isNoneAlgorithm)) invalid(`${name}: "none" is never allowed`);
  return new Set(value);
}

function localLookup(keySet: KeySet): KeyLookup {
  return (header, alg) =>
    keySet.candidates(header.kid as string | undefined, alg).map((key) => key.verifyKey);
}

function resolveEntry(
  entry: IssuerOptions,
  index: number,
  shared: RemoteJwksOptions | undefined,
): IssuerPolicy {
  if (typeof entry !== 'object' || entry === null) invalid(`issuers[${index}] must be an object`);
  for (const option of Object.keys(entry)) {
    if (!ENTRY_OPTIONS.has(option)) invalid(`issuers[${index}]: unknown option "${option}"`);
  }
  if (typeof entry.issuer !== 'string' || entry.issuer === '') {
    invalid(`issuers[${index}].issuer must be a non-empty string`);
  }
  const name = `issuers[${index}] (${entry.issuer})`;
  const sources = [entry.jwks !== undefined, entry.keys !== undefined, entry.discovery === true];
  if (sources.filter(Boolean).length !== 1)
    invalid(`${name}: give exactly one of jwks, keys or discovery: true`);
  if (entry.discovery !== undefined && typeof entry.discovery !== 'boolean') {
    invalid(`${name}: discovery must be true or absent`);
  }
  const audiences = stringList(entry.audience, `${name}.audience`);
  const clientIds = stringList(entry.clientIds, `${name}.clientIds`);
  if (audiences === undefined && clientIds === undefined) {
    invalid(
      `${name}: give audience, clientIds or both, so that tokens issued for other services are refused`,
    );
  }
  if (entry.rolesClaim !== undefined && (typeof entry.rolesClaim !== 'string' || entry.rolesClaim === '')) {
    invalid(`${name}.rolesClaim must be a non-empty string`);
  }
  const { types, untyped } = typePolicy(entry.accessTokenType, `${name}.accessTokenType`);
  const maxLifetime = toSeconds(entry.accessTokenTtl ?? DEFAULT_ISSUER_TOKEN_TTL, `${name}.accessTokenTtl`);
  const listed = algorithmList(entry.algorithms, `${name}.algorithms`);
  const fetchOptions = entry.jwksOptions ?? shared;

  let lookup: KeyLookup;
  let algorithms: ReadonlySet<string>;
  if (entry.keys !== undefined) {
    if (entry.jwksOptions !== undefined)
      invalid(`${name}: jwksOptions applies to a remote jwks, not to keys`);
    const keySet = keySetFromKeys(entry.keys);
    algorithms = listed ?? keySet.algorithms;
    for (const alg of algorithms) {
      if (!keySet.algorithms.has(alg)) invalid(`${name}.algorithms: ${alg} matches none of its keys`);
    }
    lookup = localLookup(keySet);
  } else {
    algorithms = listed ?? new Set<string>(JWKS_ALGORITHMS);
    for (const alg of algorithms) {
      if (!(JWKS_ALGORITHMS as readonly string[]).includes(alg)) {
        invalid(`${name}.algorithms: ${alg} is not accepted from a JWKS (use ${JWKS_ALGORITHMS.join(', ')})`);
      }
    }
    if (entry.discovery === true) {
      const timings = remoteJwksTimings(fetchOptions);
      lookup = remoteJwks(discoveredJwksUri(entry.issuer, timings), algorithms, fetchOptions);
    } else if (typeof entry.jwks === 'string' || entry.jwks instanceof URL) {
      lookup = remoteJwks(entry.jwks, algorithms, fetchOptions);
    } else {
      if (entry.jwksOptions !== undefined) invalid(`${name}: jwksOptions applies to a remote jwks`);
      lookup = localLookup(keySetFromJwks(entry.jwks as JsonWebKeySet, algorithms));
    }
  }
  return {
    issuer: entry.issuer,
    audiences,
    clientIds,
    types,
    untyped,
    rolesClaim: entry.rolesClaim,
    maxLifetime,
    algorithms,
    lookup,
  };
}

/** Resolves the `issuers` option; throws CONFIG_INVALID naming the entry at fault. */
export function resolveIssuers(
  entries: readonly IssuerOptions[],
  shared: RemoteJwksOptions | undefined,
): IssuerPolicies {
  if (!Array.isArray(entries) || entries.length === 0) invalid('issuers must be a non-empty array');
  const policies = new Map<string, IssuerPolicy>();
  entries.forEach((entry, index) => {
    const policy = resolveEntry(entry, index, shared);
    if (policies.has(policy.issuer)) invalid(`issuers: ${policy.issuer} is listed twice`);
    policies.set(policy.issuer, policy);
  });
  return policies;
}
