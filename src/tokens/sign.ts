import type { KeyObject } from 'node:crypto';
import { AuthError } from '../errors.js';
import { algorithmSpec, type JwsAlgorithm } from '../keys/algorithms.js';
import type { PreparedKey } from '../keys/import-key.js';
import { subtleAlgorithm, WebKey } from '../keys/web-key.js';
import { nodeCrypto } from '../lib/platform.js';
import { bytesToBase64url, latin1ToBytes, utf8ToBase64url } from './base64url.js';

/**
 * Signs the ASCII signing input `header.payload`; answers the base64url signature,
 * synchronously with `node:crypto`, through a promise with Web Crypto.
 */
type SignInput = (signingInput: string) => string | Promise<string>;

/** A signing key made ready once: its signature function and its encoded headers per `typ`. */
interface Signer {
  readonly sign: SignInput;
  readonly headers: Map<string, string>;
}

/** The signature function of an algorithm's row: its hash and signature encoding, nothing per algorithm name. */
function nodeSignFunction(alg: JwsAlgorithm, key: KeyObject): SignInput {
  const crypto = nodeCrypto();
  const spec = algorithmSpec(alg);
  if (crypto === undefined) throw new AuthError('CONFIG_INVALID', 'keys: a KeyObject needs node:crypto');
  const { createHmac, sign: cryptoSign } = crypto;
  const encode = (signature: Uint8Array): string => bytesToBase64url(signature);
  switch (spec?.signatureEncoding) {
    case 'mac': {
      const hash = spec.hash as string;
      return (input) => createHmac(hash, key).update(input, 'latin1').digest('base64url');
    }
    case 'raw':
      // A scheme that hashes by itself (Ed25519): node:crypto takes no digest name.
      return (input) => encode(cryptoSign(spec.hash, latin1ToBytes(input), key));
    case 'ieee-p1363': {
      // JWS wants the IEEE P1363 form (r || s), not DER.
      const p1363 = { key, dsaEncoding: 'ieee-p1363' as const };
      return (input) => encode(cryptoSign(spec.hash, latin1ToBytes(input), p1363));
    }
    case 'pkcs1':
      return (input) => encode(cryptoSign(spec.hash, latin1ToBytes(input), key));
    default:
      throw new AuthError('CONFIG_INVALID', `keys: ${String(alg)} cannot sign`);
  }
}

/** The Web Crypto signature function: Web Crypto writes ECDSA signatures as r || s, as JWS wants. */
function webSignFunction(key: WebKey): SignInput {
  const { signParams } = subtleAlgorithm(key.alg);
  return async (input) => {
    const signature = await crypto.subtle.sign(signParams, await key.cryptoKey(), latin1ToBytes(input));
    return bytesToBase64url(new Uint8Array(signature));
  };
}

// One signer per prepared key (so per kid): nothing is converted or re-encoded per token.
const signers = new WeakMap<PreparedKey, Signer>();

function signerOf(key: PreparedKey): Signer {
  let signer = signers.get(key);
  if (signer === undefined) {
    const signKey = key.signKey;
    if (signKey === undefined) {
      throw new AuthError('CONFIG_INVALID', `keys: the key "${key.kid}" only verifies`);
    }
    const sign = signKey instanceof WebKey ? webSignFunction(signKey) : nodeSignFunction(key.alg, signKey);
    signer = { sign, headers: new Map() };
    signers.set(key, signer);
  }
  return signer;
}

function encodeJson(value: unknown): string {
  return utf8ToBase64url(JSON.stringify(value));
}

/**
 * Signs a claims set as a compact JWS with `alg`, `typ` and `kid` in the protected
 * header: synchronously with `node:crypto`, through a promise with Web Crypto.
 * Throws a TypeError when the claims are not JSON-serialisable.
 */
export function signToken(
  payload: Readonly<Record<string, unknown>>,
  typ: string,
  key: PreparedKey,
): string | Promise<string> {
  const signer = signerOf(key);
  let header = signer.headers.get(typ);
  if (header === undefined) {
    header = encodeJson({ alg: key.alg, typ, kid: key.kid });
    signer.headers.set(typ, header);
  }
  const input = `${header}.${encodeJson(payload)}`;
  const signature = signer.sign(input);
  return typeof signature === 'string' ? `${input}.${signature}` : signature.then((sig) => `${input}.${sig}`);
}
