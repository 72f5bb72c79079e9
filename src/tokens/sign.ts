import { createHmac, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { AuthError } from '../errors.js';
import { HMAC_HASHES, type PreparedKey } from '../keys/import-key.js';
import type { JwsAlgorithm } from '../types.js';

/** Signs the ASCII signing input `header.payload`; answers the base64url signature. */
type SignInput = (signingInput: string) => string;

/** A signing key made ready once: its signature function and its encoded headers per `typ`. */
interface Signer {
  readonly sign: SignInput;
  readonly headers: Map<string, string>;
}

function signFunction(alg: JwsAlgorithm, key: KeyObject): SignInput {
  const hmacHash = HMAC_HASHES[alg];
  if (hmacHash !== undefined) {
    return (input) => createHmac(hmacHash, key).update(input, 'latin1').digest('base64url');
  }
  switch (alg) {
    case 'EdDSA':
      return (input) => cryptoSign(null, Buffer.from(input, 'latin1'), key).toString('base64url');
    case 'ES256': {
      // JWS wants the IEEE P1363 form (r || s), not DER.
      const p1363 = { key, dsaEncoding: 'ieee-p1363' as const };
      return (input) => cryptoSign('sha256', Buffer.from(input, 'latin1'), p1363).toString('base64url');
    }
    case 'RS256':
      return (input) => cryptoSign('sha256', Buffer.from(input, 'latin1'), key).toString('base64url');
    default:
      throw new AuthError('CONFIG_INVALID', `keys: ${String(alg)} cannot sign`);
  }
}

// One signer per prepared key (so per kid): nothing is converted or re-encoded per token.
const signers = new WeakMap<PreparedKey, Signer>();

function signerOf(key: PreparedKey): Signer {
  let signer = signers.get(key);
  if (signer === undefined) {
    if (key.signKey === undefined) {
      throw new AuthError('CONFIG_INVALID', `keys: the key "${key.kid}" only verifies`);
    }
    signer = { sign: signFunction(key.alg, key.signKey), headers: new Map() };
    signers.set(key, signer);
  }
  return signer;
}

/**
 * Signs a claims set as a compact JWS with `alg`, `typ` and `kid` in the protected
 * header. Throws a TypeError when the claims are not JSON-serialisable.
 */
export function signToken(payload: Readonly<Record<string, unknown>>, typ: string, key: PreparedKey): string {
  const signer = signerOf(key);
  let header = signer.headers.get(typ);
  if (header === undefined) {
    header = Buffer.from(JSON.stringify({ alg: key.alg, typ, kid: key.kid }), 'utf8').toString('base64url');
    signer.headers.set(typ, header);
  }
  const input = `${header}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  return `${input}.${signer.sign(input)}`;
}
