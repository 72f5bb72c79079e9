import type { AuthConfig } from '../config.js';
import { AuthError, isAuthError } from '../errors.js';
import { sleep } from '../lib/platform.js';
import { normalizeType, REFRESH_TOKEN_TYPE } from '../tokens/check-type.js';
import { decodeToken } from '../tokens/parse.js';
import { checkStateless } from '../tokens/verify-token.js';

/**
 * Logs a token out: a refresh token revokes its family, an access token's `jti`
 * is denied until it expires. An expired token is accepted silently: it grants
 * nothing any more. A forged or malformed one is refused.
 *
 * An access token is denied only when this instance checks revocations
 * (`checkRevocation`): otherwise nobody reads the denial, and recording it would
 * only let one account fill the store (one record per logout for
 * `accessTokenTtl`). The token is still verified, so a forged one is refused.
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
    config.emit({ type: 'session-revoked', subject, familyId, reason: 'logout' });
  } else {
    if (!config.checkRevocation) return;
    const expiresAt = ((claims.exp as number) + config.clockTolerance) * 1000;
    const tokenId = claims.jti as string;
    await config.storeCall((store) => store.revokeAccessToken({ subject, tokenId, expiresAt, now: nowMs }));
    config.emit({ type: 'revoke', subject, reason: 'access-token' });
  }
}

/**
 * How many times, at most, `revokeSubject` waits a millisecond for the clock to
 * pass the revocation time. A real clock needs one or two; a test clock that
 * never advances gets no more than this, so the call cannot hang.
 */
const MAX_CLOCK_WAITS = 5;

/**
 * Revokes every token of the subject issued until now, this millisecond included
 * ("log out everywhere"), and resolves once the clock has passed that time, so
 * that a token issued after it resolves (a login after a password change) is
 * not covered.
 */
export async function revokeSubject(config: AuthConfig, subject: unknown): Promise<void> {
  if (typeof subject !== 'string' || subject === '')
    throw new AuthError('CLAIM_INVALID', 'revokeSubject needs a subject');
  const nowMs = config.clock();
  // `nowMs + 1`: tokens issued earlier in this same millisecond are revoked too.
  const revokedAt = nowMs + 1;
  // No token issued before now outlives the longest lifetime plus the tolerance.
  const longest = Math.max(config.accessTtl, config.refreshTtl) + config.clockTolerance + 1;
  await config.storeCall((store) =>
    store.revokeSubject({ subject, revokedAt, expiresAt: nowMs + longest * 1000, now: nowMs }),
  );
  config.emit({ type: 'revoke-subject', subject });
  config.emit({ type: 'session-revoked', subject, reason: 'subject-revocation' });
  // Token times have millisecond precision: until the clock passes `revokedAt`, a
  // new token would be issued "before" the revocation and refused. Real timers
  // (node:timers where it exists), which fake timers (vi.useFakeTimers, jest) leave alone.
  for (let waits = 0; config.clock() < revokedAt && waits < MAX_CLOCK_WAITS; waits++) await sleep(1);
}
