import type { KeyObject } from 'node:crypto';
import { flattenedVerify } from 'jose';
import { AuthError } from '../errors.js';
import type { RemoteKey } from '../keys/remote-jwks.js';
import { WebKey } from '../keys/web-key.js';
import { isUtf8Base64url } from './base64url.js';
import { fastVerifier } from './fast-verify.js';
import type { DecodedToken } from './parse.js';
import { base64urlView } from './scratch-decode.js';

/** A decoded token, and whether its header is well-formed UTF-8 when the decoder already knows. */
export type SignedToken = DecodedToken & { readonly utf8Header?: boolean };

/** A key a signature is verified with: a `KeyObject`, a key of a remote JWKS, or a key for Web Crypto. */
export type VerificationKey = KeyObject | RemoteKey | WebKey;

/** Finds the keys that may have signed a token with this header. */
export type KeyLookup = (
  header: Readonly<Record<string, unknown>>,
  alg: string,
) => readonly VerificationKey[] | Promise<readonly VerificationKey[]>;

// Header parameters that would make the token choose its own key, or change how it
// is processed: tokenward never follows or trusts them, so it refuses them.
const REFUSED_HEADERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit', 'b64'] as const;

function invalid(message: string): never {
  throw new AuthError('TOKEN_INVALID', message);
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

async function verifyWithJose(
  token: DecodedToken,
  alg: string,
  keys: readonly VerificationKey[],
): Promise<boolean> {
  const [protectedHeader, payload, signature] = token.parts;
  for (const candidate of keys) {
    // A configured key on a runtime without node:crypto: imported on first use, and an
    // import the runtime refuses is a configuration error, not an invalid signature.
    const key = candidate instanceof WebKey ? await candidate.cryptoKey() : candidate;
    try {
      await flattenedVerify({ protected: protectedHeader, payload, signature }, key, { algorithms: [alg] });
      return true;
    } catch {
      // Try the next candidate; if none verifies, the signature is invalid.
    }
  }
  return false;
}

async function checkWithJose(
  token: DecodedToken,
  alg: string,
  keys: readonly VerificationKey[],
): Promise<void> {
  if (!(await verifyWithJose(token, alg, keys))) invalid('the token signature is invalid');
}

function checkKeys(
  token: SignedToken,
  alg: string,
  keys: readonly VerificationKey[],
  signingInput: string | undefined,
): void | Promise<void> {
  if (keys.length === 0) invalid('no key matches the token "kid" and algorithm');
  const [encodedHeader, encodedPayload, encodedSignature] = token.parts;
  let slow: VerificationKey[] | undefined;
  let signature: Uint8Array | undefined;
  for (const key of keys) {
    const verify = fastVerifier(key, alg);
    if (verify === undefined) {
      slow ??= [];
      slow.push(key);
      continue;
    }
    if (signature === undefined) {
      // jose refuses a header that is not well-formed UTF-8 before it looks at any key.
      if (!(token.utf8Header ?? isUtf8Base64url(encodedHeader))) invalid('the token signature is invalid');
      // A view of a reused buffer: every verifier below runs before anything decodes again.
      signature = base64urlView(encodedSignature);
    }
    if (verify(signingInput ?? `${encodedHeader}.${encodedPayload}`, signature)) return;
  }
  if (slow === undefined) invalid('the token signature is invalid');
  // Keys the fast path does not cover (CryptoKeys, say) are left to jose.
  return checkWithJose(token, alg, slow);
}

/**
 * Checks a protected header before any key is looked up: its `alg` must be on the
 * allowlist, it must carry none of the parameters that would let the token pick
 * its own key, and its `kid`, if any, must be a string. Answers the algorithm;
 * throws TOKEN_INVALID.
 */
export function checkHeader(
  header: Readonly<Record<string, unknown>>,
  algorithms: ReadonlySet<string>,
): string {
  const alg = header.alg;
  if (typeof alg !== 'string' || !algorithms.has(alg)) invalid('the token algorithm is not allowed');
  for (const name of REFUSED_HEADERS) {
    if (Object.hasOwn(header, name)) invalid(`the token header carries "${name}", which is refused`);
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') invalid('the token "kid" is not a string');
  return alg;
}

/**
 * Checks the header ({@link checkHeader}) and the signature against the
 * configured keys; throws TOKEN_INVALID on any failure. Local keys answer
 * synchronously with synchronous `node:crypto`: nothing is awaited and the
 * result is `undefined`. A promise comes back only when the key lookup or a key
 * is asynchronous (a remote JWKS, a CryptoKey, a key for Web Crypto on a
 * runtime without `node:crypto`), checked with jose.
 * `signingInput`, when given, must be the token's `header.payload` as received.
 */
export function checkSignature(
  token: SignedToken,
  algorithms: ReadonlySet<string>,
  lookup: KeyLookup,
  signingInput?: string,
): void | Promise<void> {
  const alg = checkHeader(token.header, algorithms);
  const keys = lookup(token.header, alg);
  if (isPromiseLike(keys)) return keys.then((found) => checkKeys(token, alg, found, signingInput));
  return checkKeys(token, alg, keys, signingInput);
}
