/**
 * The password check of the token routes: bcrypt (`tokenward/password`) by default, or the
 * application's own check where bcrypt cannot run (workerd), with the unknown-user dummy check
 * either way.
 * @packageDocumentation
 */

import { AuthError } from '../../errors.js';
import { prepareDummyHash, verifyPasswordOrDummy } from '../../password/dummy.js';

/**
 * An application's own password check, for the token routes on a runtime that cannot load
 * bcrypt (workerd, where `tokenward/password` answers CONFIG_INVALID): PBKDF2 from Web Crypto,
 * say. The stored hashes (`passwordHash` of `findUser`'s users) are then in the format `verify` reads.
 */
export interface PasswordCheck {
  /**
   * Whether `password` matches the user's stored hash. Only `true` logs the user in. It should
   * resolve `false` for a hash it cannot read; a rejection is answered as a server fault (500).
   */
  verify(password: string, passwordHash: string): Promise<boolean> | boolean;
  /**
   * A stored hash in the same format and of the same cost as the application's (the hash of a
   * random string that nobody knows). When the user is unknown or has no hash, the routes check
   * the password against it and ignore the answer, so that such a login takes as long as a real
   * one and its timing does not tell which users exist.
   */
  dummyHash: string;
}

/** Checks a login password against a user's stored hash, or a dummy one when there is none; `true` only for a match. */
export type PasswordVerifier = (
  password: string,
  passwordHash: string | null | undefined,
) => Promise<boolean>;

/**
 * The token routes' password check: the application's own when given, else bcrypt with the
 * dummy hash of `cost` prepared now (made at the first unknown-user login, it would make that
 * login twice as slow, which tells that the user does not exist).
 * @throws AuthError CONFIG_INVALID for a malformed `passwordCheck`, or one given with `passwordHashCost` (a bcrypt setting).
 */
export function resolvePasswordCheck(
  check: PasswordCheck | undefined,
  cost: number | undefined,
): PasswordVerifier {
  if (check === undefined) {
    const options = cost === undefined ? {} : { cost };
    prepareDummyHash(options);
    return (password, passwordHash) => verifyPasswordOrDummy(password, passwordHash, options);
  }
  if (typeof check?.verify !== 'function')
    throw new AuthError('CONFIG_INVALID', 'passwordCheck.verify must be a function');
  const { dummyHash } = check;
  if (typeof dummyHash !== 'string' || dummyHash === '')
    throw new AuthError('CONFIG_INVALID', 'passwordCheck.dummyHash must be a non-empty string');
  if (cost !== undefined)
    throw new AuthError(
      'CONFIG_INVALID',
      'passwordHashCost is the cost of bcrypt hashes: with passwordCheck, the dummy hash sets the cost',
    );
  const verify = check.verify.bind(check);
  return async (password, passwordHash) => {
    if (typeof passwordHash === 'string' && passwordHash !== '')
      return (await verify(password, passwordHash)) === true;
    // The same work as a real check, whose answer is ignored: no stored hash never matches.
    await verify(password, dummyHash);
    return false;
  };
}
