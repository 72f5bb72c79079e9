/**
 * What a shared HTTP step tells its adapter: go on, write this answer, or hand this error to the framework;
 * and how failures are handled, resolved once for `authenticate`, the role checks and the token routes.
 * @packageDocumentation
 */

import { AuthError, isAuthError } from '../../errors.js';
import { DEFAULT_REALM, errorAnswer } from './error-response.js';
import type { HttpAnswer } from './types.js';

/** The result of a step: a value to go on with, an answer to write, or an error for the framework's own handling. */
export type Outcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'answer'; readonly answer: HttpAnswer }
  | { readonly kind: 'delegate'; readonly error: unknown };

/**
 * Receives a failure the server must hear about before the 500 answer hides it: anything that
 * is not an `AuthError` (a bug, a failing `findUser`), and an `AuthError` that is a server fault
 * (`CONFIG_INVALID`: see `isServerFault` in this module).
 */
export type InternalErrorReporter = (error: unknown) => void;

/** How `authenticate` and the token routes answer failures: the options both take. */
export interface FailureOptions {
  /** The `realm` of `WWW-Authenticate`. Default `"api"`. */
  realm?: string;
  /**
   * `true` to hand failures (the `AuthError`, with its `status`) to the framework's
   * own error handling instead of answering them. Default `false`.
   */
  delegateErrors?: boolean;
  /**
   * Receives the failures a 500 answer hides (see {@link InternalErrorReporter}) before it is sent:
   * a non-`AuthError` such as a throwing `findUser`, and `CONFIG_INVALID`.
   * Default: the framework's logger (`console.error` for Express, `request.log` for Fastify,
   * the app's `error` event for Koa).
   */
  onInternalError?: InternalErrorReporter;
}

/** The resolved {@link FailureOptions}. */
export interface FailureHandling {
  /** The realm of `WWW-Authenticate`. */
  readonly realm: string;
  /** `true` to hand every failure to the framework's error handling instead of answering it. */
  readonly delegateErrors: boolean;
  /** Where server faults are reported; the adapter's default when `undefined`. */
  readonly onInternalError: InternalErrorReporter | undefined;
}

/** The failure handling of a step that runs without options, e.g. a `requireRole` without `authenticate` before it. */
export const DEFAULT_FAILURE_HANDLING: FailureHandling = {
  realm: DEFAULT_REALM,
  delegateErrors: false,
  onInternalError: undefined,
};

/**
 * Checks the failure options and resolves their defaults.
 * @throws AuthError CONFIG_INVALID for an option of the wrong type.
 */
export function resolveFailureHandling(options: FailureOptions): FailureHandling {
  const { realm = DEFAULT_REALM, onInternalError } = options;
  if (typeof realm !== 'string') throw new AuthError('CONFIG_INVALID', 'realm must be a string');
  // A reporter that is not a function would fail inside the guard below and lose every report in silence.
  if (onInternalError !== undefined && typeof onInternalError !== 'function')
    throw new AuthError('CONFIG_INVALID', 'onInternalError must be a function');
  return { realm, delegateErrors: options.delegateErrors === true, onInternalError };
}

/**
 * Tells whether a failure is the server's own fault, which the client can do nothing about:
 * anything that is not an `AuthError`, and an `AuthError` with status 500 (`CONFIG_INVALID`:
 * a configuration or programming error, such as a claims schema refusing the claims the server
 * is about to issue). A store or JWKS outage (503) is not one: it is answered for the client to
 * retry, and the store's client reports its own connection errors.
 */
export function isServerFault(error: unknown): boolean {
  return !isAuthError(error) || error.status === 500;
}

/**
 * The outcome of a failure: the error itself when the framework handles errors,
 * else the error answer (a server fault is reported first, then answered 500).
 */
export function failure(
  error: unknown,
  handling: FailureHandling,
  defaultReporter: InternalErrorReporter,
  headers?: Record<string, string | string[]>,
): Outcome<never> {
  if (handling.delegateErrors) return { kind: 'delegate', error };
  if (isServerFault(error)) {
    try {
      (handling.onInternalError ?? defaultReporter)(error);
    } catch {
      // A failing reporter must not turn a 500 answer into a crashed request.
    }
  }
  return { kind: 'answer', answer: errorAnswer(error, handling.realm, headers) };
}
