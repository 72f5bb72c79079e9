import { createHmac, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { AuthError } from '../errors.js';
import { algorithmSpec, type JwsAlgorithm } from '../keys/algorithms.js';
import type { PreparedKey } from '../keys/import-key.js';

/** Signs the ASCII signing input `header.payload`; answers the base64url signature. */
type SignInput = (signingInput: string) => string;

/** A signing key made ready once: its signature function and its encoded headers per `typ`. */
interface Signer {
  readonly sign: SignInput;
  readonly headers: Map<string, string>;
}

/** The signature function of an algorithm's row: its hash and signature encoding, nothing per algorithm name. */
function signFunction(alg: JwsAlgorithm, key: KeyObject): SignInput {
  const spec = algorithmSpec(alg);
  switch (spec?.signatureEncoding) {
    case 'mac': {
      const hash = spec.hash as string;
      return (input) => createHmac(hash, key).update(input, 'latin1').digest('base64url');
    }
    case 'raw':
      // A scheme that hashes by itself (Ed25519): node:crypto takes no digest name.
      return (input) => cryptoSign(spec.hash, Buffer.from(input, 'latin1'), key).toString('base64url');
    case 'ieee-p1363': {
      // JWS wants the IEEE P1363 form (r || s), not DER.
      const p1363 = { key, dsaEncoding: 'ieee-p1363' as const };
      return (input) => cryptoSign(spec.hash, Buffer.from(input, 'latin1'), p1363).toString('base64url');
    }
    case 'pkcs1':
      return (input) => cryptoSign(spec.hash, Buffer.from(input, 'latin1'), key).toString('base64url');
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
