import { AuthError } from '../errors.js';

/** Roles that imply others, e.g. `{ admin: ['editor'], editor: ['viewer'] }`. */
export type RoleHierarchy<Role extends string = string> = Partial<Record<Role, readonly Role[]>>;

/** Anything that may carry verified roles: the claims `verifyToken` returns. */
export interface RoleBearer<Role extends string = string> {
  /** The roles claim. Only a real array of strings counts. */
  readonly roles?: readonly Role[] | undefined;
}

/** How a role requirement is matched. */
export interface RoleCheckOptions<Role extends string = string> {
  /** `true` to require every listed role instead of any one of them. */
  all?: boolean;
  /** Roles that imply others. */
  hierarchy?: RoleHierarchy<Role> | undefined;
}

/** The roles the claims hold, with those their hierarchy implies. Non-string entries never count. */
function heldRoles(claims: unknown, hierarchy: RoleHierarchy | undefined): Set<string> {
  const held = new Set<string>();
  const roles =
    typeof claims === 'object' && claims !== null ? (claims as { roles?: unknown }).roles : undefined;
  if (!Array.isArray(roles)) return held;
  const pending: string[] = roles.filter((role): role is string => typeof role === 'string');
  while (pending.length > 0) {
    const role = pending.pop()!;
    if (held.has(role)) continue;
    held.add(role);
    // Own properties only: a role named "__proto__" or "constructor" implies nothing.
    const implied = hierarchy && Object.hasOwn(hierarchy, role) ? hierarchy[role] : undefined;
    if (Array.isArray(implied)) pending.push(...implied.filter((r): r is string => typeof r === 'string'));
  }
  return held;
}

/** Tells whether verified claims hold any (or, with `all`, every) of the roles. Exact comparison. */
export function hasRole<Role extends string>(
  claims: RoleBearer<Role> | null | undefined,
  roles: readonly NoInfer<Role>[],
  options: RoleCheckOptions<NoInfer<Role>> = {},
): boolean {
  if (roles.length === 0) return false;
  const held = heldRoles(claims, options.hierarchy as RoleHierarchy | undefined);
  return options.all === true ? roles.every((role) => held.has(role)) : roles.some((role) => held.has(role));
}

/**
 * Options of a role requirement, given after the roles:
 * `requireRole(claims, 'admin', { message: 'Admins only' })`.
 */
export interface RoleRequirementOptions {
  /**
   * The message of the FORBIDDEN error: the JSON body's `message` and the challenge's
   * `error_description` when an adapter answers it. Default: one naming the roles.
   */
  message?: string;
}

/** The arguments of `requireRole` and `requireAllRoles`: at least one role, then optionally their options. */
export type RoleArguments<Role extends string = string> =
  | [role: Role, ...moreRoles: Role[]]
  | [role: Role, ...moreRoles: Role[], options: RoleRequirementOptions];

/** Checked role arguments: the roles, and the message of the FORBIDDEN error when the app gave one. */
export interface RoleRequirement {
  /** At least one role, each a non-empty string. */
  readonly roles: readonly [string, ...string[]];
  /** The FORBIDDEN error's message, or `undefined` for the default one. */
  readonly message: string | undefined;
}

/**
 * The one rule for a role requirement, for the core and every adapter: at least one role,
 * each a non-empty string, optionally followed by {@link RoleRequirementOptions}.
 * @throws AuthError CONFIG_INVALID otherwise (a programming error, not the client's).
 */
export function roleRequirement(args: readonly unknown[]): RoleRequirement {
  const last = args[args.length - 1];
  const hasOptions = typeof last === 'object' && last !== null;
  const roles = hasOptions ? args.slice(0, -1) : args;
  if (roles.length === 0 || !roles.every((role) => typeof role === 'string' && role !== '')) {
    throw new AuthError('CONFIG_INVALID', 'requireRole: name at least one role, as non-empty strings');
  }
  const message = hasOptions ? (last as RoleRequirementOptions).message : undefined;
  if (message !== undefined && (typeof message !== 'string' || message === '')) {
    throw new AuthError('CONFIG_INVALID', 'requireRole: message must be a non-empty string');
  }
  return { roles: roles as unknown as readonly [string, ...string[]], message };
}

/**
 * Throws unless claims are present (TOKEN_MISSING) and pass {@link hasRole} (FORBIDDEN,
 * with the requirement's message when it has one).
 */
export function assertRoles(
  claims: RoleBearer | null | undefined,
  requirement: RoleRequirement,
  options: RoleCheckOptions = {},
): void {
  if (claims === null || claims === undefined)
    throw new AuthError('TOKEN_MISSING', 'authentication is required');
  const { roles, message } = requirement;
  if (!hasRole(claims, roles, options)) {
    const which =
      options.all === true ? 'all of the roles' : roles.length > 1 ? 'one of the roles' : 'the role';
    throw new AuthError('FORBIDDEN', message ?? `this requires ${which}: ${roles.join(', ')}`);
  }
}

/**
 * Throws AuthError FORBIDDEN unless the verified claims hold at least one of
 * the roles (TOKEN_MISSING when there are no claims). Roles are compared
 * exactly; use `auth.requireRole` to apply a configured hierarchy. Options after
 * the roles set the FORBIDDEN error's message.
 *
 * @example
 * ```ts
 * const claims = await auth.verifyToken(token);
 * requireRole(claims, 'admin', 'editor'); // passes for either role, else AuthError FORBIDDEN
 * requireRole(claims, 'admin', { message: 'Admins only' });
 * ```
 * @throws AuthError CONFIG_INVALID without a role.
 */
export function requireRole<Role extends string>(
  claims: RoleBearer<Role> | null | undefined,
  ...roles: RoleArguments<NoInfer<Role>>
): void {
  assertRoles(claims, roleRequirement(roles));
}

/** Like {@link requireRole}, but every listed role is required. */
export function requireAllRoles<Role extends string>(
  claims: RoleBearer<Role> | null | undefined,
  ...roles: RoleArguments<NoInfer<Role>>
): void {
  assertRoles(claims, roleRequirement(roles), { all: true });
}
