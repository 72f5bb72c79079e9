/**
 * Turning a failure into the HTTP answer every adapter gives: the `AuthError`'s status, the JSON
 * error body and the bearer challenge of RFC 6750 section 3.
 * @packageDocumentation
 */

import { type AuthError, isAuthError } from '../../errors.js';
import { requiredScopesOf } from '../../roles/require-scope.js';
import type { HttpAnswer } from './types.js';

/** The realm of `WWW-Authenticate` when the application names none. */
export const DEFAULT_REALM = 'api';

/** The code of the generic answer to an unexpected (non-`AuthError`) failure. */
export const INTERNAL_ERROR_CODE = 'INTERNAL_ERROR';

const JSON_TYPE = 'application/json; charset=utf-8';
const MAX_DESCRIPTION_LENGTH = 200;

/**
 * A quoted-string (RFC 9110 5.6.4) holding only printable ASCII: control
 * characters (CR and LF included) and anything outside ASCII are dropped, `"`
 * and `\` are escaped, so no text can end the header or start another.
 */
export function quoteHeaderValue(text: string, maxLength = MAX_DESCRIPTION_LENGTH): string {
  const printable = text.replace(/[^\x20-\x7E]/g, '').slice(0, maxLength);
  return `"${printable.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Whether an answer of this status and RFC 6750 error value carries a
 * `WWW-Authenticate` challenge: 401 and 403 always, a 400 only with an error value.
 * The adapters apply it through {@link bearerChallenge}; `tokenward/openapi` documents it.
 */
export function isChallenged(status: number, bearerError: string | undefined): boolean {
  return status === 401 || status === 403 || (status === 400 && bearerError !== undefined);
}

/**
 * The `WWW-Authenticate` challenge for an error, or `undefined` where none is
 * due (see {@link isChallenged}). A request without credentials gets no
 * `error` attribute (RFC 6750 3.1).
 */
export function bearerChallenge(error: AuthError, realm: string): string | undefined {
  if (!isChallenged(error.status, error.bearerError)) return undefined;
  let challenge = `Bearer realm=${quoteHeaderValue(realm)}`;
  if (error.bearerError !== undefined && error.code !== 'TOKEN_MISSING') {
    challenge += `, error="${error.bearerError}"`;
    // RFC 6750 3.1: an insufficient_scope names the scope the resource needs. Scope-tokens are
    // printable ASCII already; the length is the app's own list, so nothing is cut.
    const scopes = requiredScopesOf(error);
    if (scopes !== undefined) {
      challenge += `, scope=${quoteHeaderValue(scopes.join(' '), Number.POSITIVE_INFINITY)}`;
    }
    challenge += `, error_description=${quoteHeaderValue(error.message)}`;
  }
  return challenge;
}

/** A JSON answer with the given status, body and extra headers. */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): HttpAnswer {
  return { status, headers: { ...headers, 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

/**
 * The answer to any failure: an `AuthError` gets its status, the body
 * `{ "error": { "code", "message" } }`, the bearer challenge and `Retry-After` where the
 * error carries one; anything else
 * gets a 500 that says nothing about it.
 */
export function errorAnswer(
  error: unknown,
  realm: string,
  headers: Record<string, string | string[]> = {},
): HttpAnswer {
  if (!isAuthError(error)) {
    return jsonAnswer(500, { error: { code: INTERNAL_ERROR_CODE, message: 'internal error' } }, headers);
  }
  const challenge = bearerChallenge(error, realm);
  const all: Record<string, string | string[]> =
    challenge === undefined ? { ...headers } : { ...headers, 'www-authenticate': challenge };
  // RFC 9110 10.2.3: a 429 or 503 says when to come back, in seconds.
  if (error.retryAfter !== undefined) all['retry-after'] = String(error.retryAfter);
  return jsonAnswer(error.status, { error: { code: error.code, message: error.message } }, all);
}
