import type { KeyObject } from 'node:crypto';
import { flattenedVerify } from 'jose';
import type { RemoteKey } from '../keys/remote-jwks.js';

/** A key jose verifies with. */
export type VerificationKey = KeyObject | RemoteKey;

import { AuthError } from '../errors.js';
import type { DecodedToken } from './parse.js';

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

/**
 * Checks the header against the algorithm allowlist and the signature against
 * the configured keys. Throws TOKEN_INVALID on any failure.
 */
export async function verifySignature(
  token: DecodedToken,
  algorithms: ReadonlySet<string>,
  lookup: KeyLookup,
): Promise<void> {
  const { header } = token;
  const alg = header.alg;
  if (typeof alg !== 'string' || !algorithms.has(alg)) invalid('the token algorithm is not allowed');
  for (const name of REFUSED_HEADERS) {
    if (Object.hasOwn(header, name)) invalid(`the token header carries "${name}", which is refused`);
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') invalid('the token "kid" is not a string');
  const keys = await lookup(header, alg);
  if (keys.length === 0) invalid('no key matches the token "kid" and algorithm');
  const [protectedHeader, payload, signature] = token.parts;
  for (const key of keys) {
    try {
      await flattenedVerify({ protected: protectedHeader, payload, signature }, key, { algorithms: [alg] });
      return;
    } catch {
      // Try the next candidate; if none verifies, the signature is invalid.
    }
  }
  invalid('the token signature is invalid');
}
