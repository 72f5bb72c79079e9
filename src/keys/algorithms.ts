/**
 * The JWS algorithms tokenward knows, one row each: every part that signs,
 * verifies, imports, publishes or generates keys reads this table, so adding an
 * algorithm is one row (plus its test vectors).
 * @packageDocumentation
 */
import type { KeyShape } from './der.js';

/** What one JWS algorithm needs of its key and produces as a signature. */
export interface AlgorithmSpec {
  /** The key it takes, as `node:crypto` names it: `secret`, or the `asymmetricKeyType`. */
  readonly keyType: 'secret' | 'ed25519' | 'ec' | 'rsa';
  /** The JWK `kty` of such a key. */
  readonly kty: 'oct' | 'OKP' | 'EC' | 'RSA';
  /** The curve, for EC and OKP keys: `node:crypto`'s `namedCurve` and the JWK `crv`. */
  readonly curve?: { readonly node: string; readonly jwk: string };
  /** The digest, as `node:crypto` names it; `null` where the scheme hashes by itself (Ed25519). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** How the signature is encoded: an HMAC tag, IEEE P1363 `r || s` (never DER), or RSA PKCS#1 v1.5. */
  readonly signatureEncoding: 'mac' | 'raw' | 'ieee-p1363' | 'pkcs1';
  /** The exact signature length in bytes, where the algorithm fixes one. */
  readonly signatureLength?: number;
  /** HMAC only: the shortest secret accepted, in bytes (RFC 7518 3.2: at least the hash size). */
  readonly minSecretBytes?: number;
  /** RSA only: the smallest modulus accepted, in bits. */
  readonly minModulusBits?: number;
  /** `true` when keys of this algorithm may be published in and accepted from a JWKS. */
  readonly jwks: boolean;
  /** The `tokenward keygen --type` that generates such a key. */
  readonly keygenType: string;
}

/** Every algorithm tokenward signs and verifies with. `none` is never one. */
export const ALGORITHMS = {
  HS256: {
    keyType: 'secret',
    kty: 'oct',
    hash: 'sha256',
    signatureEncoding: 'mac',
    signatureLength: 32,
    minSecretBytes: 32,
    jwks: false,
    keygenType: 'hs256',
  },
  HS384: {
    keyType: 'secret',
    kty: 'oct',
    hash: 'sha384',
    signatureEncoding: 'mac',
    signatureLength: 48,
    minSecretBytes: 48,
    jwks: false,
    keygenType: 'hs384',
  },
  HS512: {
    keyType: 'secret',
    kty: 'oct',
    hash: 'sha512',
    signatureEncoding: 'mac',
    signatureLength: 64,
    minSecretBytes: 64,
    jwks: false,
    keygenType: 'hs512',
  },
  EdDSA: {
    keyType: 'ed25519',
    kty: 'OKP',
    curve: { node: 'ed25519', jwk: 'Ed25519' },
    hash: null,
    signatureEncoding: 'raw',
    signatureLength: 64,
    jwks: true,
    keygenType: 'eddsa',
  },
  ES256: {
    keyType: 'ec',
    kty: 'EC',
    curve: { node: 'prime256v1', jwk: 'P-256' },
    hash: 'sha256',
    signatureEncoding: 'ieee-p1363',
    signatureLength: 64,
    jwks: true,
    keygenType: 'es256',
  },
  RS256: {
    keyType: 'rsa',
    kty: 'RSA',
    hash: 'sha256',
    signatureEncoding: 'pkcs1',
    minModulusBits: 2048,
    jwks: true,
    keygenType: 'rs256',
  },
} as const satisfies Readonly<Record<string, AlgorithmSpec>>;

/** A JWS algorithm tokenward signs and verifies with; `none` is never one. */
export type JwsAlgorithm = keyof typeof ALGORITHMS;

/** Every algorithm name, in table order. */
export const ALGORITHM_NAMES: readonly JwsAlgorithm[] = Object.keys(ALGORITHMS) as JwsAlgorithm[];

/** The algorithms whose keys a JWKS may carry: the default allowlist of a verify-only instance. */
export const JWKS_ALGORITHMS: readonly JwsAlgorithm[] = ALGORITHM_NAMES.filter((alg) => ALGORITHMS[alg].jwks);

/** The row of an algorithm name, or `undefined` for a name tokenward does not know (own rows only). */
export function algorithmSpec(alg: unknown): AlgorithmSpec | undefined {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg)
    ? ALGORITHMS[alg as JwsAlgorithm]
    : undefined;
}

/** `true` for the `none` algorithm in any casing, which is never allowed. */
export function isNoneAlgorithm(alg: unknown): boolean {
  return typeof alg === 'string' && alg.toLowerCase() === 'none';
}

/**
 * Why an asymmetric key cannot serve an algorithm's row (another key type, another
 * curve, a modulus under the row's minimum), or `undefined` when it can. Key import
 * and the fast path both judge keys by this.
 */
export function asymmetricKeyMisfit(key: KeyShape, spec: AlgorithmSpec): string | undefined {
  if (key.asymmetricKeyType !== spec.keyType) return `it is a ${key.asymmetricKeyType ?? key.type} key`;
  const details = key.asymmetricKeyDetails ?? {};
  // Ed25519 keys carry no namedCurve: their key type is their curve.
  if (
    spec.curve !== undefined &&
    details.namedCurve !== undefined &&
    details.namedCurve !== spec.curve.node
  ) {
    return `it is on ${details.namedCurve}, not ${spec.curve.jwk}`;
  }
  if (spec.minModulusBits !== undefined && (details.modulusLength ?? 0) < spec.minModulusBits) {
    return `it has fewer than ${spec.minModulusBits} bits`;
  }
  return undefined;
}
