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
 * Only the exact name counts: `__Secure-x` or `__host-x` is another cookie than `__Host-x`.
 * @throws AuthError REQUEST_INVALID when the cookie appears more than once
 * (two credentials: the request is ambiguous, so neither is used).
 */
export function readCookie(request: HttpRequestView, name: string): string | undefined {
  const header = request.header('cookie');
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
   * Secure with `Path=/` and no domain (the default), `__Secure-` when it is
   * Secure otherwise. Default `refresh_token`.
   */
  name?: string;
  /**
   * The cookie `Path`. Default `/`, wherever the routes are mounted: only a
   * `Path=/` cookie without a domain can carry the `__Host-` prefix, the one
   * prefix a sibling subdomain cannot plant (cookie tossing). Any other path
   * (say the mount path, `/auth`) makes it `__Secure-`, which a sibling
   * subdomain over HTTPS can plant with `Domain=` the parent: weaker, for apps
   * whose sibling subdomains are all trusted.
   */
  path?: string;
  /** The `SameSite` attribute. Default `Strict`. */
  sameSite?: SameSite;
  /**
   * The `Secure` attribute. Default `true`. Only `false`, given explicitly, turns
   * it off (for `http://localhost` development); refused when HTTPS is enforced.
   */
  secure?: boolean;
  /**
   * The `Domain` attribute. Default: none (the cookie goes to the exact host
   * only, `__Host-` prefixed). A domain makes it `__Secure-` and lets every
   * subdomain of it receive, and plant, the cookie: weaker, as for `path`.
   */
  domain?: string;
}

/** The resolved refresh-cookie settings. */
export interface RefreshCookie {
  /** The full name, prefix included. */
  readonly name: string;
  /** The `Path`. */
  readonly path: string;
  readonly sameSite: SameSite;
  readonly secure: boolean;
  readonly domain: string | undefined;
}

const DEFAULT_COOKIE_NAME = 'refresh_token';
// `/` whatever the mount path: the `__Host-` prefix requires it (RFC 6265bis 4.1.3.2).
const DEFAULT_COOKIE_PATH = '/';

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
  const path = options.path ?? DEFAULT_COOKIE_PATH;
  if (typeof path !== 'string' || !COOKIE_PATH.test(path))
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
 * The cookie's full name, the only one the token routes read. The prefix
 * (RFC 6265bis 4.1.3) makes the browser refuse the cookie from anyone who
 * could not set it: `__Host-` from anyone but this exact host over HTTPS,
 * `__Secure-` only from plain HTTP (a sibling subdomain over HTTPS can still
 * plant a `__Secure-` cookie for the parent domain).
 */
export function refreshCookieName(cookie: RefreshCookie): string {
  if (!cookie.secure) return cookie.name;
  return cookie.path === '/' && cookie.domain === undefined
    ? `__Host-${cookie.name}`
    : `__Secure-${cookie.name}`;
}

/**
 * A `Set-Cookie` value setting the refresh token for `maxAge` seconds, or
 * clearing the cookie when `value` is `undefined`.
 */
export function serializeRefreshCookie(
  cookie: RefreshCookie,
  value: string | undefined,
  maxAge: number,
): string {
  if (value !== undefined && !COOKIE_VALUE.test(value))
    throw new AuthError('TOKEN_MALFORMED', 'the token cannot be put in a cookie');
  const parts = [`${refreshCookieName(cookie)}=${value ?? ''}`];
  if (value === undefined) parts.push('Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  else parts.push(`Max-Age=${Math.max(0, Math.floor(maxAge))}`);
  parts.push(`Path=${cookie.path}`);
  if (cookie.domain !== undefined) parts.push(`Domain=${cookie.domain}`);
  parts.push('HttpOnly');
  if (cookie.secure) parts.push('Secure');
  parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}
