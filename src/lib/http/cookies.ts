/**
 * Cookies: reading one from a request, and the refresh-token cookie's rules (RFC 6265bis).
 * @packageDocumentation
 */

import { AuthError } from '../../errors.js';
import type { HttpRequestView } from './types.js';

// RFC 6265 4.1.1: a cookie name is an RFC 9110 token.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A cookie-value without quotes, commas, semicolons, backslashes, spaces or controls.
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const COOKIE_PATH = /^\/[\x20-\x3A\x3C-\x7E]*$/;
const COOKIE_DOMAIN =
  /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/**
 * The value of the named cookie, or `undefined` when the request has none (or an empty one).
 * @throws AuthError REQUEST_INVALID when the cookie appears more than once
 * (two credentials, e.g. a cookie planted for a narrower path).
 */
export function readCookie(request: HttpRequestView, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined || header === '') return undefined;
  let found: string | undefined;
  let count = 0;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue;
    count += 1;
    let value = pair.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    found = value;
  }
  if (count > 1) throw new AuthError('REQUEST_INVALID', `the cookie ${name} was sent more than once`);
  return found === '' ? undefined : found;
}

/** The `SameSite` values of a cookie. */
export type SameSite = 'Strict' | 'Lax' | 'None';

/** How the token routes set the refresh-token cookie. */
export interface RefreshCookieOptions {
  /**
   * The cookie name, without prefix: `__Host-` is added when the cookie is
   * Secure with `Path=/` and no domain, `__Secure-` when it is Secure otherwise.
   * Default `refresh_token`.
   */
  name?: string;
  /** The cookie `Path`. Default: where the token routes are mounted, so the cookie goes nowhere else. */
  path?: string;
  /** The `SameSite` attribute. Default `Strict`. */
  sameSite?: SameSite;
  /**
   * The `Secure` attribute. Default `true`. Only `false`, given explicitly, turns
   * it off (for `http://localhost` development); refused when HTTPS is enforced.
   */
  secure?: boolean;
  /** The `Domain` attribute. Default: none (the cookie goes to the exact host only). */
  domain?: string;
}

/** The resolved refresh-cookie settings. */
export interface RefreshCookie {
  /** The full name, prefix included. */
  readonly name: string;
  /** The `Path`, or `undefined` to take the mount path of the routes at request time. */
  readonly path: string | undefined;
  readonly sameSite: SameSite;
  readonly secure: boolean;
  readonly domain: string | undefined;
}

const DEFAULT_COOKIE_NAME = 'refresh_token';

/**
 * Checks the refresh-cookie options and resolves the defaults.
 * @throws AuthError CONFIG_INVALID for a bad name, path or domain, `SameSite=None`
 * without `Secure`, or `secure: false` where HTTPS is enforced.
 */
export function resolveRefreshCookie(options: RefreshCookieOptions, httpsEnforced: boolean): RefreshCookie {
  const secure = options.secure ?? true;
  if (typeof secure !== 'boolean') throw new AuthError('CONFIG_INVALID', 'cookie.secure must be a boolean');
  if (!secure && httpsEnforced) {
    throw new AuthError(
      'CONFIG_INVALID',
      'cookie.secure cannot be turned off in production or when HTTPS is required',
    );
  }
  const sameSite = options.sameSite ?? 'Strict';
  if (sameSite !== 'Strict' && sameSite !== 'Lax' && sameSite !== 'None') {
    throw new AuthError('CONFIG_INVALID', 'cookie.sameSite must be Strict, Lax or None');
  }
  if (sameSite === 'None' && !secure)
    throw new AuthError('CONFIG_INVALID', 'a SameSite=None cookie must be Secure');
  const path = options.path;
  if (path !== undefined && !COOKIE_PATH.test(path))
    throw new AuthError('CONFIG_INVALID', 'cookie.path must start with /');
  const domain = options.domain;
  if (domain !== undefined && !COOKIE_DOMAIN.test(domain))
    throw new AuthError('CONFIG_INVALID', 'cookie.domain is not a host name');
  const base = options.name ?? DEFAULT_COOKIE_NAME;
  if (!COOKIE_NAME.test(base) || /^__(host|secure)-/i.test(base)) {
    throw new AuthError(
      'CONFIG_INVALID',
      'cookie.name must be a cookie token without a __Host-/__Secure- prefix (it is added)',
    );
  }
  return { name: base, path, sameSite, secure, domain };
}

/**
 * The cookie's full name for a given path: the prefix (RFC 6265bis 4.1.3) lets
 * the browser guarantee that a sibling subdomain or plain HTTP did not set it.
 */
export function refreshCookieName(cookie: RefreshCookie, path: string): string {
  if (!cookie.secure) return cookie.name;
  return path === '/' && cookie.domain === undefined ? `__Host-${cookie.name}` : `__Secure-${cookie.name}`;
}

/** The cookie's path: its configured one, else the mount path of the token routes. */
export function refreshCookiePath(cookie: RefreshCookie, mountPath: string): string {
  if (cookie.path !== undefined) return cookie.path;
  const trimmed = mountPath.replace(/\/+$/, '');
  // A mount path only ever comes from the application's own routing, but it still must not break the header.
  return trimmed === '' || !COOKIE_PATH.test(trimmed) ? '/' : trimmed;
}

/**
 * A `Set-Cookie` value setting the refresh token for `maxAge` seconds, or
 * clearing the cookie when `value` is `undefined`.
 */
export function serializeRefreshCookie(
  cookie: RefreshCookie,
  mountPath: string,
  value: string | undefined,
  maxAge: number,
): string {
  if (value !== undefined && !COOKIE_VALUE.test(value))
    throw new AuthError('TOKEN_MALFORMED', 'the token cannot be put in a cookie');
  const path = refreshCookiePath(cookie, mountPath);
  const parts = [`${refreshCookieName(cookie, path)}=${value ?? ''}`];
  if (value === undefined) parts.push('Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  else parts.push(`Max-Age=${Math.max(0, Math.floor(maxAge))}`);
  parts.push(`Path=${path}`);
  if (cookie.domain !== undefined) parts.push(`Domain=${cookie.domain}`);
  parts.push('HttpOnly');
  if (cookie.secure) parts.push('Secure');
  parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}
