/**
 * The claim names tokenward sets itself, as a type and as a run-time list.
 * @packageDocumentation
 */

/** The registered and tokenward claims a subject's custom claims may not use, in one list. */
export const RESERVED_CLAIM_NAMES = [
  'iss',
  'aud',
  'sub',
  'exp',
  'nbf',
  'iat',
  'jti',
  'fam',
  'sid',
  'roles',
  'role',
  'scope',
] as const;

/** The registered claims tokenward sets itself; custom claims cannot override them. */
export type ReservedClaimName = (typeof RESERVED_CLAIM_NAMES)[number];

const RESERVED: ReadonlySet<string> = new Set(RESERVED_CLAIM_NAMES);

/** `true` for a claim name custom claims may not use. */
export function isReservedClaimName(name: string): name is ReservedClaimName {
  return RESERVED.has(name);
}
