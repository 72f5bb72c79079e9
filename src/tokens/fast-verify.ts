import type { KeyObject } from 'node:crypto';
import { algorithmSpec, asymmetricKeyMisfit } from '../keys/algorithms.js';
import { nodeCrypto } from '../lib/platform.js';
import { latin1ToBytes } from './base64url.js';

type NodeCrypto = NonNullable<ReturnType<typeof nodeCrypto>>;

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
    return key.type === 'secret' && (key.symmetricKeySize ?? 0) > 0
      ? hmacVerifier(crypto, key, spec.hash as string)
      : null;
  }
  // jose refuses RSA keys under 2048 bits (checkModulusLength); the table's minimum says so for the fast path.
  if (key.type !== 'public' || asymmetricKeyMisfit(key, spec) !== undefined) return null;
  // jose takes the IEEE P1363 form (r || s), never DER.
  const verifyKey =
    spec.signatureEncoding === 'ieee-p1363' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return asymmetricVerifier(crypto, spec.hash, verifyKey, spec.signatureLength);
}

// Per key, per algorithm: key details are read once, not on every token.
const verifiers = new WeakMap<KeyObject, Map<string, SyncVerifier | null>>();

/**
 * The synchronous `node:crypto` verifier of a key for one algorithm of the
 * table (`keys/algorithms.ts`): an HMAC row with a secret, any other row with a
 * public key of its key type, curve and minimum size. Answers `undefined` for
 * anything else (a CryptoKey, another key type, a key that does not match the
 * algorithm, any key where the runtime has no `node:crypto`): such keys are left to jose.
 */
export function fastVerifier(key: unknown, alg: string): SyncVerifier | undefined {
  const crypto = nodeCrypto();
  if (crypto === undefined || !(key instanceof crypto.KeyObject)) return undefined;
  let byAlg = verifiers.get(key);
  if (byAlg === undefined) {
    byAlg = new Map();
    verifiers.set(key, byAlg);
  }
  let verifier = byAlg.get(alg);
  if (verifier === undefined) {
    verifier = makeVerifier(crypto, key, alg);
    byAlg.set(alg, verifier);
  }
  return verifier ?? undefined;
}
