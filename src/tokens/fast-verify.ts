import type { KeyObject } from 'node:crypto';
import { algorithmSpec, asymmetricKeyMisfit } from '../keys/algorithms.js';
import { WebKey } from '../keys/web-key.js';
import { nodeCrypto, runtimeName } from '../lib/platform.js';
import { hmacSha256, portableHmacPreferred } from '../lib/sha256.js';
import { base64urlToBytes, latin1ToBytes } from './base64url.js';

type NodeCrypto = NonNullable<ReturnType<typeof nodeCrypto>>;

const DENO = runtimeName() === 'Deno';

/**
 * Checks a JWS signature synchronously: `true` when `signature` signs `signingInput`
 * (the ASCII `header.payload` of a compact JWS) with the key it was made for.
 */
export type SyncVerifier = (signingInput: string, signature: Uint8Array) => boolean;

function hmacVerifier(
  { createHmac, timingSafeEqual }: NodeCrypto,
  key: KeyObject,
  hash: string,
): SyncVerifier {
  return (signingInput, signature) => {
    const mac = createHmac(hash, key).update(signingInput, 'latin1').digest();
    // timingSafeEqual throws on a length mismatch, and the length of a MAC is no secret.
    return mac.length === signature.length && timingSafeEqual(mac, signature);
  };
}

/** HS256 with this package's HMAC-SHA256: synchronous where node:crypto is missing or slower. */
function portableHs256Verifier(secret: Uint8Array): SyncVerifier {
  const mac = hmacSha256(secret);
  return (signingInput, signature) => {
    if (signature.length !== 32) return false;
    const expected = mac(signingInput);
    // Every byte is compared, wherever the first difference is.
    let difference = 0;
    for (let i = 0; i < 32; i++) difference |= expected[i]! ^ signature[i]!;
    return difference === 0;
  };
}

function asymmetricVerifier(
  { createVerify, verify: cryptoVerify }: NodeCrypto,
  hash: string | null,
  key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' },
  signatureLength: number | undefined,
): SyncVerifier {
  return (signingInput, signature) => {
    if (signatureLength !== undefined && signature.length !== signatureLength) return false;
    try {
      // Ed25519 has no streaming form; for ECDSA and RSA a Verify object is measurably
      // cheaper than the one-shot crypto.verify (no copy of the input into a Buffer).
      if (hash === null) return cryptoVerify(null, latin1ToBytes(signingInput), key, signature);
      return createVerify(hash).update(signingInput, 'latin1').verify(key, signature);
    } catch {
      // OpenSSL refuses some malformed signatures by throwing: they are simply invalid.
      return false;
    }
  };
}

/** The verifier for one key and algorithm, or `null` when the pair is not one the fast path covers. */
function makeVerifier(crypto: NodeCrypto, key: KeyObject, alg: string): SyncVerifier | null {
  const spec = algorithmSpec(alg);
  if (spec === undefined) return null;
  if (spec.signatureEncoding === 'mac') {
    if (key.type !== 'secret' || (key.symmetricKeySize ?? 0) === 0) return null;
    if (spec.hash === 'sha256' && portableHmacPreferred()) return portableHs256Verifier(key.export());
    return hmacVerifier(crypto, key, spec.hash as string);
  }
  // Deno's node:crypto verifies ECDSA at half the speed of its Web Crypto (bench/runtimes.bench.mjs:
  // ES256 0.56x jose): there the key goes to jose, which uses Web Crypto.
  if (spec.signatureEncoding === 'ieee-p1363' && DENO) return null;
  // jose refuses RSA keys under 2048 bits (checkModulusLength); the table's minimum says so for the fast path.
  if (key.type !== 'public' || asymmetricKeyMisfit(key, spec) !== undefined) return null;
  // jose takes the IEEE P1363 form (r || s), never DER.
  const verifyKey =
    spec.signatureEncoding === 'ieee-p1363' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return asymmetricVerifier(crypto, spec.hash, verifyKey, spec.signatureLength);
}

/** The synchronous verifier of a key for Web Crypto: HS256 only (the others need Web Crypto's async calls). */
function webVerifier(key: WebKey, alg: string): SyncVerifier | null {
  if (alg !== 'HS256' || key.alg !== 'HS256' || key.jwk.kty !== 'oct' || typeof key.jwk.k !== 'string')
    return null;
  return portableHs256Verifier(base64urlToBytes(key.jwk.k));
}

// Per key, per algorithm: key details are read once, not on every token.
const verifiers = new WeakMap<object, Map<string, SyncVerifier | null>>();

/**
 * The synchronous `node:crypto` verifier of a key for one algorithm of the
 * table (`keys/algorithms.ts`): an HMAC row with a secret, any other row with a
 * public key of its key type, curve and minimum size. Answers `undefined` for
 * anything else (a CryptoKey, another key type, a key that does not match the
 * algorithm, a key for Web Crypto other than an HS256 secret): such keys are left to jose.
 * HS256 is checked with this package's HMAC-SHA256 where it beats `node:crypto` (Deno)
 * or `node:crypto` is missing.
 */
export function fastVerifier(key: unknown, alg: string): SyncVerifier | undefined {
  const crypto = nodeCrypto();
  const isKeyObject = crypto !== undefined && key instanceof crypto.KeyObject;
  if (!isKeyObject && !(key instanceof WebKey)) return undefined;
  let byAlg = verifiers.get(key);
  if (byAlg === undefined) {
    byAlg = new Map();
    verifiers.set(key, byAlg);
  }
  let verifier = byAlg.get(alg);
  if (verifier === undefined) {
    verifier = isKeyObject
      ? makeVerifier(crypto as NodeCrypto, key as KeyObject, alg)
      : webVerifier(key as WebKey, alg);
    byAlg.set(alg, verifier);
  }
  return verifier ?? undefined;
}
