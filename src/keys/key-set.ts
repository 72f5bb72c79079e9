import type { JWK } from 'jose';
import { AuthError } from '../errors.js';
import type { JsonWebKeySet, KeysOption } from '../types.js';
import { ALGORITHMS, type AlgorithmSpec, JWKS_ALGORITHMS } from './algorithms.js';
import { importKey, type PreparedKey } from './import-key.js';

/** The keys of one `createAuth` instance: which one signs, and which verify. */
export interface KeySet {
  /** The key that signs new tokens, if this instance issues any. */
  readonly signingKey: PreparedKey | undefined;
  /** Every algorithm some key verifies: the allowlist. */
  readonly algorithms: ReadonlySet<string>;
  /** The keys that may have signed a token with this header `kid` and `alg`. */
  candidates(kid: string | undefined, alg: string): readonly PreparedKey[];
  /** The public JWKS of the asymmetric keys. */
  jwks(): JsonWebKeySet;
}

function buildKeySet(keys: PreparedKey[]): KeySet {
  const byKid = new Map<string, PreparedKey>();
  for (const key of keys) {
    if (byKid.has(key.kid)) {
      throw new AuthError('CONFIG_INVALID', `keys: two keys share the kid "${key.kid}"`);
    }
    byKid.set(key.kid, key);
  }
  const signingKey = keys.find((key) => key.signKey !== undefined);
  const algorithms = new Set<string>(keys.map((key) => key.alg));
  const publicKeys = keys.flatMap((key) => (key.publicJwk ? [key.publicJwk] : []));
  return {
    signingKey,
    algorithms,
    candidates(kid, alg) {
      if (kid !== undefined) {
        // A Map, not an object: a kid such as "__proto__" finds nothing.
        const key = byKid.get(kid);
        return key !== undefined && key.alg === alg ? [key] : [];
      }
      return keys.filter((key) => key.alg === alg);
    },
    jwks: () => ({ keys: publicKeys.map((jwk) => ({ ...jwk })) }),
  };
}

/** Imports the configured `keys` option. */
export function keySetFromKeys(keys: KeysOption): KeySet {
  const list: unknown[] = Array.isArray(keys) ? [...keys] : [keys];
  if (list.length === 0) throw new AuthError('CONFIG_INVALID', 'keys: give at least one secret or key');
  const prepared: PreparedKey[] = [];
  for (const value of list) {
    if (value === undefined || value === null || value === '') {
      throw new AuthError(
        'CONFIG_INVALID',
        'keys: a secret or key is missing (is the environment variable set?)',
      );
    }
    prepared.push(importKey(value));
  }
  return buildKeySet(prepared);
}

/**
 * `true` when a JWK's `kty` (and `crv`, when it has one) is that of an algorithm
 * the table lets a JWKS carry: never an `oct` secret, since a JWKS is public.
 */
function isJwksEligible(jwk: JWK): boolean {
  return JWKS_ALGORITHMS.some((alg) => {
    const spec: AlgorithmSpec = ALGORITHMS[alg];
    return spec.kty === jwk.kty && (jwk.crv === undefined || spec.curve?.jwk === jwk.crv);
  });
}

/**
 * Imports a JWKS for verification only. Keys tokenward cannot use (encryption
 * keys, other curves, algorithms outside `algorithms`) are skipped; secrets are
 * refused, since a JWKS is public.
 */
export function keySetFromJwks(jwks: JsonWebKeySet, algorithms: ReadonlySet<string>): KeySet {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) {
    throw new AuthError('CONFIG_INVALID', 'jwks: expected an object with a "keys" array');
  }
  const prepared: PreparedKey[] = [];
  for (const jwk of jwks.keys) {
    if (typeof jwk !== 'object' || jwk === null || !isJwksEligible(jwk)) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.alg !== undefined && !algorithms.has(jwk.alg)) continue;
    const { d: _private, ...publicPart } = jwk;
    try {
      const key = importKey({ key: publicPart }, { allowSigning: false });
      if (algorithms.has(key.alg)) prepared.push(key);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
    }
  }
  if (prepared.length === 0) {
    throw new AuthError(
      'CONFIG_INVALID',
      `jwks: no usable key (accepted algorithms: ${[...algorithms].join(', ')})`,
    );
  }
  return buildKeySet(prepared);
}
