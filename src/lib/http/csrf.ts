/**
 * Cross-site request forgery: judging whether a cookie-carried request may act.
 * @packageDocumentation
 */

import { AuthError } from '../../errors.js';
import type { HttpRequestView } from './types.js';

/**
 * Who may send cookie-carried unsafe requests besides the server's own origin: the options
 * `authenticate` (for the access-token `cookie`) and the token routes (for the refresh cookie) take.
 */
export interface CsrfOptions {
  /**
   * Origins (`https://app.example.com`, scheme and host, and port when not the
   * default) whose pages may send cookie-carried unsafe requests. Default: none,
   * only the server's own origin.
   */
  allowedOrigins?: readonly string[];
  /**
   * `true` to accept requests a browser marks `Sec-Fetch-Site: same-site` (a
   * sibling subdomain) without listing its origin. Default `false`.
   */
  allowSameSite?: boolean;
}

/** The resolved CSRF settings. */
export interface CsrfPolicy {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly allowSameSite: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Checks the options and normalises the origins.
 * @throws AuthError CONFIG_INVALID for an entry that is not an `http(s)` origin.
 */
export function resolveCsrfPolicy(options: CsrfOptions): CsrfPolicy {
  const origins = new Set<string>();
  for (const entry of options.allowedOrigins ?? []) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new AuthError('CONFIG_INVALID', `allowedOrigins: ${JSON.stringify(entry)} is not an origin`);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.replace(/\/$/, '')) {
      throw new AuthError(
        'CONFIG_INVALID',
        `allowedOrigins: ${JSON.stringify(entry)} is not an origin (scheme://host[:port])`,
      );
    }
    origins.add(url.origin);
  }
  return { allowedOrigins: origins, allowSameSite: options.allowSameSite === true };
}

/**
 * Refuses a cookie-carried request that a page of another site may have sent.
 *
 * The model: a browser attaches cookies to requests that other sites trigger,
 * so a request whose credential is a cookie only acts when the browser says
 * where it comes from and that place is trusted. Safe methods (GET, HEAD,
 * OPTIONS) change nothing and pass. For the others:
 * - `Sec-Fetch-Site` (Fetch Metadata), when sent: `same-origin` and `none` (typed
 *   by the user) pass; `same-site` passes with `allowSameSite` or an allowed
 *   `Origin`; `cross-site` passes only with an allowed `Origin`.
 * - Otherwise `Origin`, when sent: the server's own origin and the allowed
 *   origins pass; anything else, `null` included, is refused.
 * - A request with neither header does not come from a current browser's
 *   cross-site form or script (they send `Origin` on every unsafe request);
 *   it passes, and the `SameSite` cookie attribute covers older browsers.
 *
 * @param secure whether the request came over HTTPS, as the framework judges
 * it (trust-proxy aware): it forms the server's own origin with `Host`.
 * @throws AuthError CSRF_REJECTED
 */
export function checkCsrf(request: HttpRequestView, secure: boolean, policy: CsrfPolicy): void {
  if (SAFE_METHODS.has(request.method ?? 'GET')) return;
  const origin = request.header('origin');
  const allowedOrigin = origin !== undefined && policy.allowedOrigins.has(origin);
  const site = request.header('sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return;
    if (allowedOrigin || (site === 'same-site' && policy.allowSameSite)) return;
    throw new AuthError(
      'CSRF_REJECTED',
      `a cookie-carried request from a ${site === 'same-site' ? 'sibling' : 'foreign'} site was refused`,
    );
  }
  if (origin === undefined || allowedOrigin) return;
  const host = request.header('host');
  if (host !== undefined && origin === `${secure ? 'https' : 'http'}://${host.toLowerCase()}`) return;
  throw new AuthError(
    'CSRF_REJECTED',
    'a cookie-carried request from an origin that is not allowed was refused',
  );
}
