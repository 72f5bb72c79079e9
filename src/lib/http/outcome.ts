/**
 * What a shared HTTP step tells its adapter: go on, write this answer, or hand this error to the framework.
 * @packageDocumentation
 */

import { isAuthError } from '../../errors.js';
import { errorAnswer } from './error-response.js';
import type { HttpAnswer } from './types.js';

/** The result of a step: a value to go on with, an answer to write, or an error for the framework's own handling. */
export type Outcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'answer'; readonly answer: HttpAnswer }
  | { readonly kind: 'delegate'; readonly error: unknown };

/** Receives a failure that is not an `AuthError` (a bug, a failing `findUser`) before the generic 500 hides it. */
export type InternalErrorReporter = (error: unknown) => void;

/** How failures are handled: answered here, or handed to the framework. */
export interface FailureHandling {
  /** The realm of `WWW-Authenticate`. */
  readonly realm: string;
  /** `true` to hand every failure to the framework's error handling instead of answering it. */
  readonly delegateErrors: boolean;
  /** Where unexpected failures are reported; the adapter's default when `undefined`. */
  readonly onInternalError: InternalErrorReporter | undefined;
}

/**
 * The outcome of a failure: the error itself when the framework handles errors,
 * else the error answer (an unexpected error is reported first, then answered 500).
 */
export function failure(
  error: unknown,
  handling: FailureHandling,
  defaultReporter: InternalErrorReporter,
  headers?: Record<string, string | string[]>,
): Outcome<never> {
  if (handling.delegateErrors) return { kind: 'delegate', error };
  if (!isAuthError(error)) {
    try {
      (handling.onInternalError ?? defaultReporter)(error);
    } catch {
      // A failing reporter must not turn a 500 answer into a crashed request.
    }
  }
  return { kind: 'answer', answer: errorAnswer(error, handling.realm, headers) };
}
