/**
 * The scope of a password grant (RFC 6749 3.3): the scope a client requests, narrowed to what the
 * application's `grantScopes` grants the user.
 * @packageDocumentation
 */

import { AuthError } from '../../errors.js';
import { isScopeToken } from '../../roles/require-scope.js';

/**
 * Decides the scopes a user's tokens carry at login: `requested` is the scope the client asked
 * for (`scope` of the OAuth2 `/token` form, space-separated; empty when it named none and always
 * for the JSON `/login`), the answer what is granted. With a request, only the requested scopes it
 * answers are granted, and none of them is an `invalid_scope` refusal; without one, its answer is
 * the user's default scope (empty: tokens without a `scope` claim).
 */
export type GrantScopes<User> = (
  user: User,
  requested: readonly string[],
) => readonly string[] | Promise<readonly string[]>;

// Marks the refusals the token endpoint answers as RFC 6749 5.2 invalid_scope.
const SCOPE_REFUSALS = new WeakSet<object>();

/** A 400 for a scope the client may not have: `invalid_scope` on the OAuth2 token endpoint. */
function scopeRefusal(message: string): AuthError {
  const error = new AuthError('REQUEST_INVALID', message);
  SCOPE_REFUSALS.add(error);
  return error;
}

/** Tells whether an error is a scope refusal, which the token endpoint answers as `invalid_scope`. */
export function isScopeRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && SCOPE_REFUSALS.has(error);
}

/**
 * The scopes a `/token` form requests: its `scope`, space-separated (RFC 6749 3.3), each once.
 * @throws AuthError REQUEST_INVALID, a scope refusal, for a value that is not a list of scope-tokens.
 */
export function requestedScopes(value: unknown): readonly string[] {
  if (value === undefined || value === '') return [];
  if (typeof value !== 'string') throw scopeRefusal('scope must be a space-separated list of scopes');
  const scopes = value.split(' ').filter((part) => part !== '');
  if (!scopes.every(isScopeToken)) throw scopeRefusal('scope must be a space-separated list of scopes');
  return [...new Set(scopes)];
}

/**
 * Checks the `grantScopes` option of the token routes.
 * @throws AuthError CONFIG_INVALID for anything but a function.
 */
export function checkGrantScopes<User>(value: unknown): GrantScopes<User> | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new AuthError('CONFIG_INVALID', 'grantScopes must be a function (user, requested) => scopes');
  return value as GrantScopes<User> | undefined;
}

/**
 * The scopes a login grants the user: `undefined` without `grantScopes` (the tokens carry no
 * scope, and a requested one is ignored, as RFC 6749 3.3 allows), else what it grants within the
 * request.
 * @throws AuthError a scope refusal when a request is granted nothing; CONFIG_INVALID when
 * `grantScopes` answers anything but a list of scope-tokens (the application's bug, a 500).
 */
export async function grantedScopes<User>(
  grantScopes: GrantScopes<User> | undefined,
  user: User,
  requested: readonly string[],
): Promise<readonly string[] | undefined> {
  if (grantScopes === undefined) return undefined;
  const granted = await grantScopes(user, requested);
  if (!Array.isArray(granted) || !granted.every(isScopeToken)) {
    throw new AuthError('CONFIG_INVALID', 'grantScopes must answer an array of scopes (scope-tokens)');
  }
  // Never more than the client asked for: a callback that answers its whole list still narrows.
  const within = requested.length === 0 ? granted : granted.filter((scope) => requested.includes(scope));
  if (requested.length > 0 && within.length === 0) {
    throw scopeRefusal('none of the requested scopes can be granted');
  }
  return [...new Set(within)];
}
