import { AuthError } from '../errors.js';
import { base64urlToUtf8, isCanonicalBase64url } from './base64url.js';

/** A compact JWS split and decoded, not yet verified. */
export interface DecodedToken {
  /** The protected header. */
  readonly header: Readonly<Record<string, unknown>>;
  /** The claims. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** The three base64url parts as received. */
  readonly parts: readonly [header: string, payload: string, signature: string];
}

function malformed(message: string): never {
  throw new AuthError('TOKEN_MALFORMED', message);
}

function decodeJsonObject(part: string, what: string): Record<string, unknown> {
  if (part.length === 0 || !isCanonicalBase64url(part)) malformed(`the token's ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(base64urlToUtf8(part));
  } catch {
    malformed(`the token's ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    malformed(`the token's ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Splits and decodes a compact JWS without verifying it. The size is checked
 * before anything is decoded.
 */
export function decodeToken(token: unknown, maxTokenSize: number): DecodedToken {
  if (token === undefined || token === null || token === '')
    throw new AuthError('TOKEN_MISSING', 'no token was given');
  if (typeof token !== 'string') malformed('the token is not a string');
  if (token.length > maxTokenSize) malformed(`the token is larger than ${maxTokenSize} bytes`);
  const parts = token.split('.');
  if (parts.length !== 3) malformed('the token is not a compact JWS (three dot-separated parts)');
  const [encodedHeader, encodedPayload, signature] = parts as [string, string, string];
  if (!isCanonicalBase64url(signature)) malformed("the token's signature is not base64url");
  const header = decodeJsonObject(encodedHeader, 'header');
  const payload = decodeJsonObject(encodedPayload, 'payload');
  return { header, payload, parts: [encodedHeader, encodedPayload, signature] };
}
