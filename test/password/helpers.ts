import { isAuthError } from '../../src/errors.js';

/** The cost most tests hash with: the lowest tokenward accepts, to keep them fast. */
export const TEST_COST = 10;

/** Asserts that a promise rejects with an AuthError of the given code, and returns it. */
export async function expectAuthError(promise: Promise<unknown>, code: string) {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAuthError(error)) throw new Error(`expected an AuthError ${code}, got ${String(error)}`);
  if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`);
  return error;
}

/** Runs a synchronous function and returns what it threw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
