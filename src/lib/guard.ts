import { AuthError, isAuthError } from '../errors.js';

function toAuthError(error: unknown): never {
  if (isAuthError(error)) throw error;
  throw new AuthError('TOKEN_INVALID', 'the token could not be verified', { cause: error });
}

/**
 * Runs an operation on untrusted input so that nothing but an AuthError escapes it.
 * Chained with `then` rather than awaited: a verification that has already
 * finished costs no extra tick.
 */
export function onlyAuthErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return operation().then(undefined, toAuthError);
  } catch (error) {
    return Promise.reject(error).then(undefined, toAuthError);
  }
}
