/**
 * Where token routes are mounted: one rule for every adapter, the refresh cookie and OpenAPI.
 * @packageDocumentation
 */

import { AuthError } from '../../errors.js';

/**
 * The path without its trailing slashes (`/auth/` -> `/auth`, `/` -> ``).
 * A mount path can come from a client (Express's `baseUrl` under a wildcard
 * mount), so this walks back over the string once instead of using a regex,
 * which would backtrack quadratically on a long run of slashes.
 */
export function trimTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end -= 1;
  return end === path.length ? path : path.slice(0, end);
}

/**
 * Checks a mount prefix the application configures (`prefix: '/auth'`) and
 * returns it without trailing slashes: `''` for the root.
 * @throws AuthError CONFIG_INVALID when it is not a string that is empty or starts with `/`.
 */
export function resolveMountPrefix(prefix: unknown, name = 'prefix'): string {
  if (typeof prefix !== 'string' || (prefix !== '' && !prefix.startsWith('/'))) {
    throw new AuthError('CONFIG_INVALID', `${name} must be empty or start with /`);
  }
  return trimTrailingSlashes(prefix);
}
