import { AuthError, isAuthError } from '../errors.js';

/** Runs an operation on untrusted input so that nothing but an AuthError escapes it. */
export async function onlyAuthErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isAuthError(error)) throw error;
    throw new AuthError('TOKEN_INVALID', 'the token could not be verified', { cause: error });
  }
}
