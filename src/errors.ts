/**
 * The one error type tokenward throws, with a stable `code` for every failure.
 * @packageDocumentation
 */

/** The RFC 6750 `error` values an adapter puts in `WWW-Authenticate`. */
export type BearerErrorValue = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** What an error code means over HTTP. */
export interface AuthErrorCodeInfo {
  /** The HTTP status an adapter answers with. */
  readonly status: number;
  /** The RFC 6750 `error` value for `WWW-Authenticate`, or `undefined` where none applies. */
  readonly bearerError: BearerErrorValue | undefined;
}

/** A stable tokenward error code, such as `TOKEN_EXPIRED`. */
export type AuthErrorCode =
  | 'TOKEN_MISSING'
  | 'TOKEN_MALFORMED'
  | 'REQUEST_INVALID'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'CLAIM_INVALID'
  | 'TOKEN_TYPE_MISMATCH'
  | 'TOKEN_REVOKED'
  | 'REFRESH_TOKEN_REUSED'
  | 'FORBIDDEN'
  | 'CSRF_REJECTED'
  | 'HTTPS_REQUIRED'
  | 'STORE_UNAVAILABLE'
  | 'JWKS_UNAVAILABLE'
  | 'INVALID_CREDENTIALS'
  | 'PASSWORD_REJECTED'
  | 'TOO_MANY_ATTEMPTS'
  | 'LOGIN_BUSY'
  | 'CONFIG_INVALID';

/**
 * Every error code with its HTTP status and RFC 6750 `error` value: the public
 * contract of the adapters' answers (listed for users in the error reference of
 * the docs). Codes and statuses never change meaning between versions.
 */
export const AUTH_ERROR_CODES: { readonly [Code in AuthErrorCode]: AuthErrorCodeInfo } = {
  TOKEN_MISSING: { status: 401, bearerError: undefined },
  TOKEN_MALFORMED: { status: 401, bearerError: 'invalid_token' },
  REQUEST_INVALID: { status: 400, bearerError: 'invalid_request' },
  TOKEN_INVALID: { status: 401, bearerError: 'invalid_token' },
  TOKEN_EXPIRED: { status: 401, bearerError: 'invalid_token' },
  TOKEN_NOT_YET_VALID: { status: 401, bearerError: 'invalid_token' },
  CLAIM_INVALID: { status: 401, bearerError: 'invalid_token' },
  TOKEN_TYPE_MISMATCH: { status: 401, bearerError: 'invalid_token' },
  TOKEN_REVOKED: { status: 401, bearerError: 'invalid_token' },
  REFRESH_TOKEN_REUSED: { status: 401, bearerError: 'invalid_token' },
  FORBIDDEN: { status: 403, bearerError: 'insufficient_scope' },
  CSRF_REJECTED: { status: 403, bearerError: 'invalid_request' },
  HTTPS_REQUIRED: { status: 403, bearerError: 'invalid_request' },
  STORE_UNAVAILABLE: { status: 503, bearerError: undefined },
  JWKS_UNAVAILABLE: { status: 503, bearerError: undefined },
  INVALID_CREDENTIALS: { status: 401, bearerError: 'invalid_token' },
  PASSWORD_REJECTED: { status: 400, bearerError: 'invalid_request' },
  TOO_MANY_ATTEMPTS: { status: 429, bearerError: undefined },
  LOGIN_BUSY: { status: 503, bearerError: undefined },
  CONFIG_INVALID: { status: 500, bearerError: undefined },
};

// A registry symbol, not a class identity check, so that two installed copies of
// tokenward still recognise each other's errors.
const AUTH_ERROR_BRAND = Symbol.for('tokenward.AuthError');

/** Options of an {@link AuthError} besides its code and message. */
export interface AuthErrorOptions {
  /** The error that led to this one (kept for logs, never sent to clients). */
  cause?: unknown;
  /**
   * When the client may try again, in whole seconds: answered as `Retry-After`
   * (TOO_MANY_ATTEMPTS, LOGIN_BUSY).
   */
  retryAfter?: number;
}

/**
 * A tokenward failure: a stable `code`, the HTTP `status` an adapter answers
 * with, and the RFC 6750 `bearerError` value for `WWW-Authenticate`.
 * Its message never contains a token or a password.
 */
export class AuthError extends Error {
  /** The stable error code. */
  readonly code: AuthErrorCode;
  /** The HTTP status that answers this error. */
  readonly status: number;
  /** The RFC 6750 `error` value, or `undefined` where none applies (e.g. `TOKEN_MISSING`). */
  readonly bearerError: BearerErrorValue | undefined;
  /**
   * When the client may try again, in whole seconds, where the error says so
   * (TOO_MANY_ATTEMPTS, LOGIN_BUSY): the adapters answer it as `Retry-After`;
   * an application handling errors itself (`delegateErrors`) should too.
   */
  readonly retryAfter?: number;

  constructor(code: AuthErrorCode, message: string, options?: AuthErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const info = AUTH_ERROR_CODES[code];
    this.name = 'AuthError';
    this.code = code;
    this.status = info.status;
    this.bearerError = info.bearerError;
    if (options?.retryAfter !== undefined) this.retryAfter = options.retryAfter;
    Object.defineProperty(this, AUTH_ERROR_BRAND, { value: true });
  }
}

/**
 * Tells whether a value is an {@link AuthError}, also one thrown by another
 * installed copy of tokenward.
 *
 * @example
 * ```ts
 * try {
 *   await auth.verifyToken(token);
 * } catch (error) {
 *   if (isAuthError(error) && error.code === 'TOKEN_EXPIRED') {
 *     // ask the client to refresh
 *   }
 * }
 * ```
 */
export function isAuthError(value: unknown): value is AuthError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[AUTH_ERROR_BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}
