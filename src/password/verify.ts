/**
 * Checking a password against a stored bcrypt hash.
 * @packageDocumentation
 */

import { verify } from '@node-rs/bcrypt';
import { checkPassword, parseBcryptHash } from './policy.js';

/**
 * Tells whether a password matches a stored bcrypt hash, off the event loop.
 *
 * Never rejects: resolves `false` for a wrong password, and also for a
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
  try {
    return (await verify(checked.bytes, hash)) === true;
  } catch {
    // A hash that looks right but does not decode is as good as a wrong one.
    return false;
  }
}
