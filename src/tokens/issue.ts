import type { AuthConfig } from '../config.js';
import { AuthError, isAuthError } from '../errors.js';
import type { PreparedKey } from '../keys/import-key.js';
import { newFamilyId, newTokenId } from '../lib/token-id.js';
import { isScopeToken } from '../roles/require-scope.js';
import { MAX_SESSION_LABEL_LENGTH } from '../stores/token-store.js';
import type { TokenPair } from '../types.js';
import { checkClaimsSchema } from './check-schema.js';
import { ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE } from './check-type.js';
import { isReservedClaimName } from './reserved-claims.js';
import { signToken } from './sign.js';

/** The signing key, or CONFIG_INVALID for a verify-only instance. */
export function requireSigningKey(config: AuthConfig): PreparedKey {
  if (!config.signingKey) {
    throw new AuthError(
      'CONFIG_INVALID',
      'this instance only verifies tokens: configure a private key or secret to issue them',
    );
  }
  return config.signingKey;
}

/**
 * The `scope` claim of a subject's scopes: space-separated (RFC 9068), each once, in the given
 * order; `undefined` when the subject has none.
 * @throws AuthError CLAIM_INVALID unless a list of scope-tokens (RFC 6749 3.3).
 */
function scopeClaim(scope: unknown): string | undefined {
  if (scope === undefined) return undefined;
  if (!Array.isArray(scope) || !scope.every(isScopeToken)) {
    throw new AuthError(
      'CLAIM_INVALID',
      'scope must be an array of scopes, each printable ASCII without spaces, quotes or backslashes',
    );
  }
  return scope.length === 0 ? undefined : [...new Set(scope)].join(' ');
}

/**
 * The claims a subject's tokens carry besides the registered ones: `sub`,
 * `roles` (from `roles` or a single `role`), `scope` (from the `scope` list) and the custom claims.
 */
export function subjectClaims(subject: unknown): Record<string, unknown> {
  if (typeof subject !== 'object' || subject === null)
    throw new AuthError('CLAIM_INVALID', 'a token needs a subject object');
  const { sub, roles, role, scope, ...custom } = subject as Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '')
    throw new AuthError('CLAIM_INVALID', 'sub must be a non-empty string');
  for (const name of Object.keys(custom)) {
    if (isReservedClaimName(name)) throw new AuthError('CLAIM_INVALID', `the claim "${name}" is reserved`);
  }
  const roleList = roles !== undefined ? roles : role !== undefined ? [role] : undefined;
  if (roleList !== undefined && !(Array.isArray(roleList) && roleList.every((r) => typeof r === 'string'))) {
    throw new AuthError('CLAIM_INVALID', 'roles must be an array of strings (or role a string)');
  }
  const scopeValue = scopeClaim(scope);
  const claims: Record<string, unknown> =
    roleList === undefined ? { ...custom, sub } : { ...custom, sub, roles: [...roleList] };
  if (scopeValue !== undefined) claims.scope = scopeValue;
  return claims;
}

/** Signs a claims set; a value JSON cannot hold (BigInt, cycles) is CLAIM_INVALID. */
async function sign(config: AuthConfig, payload: Record<string, unknown>, typ: string): Promise<string> {
  try {
    return await signToken(payload, typ, requireSigningKey(config));
  } catch (error) {
    if (isAuthError(error)) throw error;
    throw new AuthError('CLAIM_INVALID', 'the claims could not be signed (are they JSON-serialisable?)', {
      cause: error,
    });
  }
}

/**
 * Signs an access token (`typ: at+jwt`) carrying `claims`, issued at `nowMs`;
 * with `sessionId`, of that session (the `sid` claim: its refresh family).
 */
export async function signAccessToken(
  config: AuthConfig,
  claims: Record<string, unknown>,
  nowMs: number,
  sessionId?: string,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const payload: Record<string, unknown> = {
    ...claims,
    iss: config.issuer,
    aud: config.audience,
    iat,
    exp: iat + config.accessTtl,
    jti: newTokenId(nowMs),
  };
  if (sessionId !== undefined) payload.sid = sessionId;
  if (config.claimsSchema) await checkClaimsSchema(config, payload, 'issued');
  return sign(config, payload, ACCESS_TOKEN_TYPE);
}

/** Signs a refresh token (`typ: refresh+jwt`) of family `familyId` with the given id and expiry. */
export async function signRefreshToken(
  config: AuthConfig,
  claims: Record<string, unknown>,
  token: { tokenId: string; familyId: string; issuedAtMs: number; expiresAtMs: number },
): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(token.issuedAtMs / 1000);
  const exp = Math.floor(token.expiresAtMs / 1000);
  const payload = {
    ...claims,
    iss: config.issuer,
    aud: config.audience,
    iat,
    exp,
    jti: token.tokenId,
    fam: token.familyId,
  };
  if (config.claimsSchema) await checkClaimsSchema(config, payload, 'issued');
  return { token: await sign(config, payload, REFRESH_TOKEN_TYPE), expiresIn: exp - iat };
}

// C0 and C1 controls, and the bidi overrides and isolates: a label is shown on a device page as text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const LABEL_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// A compact JWS (a JWT), the shape a token has: a label is never one.
const TOKEN_SHAPE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\./;

/**
 * The session label of `issueTokens(user, { session: { label } })`, checked: a
 * string of 1 to {@link MAX_SESSION_LABEL_LENGTH} characters, trimmed, without
 * control characters, that does not look like a token. It is shown to the user
 * on a device page and kept in the store, so it must never carry a secret.
 * @throws AuthError CLAIM_INVALID otherwise.
 */
export function sessionLabel(label: unknown): string | undefined {
  if (label === undefined) return undefined;
  const text = typeof label === 'string' ? label.trim() : undefined;
  if (text === undefined || text === '' || text.length > MAX_SESSION_LABEL_LENGTH) {
    throw new AuthError(
      'CLAIM_INVALID',
      `session.label must be a string of 1 to ${MAX_SESSION_LABEL_LENGTH} characters`,
    );
  }
  if (LABEL_FORBIDDEN.test(text))
    throw new AuthError('CLAIM_INVALID', 'session.label must not contain control characters');
  if (TOKEN_SHAPE.test(text)) throw new AuthError('CLAIM_INVALID', 'session.label must not be a token');
  return text;
}

/** What a new family records besides its first token: its id (made beforehand when the caller needs it) and label. */
export interface FamilyStart {
  /** The family id, when the caller made it (to sign an access token of the session first). */
  familyId?: string;
  /** The checked session label. */
  label?: string | undefined;
}

/** Starts a refresh-token family (a login): signs its first token and records it in the store. */
export async function startFamily(
  config: AuthConfig,
  claims: Record<string, unknown>,
  nowMs: number,
  start: FamilyStart = {},
): Promise<{ token: string; expiresIn: number; familyId: string }> {
  requireSigningKey(config);
  const absoluteExpiresAt =
    config.familyTtl === undefined ? Number.POSITIVE_INFINITY : nowMs + config.familyTtl * 1000;
  const expiresAt = Math.min(nowMs + config.refreshTtl * 1000, absoluteExpiresAt);
  const tokenId = newTokenId(nowMs);
  const familyId = start.familyId ?? newFamilyId();
  const signed = await signRefreshToken(config, claims, {
    tokenId,
    familyId,
    issuedAtMs: nowMs,
    expiresAtMs: expiresAt,
  });
  const subject = claims.sub as string;
  const label = start.label;
  await config.storeCall((store) =>
    store.createFamily({
      subject,
      familyId,
      tokenId,
      expiresAt,
      absoluteExpiresAt,
      now: nowMs,
      ...(label === undefined ? {} : { label }),
    }),
  );
  config.emit({ type: 'session-created', subject, familyId });
  return { ...signed, familyId };
}

/** The answer to a login or a refresh: the two tokens and their lifetimes. */
export function tokenPair(
  config: AuthConfig,
  accessToken: string,
  refresh: { token: string; expiresIn: number },
  claims: Record<string, unknown>,
): TokenPair {
  const pair: TokenPair = {
    accessToken,
    refreshToken: refresh.token,
    tokenType: 'Bearer',
    expiresIn: config.accessTtl,
    refreshExpiresIn: refresh.expiresIn,
  };
  // The granted scope, for the OAuth2 answer (RFC 6749 5.1), without decoding the token again.
  if (typeof claims.scope === 'string') pair.scope = claims.scope;
  return pair;
}
