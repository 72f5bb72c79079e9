import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  KeyObject,
} from 'node:crypto';
import type { JWK } from 'jose';
import { AuthError } from '../errors.js';
import type { JwsAlgorithm, KeyEntry } from '../types.js';

/** `true` for the `none` algorithm in any casing, which is never allowed. */
export function isNoneAlgorithm(alg: unknown): boolean {
  return typeof alg === 'string' && alg.toLowerCase() === 'none';
}

/** A key ready for use: its id, its one algorithm, and the `KeyObject`s that verify and sign. */
export interface PreparedKey {
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  /** `true` for an HMAC secret. */
  readonly symmetric: boolean;
  /** The key that verifies signatures (the secret, or the public key). */
  readonly verifyKey: KeyObject;
  /** The key that signs, when this is a private key or a secret allowed to sign. */
  readonly signKey: KeyObject | undefined;
  /** The public JWK with `kid`, `alg` and `use`, for asymmetric keys. */
  readonly publicJwk: JWK | undefined;
}

const HMAC_MIN_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/** The hash of each HMAC algorithm, as `node:crypto` names it. */
export const HMAC_HASHES: Readonly<Partial<Record<string, string>>> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
};

function fail(message: string): never {
  throw new AuthError('CONFIG_INVALID', message);
}

function isJwk(value: unknown): value is JWK {
  return typeof value === 'object' && value !== null && typeof (value as { kty?: unknown }).kty === 'string';
}

/** Normalises one configured key (entry or bare key) into a `KeyEntry`. */
export function toKeyEntry(value: unknown): KeyEntry {
  if (
    typeof value === 'string' ||
    value instanceof Uint8Array ||
    value instanceof KeyObject ||
    isJwk(value)
  ) {
    return { key: value };
  }
  if (typeof value === 'object' && value !== null && 'key' in value) return value as KeyEntry;
  return fail(
    'keys: each key must be a secret string, bytes, a PEM string, a JWK, a KeyObject or { key, kid }',
  );
}

function toKeyObject(key: KeyEntry['key']): KeyObject {
  try {
    if (key instanceof KeyObject) return key;
    if (key instanceof Uint8Array) return createSecretKey(key);
    if (typeof key === 'string') {
      if (key.includes('-----BEGIN')) {
        return key.includes('PRIVATE KEY') ? createPrivateKey(key) : createPublicKey(key);
      }
      // Only whitespace is an unset variable padded by a template or a .env file, not a secret.
      if (key.trim() === '') fail('keys: the secret is only whitespace (is the environment variable set?)');
      return createSecretKey(Buffer.from(key, 'utf8'));
    }
    if (isJwk(key)) {
      if (key.kty === 'oct') {
        if (typeof key.k !== 'string') fail('keys: an "oct" JWK needs its "k"');
        return createSecretKey(Buffer.from(key.k, 'base64url'));
      }
      const jwk = { ...key } as JsonWebKey;
      return typeof key.d === 'string'
        ? createPrivateKey({ key: jwk, format: 'jwk' })
        : createPublicKey({ key: jwk, format: 'jwk' });
    }
  } catch (error) {
    if (error instanceof AuthError) throw error;
    fail(`keys: the key could not be read (${(error as Error).message})`);
  }
  return fail('keys: unsupported key value');
}

function algorithmOf(keyObject: KeyObject, requested: string | undefined): JwsAlgorithm {
  if (isNoneAlgorithm(requested)) {
    fail('keys: the "none" algorithm is never allowed');
  }
  if (keyObject.type === 'secret') {
    const alg = requested ?? 'HS256';
    const minimum = HMAC_MIN_BYTES[alg];
    if (minimum === undefined) fail(`keys: an HMAC secret signs with HS256, HS384 or HS512, not ${alg}`);
    const size = keyObject.symmetricKeySize ?? 0;
    if (size < minimum)
      fail(`keys: an ${alg} secret must have at least ${minimum} bytes (this one has ${size})`);
    return alg as JwsAlgorithm;
  }
  const details = keyObject.asymmetricKeyDetails ?? {};
  let alg: JwsAlgorithm;
  switch (keyObject.asymmetricKeyType) {
    case 'ed25519':
      alg = 'EdDSA';
      break;
    case 'ec':
      if (details.namedCurve !== 'prime256v1')
        fail(`keys: EC keys must be on P-256 for ES256 (got ${details.namedCurve})`);
      alg = 'ES256';
      break;
    case 'rsa':
      if ((details.modulusLength ?? 0) < 2048) fail('keys: RSA keys must have at least 2048 bits');
      alg = 'RS256';
      break;
    default:
      return fail(`keys: ${keyObject.asymmetricKeyType} keys are not supported (use Ed25519, P-256 or RSA)`);
  }
  if (requested !== undefined && requested !== alg) {
    fail(`keys: a ${keyObject.asymmetricKeyType} key signs with ${alg}, not ${requested}`);
  }
  return alg;
}

function secretKid(keyObject: KeyObject): string {
  // A domain-separated hash: it names the secret without being usable as one.
  return createHash('sha256')
    .update('tokenward-kid:')
    .update(keyObject.export())
    .digest('base64url')
    .slice(0, 16);
}

const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/** The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public JWK. */
export function jwkThumbprint(jwk: JWK): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''] ?? [];
  const canonical = `{${members.map((name) => `"${name}":${JSON.stringify((jwk as Record<string, unknown>)[name])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Imports one configured key: checks it, fixes its algorithm by its type, and names it. */
export function importKey(value: unknown, { allowSigning = true } = {}): PreparedKey {
  const entry = toKeyEntry(value);
  const jwkAlg = isJwk(entry.key) ? entry.key.alg : undefined;
  if (isJwk(entry.key) && entry.key.use !== undefined && entry.key.use !== 'sig') {
    fail(`keys: a JWK with "use": "${entry.key.use}" cannot sign tokens`);
  }
  if (entry.alg !== undefined && jwkAlg !== undefined && entry.alg !== jwkAlg) {
    fail(`keys: alg ${entry.alg} contradicts the JWK's alg ${jwkAlg}`);
  }
  const keyObject = toKeyObject(entry.key);
  const alg = algorithmOf(keyObject, entry.alg ?? jwkAlg);
  const canSign = allowSigning && entry.verifyOnly !== true && keyObject.type !== 'public';
  const givenKid = entry.kid ?? (isJwk(entry.key) ? entry.key.kid : undefined);

  if (keyObject.type === 'secret') {
    return {
      kid: checkKid(givenKid ?? secretKid(keyObject)),
      alg,
      symmetric: true,
      verifyKey: keyObject,
      signKey: canSign ? keyObject : undefined,
      publicJwk: undefined,
    };
  }
  const publicKey = keyObject.type === 'private' ? createPublicKey(keyObject) : keyObject;
  const publicJwkBase = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = checkKid(givenKid ?? jwkThumbprint(publicJwkBase));
  return {
    kid,
    alg,
    symmetric: false,
    verifyKey: publicKey,
    signKey: canSign ? keyObject : undefined,
    publicJwk: { ...publicJwkBase, kid, alg, use: 'sig' },
  };
}

function checkKid(kid: unknown): string {
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256) {
    fail('keys: a kid must be a non-empty string of at most 256 characters');
  }
  return kid;
}
