import type { AuthConfig } from '../config.js';
import { AuthError, isAuthError } from '../errors.js';
import { normalizeType, REFRESH_TOKEN_TYPE } from '../tokens/check-type.js';
import { decodeToken } from '../tokens/parse.js';
import { checkStateless } from '../tokens/verify-token.js';

/**
 * Logs a token out: a refresh token revokes its family, an access token's `jti`
 * is denied until it expires. An expired token is accepted silently: it grants
 * nothing any more. A forged or malformed one is refused.
 */
export async function revokeToken(config: AuthConfig, token: unknown): Promise<void> {
  const decoded = decodeToken(token, config.maxTokenSize);
  const kind = normalizeType(decoded.header.typ) === REFRESH_TOKEN_TYPE ? 'refresh' : 'access';
  let claims: Record<string, unknown>;
  try {
    claims = await checkStateless(config, token, kind);
  } catch (error) {
    if (isAuthError(error) && error.code === 'TOKEN_EXPIRED') return;
    throw error;
  }
  const nowMs = config.clock();
  const subject = claims.sub as string;
  if (kind === 'refresh') {
    const familyId = claims.fam as string;
    await config.storeCall((store) => store.revokeFamily({ subject, familyId, now: nowMs }));
    config.emit({ type: 'revoke', subject, familyId, reason: 'refresh-token' });
  } else {
    const expiresAt = ((claims.exp as number) + config.clockTolerance) * 1000;
    const tokenId = claims.jti as string;
    await config.storeCall((store) => store.revokeAccessToken({ subject, tokenId, expiresAt, now: nowMs }));
    config.emit({ type: 'revoke', subject, reason: 'access-token' });
  }
}

/** Revokes every token of the subject issued until now, this millisecond included ("log out everywhere"). */
export async function revokeSubject(config: AuthConfig, subject: unknown): Promise<void> {
  if (typeof subject !== 'string' || subject === '')
    throw new AuthError('CLAIM_INVALID', 'revokeSubject needs a subject');
  const nowMs = config.clock();
  // No token issued before now outlives the longest lifetime plus the tolerance.
  const longest = Math.max(config.accessTtl, config.refreshTtl) + config.clockTolerance + 1;
  await config.storeCall((store) =>
    // `nowMs + 1`: tokens issued earlier in this same millisecond are revoked too.
    store.revokeSubject({ subject, revokedAt: nowMs + 1, expiresAt: nowMs + longest * 1000, now: nowMs }),
  );
  config.emit({ type: 'revoke-subject', subject });
}
