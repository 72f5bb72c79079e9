/**
 * One bounded GET of a public JSON document (a JWKS, an OpenID Provider configuration).
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';

/** A fetched JSON document and how long its server lets it be cached. */
export interface FetchedDocument {
  /** The parsed JSON body. */
  readonly body: unknown;
  /**
   * The freshness lifetime the answer's `Cache-Control` gives, in milliseconds: `max-age`, or `0`
   * for `no-store` / `no-cache`; `undefined` when the header says neither.
   */
  readonly maxAgeMs: number | undefined;
}

// A JWKS of a few dozen RSA keys is some tens of kilobytes; anything far larger is not a key set.
const MAX_DOCUMENT_BYTES = 512 * 1024;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Parses a URL keys or provider metadata may come from: `https:`, or `http:` on loopback for
 * development. Throws CONFIG_INVALID naming `what` otherwise.
 */
export function documentUrl(url: string | URL, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuthError('CONFIG_INVALID', `${what}: not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname))) {
    throw new AuthError('CONFIG_INVALID', `${what}: must be fetched over https`);
  }
  return parsed;
}

/** The freshness lifetime of a `Cache-Control` header value, in milliseconds (see {@link FetchedDocument}). */
export function cacheControlMaxAge(header: string | null): number | undefined {
  if (header === null) return undefined;
  let maxAge: number | undefined;
  for (const directive of header.toLowerCase().split(',')) {
    const [name, value] = directive.trim().split('=', 2) as [string, string | undefined];
    if (name === 'no-store' || name === 'no-cache') return 0;
    if (name === 'max-age' && value !== undefined && /^\d{1,10}$/.test(value.trim())) {
      maxAge = Number(value.trim()) * 1000;
    }
  }
  return maxAge;
}

/**
 * GETs `url` and parses its JSON body, within `timeoutMs`. Any failure (network, timeout, a status
 * other than 200, an oversized or non-JSON body) is JWKS_UNAVAILABLE: the keys could not be had.
 */
export async function fetchDocument(url: URL, timeoutMs: number, what: string): Promise<FetchedDocument> {
  let response: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal });
  } catch (error) {
    throw new AuthError('JWKS_UNAVAILABLE', `the ${what} could not be fetched`, { cause: error });
  }
  try {
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_DOCUMENT_BYTES) throw new Error('the document is too large');
    const text = await response.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error('the document is too large');
    return { body: JSON.parse(text), maxAgeMs: cacheControlMaxAge(response.headers.get('cache-control')) };
  } catch (error) {
    // Leave nothing pending on the connection when the body is not read.
    response.body?.cancel().catch(() => {});
    throw new AuthError('JWKS_UNAVAILABLE', `the ${what} could not be read`, { cause: error });
  }
}
