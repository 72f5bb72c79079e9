/**
 * Login verification that takes the same time whether the user exists or not.
 * @packageDocumentation
 */

import { bytesToBase64url } from '../tokens/base64url.js';
import { loadBcrypt } from './bcrypt.js';
import { parseBcryptHash, resolveCost } from './policy.js';
import { verifyPassword } from './verify.js';

/** Options of {@link verifyPasswordOrDummy}. */
export interface VerifyPasswordOrDummyOptions {
  /**
   * The cost of the dummy hash checked when there is no usable stored hash:
   * the cost the application hashes its passwords with, an integer from 10 to 31.
   * @defaultValue 12
   */
  cost?: number;
}

// One dummy hash per cost for the life of the process, created at start-up (prepareDummyHash) or on first need.
// The promise is cached so that concurrent first logins share one hashing.
const dummyHashes = new Map<number, Promise<string>>();

function dummyHash(cost: number): Promise<string> {
  let pending = dummyHashes.get(cost);
  if (pending === undefined) {
    // A random secret nobody knows: no password can match the dummy hash.
    pending = loadBcrypt().then(({ hash }) =>
      hash(bytesToBase64url(crypto.getRandomValues(new Uint8Array(32))), cost),
    );
    pending.catch(() => dummyHashes.delete(cost));
    dummyHashes.set(cost, pending);
  }
  return pending;
}

/**
 * Starts making the dummy hash of this cost in the background, unless it is
 * made or being made already, so that the first unknown-user login does not
 * pay for it (twice the time of any other login, which would tell that the
 * user does not exist). The token routes call it when they are created.
 * @throws `AuthError` (from `tokenward`) `CONFIG_INVALID` when the cost option is not an
 * integer from 10 to 31.
 */
export function prepareDummyHash(options?: VerifyPasswordOrDummyOptions): void {
  // A failure is handled where the promise is cached (it is dropped, and the next need retries).
  void dummyHash(resolveCost(options?.cost));
}

/**
 * Checks a login password against the stored hash of the user, or, when
 * there is no usable hash (unknown user: `null` or `undefined`; a value that
 * is not a bcrypt hash), against a dummy bcrypt hash of the same cost, so
 * that the answer takes about as long either way and does not reveal which
 * users exist.
 *
 * Resolves `true` only when `passwordHash` is a bcrypt hash that `password`
 * matches (as {@link verifyPassword}); the dummy path always resolves `false`.
 * Pass the cost the application hashes with (`cost`, default 12): the timing
 * matches only if the stored hashes have that cost. The dummy hash is created
 * on the first call that needs it (the token routes create theirs at start-up)
 * and kept for the life of the process.
 *
 * @example
 * ```ts
 * const user = await findUser(username);
 * if (!(await verifyPasswordOrDummy(password, user?.passwordHash))) {
 *   throw new AuthError('INVALID_CREDENTIALS', 'Invalid username or password.');
 * }
 * ```
 *
 * @throws `AuthError` (from `tokenward`) `CONFIG_INVALID` when the cost option is not an
 * integer from 10 to 31, or the runtime cannot load bcrypt (workerd); never for any password or hash.
 */
export async function verifyPasswordOrDummy(
  password: string,
  passwordHash: string | null | undefined,
  options?: VerifyPasswordOrDummyOptions,
): Promise<boolean> {
  const cost = resolveCost(options?.cost);
  if (typeof passwordHash === 'string' && parseBcryptHash(passwordHash) !== undefined) {
    return verifyPassword(password, passwordHash);
  }
  // A runtime that cannot load bcrypt fails here as for a known user: an unknown user
  // must not be told apart by a 401 where a known one gets a configuration error.
  await loadBcrypt();
  let dummy: string;
  try {
    dummy = await dummyHash(cost);
  } catch {
    return false;
  }
  // Do the same work as a real check, and ignore its answer.
  await verifyPassword(password, dummy);
  return false;
}
