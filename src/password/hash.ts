/**
 * Hashing a password with bcrypt.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';
import { loadBcrypt } from './bcrypt.js';
import { checkPassword, passwordRejected, resolveCost, resolveInsecureTestCost } from './policy.js';

/** Options of {@link hashPassword}. */
export interface HashPasswordOptions {
  /**
   * The bcrypt cost (log2 of the rounds), an integer from 10 to 31.
   * @defaultValue 12
   */
  cost?: number;
  /**
   * For test fixtures only: a bcrypt cost from 4 to 9, below the production
   * minimum of 10, so that hashing a fixture takes about a millisecond instead
   * of tens. Refused with `CONFIG_INVALID` when `NODE_ENV` is `production` or
   * `cost` is given too. Such hashes verify as any other, and `needsRehash`
   * reports them; never store one for a real user.
   */
  insecureTestCost?: number;
}

/**
 * Hashes a password with bcrypt (`$2b$`), off the event loop.
 *
 * The password must be a non-empty, well-formed string of at most 72 UTF-8
 * bytes without NUL: bcrypt reads no more, and tokenward refuses rather than
 * truncate silently. Note that 72 bytes can be fewer than 72 characters
 * (`é` takes 2 bytes, most emoji 4).
 *
 * @returns the bcrypt hash string to store, e.g. `$2b$12$…` (60 characters).
 * @throws `AuthError` (from `tokenward`) `PASSWORD_REJECTED` when the password cannot be
 * hashed whole (the message gives the reason, never the password);
 * `CONFIG_INVALID` when the cost is not an integer from 10 to 31 (see
 * `insecureTestCost` for test fixtures), or when the runtime cannot load the
 * native bcrypt module (workerd: use Node.js, Bun or Deno).
 *
 * @example
 * ```ts
 * const passwordHash = await hashPassword(password); // store it with the user
 * const ok = await verifyPassword(attempt, passwordHash);
 * ```
 */
export async function hashPassword(password: string, options?: HashPasswordOptions): Promise<string> {
  // The minimum holds unless a test says, by name, that it wants a weaker hash.
  const cost =
    options?.insecureTestCost === undefined
      ? resolveCost(options?.cost)
      : resolveInsecureTestCost(options.insecureTestCost, options.cost);
  const checked = checkPassword(password);
  if (!checked.ok) throw passwordRejected(checked.problem);
  const { hash } = await loadBcrypt();
  try {
    // The exact bytes that were measured are the ones hashed.
    return await hash(checked.bytes, cost);
  } catch (error) {
    throw new AuthError('CONFIG_INVALID', 'bcrypt could not hash the password.', { cause: error });
  }
}
