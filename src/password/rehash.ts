/**
 * Deciding when a stored hash should be replaced.
 * @packageDocumentation
 */

import { parseBcryptHash, resolveCost } from './policy.js';

/** Options of {@link needsRehash}. */
export interface NeedsRehashOptions {
  /**
   * The cost the application hashes with now, an integer from 10 to 31.
   * @defaultValue 12
   */
  cost?: number;
}

/**
 * Tells whether a stored hash should be replaced by a fresh
 * {@link hashPassword} at the user's next successful login: when its cost is
 * below the wanted one, or when it is not a `$2b$` bcrypt hash (other bcrypt
 * versions, other algorithms, malformed values).
 *
 * A hash of a higher cost than wanted is kept.
 *
 * @throws `AuthError` (from `tokenward`) `CONFIG_INVALID` when the cost option is not an
 * integer from 10 to 31.
 */
export function needsRehash(hash: string, options?: NeedsRehashOptions): boolean {
  const wanted = resolveCost(options?.cost);
  const parsed = parseBcryptHash(hash);
  return parsed === undefined || parsed.version !== '2b' || parsed.cost < wanted;
}
