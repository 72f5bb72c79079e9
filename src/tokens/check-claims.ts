import { AuthError } from '../errors.js';

/** What the registered claims of a token are checked against. */
export interface ClaimRules {
  /** The required `iss`. */
  readonly issuer: string;
  /** The audience `aud` must include. */
  readonly audience: string;
  /** Tolerated clock skew, in seconds. */
  readonly clockTolerance: number;
  /** The longest lifetime (`exp - iat`, seconds) a genuine token can have; longer is rejected. */
  readonly maxLifetime: number | undefined;
}

function invalid(message: string): never {
  throw new AuthError('CLAIM_INVALID', message);
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Checks the registered claims of a verified payload at time `now` (seconds):
 * presence and types first, then `iss` and `aud`, then the validity window.
 */
export function checkRegisteredClaims(
  payload: Readonly<Record<string, unknown>>,
  rules: ClaimRules,
  now: number,
): void {
  const { iss, aud, sub, jti, iat, nbf, exp } = payload;
  if (!isNonEmptyString(sub)) invalid('the "sub" claim is missing or not a string');
  if (!isNonEmptyString(jti)) invalid('the "jti" claim is missing or not a string');
  if (!isNumericDate(iat)) invalid('the "iat" claim is missing or not a number');
  if (!isNumericDate(exp)) invalid('the "exp" claim is missing or not a number');
  if (nbf !== undefined && !isNumericDate(nbf)) invalid('the "nbf" claim is not a number');
  if (iss !== rules.issuer) invalid('the "iss" claim is not the expected issuer');
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(rules.audience)) invalid('the "aud" claim does not include the expected audience');

  const tolerance = rules.clockTolerance;
  if (iat > now + tolerance) throw new AuthError('TOKEN_NOT_YET_VALID', 'the token was issued in the future');
  if (nbf !== undefined && nbf > now + tolerance)
    throw new AuthError('TOKEN_NOT_YET_VALID', 'the token is not valid yet');
  if (exp <= now - tolerance) throw new AuthError('TOKEN_EXPIRED', 'the token has expired');
  if (rules.maxLifetime !== undefined && exp - iat > rules.maxLifetime) {
    invalid('the token lives longer than this issuer ever issues');
  }
  const roles = payload.roles;
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) {
    invalid('the "roles" claim is not an array of strings');
  }
}
