/**
 * The reference tokenward's verification is tested against: the same stateless
 * checks, with parse.ts's `decodeToken` instead of the fast decoder and jose's
 * `flattenedVerify` instead of the `node:crypto` verifiers. It lives in the tests,
 * not the library: production code has one verification path.
 */
import { flattenedVerify } from 'jose';
import type { AuthConfig } from '../../src/config.js';
import { AuthError } from '../../src/errors.js';
import { decodeToken } from '../../src/tokens/parse.js';
import { checkHeader } from '../../src/tokens/verify-signature.js';
import { checkVerifiedClaims, type TokenKind } from '../../src/tokens/verify-token.js';

/**
 * Verifies a token's signature with jose alone: the header checks tokenward makes,
 * then each candidate key through `flattenedVerify`. Rejects with TOKEN_INVALID.
 */
export async function joseCheckSignature(
  parts: readonly [string, string, string],
  header: Readonly<Record<string, unknown>>,
  config: Pick<AuthConfig, 'algorithms' | 'lookup'>,
): Promise<void> {
  const alg = checkHeader(header, config.algorithms);
  const keys = await config.lookup(header, alg);
  if (keys.length === 0) throw new AuthError('TOKEN_INVALID', 'no key matches the token "kid" and algorithm');
  const [protectedHeader, payload, signature] = parts;
  for (const key of keys) {
    try {
      await flattenedVerify({ protected: protectedHeader, payload, signature }, key, { algorithms: [alg] });
      return;
    } catch {
      // Try the next candidate; if none verifies, the signature is invalid.
    }
  }
  throw new AuthError('TOKEN_INVALID', 'the token signature is invalid');
}

/**
 * What tokenward's stateless verification (`checkStateless`) must answer for a
 * token, computed with jose: the claims, or a rejection with the same AuthError code.
 */
export async function joseVerifyStateless(
  config: AuthConfig,
  token: unknown,
  kind: TokenKind,
): Promise<Record<string, unknown>> {
  const decoded = decodeToken(token, config.maxTokenSize);
  await joseCheckSignature(decoded.parts, decoded.header, config);
  return checkVerifiedClaims(config, decoded, kind);
}
