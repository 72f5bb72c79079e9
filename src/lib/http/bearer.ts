/**
 * Taking the bearer token from a request (RFC 6750 2.1 and 2.2; never the query string, 2.3).
 * @packageDocumentation
 */

import { AuthError } from '../../errors.js';
import { readCookie } from './cookies.js';
import type { HttpRequestView } from './types.js';

// RFC 6750 2.1: credentials = "Bearer" 1*SP b64token. The scheme is case-insensitive (RFC 9110 11.1).
const BEARER_CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const BEARER_SCHEME = /^bearer(?:\s|$)/i;

// A credential (RFC 9110 11.4) starts with its scheme, a token, then a space or nothing;
// an auth-param after a comma is `name=value` instead.
const CREDENTIALS_START = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?: |$)/;
const QUOTED_STRING = /"(?:[^"\\]|\\.)*"/g;

/**
 * `true` when the request carried several `Authorization` fields. Node keeps only the first in
 * its parsed headers, so the raw list is counted; the Fetch API joins them with `, ` before
 * anyone can count, so a joined value is recognised by a second credential after a comma
 * (outside quoted strings, where an auth-param of a single credential may hold one).
 */
function severalAuthorizations(request: HttpRequestView, value: string): boolean {
  const count = request.fieldCount('authorization');
  if (count !== undefined) return count > 1;
  if (!value.includes(',')) return false;
  const parts = value.replace(QUOTED_STRING, '""').split(',');
  for (let i = 1; i < parts.length; i += 1) {
    if (CREDENTIALS_START.test(parts[i]!.trim())) return true;
  }
  return false;
}

/**
 * The token of the request's `Authorization: Bearer` header, or `undefined`
 * when the request carries no bearer credentials (no header, or another scheme).
 * @throws AuthError REQUEST_INVALID for several `Authorization` headers or a
 * malformed bearer header (no token, two tokens, characters outside b64token).
 */
export function bearerFromHeader(request: HttpRequestView): string | undefined {
  const value = request.header('authorization');
  if (value === undefined) return undefined;
  if (severalAuthorizations(request, value)) {
    throw new AuthError('REQUEST_INVALID', 'several Authorization headers were sent');
  }
  const match = BEARER_CREDENTIALS.exec(value);
  if (match) return match[1]!;
  // Another scheme (Basic, ...) is no bearer credential at all; a broken Bearer header is a bad request.
  if (value === '' || BEARER_SCHEME.test(value)) {
    throw new AuthError(
      'REQUEST_INVALID',
      'the Authorization header must be the Bearer scheme followed by one token',
    );
  }
  return undefined;
}

/** Where an access token may come from besides the `Authorization` header. */
export interface TokenSourceOptions {
  /** The name of a cookie that may carry the access token. Default: none. */
  cookie?: string | undefined;
}

/** The access token a request presents, and whether it came in a cookie (which makes CSRF a concern). */
export interface PresentedToken {
  /** The token. */
  token: string;
  /** `true` when the browser attached it by itself, in a cookie. */
  fromCookie: boolean;
}

/**
 * The access token of a request: from `Authorization: Bearer`, or from the
 * configured cookie; never from the query string. `undefined` when there is none.
 * @throws AuthError REQUEST_INVALID for a malformed header, several headers,
 * several cookies of the name, or a token in both the header and the cookie.
 */
export function presentedToken(
  request: HttpRequestView,
  options: TokenSourceOptions,
): PresentedToken | undefined {
  const fromHeader = bearerFromHeader(request);
  const fromCookie = options.cookie === undefined ? undefined : readCookie(request, options.cookie);
  if (fromHeader !== undefined && fromCookie !== undefined) {
    throw new AuthError(
      'REQUEST_INVALID',
      'a token was sent both in the Authorization header and in a cookie',
    );
  }
  if (fromHeader !== undefined) return { token: fromHeader, fromCookie: false };
  if (fromCookie !== undefined) return { token: fromCookie, fromCookie: true };
  return undefined;
}
