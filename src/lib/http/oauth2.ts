/**
 * The OAuth2 token endpoint of the token routes (RFC 6749 4.3 and 6): the
 * password and refresh-token grants, answered in the 5.1 shape, refused in the 5.2 one.
 * @packageDocumentation
 */

import type { AuthError } from '../../errors.js';
import type { TokenPair } from '../../types.js';
import { jsonAnswer } from './error-response.js';
import type { HttpAnswer } from './types.js';

/**
 * The RFC 6749 5.2 `error` codes the token endpoint answers: `invalid_request`
 * for a malformed request (a missing `grant_type` or parameter, a body that is
 * not a form, a request refused as plain HTTP or cross-site), `invalid_grant`
 * for wrong credentials or a refresh token that is not valid,
 * `unsupported_grant_type` for a grant other than `password` and `refresh_token`,
 * `temporarily_unavailable` (status 429, with `Retry-After`) for a throttled login,
 * and `invalid_scope` for a requested `scope` that is malformed or of which nothing can be granted.
 */
export const OAUTH2_TOKEN_ERROR_CODES = [
  'invalid_request',
  'invalid_grant',
  'unsupported_grant_type',
  'temporarily_unavailable',
  'invalid_scope',
] as const;

/** One of {@link OAUTH2_TOKEN_ERROR_CODES}. */
export type OAuth2TokenErrorCode = (typeof OAUTH2_TOKEN_ERROR_CODES)[number];

/** The grant types the token endpoint serves. */
export const OAUTH2_GRANT_TYPES = ['password', 'refresh_token'] as const;

/** How the token routes carry out the two grants; the endpoint only reads the form and shapes the answers. */
export interface OAuth2Grants {
  /** The password grant (4.3): checks the credentials and starts a new refresh family. */
  password(username: unknown, password: unknown): Promise<TokenPair>;
  /** The refresh-token grant (6): `fromForm` is the form's `refresh_token`, used when the cookie is off. */
  refreshToken(fromForm: unknown): Promise<TokenPair>;
}

/** A token-endpoint answer: 5.1 with the pair, or a 5.2 error. */
export type OAuth2Result =
  | { readonly kind: 'tokens'; readonly pair: TokenPair }
  | { readonly kind: 'error'; readonly answer: HttpAnswer };

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** An RFC 6749 5.2 answer: status 400, the code and a description, never cached. */
export function oauth2ErrorAnswer(code: OAuth2TokenErrorCode, description: string): HttpAnswer {
  return jsonAnswer(400, { error: code, error_description: description }, NO_STORE);
}

/**
 * The 5.2 answer to a failed grant: a malformed request (400), or one refused
 * as plain HTTP or cross-site, is `invalid_request`; any credential or token
 * refused is `invalid_grant`; a throttled login (TOO_MANY_ATTEMPTS) is
 * `temporarily_unavailable` with status 429 and `Retry-After`.
 */
export function oauth2FailureAnswer(error: AuthError): HttpAnswer {
  if (error.code === 'TOO_MANY_ATTEMPTS') {
    // The status stays 429 (with Retry-After) so that a client backs off instead of asking the user again.
    const answer = oauth2ErrorAnswer('temporarily_unavailable', error.message);
    const headers =
      error.retryAfter === undefined
        ? answer.headers
        : { ...answer.headers, 'retry-after': String(error.retryAfter) };
    return { ...answer, status: 429, headers };
  }
  const invalidRequest =
    error.status === 400 || error.code === 'CSRF_REJECTED' || error.code === 'HTTPS_REQUIRED';
  return oauth2ErrorAnswer(invalidRequest ? 'invalid_request' : 'invalid_grant', error.message);
}

/**
 * Runs the grant a parsed form asks for.
 * @throws AuthError from the grant itself (the caller answers it with {@link oauth2FailureAnswer}).
 */
export async function runOAuth2Grant(
  fields: Readonly<Record<string, unknown>>,
  grants: OAuth2Grants,
): Promise<OAuth2Result> {
  const grantType = fields.grant_type;
  // RFC 6749 5.2: a missing required parameter is invalid_request; only a grant the server does not serve is unsupported.
  if (grantType === undefined || grantType === '') {
    return { kind: 'error', answer: oauth2ErrorAnswer('invalid_request', 'grant_type is required') };
  }
  if (grantType === 'password') {
    return { kind: 'tokens', pair: await grants.password(fields.username, fields.password) };
  }
  if (grantType === 'refresh_token') {
    return { kind: 'tokens', pair: await grants.refreshToken(fields.refresh_token) };
  }
  const supported = OAUTH2_GRANT_TYPES.join(' or ');
  return {
    kind: 'error',
    answer: oauth2ErrorAnswer('unsupported_grant_type', `grant_type must be ${supported}`),
  };
}

/**
 * The RFC 6749 5.1 body of a successful grant: `refresh_token` only when
 * `withRefreshToken` (the cookie is off; otherwise it stays in the cookie), `scope` when granted.
 */
export function oauth2TokenBody(pair: TokenPair, withRefreshToken: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    access_token: pair.accessToken,
    token_type: 'Bearer',
    expires_in: pair.expiresIn,
  };
  if (withRefreshToken) body.refresh_token = pair.refreshToken;
  // RFC 6749 5.1: the granted scope, which may differ from the requested one.
  if (pair.scope !== undefined) body.scope = pair.scope;
  return body;
}
