import { isUtf8 } from 'node:buffer';
import { createHmac, createVerify, verify as cryptoVerify, KeyObject, timingSafeEqual } from 'node:crypto';
import { HMAC_HASHES } from '../keys/import-key.js';

/**
 * Checks a JWS signature synchronously: `true` when `signature` signs `signingInput`
 * (the ASCII `header.payload` of a compact JWS) with the key it was made for.
 */
export type SyncVerifier = (signingInput: string, signature: Buffer) => boolean;

// jose refuses RSA keys under 2048 bits (checkModulusLength); so does the fast path.
const MIN_RSA_BITS = 2048;

function hmacVerifier(key: KeyObject, hash: string): SyncVerifier {
  return (signingInput, signature) => {
    const mac = createHmac(hash, key).update(signingInput, 'latin1').digest();
    // timingSafeEqual throws on a length mismatch, and the length of a MAC is no secret.
    return mac.length === signature.length && timingSafeEqual(mac, signature);
  };
}

function asymmetricVerifier(
  hash: string | null,
  key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' },
  signatureLength: number | undefined,
): SyncVerifier {
  return (signingInput, signature) => {
    if (signatureLength !== undefined && signature.length !== signatureLength) return false;
    try {
      // Ed25519 has no streaming form; for ECDSA and RSA a Verify object is measurably
      // cheaper than the one-shot crypto.verify (no copy of the input into a Buffer).
      if (hash === null) return cryptoVerify(null, Buffer.from(signingInput, 'latin1'), key, signature);
      return createVerify(hash).update(signingInput, 'latin1').verify(key, signature);
    } catch {
      // OpenSSL refuses some malformed signatures by throwing: they are simply invalid.
      return false;
    }
  };
}

/** The verifier for one key and algorithm, or `null` when the pair is not one the fast path covers. */
function makeVerifier(key: KeyObject, alg: string): SyncVerifier | null {
  const hmacHash = HMAC_HASHES[alg];
  if (hmacHash !== undefined) {
    return key.type === 'secret' && (key.symmetricKeySize ?? 0) > 0 ? hmacVerifier(key, hmacHash) : null;
  }
  if (key.type !== 'public') return null;
  const details = key.asymmetricKeyDetails ?? {};
  switch (alg) {
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519' ? asymmetricVerifier(null, key, 64) : null;
    case 'ES256':
      // jose takes the IEEE P1363 form (r || s, 32 bytes each), never DER.
      return key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1'
        ? asymmetricVerifier('sha256', { key, dsaEncoding: 'ieee-p1363' }, 64)
        : null;
    case 'RS256':
      return key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= MIN_RSA_BITS
        ? asymmetricVerifier('sha256', key, undefined)
        : null;
    default:
      return null;
  }
}

// Per key, per algorithm: key details are read once, not on every token.
const verifiers = new WeakMap<KeyObject, Map<string, SyncVerifier | null>>();

/**
 * The synchronous `node:crypto` verifier of a key for one algorithm: HMAC
 * (HS256/384/512) with a secret, EdDSA with an Ed25519 public key, ES256 with a
 * P-256 public key, RS256 with an RSA public key of 2048 bits or more. Answers
 * `undefined` for anything else (a CryptoKey, another key type, a key that does
 * not match the algorithm): such keys are left to jose.
 */
export function fastVerifier(key: unknown, alg: string): SyncVerifier | undefined {
  if (!(key instanceof KeyObject)) return undefined;
  let byAlg = verifiers.get(key);
  if (byAlg === undefined) {
    byAlg = new Map();
    verifiers.set(key, byAlg);
  }
  let verifier = byAlg.get(alg);
  if (verifier === undefined) {
    verifier = makeVerifier(key, alg);
    byAlg.set(alg, verifier);
  }
  return verifier ?? undefined;
}

/**
 * Tells whether the protected header decodes as well-formed UTF-8. jose decodes
 * the header with a fatal UTF-8 decoder and refuses the token otherwise, so the
 * fast path must too, though the header was already parsed leniently.
 */
export function isUtf8Header(encodedHeader: string): boolean {
  return isUtf8(Buffer.from(encodedHeader, 'base64url'));
}
