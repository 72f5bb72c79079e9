/**
 * Scope and permission checks: which scopes verified claims hold, and the one rule for a scope
 * requirement, for the core and every adapter.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';

/**
 * A claim scopes are read from, each in the form its issuers send:
 * - `scope`: a space-separated string (RFC 9068, RFC 8693; tokenward issues this one);
 * - `scp`: a space-separated string or an array of strings (Microsoft Entra, Okta);
 * - `permissions`: an array of strings (Auth0 with RBAC).
 */
export type ScopeClaimName = 'scope' | 'scp' | 'permissions';

/** Every claim scopes may be read from, in one list: the default of the `scopeClaims` option. */
export const SCOPE_CLAIM_NAMES: readonly ScopeClaimName[] = Object.freeze(['scope', 'scp', 'permissions']);

/** Anything that may carry verified scopes: the claims `verifyToken` returns. Only the forms above count. */
export interface ScopeBearer {
  /** Space-separated scopes (RFC 9068). */
  readonly scope?: unknown;
  /** Space-separated scopes, or an array of them. */
  readonly scp?: unknown;
  /** An array of permissions. */
  readonly permissions?: unknown;
}

/**
 * Options of a scope requirement, given after the scopes:
 * `requireScope(claims, 'write:notes', { message: 'Read-only token' })`.
 */
export interface ScopeRequirementOptions {
  /**
   * The message of the FORBIDDEN error: the JSON body's `message` and the challenge's
   * `error_description` when an adapter answers it. Default: one naming the scopes.
   */
  message?: string;
}

/** The arguments of `requireScope` and `requireAnyScope`: at least one scope, then optionally their options. */
export type ScopeArguments =
  | [scope: string, ...moreScopes: string[]]
  | [scope: string, ...moreScopes: string[], options: ScopeRequirementOptions];

/** Checked scope arguments: the scopes, and the message of the FORBIDDEN error when the app gave one. */
export interface ScopeRequirement {
  /** At least one scope, each a scope-token of RFC 6749 3.3. */
  readonly scopes: readonly [string, ...string[]];
  /** The FORBIDDEN error's message, or `undefined` for the default one. */
  readonly message: string | undefined;
}

/** How a scope requirement is matched. */
export interface ScopeCheckOptions {
  /** `true` to require any one of the scopes instead of every one. */
  any?: boolean;
  /** The claims scopes are read from. Default: {@link SCOPE_CLAIM_NAMES}. */
  scopeClaims?: readonly ScopeClaimName[] | undefined;
}

// RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), printable ASCII without space, '"' and '\'.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Tells whether a value is a scope-token of RFC 6749 3.3 (printable ASCII, no space, `"` or `\`). */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}

/**
 * A 403 FORBIDDEN for a missing scope, carrying the scopes that were required so that the
 * HTTP layer names them in `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."`
 * (RFC 6750 3.1). `isAuthError` and `code === 'FORBIDDEN'` hold as for any FORBIDDEN.
 */
export class InsufficientScopeError extends AuthError {
  /** The scopes the requirement named: every one of them (`requireScope`) or any one (`requireAnyScope`). */
  readonly requiredScopes: readonly string[];

  constructor(requiredScopes: readonly string[], message: string) {
    super('FORBIDDEN', message);
    this.requiredScopes = Object.freeze([...requiredScopes]);
  }
}

/**
 * The scopes an error says were required, for the `scope` attribute of the challenge, or
 * `undefined` for any other error. Reads the field, not the class, so that an error from another
 * installed copy of tokenward is answered the same.
 */
export function requiredScopesOf(error: unknown): readonly string[] | undefined {
  const scopes =
    typeof error === 'object' && error !== null
      ? (error as { requiredScopes?: unknown }).requiredScopes
      : undefined;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every(isScopeToken)) return undefined;
  return scopes;
}

/** The strings of a space-separated list; empty parts (double spaces) never count. */
function spaceSeparated(value: string): string[] {
  return value.split(' ').filter((part) => part !== '');
}

/** The string entries of an array; anything else (numbers, objects, `null`) never counts. */
function stringEntries(value: unknown[]): string[] {
  return value.filter((entry): entry is string => typeof entry === 'string');
}

/** The scopes one claim holds, read in the form that claim has (see {@link ScopeClaimName}). */
function claimScopes(name: ScopeClaimName, value: unknown): string[] {
  if (name === 'scope') return typeof value === 'string' ? spaceSeparated(value) : [];
  if (name === 'permissions') return Array.isArray(value) ? stringEntries(value) : [];
  if (typeof value === 'string') return spaceSeparated(value);
  return Array.isArray(value) ? stringEntries(value) : [];
}

/**
 * The scopes verified claims hold, from every configured claim. A claim that is absent, inherited
 * (never `Object.prototype`'s) or of another form holds none: a token without scopes holds nothing.
 */
export function heldScopes(
  claims: unknown,
  scopeClaims: readonly ScopeClaimName[] = SCOPE_CLAIM_NAMES,
): Set<string> {
  const held = new Set<string>();
  if (typeof claims !== 'object' || claims === null) return held;
  for (const name of scopeClaims) {
    if (!Object.hasOwn(claims, name)) continue;
    for (const scope of claimScopes(name, (claims as Record<string, unknown>)[name])) held.add(scope);
  }
  return held;
}

/**
 * Tells whether verified claims hold every one (or, with `any`, at least one) of the scopes.
 * Exact, case-sensitive comparison; no scopes required is `false`, never a pass.
 */
export function hasScope(
  claims: ScopeBearer | null | undefined,
  scopes: readonly string[],
  options: ScopeCheckOptions = {},
): boolean {
  if (scopes.length === 0) return false;
  const held = heldScopes(claims, options.scopeClaims);
  return options.any === true
    ? scopes.some((scope) => held.has(scope))
    : scopes.every((scope) => held.has(scope));
}

/**
 * The one rule for a scope requirement, for the core and every adapter: at least one scope, each
 * a scope-token of RFC 6749 3.3 (so it can be named in `WWW-Authenticate` as is), optionally
 * followed by {@link ScopeRequirementOptions}.
 * @throws AuthError CONFIG_INVALID otherwise (a programming error, not the client's).
 */
export function scopeRequirement(args: readonly unknown[]): ScopeRequirement {
  const last = args[args.length - 1];
  const hasOptions = typeof last === 'object' && last !== null;
  const scopes = hasOptions ? args.slice(0, -1) : args;
  if (scopes.length === 0 || !scopes.every(isScopeToken)) {
    throw new AuthError(
      'CONFIG_INVALID',
      'requireScope: name at least one scope, each printable ASCII without spaces, quotes or backslashes',
    );
  }
  const message = hasOptions ? (last as ScopeRequirementOptions).message : undefined;
  if (message !== undefined && (typeof message !== 'string' || message === '')) {
    throw new AuthError('CONFIG_INVALID', 'requireScope: message must be a non-empty string');
  }
  return { scopes: scopes as unknown as readonly [string, ...string[]], message };
}

/**
 * The checked `scopeClaims` option of `createAuth`: a non-empty list of {@link ScopeClaimName}s.
 * @throws AuthError CONFIG_INVALID otherwise.
 */
export function resolveScopeClaims(value: unknown): readonly ScopeClaimName[] {
  if (value === undefined) return SCOPE_CLAIM_NAMES;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((name) => (SCOPE_CLAIM_NAMES as readonly unknown[]).includes(name))
  ) {
    throw new AuthError(
      'CONFIG_INVALID',
      `scopeClaims must be a non-empty list of ${SCOPE_CLAIM_NAMES.join(', ')}`,
    );
  }
  return Object.freeze([...new Set(value as ScopeClaimName[])]);
}

/**
 * Throws unless claims are present (TOKEN_MISSING) and pass {@link hasScope}
 * ({@link InsufficientScopeError}, FORBIDDEN, with the requirement's message when it has one).
 */
export function assertScopes(
  claims: ScopeBearer | null | undefined,
  requirement: ScopeRequirement,
  options: ScopeCheckOptions = {},
): void {
  if (claims === null || claims === undefined)
    throw new AuthError('TOKEN_MISSING', 'authentication is required');
  const { scopes, message } = requirement;
  if (!hasScope(claims, scopes, options)) {
    const which = options.any === true && scopes.length > 1 ? 'one of the scopes' : 'the scope';
    const plural = options.any !== true && scopes.length > 1 ? 'the scopes' : which;
    throw new InsufficientScopeError(scopes, message ?? `this requires ${plural}: ${scopes.join(' ')}`);
  }
}

/**
 * Throws AuthError FORBIDDEN ({@link InsufficientScopeError}) unless the verified claims hold
 * every listed scope (TOKEN_MISSING when there are no claims). Scopes are read from `scope`
 * (space-separated), `scp` (a string or an array) and `permissions` (an array); use
 * `auth.requireScope` for the claims the instance's `scopeClaims` names. A token without any
 * scope claim holds no scope. Options after the scopes set the FORBIDDEN error's message.
 *
 * @example
 * ```ts
 * const claims = await auth.verifyToken(token);
 * requireScope(claims, 'read:notes', 'write:notes'); // both, else AuthError FORBIDDEN
 * requireScope(claims, 'write:notes', { message: 'Read-only token' });
 * ```
 * @throws AuthError CONFIG_INVALID without a scope, or with one that is not a scope-token.
 */
export function requireScope(claims: ScopeBearer | null | undefined, ...scopes: ScopeArguments): void {
  assertScopes(claims, scopeRequirement(scopes));
}

/** Like {@link requireScope}, but any one of the listed scopes is enough. */
export function requireAnyScope(claims: ScopeBearer | null | undefined, ...scopes: ScopeArguments): void {
  assertScopes(claims, scopeRequirement(scopes), { any: true });
}
