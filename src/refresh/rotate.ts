import type { AuthConfig } from '../config.js';
import { AuthError } from '../errors.js';
import { newTokenId } from '../lib/token-id.js';
import { requireSigningKey, signAccessToken, signRefreshToken, tokenPair } from '../tokens/issue.js';
import { checkStateless, refreshTokenRef } from '../tokens/verify-token.js';
import type { TokenPair } from '../types.js';

/** The claims a rotated pair carries on: everything but what each token sets anew. */
function carriedClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, nbf: _nbf, jti: _jti, fam: _fam, ...carried } = claims;
  return carried;
}

/**
 * Consumes a refresh token in one atomic store operation and returns a new pair
 * of the same family. A consumed token revokes its family (REFRESH_TOKEN_REUSED).
 */
export async function rotateRefreshToken(config: AuthConfig, refreshToken: unknown): Promise<TokenPair> {
  requireSigningKey(config);
  const claims = await checkStateless(config, refreshToken, 'refresh');
  const nowMs = config.clock();
  const nextTokenId = newTokenId(nowMs);
  const ref = refreshTokenRef(claims, nowMs);
  const result = await config.storeCall((store) =>
    store.rotateRefreshToken({
      ...ref,
      nextTokenId,
      nextExpiresAt: nowMs + config.refreshTtl * 1000,
      reuseGraceMs: config.reuseGraceMs,
    }),
  );
  const event = { subject: ref.subject, familyId: ref.familyId };
  switch (result.status) {
    case 'rotated':
      break;
    case 'reused':
      config.emit({ ...event, type: 'reuse-detected', reason: 'a consumed refresh token was presented' });
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
  const carried = carriedClaims(claims);
  const [accessToken, refresh] = await Promise.all([
    signAccessToken(config, carried, nowMs),
    signRefreshToken(config, carried, {
      tokenId: nextTokenId,
      familyId: ref.familyId,
      issuedAtMs: nowMs,
      expiresAtMs: result.expiresAt,
    }),
  ]);
  config.emit({ ...event, type: 'refresh' });
  return tokenPair(config, accessToken, refresh);
}
