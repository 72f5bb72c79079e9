/**
 * What tokenward accepts as a password and as a bcrypt cost, shared by every
 * password function.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';
import { envVar } from '../lib/platform.js';
import { utf8ToBytes } from '../tokens/base64url.js';

/** The cost `hashPassword` uses when none is given (2^12 bcrypt rounds). */
export const DEFAULT_BCRYPT_COST = 12;

/** The lowest cost tokenward hashes with; lower costs are refused (OWASP minimum). */
export const MIN_BCRYPT_COST = 10;

/** The lowest cost bcrypt itself defines; only `hashPassword`'s `insecureTestCost` goes below {@link MIN_BCRYPT_COST}. */
export const LOWEST_BCRYPT_COST = 4;

/** The highest cost bcrypt defines. */
export const MAX_BCRYPT_COST = 31;

/**
 * The longest password bcrypt reads, in UTF-8 bytes. Longer passwords are
 * refused, never silently truncated.
 */
export const MAX_PASSWORD_BYTES = 72;

// Matches only unpaired surrogates: with the `u` flag a valid pair is one code
// point and never matches \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

/** Why a password cannot be hashed whole, or `undefined` when it can. */
export type PasswordProblem = 'not-a-string' | 'empty' | 'too-long' | 'nul' | 'malformed-unicode';

/** A password that bcrypt reads whole, as the exact bytes it will read. */
export type PasswordCheck = { ok: true; bytes: Uint8Array } | { ok: false; problem: PasswordProblem };

/** Tells whether bcrypt would read a password whole, and returns its UTF-8 bytes if so. */
export function checkPassword(password: unknown): PasswordCheck {
  if (typeof password !== 'string') return { ok: false, problem: 'not-a-string' };
  if (password.length === 0) return { ok: false, problem: 'empty' };
  // Lone surrogates all encode to U+FFFD, so two different strings would hash alike.
  if (LONE_SURROGATE.test(password)) return { ok: false, problem: 'malformed-unicode' };
  // Every UTF-16 unit takes at least one UTF-8 byte: a string longer than the
  // limit in units is over it in bytes, and is refused without encoding it.
  if (password.length > MAX_PASSWORD_BYTES) return { ok: false, problem: 'too-long' };
  const bytes = utf8ToBytes(password);
  if (bytes.length > MAX_PASSWORD_BYTES) return { ok: false, problem: 'too-long' };
  // C implementations of bcrypt stop at NUL, so such a hash would not be portable.
  if (bytes.includes(0)) return { ok: false, problem: 'nul' };
  return { ok: true, bytes };
}

const PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  'not-a-string': 'The password must be a string.',
  empty: 'The password must not be empty.',
  'too-long': `The password is longer than ${MAX_PASSWORD_BYTES} bytes in UTF-8, the most bcrypt reads; it is refused rather than truncated.`,
  nul: 'The password contains a NUL character, which bcrypt cannot take.',
  'malformed-unicode': 'The password is not well-formed Unicode (it contains an unpaired surrogate).',
};

/** The `PASSWORD_REJECTED` error for a problem; its message never contains the password. */
export function passwordRejected(problem: PasswordProblem): AuthError {
  return new AuthError('PASSWORD_REJECTED', PROBLEM_MESSAGES[problem]);
}

/**
 * Returns the cost to use, `fallback` when none is given, or throws
 * `CONFIG_INVALID` when it is not an integer from {@link MIN_BCRYPT_COST} to
 * {@link MAX_BCRYPT_COST}.
 */
export function resolveCost(cost: number | undefined, fallback = DEFAULT_BCRYPT_COST): number {
  if (cost === undefined) return fallback;
  if (!Number.isInteger(cost) || cost < MIN_BCRYPT_COST || cost > MAX_BCRYPT_COST) {
    throw new AuthError(
      'CONFIG_INVALID',
      `The bcrypt cost must be an integer from ${MIN_BCRYPT_COST} to ${MAX_BCRYPT_COST}, got ${String(cost)}.`,
    );
  }
  return cost;
}

/**
 * Checks `hashPassword`'s test-only cost: an integer below the production
 * minimum, never in production, never next to `cost`.
 * @throws AuthError CONFIG_INVALID otherwise.
 */
export function resolveInsecureTestCost(testCost: unknown, cost: number | undefined): number {
  if (envVar('NODE_ENV') === 'production') {
    throw new AuthError(
      'CONFIG_INVALID',
      'insecureTestCost is for test fixtures and is refused in production.',
    );
  }
  if (cost !== undefined) throw new AuthError('CONFIG_INVALID', 'Give cost or insecureTestCost, not both.');
  if (
    !Number.isInteger(testCost) ||
    (testCost as number) < LOWEST_BCRYPT_COST ||
    (testCost as number) >= MIN_BCRYPT_COST
  ) {
    throw new AuthError(
      'CONFIG_INVALID',
      `insecureTestCost must be an integer from ${LOWEST_BCRYPT_COST} to ${MIN_BCRYPT_COST - 1} (use cost from ${MIN_BCRYPT_COST}), got ${String(testCost)}.`,
    );
  }
  return testCost as number;
}

/** The parts of a well-formed bcrypt hash string. */
export interface ParsedBcryptHash {
  /** `2a`, `2b` or `2y`: the same algorithm for every password tokenward accepts. */
  readonly version: '2a' | '2b' | '2y';
  /** The cost (log2 of the rounds), from 4 to 31. */
  readonly cost: number;
}

// $2x$ marks hashes made by the buggy pre-2011 crypt_blowfish: not accepted,
// since @node-rs/bcrypt would check them as $2b$ and disagree on 8-bit passwords.
const BCRYPT_HASH = /^\$(2[aby])\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/** Parses a bcrypt hash string, or returns `undefined` when it is not one. */
export function parseBcryptHash(hash: unknown): ParsedBcryptHash | undefined {
  if (typeof hash !== 'string') return undefined;
  const match = BCRYPT_HASH.exec(hash);
  if (match === null) return undefined;
  const cost = Number(match[2]);
  if (cost < LOWEST_BCRYPT_COST || cost > MAX_BCRYPT_COST) return undefined;
  return { version: match[1] as ParsedBcryptHash['version'], cost };
}
