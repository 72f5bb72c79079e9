/**
 * The public key set served at `GET /.well-known/jwks.json`, built once for every adapter.
 * @packageDocumentation
 */

import type { Auth } from '../../create-auth.js';
import { AuthError } from '../../errors.js';
import { type Duration, toSeconds } from '../duration.js';
import { jsonAnswer } from './error-response.js';
import type { HttpAnswer } from './types.js';

/** Where the key set is served, as OpenID Connect discovery and most JWKS clients look for it. */
export const JWKS_PATH = '/.well-known/jwks.json';

/** Options of the adapters' `jwksRoute`. */
export interface JwksRouteOptions {
  /**
   * How long clients and shared caches may keep the key set (`Cache-Control: public, max-age=...`),
   * in seconds or as a duration such as `'10m'`; `0` to make them ask every time. Publish a new
   * key at least this long before it starts signing, so that every verifier has it by then.
   * Default `'5m'`.
   */
  maxAge?: Duration;
}

/** The methods the route answers: GET, and HEAD, which frameworks answer like GET without the body. */
export const JWKS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/**
 * The answer to `GET /.well-known/jwks.json`: the instance's public JWKS (`auth.jwks()`) with
 * caching headers. The keys of an instance never change, so it is built once and served as is.
 * @throws AuthError CONFIG_INVALID when the instance has no public key (HMAC secrets are never
 * published; a verify-only instance publishes nothing), or for an invalid `maxAge`.
 */
export function createJwksAnswer<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: JwksRouteOptions = {},
): HttpAnswer {
  if (typeof auth?.jwks !== 'function')
    throw new AuthError('CONFIG_INVALID', 'jwksRoute needs the instance createAuth returned');
  const maxAge = toSeconds(options.maxAge ?? '5m', 'maxAge', { allowZero: true });
  const jwks = auth.jwks();
  if (jwks.keys.length === 0) {
    throw new AuthError(
      'CONFIG_INVALID',
      'jwksRoute: the instance has no public key to publish (HMAC secrets are never published)',
    );
  }
  return jsonAnswer(200, jwks, { 'cache-control': `public, max-age=${maxAge}` });
}
