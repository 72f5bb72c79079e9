/**
 * `tokenward/password`: bcrypt password hashing through `@node-rs/bcrypt`,
 * off the event loop, that never truncates a password silently.
 *
 * Passwords over 72 UTF-8 bytes (bcrypt's limit), containing NUL or an
 * unpaired surrogate are refused by {@link hashPassword} and never verify.
 * There is no pre-hash mode: a pre-hashed store needs its pepper at every
 * check, login route included, and a marker in every stored hash.
 *
 * @packageDocumentation
 */

export { type VerifyPasswordOrDummyOptions, verifyPasswordOrDummy } from './dummy.js';
export { type HashPasswordOptions, hashPassword } from './hash.js';
export {
  DEFAULT_BCRYPT_COST,
  MAX_BCRYPT_COST,
  MAX_PASSWORD_BYTES,
  MIN_BCRYPT_COST,
} from './policy.js';
export { type NeedsRehashOptions, needsRehash } from './rehash.js';
export { verifyPassword } from './verify.js';
