/**
 * The one rule for the base64url parts of a compact JWS: what counts as their
 * canonical spelling, and whether a part decodes to well-formed UTF-8.
 * @packageDocumentation
 */
import { isUtf8 } from 'node:buffer';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Tells whether a base64url string is in its one canonical spelling: only the
 * base64url alphabet, no padding, a length an encoder produces, and zero bits
 * where the last character has bits to spare. The empty string (zero bytes) is
 * canonical. Without this rule several strings would verify as the same token.
 * Equivalently, a string is canonical exactly when re-encoding the bytes it
 * decodes to gives it back (the form `scratch-decode.ts` checks).
 */
export function isCanonicalBase64url(part: string): boolean {
  if (!BASE64URL.test(part)) return false;
  const spare = part.length % 4;
  if (spare === 0) return true;
  if (spare === 1) return false;
  const last = ALPHABET.indexOf(part[part.length - 1]!);
  return (last & (spare === 2 ? 0b1111 : 0b11)) === 0;
}

/**
 * Tells whether a base64url part (a protected header) decodes to well-formed
 * UTF-8. jose decodes the header with a fatal UTF-8 decoder and refuses the token
 * otherwise, so tokenward does too, though it parses the header leniently.
 */
export function isUtf8Base64url(part: string): boolean {
  return isUtf8(Buffer.from(part, 'base64url'));
}
