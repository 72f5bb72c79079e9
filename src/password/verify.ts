/**
 * Checking a password against a stored bcrypt hash.
 * @packageDocumentation
 */

import { loadBcrypt } from './bcrypt.js';
import { checkPassword, parseBcryptHash } from './policy.js';

/**
 * Tells whether a password matches a stored bcrypt hash, off the event loop.
 *
 * Rejects only where the runtime cannot load bcrypt (`AuthError`
 * CONFIG_INVALID, see {@link hashPassword}); otherwise resolves `false` for a wrong password, and also for a
 * password {@link hashPassword} would refuse (empty, over 72 UTF-8 bytes, NUL,
 * unpaired surrogate, not a string), so that two passwords sharing their first
 * 72 bytes never match each other's hash. Resolves `false` as well for a
 * stored value that is not a `$2a$`, `$2b$` or `$2y$` bcrypt hash (`$2x$`
 * included).
 *
 * To avoid telling unknown users apart by timing, use
 * {@link verifyPasswordOrDummy} at login.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const checked = checkPassword(password);
  if (!checked.ok || parseBcryptHash(hash) === undefined) return false;
  // A runtime that cannot load bcrypt is a configuration error, never a wrong password.
  const { verify } = await loadBcrypt();
  try {
    return (await verify(checked.bytes, hash)) === true;
  } catch {
    // A hash that looks right but does not decode is as good as a wrong one.
    return false;
  }
}
