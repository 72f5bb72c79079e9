import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { AuthError } from '../errors.js';
import { nodeCrypto } from '../lib/platform.js';
import { sha256 } from '../lib/sha256.js';
import { base64urlToBytes, bytesToBase64url, utf8ToBytes } from '../tokens/base64url.js';
import type { KeyEntry } from '../types.js';
import {
  ALGORITHM_NAMES,
  ALGORITHMS,
  algorithmSpec,
  asymmetricKeyMisfit,
  isNoneAlgorithm,
  type JwsAlgorithm,
} from './algorithms.js';
import { type KeyShape, type ParsedKey, readAsymmetricJwk, readPemKey } from './der.js';
import { describeKeyMaterial } from './key-material.js';
import { kidProblem } from './kid.js';
import { WebKey } from './web-key.js';

/**
 * A key ready for use: its id, its one algorithm, and the keys that verify and
 * sign: `KeyObject`s where the runtime has `node:crypto`, else {@link WebKey}s.
 */
export interface PreparedKey {
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  /** `true` for an HMAC secret. */
  readonly symmetric: boolean;
  /** The key that verifies signatures (the secret, or the public key). */
  readonly verifyKey: KeyObject | WebKey;
  /** The key that signs, when this is a private key or a secret allowed to sign. */
  readonly signKey: KeyObject | WebKey | undefined;
  /** The public JWK with `kid`, `alg` and `use`, for asymmetric keys. */
  readonly publicJwk: JWK | undefined;
}

function fail(message: string): never {
  throw new AuthError('CONFIG_INVALID', message);
}

function isJwk(value: unknown): value is JWK {
  return typeof value === 'object' && value !== null && typeof (value as { kty?: unknown }).kty === 'string';
}

function isKeyObject(value: unknown): value is KeyObject {
  const crypto = nodeCrypto();
  return crypto !== undefined && value instanceof crypto.KeyObject;
}

/** Normalises one configured key (entry or bare key) into a `KeyEntry`. */
export function toKeyEntry(value: unknown): KeyEntry {
  if (typeof value === 'string' || value instanceof Uint8Array || isKeyObject(value) || isJwk(value)) {
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

/**
 * A configured key read and checked, before its algorithm is fixed: its shape (what
 * key import judges), its secret bytes or public JWK (what names it), and how to make
 * the keys that verify and sign once the algorithm is known.
 */
interface KeyMaterial {
  readonly shape: KeyShape;
  readonly secret: Uint8Array | undefined;
  readonly publicJwk: JWK | undefined;
  keys(alg: JwsAlgorithm, canSign: boolean): Pick<PreparedKey, 'verifyKey' | 'signKey'>;
}

function readFailure(error: unknown): never {
  if (error instanceof AuthError) throw error;
  return fail(`keys: the key could not be read (${(error as Error).message})`);
}

/** A secret string: not only whitespace, and not key material. */
function secretText(key: string): Uint8Array {
  // Only whitespace is an unset variable padded by a template or a .env file, not a secret.
  if (key.trim() === '') fail('keys: the secret is only whitespace (is the environment variable set?)');
  refuseKeyMaterial(key);
  return utf8ToBytes(key);
}

function octSecret(jwk: JWK): Uint8Array {
  if (typeof jwk.k !== 'string') fail('keys: an "oct" JWK needs its "k"');
  const bytes = base64urlToBytes(jwk.k);
  refuseKeyMaterial(bytes);
  return bytes;
}

/** Reads a key with `node:crypto`: it checks the key material itself. */
function nodeMaterial(crypto: NonNullable<ReturnType<typeof nodeCrypto>>, key: KeyEntry['key']): KeyMaterial {
  const { createPrivateKey, createPublicKey, createSecretKey } = crypto;
  let keyObject: KeyObject | undefined;
  try {
    if (isKeyObject(key)) {
      if (key.type === 'secret') refuseKeyMaterial(key.export());
      keyObject = key;
    } else if (key instanceof Uint8Array) {
      refuseKeyMaterial(key);
      keyObject = createSecretKey(key);
    } else if (typeof key === 'string') {
      if (key.includes('-----BEGIN')) {
        keyObject = key.includes('PRIVATE KEY') ? createPrivateKey(key) : createPublicKey(key);
      } else {
        keyObject = createSecretKey(secretText(key));
      }
    } else if (isJwk(key)) {
      if (key.kty === 'oct') keyObject = createSecretKey(octSecret(key));
      else {
        const jwk = { ...key } as import('node:crypto').JsonWebKey;
        keyObject =
          typeof key.d === 'string'
            ? createPrivateKey({ key: jwk, format: 'jwk' })
            : createPublicKey({ key: jwk, format: 'jwk' });
      }
    }
  } catch (error) {
    readFailure(error);
  }
  if (keyObject === undefined) return fail('keys: unsupported key value');
  const read = keyObject;
  if (read.type === 'secret') {
    return {
      shape: read,
      secret: read.export(),
      publicJwk: undefined,
      keys: (_alg, canSign) => ({ verifyKey: read, signKey: canSign ? read : undefined }),
    };
  }
  const publicKey = read.type === 'private' ? createPublicKey(read) : read;
  // Only the key types the table has rows for are exported: the others fail on their algorithm first.
  const exportable = rowsFor(read.asymmetricKeyType ?? 'unknown').length > 0;
  return {
    shape: read,
    secret: undefined,
    publicJwk: exportable ? (publicKey.export({ format: 'jwk' }) as JWK) : undefined,
    keys: (_alg, canSign) => ({ verifyKey: publicKey, signKey: canSign ? read : undefined }),
  };
}

/**
 * Reads a key without `node:crypto`, for Web Crypto: the same checks, on the key's
 * structure; the runtime imports it on first use.
 */
function webMaterial(key: KeyEntry['key']): KeyMaterial {
  let secret: Uint8Array | undefined;
  let parsed: ParsedKey | undefined;
  try {
    if (key instanceof Uint8Array) {
      refuseKeyMaterial(key);
      secret = key;
    } else if (typeof key === 'string') {
      if (key.includes('-----BEGIN')) parsed = readPemKey(key);
      else secret = secretText(key);
    } else if (isJwk(key)) {
      if (key.kty === 'oct') secret = octSecret(key);
      else parsed = readAsymmetricJwk(key);
    }
  } catch (error) {
    // A KeyReadError says why the structure is wrong; an AuthError passes as it is.
    readFailure(error);
  }
  if (secret !== undefined) {
    const jwk: JWK = { kty: 'oct', k: bytesToBase64url(secret) };
    return {
      shape: { type: 'secret', symmetricKeySize: secret.length },
      secret,
      publicJwk: undefined,
      keys: (alg, canSign) => ({
        verifyKey: new WebKey(jwk, alg, 'verify'),
        signKey: canSign ? new WebKey(jwk, alg, 'sign') : undefined,
      }),
    };
  }
  if (parsed === undefined) return fail('keys: unsupported key value');
  const { publicJwk, privateJwk } = parsed;
  return {
    shape: parsed,
    secret: undefined,
    publicJwk,
    keys: (alg, canSign) => ({
      verifyKey: new WebKey(publicJwk as JWK, alg, 'verify'),
      signKey: canSign && privateJwk !== undefined ? new WebKey(privateJwk, alg, 'sign') : undefined,
    }),
  };
}

function readKey(key: KeyEntry['key']): KeyMaterial {
  const crypto = nodeCrypto();
  return crypto === undefined ? webMaterial(key) : nodeMaterial(crypto, key);
}

/** The algorithms of the table whose rows take keys of this kind, in table order. */
function rowsFor(keyType: string): JwsAlgorithm[] {
  return ALGORITHM_NAMES.filter((alg) => ALGORITHMS[alg].keyType === keyType);
}

/** The HMAC algorithm of a secret (HS256 unless another is requested), once its size is checked against the row. */
function secretAlgorithm(keyObject: KeyShape, requested: string | undefined): JwsAlgorithm {
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
function algorithmOf(keyObject: KeyShape, requested: string | undefined): JwsAlgorithm {
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

const KID_PREFIX = utf8ToBytes('tokenward-kid:');

function secretKid(secret: Uint8Array): string {
  // A domain-separated hash: it names the secret without being usable as one.
  const input = new Uint8Array(KID_PREFIX.length + secret.length);
  input.set(KID_PREFIX);
  input.set(secret, KID_PREFIX.length);
  return bytesToBase64url(sha256(input)).slice(0, 16);
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
  return bytesToBase64url(sha256(utf8ToBytes(canonical)));
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
  const material = readKey(entry.key);
  const alg = algorithmOf(material.shape, entry.alg ?? jwkAlg);
  const canSign = allowSigning && entry.verifyOnly !== true && material.shape.type !== 'public';
  const givenKid = entry.kid ?? (isJwk(entry.key) ? entry.key.kid : undefined);

  if (material.secret !== undefined) {
    return {
      kid: checkKid(givenKid ?? secretKid(material.secret)),
      alg,
      symmetric: true,
      ...material.keys(alg, canSign),
      publicJwk: undefined,
    };
  }
  const publicJwkBase = material.publicJwk as JWK;
  const kid = checkKid(givenKid ?? jwkThumbprint(publicJwkBase));
  return {
    kid,
    alg,
    symmetric: false,
    ...material.keys(alg, canSign),
    publicJwk: { ...publicJwkBase, kid, alg, use: 'sig' },
  };
}

function checkKid(kid: unknown): string {
  const problem = kidProblem(kid);
  if (problem !== undefined) fail(`keys: ${problem}`);
  return kid as string;
}
