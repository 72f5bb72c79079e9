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
import type { KeyEntry } from '../types.js';
import {
  ALGORITHM_NAMES,
  ALGORITHMS,
  algorithmSpec,
  asymmetricKeyMisfit,
  isNoneAlgorithm,
  type JwsAlgorithm,
} from './algorithms.js';
import { describeKeyMaterial } from './key-material.js';
import { kidProblem } from './kid.js';

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

/**
 * Refuses key material given as an HMAC secret: a PEM, JWK or JWKS text, an
 * OpenSSH line or DER bytes is often a public key, and an HMAC keyed with public
 * bytes lets anyone forge tokens. The message says what it looks like, never what it is.
 */
function refuseKeyMaterial(secret: string | Uint8Array): void {
  const looksLike = describeKeyMaterial(secret);
  if (looksLike !== undefined) {
    fail(
      `keys: the HMAC secret looks like ${looksLike}, which is key material, not a secret ` +
        '(anyone with the public key could forge tokens): give the key itself (a PEM string, a JWK object or a KeyObject), or a random secret',
    );
  }
}

function secretKey(bytes: Uint8Array): KeyObject {
  refuseKeyMaterial(bytes);
  return createSecretKey(bytes);
}

function toKeyObject(key: KeyEntry['key']): KeyObject {
  try {
    if (key instanceof KeyObject) {
      if (key.type === 'secret') refuseKeyMaterial(key.export());
      return key;
    }
    if (key instanceof Uint8Array) return secretKey(key);
    if (typeof key === 'string') {
      if (key.includes('-----BEGIN')) {
        return key.includes('PRIVATE KEY') ? createPrivateKey(key) : createPublicKey(key);
      }
      // Only whitespace is an unset variable padded by a template or a .env file, not a secret.
      if (key.trim() === '') fail('keys: the secret is only whitespace (is the environment variable set?)');
      refuseKeyMaterial(key);
      return createSecretKey(Buffer.from(key, 'utf8'));
    }
    if (isJwk(key)) {
      if (key.kty === 'oct') {
        if (typeof key.k !== 'string') fail('keys: an "oct" JWK needs its "k"');
        return secretKey(Buffer.from(key.k, 'base64url'));
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

/** The algorithms of the table whose rows take keys of this kind, in table order. */
function rowsFor(keyType: string): JwsAlgorithm[] {
  return ALGORITHM_NAMES.filter((alg) => ALGORITHMS[alg].keyType === keyType);
}

/** The HMAC algorithm of a secret (HS256 unless another is requested), once its size is checked against the row. */
function secretAlgorithm(keyObject: KeyObject, requested: string | undefined): JwsAlgorithm {
  const hmac = rowsFor('secret');
  const alg = requested ?? hmac[0]!;
  const spec = algorithmSpec(alg);
  if (spec?.keyType !== 'secret') fail(`keys: an HMAC secret signs with ${hmac.join(', ')}, not ${alg}`);
  const minimum = spec.minSecretBytes ?? 0;
  const size = keyObject.symmetricKeySize ?? 0;
  if (size < minimum)
    fail(`keys: an ${alg} secret must have at least ${minimum} bytes (this one has ${size})`);
  return alg as JwsAlgorithm;
}

/** The one algorithm a key signs with: the requested one if its row fits the key, else the key's first row. */
function algorithmOf(keyObject: KeyObject, requested: string | undefined): JwsAlgorithm {
  if (isNoneAlgorithm(requested)) {
    fail('keys: the "none" algorithm is never allowed');
  }
  if (keyObject.type === 'secret') return secretAlgorithm(keyObject, requested);
  const keyType = keyObject.asymmetricKeyType ?? 'unknown';
  const rows = rowsFor(keyType);
  if (rows.length === 0) {
    const supported = [...new Set(ALGORITHM_NAMES.map((alg) => ALGORITHMS[alg].keyType))].filter(
      (type) => type !== 'secret',
    );
    return fail(`keys: ${keyType} keys are not supported (use ${supported.join(', ')})`);
  }
  if (requested !== undefined) {
    if (!(rows as string[]).includes(requested)) {
      fail(`keys: a ${keyType} key signs with ${rows.join(' or ')}, not ${requested}`);
    }
    const problem = asymmetricKeyMisfit(keyObject, ALGORITHMS[requested as JwsAlgorithm]);
    if (problem !== undefined) fail(`keys: this ${keyType} key cannot sign ${requested}: ${problem}`);
    return requested as JwsAlgorithm;
  }
  const fitting = rows.find((alg) => asymmetricKeyMisfit(keyObject, ALGORITHMS[alg]) === undefined);
  if (fitting === undefined) {
    const problem = asymmetricKeyMisfit(keyObject, ALGORITHMS[rows[0]!]);
    return fail(`keys: this ${keyType} key cannot sign ${rows.join(' or ')}: ${problem}`);
  }
  return fitting;
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
  const problem = kidProblem(kid);
  if (problem !== undefined) fail(`keys: ${problem}`);
  return kid as string;
}
