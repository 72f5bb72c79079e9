/**
 * OpenID Connect discovery: an issuer's `jwks_uri`, read from its provider configuration.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';
import { documentUrl, fetchDocument } from './fetch-document.js';
import { freshnessMs, type RemoteJwksTimings } from './remote-jwks.js';

/** Where OpenID Connect Discovery 1.0 (section 4) puts an issuer's configuration. */
export function discoveryUrl(issuer: string): URL {
  const base = issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
  return documentUrl(`${base}/.well-known/openid-configuration`, `issuer ${issuer}`);
}

/**
 * Finds an issuer's JWKS through its provider configuration, which is fetched when first needed
 * and again once its `Cache-Control` lifetime (within the JWKS bounds) has passed. The document's
 * `issuer` must equal the configured issuer exactly (OpenID Connect Discovery 1.0, 4.3), and its
 * `jwks_uri` must be https (http on loopback). A failure is JWKS_UNAVAILABLE; when a refresh
 * fails, the `jwks_uri` found before is used. It is called only when the JWKS itself is fetched,
 * so the JWKS cooldown bounds its fetches too.
 */
export function discoveredJwksUri(issuer: string, timings: RemoteJwksTimings): () => Promise<URL> {
  const configuration = discoveryUrl(issuer);
  let known: URL | undefined;
  let freshUntil = 0;

  const discover = async (): Promise<URL> => {
    const { body, maxAgeMs } = await fetchDocument(configuration, timings.timeout, 'OpenID configuration');
    const metadata = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (metadata.issuer !== issuer) {
      throw new AuthError(
        'JWKS_UNAVAILABLE',
        `the OpenID configuration of ${issuer} names another issuer; refusing its keys`,
      );
    }
    if (typeof metadata.jwks_uri !== 'string') {
      throw new AuthError('JWKS_UNAVAILABLE', `the OpenID configuration of ${issuer} has no jwks_uri`);
    }
    let url: URL;
    try {
      url = documentUrl(metadata.jwks_uri, 'jwks_uri');
    } catch (error) {
      throw new AuthError('JWKS_UNAVAILABLE', `the jwks_uri of ${issuer} is not an https URL`, {
        cause: error,
      });
    }
    known = url;
    freshUntil = Date.now() + freshnessMs(maxAgeMs, timings);
    return url;
  };

  return async () => {
    if (known !== undefined && Date.now() < freshUntil) return known;
    try {
      return await discover();
    } catch (error) {
      if (known !== undefined) return known;
      throw error;
    }
  };
}
