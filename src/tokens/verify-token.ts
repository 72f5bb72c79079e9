import type { AuthConfig } from '../config.js';
import { AuthError } from '../errors.js';
import { issuedAtMs } from '../lib/token-id.js';
import type { RefreshTokenRef } from '../stores/token-store.js';
import type { VerifyOptions } from '../types.js';
import { checkRegisteredClaims } from './check-claims.js';
import { checkClaimsSchema } from './check-schema.js';
import { checkTokenType, REFRESH_TOKEN_TYPE } from './check-type.js';
import { decodeToken } from './parse.js';
import { verifySignature } from './verify-signature.js';

const REFRESH_TYPES: ReadonlySet<string> = new Set([REFRESH_TOKEN_TYPE]);

/** A token's kind. */
export type TokenKind = 'access' | 'refresh';

/**
 * Verifies everything a token carries, in order: size and format, algorithm and
 * signature, `typ`, registered claims, custom-claims schema. The store is not asked.
 */
export async function verifyStateless(
  config: AuthConfig,
  token: unknown,
  kind: TokenKind,
): Promise<Record<string, unknown>> {
  const decoded = decodeToken(token, config.maxTokenSize);
  await verifySignature(decoded, config.algorithms, config.lookup);
  const refresh = kind === 'refresh';
  checkTokenType(
    decoded.header,
    refresh ? REFRESH_TYPES : config.accessTypes,
    refresh ? 'a refresh token' : 'an access token',
  );
  const rules = {
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockTolerance,
    maxLifetime: refresh ? config.refreshTtl : config.accessTtl,
  };
  checkRegisteredClaims(decoded.payload, rules, Math.floor(config.clock() / 1000));
  if (refresh && (typeof decoded.payload.fam !== 'string' || decoded.payload.fam === '')) {
    throw new AuthError('CLAIM_INVALID', 'the refresh token has no family');
  }
  return checkClaimsSchema(config, { ...decoded.payload });
}

/** How the store identifies the refresh token of verified claims. */
export function refreshTokenRef(claims: Record<string, unknown>, nowMs: number): RefreshTokenRef {
  return {
    subject: claims.sub as string,
    familyId: claims.fam as string,
    tokenId: claims.jti as string,
    issuedAt: issuedAtMs(claims.jti, claims.iat as number),
    now: nowMs,
  };
}

/**
 * Verifies a token and then its state: a refresh token must be its family's live
 * token; an access token is checked against revocations when that is enabled.
 */
export async function verifyToken(
  config: AuthConfig,
  token: unknown,
  options: VerifyOptions = {},
): Promise<Record<string, unknown>> {
  const kind = options.type ?? 'access';
  if (kind !== 'access' && kind !== 'refresh')
    throw new AuthError('CONFIG_INVALID', 'type must be "access" or "refresh"');
  const claims = await verifyStateless(config, token, kind);
  const nowMs = config.clock();
  if (kind === 'refresh') {
    const state = await config.storeCall((store) =>
      store.getRefreshTokenState(refreshTokenRef(claims, nowMs)),
    );
    if (state !== 'active') throw new AuthError('TOKEN_REVOKED', 'the refresh token is no longer valid');
  } else if (options.checkRevocation ?? config.checkRevocation) {
    const ref = {
      subject: claims.sub as string,
      tokenId: claims.jti as string,
      issuedAt: issuedAtMs(claims.jti, claims.iat as number),
      now: nowMs,
    };
    if (await config.storeCall((store) => store.isAccessTokenRevoked(ref))) {
      throw new AuthError('TOKEN_REVOKED', 'the token has been revoked');
    }
  }
  return claims;
}
