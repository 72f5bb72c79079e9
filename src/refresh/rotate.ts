import type { AuthConfig } from '../config.js';
import { AuthError } from '../errors.js';
import { newTokenId } from '../lib/token-id.js';
import {
  requireSigningKey,
  signAccessToken,
  signRefreshToken,
  subjectClaims,
  tokenPair,
} from '../tokens/issue.js';
import { checkStateless, refreshTokenRef } from '../tokens/verify-token.js';
import type { TokenPair } from '../types.js';

/** The claims a rotated pair carries on: everything but what each token sets anew. */
function carriedClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const {
    iss: _iss,
    aud: _aud,
    iat: _iat,
    exp: _exp,
    nbf: _nbf,
    jti: _jti,
    fam: _fam,
    sid: _sid,
    ...carried
  } = claims;
  return carried;
}

/** `loadSubject` failed or answered outside its contract: fail closed, like a store that did. */
function subjectLookupFailed(reason: string, cause?: unknown): AuthError {
  return new AuthError('STORE_UNAVAILABLE', 'the subject could not be loaded', {
    cause: cause ?? new Error(reason),
  });
}

/**
 * The claims the next pair carries: with `loadSubject`, the subject's roles and
 * claims as they are now (`null`: the subject is gone); without it, a copy of
 * the presented token's. A lookup that throws, or answers anything but `null`
 * or `{ roles?, claims? }` with valid claims, is STORE_UNAVAILABLE: never an
 * issue on an unknown answer.
 */
async function nextClaims(
  config: AuthConfig,
  claims: Record<string, unknown>,
): Promise<Record<string, unknown> | null> {
  const loadSubject = config.loadSubject;
  if (loadSubject === undefined) return carriedClaims(claims);
  let loaded: unknown;
  try {
    loaded = await loadSubject(claims.sub as string);
  } catch (error) {
    throw subjectLookupFailed('loadSubject threw', error);
  }
  if (loaded === null) return null;
  if (typeof loaded !== 'object' || loaded === undefined || Array.isArray(loaded)) {
    throw subjectLookupFailed(`loadSubject must answer { roles?, claims? } or null, not ${String(loaded)}`);
  }
  const { roles, claims: custom, ...unknown } = loaded as { roles?: unknown; claims?: unknown };
  const extra = Object.keys(unknown);
  if (extra.length > 0) {
    throw subjectLookupFailed(
      `loadSubject answered unknown fields: ${extra.join(', ')} (put claims in "claims")`,
    );
  }
  if (custom !== undefined && (typeof custom !== 'object' || custom === null || Array.isArray(custom))) {
    throw subjectLookupFailed('loadSubject: claims must be an object');
  }
  for (const name of ['sub', 'roles', 'role', 'scope']) {
    if (custom !== undefined && Object.hasOwn(custom, name)) {
      throw subjectLookupFailed(
        `loadSubject: "${name}" is not a custom claim (the subject stays; give roles as "roles")`,
      );
    }
  }
  let loadedClaims: Record<string, unknown>;
  try {
    loadedClaims = subjectClaims({ ...(custom as object | undefined), sub: claims.sub, roles });
  } catch (error) {
    // A reserved claim name or roles that are not strings: the app's bug, not the client's.
    throw subjectLookupFailed('loadSubject answered invalid claims', error);
  }
  // The scope granted at login stays for the session (RFC 6749 6: a refresh never widens it).
  if (typeof claims.scope === 'string') loadedClaims.scope = claims.scope;
  return loadedClaims;
}

/**
 * Consumes a refresh token in one atomic store operation and returns a new pair
 * of the same family. A consumed token revokes its family (REFRESH_TOKEN_REUSED).
 * With `loadSubject`, the subject is looked up first (before anything is consumed,
 * so that a failed lookup leaves the token usable): the new pair carries its
 * current roles and claims, and a subject that is gone ends the session.
 */
export async function rotateRefreshToken(config: AuthConfig, refreshToken: unknown): Promise<TokenPair> {
  requireSigningKey(config);
  const claims = await checkStateless(config, refreshToken, 'refresh');
  const next = await nextClaims(config, claims);
  const nowMs = config.clock();
  const ref = refreshTokenRef(claims, nowMs);
  const event = { subject: ref.subject, familyId: ref.familyId };
  if (next === null) {
    await config.storeCall((store) =>
      store.revokeFamily({ subject: ref.subject, familyId: ref.familyId, now: nowMs }),
    );
    config.emit({ ...event, type: 'revoke', reason: 'subject-gone' });
    config.emit({ ...event, type: 'session-revoked', reason: 'subject-gone' });
    throw new AuthError('TOKEN_REVOKED', 'the subject no longer exists or may not sign in');
  }
  const nextTokenId = newTokenId(nowMs);
  const result = await config.storeCall((store) =>
    store.rotateRefreshToken({
      ...ref,
      nextTokenId,
      nextExpiresAt: nowMs + config.refreshTtl * 1000,
      reuseGraceMs: config.reuseGraceMs,
    }),
  );
  switch (result.status) {
    case 'rotated':
      break;
    case 'reused':
      config.emit({ ...event, type: 'reuse-detected', reason: 'a consumed refresh token was presented' });
      config.emit({ ...event, type: 'session-revoked', reason: 'reuse' });
      throw new AuthError(
        'REFRESH_TOKEN_REUSED',
        'the refresh token was already used: its family is revoked',
      );
    case 'expired':
      throw new AuthError('TOKEN_EXPIRED', 'the session has reached its maximum lifetime');
    default:
      // Within the clock tolerance past `exp` the store may already have forgotten the family.
      if (nowMs >= (claims.exp as number) * 1000)
        throw new AuthError('TOKEN_EXPIRED', 'the refresh token has expired');
      throw new AuthError('TOKEN_REVOKED', 'the refresh token has been revoked');
  }
  const [accessToken, refresh] = await Promise.all([
    signAccessToken(config, next, nowMs, ref.familyId),
    signRefreshToken(config, next, {
      tokenId: nextTokenId,
      familyId: ref.familyId,
      issuedAtMs: nowMs,
      expiresAtMs: result.expiresAt,
    }),
  ]);
  config.emit({ ...event, type: 'refresh' });
  config.emit({ ...event, type: 'session-refreshed' });
  return tokenPair(config, accessToken, refresh, next);
}
