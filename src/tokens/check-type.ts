import { AuthError } from '../errors.js';

/** The `typ` of tokenward access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** The `typ` of tokenward refresh tokens. */
export const REFRESH_TOKEN_TYPE = 'refresh+jwt';

/** A media type as JOSE compares it: lowercase, without `application/` (RFC 7515 4.1.9). */
export function normalizeType(typ: unknown): string | undefined {
  if (typeof typ !== 'string') return undefined;
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** Throws TOKEN_TYPE_MISMATCH unless the header `typ` is one of `expected` (normalised). */
export function checkTokenType(
  header: Readonly<Record<string, unknown>>,
  expected: ReadonlySet<string>,
  what: string,
): void {
  const typ = normalizeType(header.typ);
  if (typ === undefined || !expected.has(typ)) {
    throw new AuthError('TOKEN_TYPE_MISMATCH', `the token is not ${what}`);
  }
}
