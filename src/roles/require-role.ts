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

/** Throws unless claims are present (TOKEN_MISSING) and pass {@link hasRole} (FORBIDDEN). */
export function assertRoles<Role extends string>(
  claims: RoleBearer<Role> | null | undefined,
  roles: readonly NoInfer<Role>[],
  options: RoleCheckOptions<NoInfer<Role>> = {},
): void {
  if (claims === null || claims === undefined)
    throw new AuthError('TOKEN_MISSING', 'authentication is required');
  if (roles.length === 0) throw new AuthError('CONFIG_INVALID', 'requireRole: name at least one role');
  if (!hasRole(claims, roles, options)) {
    const which =
      options.all === true ? 'all of the roles' : roles.length > 1 ? 'one of the roles' : 'the role';
    throw new AuthError('FORBIDDEN', `this requires ${which}: ${roles.join(', ')}`);
  }
}

/**
 * Throws AuthError FORBIDDEN unless the verified claims hold at least one of
 * the roles (TOKEN_MISSING when there are no claims). Roles are compared
 * exactly; use `auth.requireRole` to apply a configured hierarchy.
 *
 * @example
 * ```ts
 * const claims = await auth.verifyToken(token);
 * requireRole(claims, 'admin', 'editor'); // passes for either role, else AuthError FORBIDDEN
 * ```
 */
export function requireRole<Role extends string>(
  claims: RoleBearer<Role> | null | undefined,
  role: NoInfer<Role>,
  ...moreRoles: NoInfer<Role>[]
): void {
  assertRoles(claims, [role, ...moreRoles]);
}

/** Like {@link requireRole}, but every listed role is required. */
export function requireAllRoles<Role extends string>(
  claims: RoleBearer<Role> | null | undefined,
  role: NoInfer<Role>,
  ...moreRoles: NoInfer<Role>[]
): void {
  assertRoles(claims, [role, ...moreRoles], { all: true });
}
