import type { AuthConfig } from '../config.js';
import { AuthError } from '../errors.js';
import { issuedAtMs, isTokenId } from '../lib/token-id.js';
import type { AccessTokenRef, RefreshTokenRef } from '../stores/token-store.js';
import type { VerifyOptions } from '../types.js';
import { type ClaimRules, checkRegisteredClaims } from './check-claims.js';
import { checkClaimsSchema } from './check-schema.js';
import { checkTokenType, REFRESH_TOKEN_TYPE } from './check-type.js';
import { decodeTokenFast } from './fast-decode.js';
import { checkIssuerClaims, type IssuerPolicies, policyOf } from './issuer-policy.js';
import type { DecodedToken } from './parse.js';
import { checkSignature } from './verify-signature.js';

const REFRESH_TYPES: ReadonlySet<string> = new Set([REFRESH_TOKEN_TYPE]);

/** A token's kind. */
export type TokenKind = 'access' | 'refresh';

// The claim rules of a configuration, made once per configuration and kind, not per token.
const rulesOf = new WeakMap<AuthConfig, Record<TokenKind, ClaimRules>>();

function claimRules(config: AuthConfig, kind: TokenKind): ClaimRules {
  let rules = rulesOf.get(config);
  if (rules === undefined) {
    const common = {
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: config.clockTolerance,
    };
    rules = {
      access: { ...common, maxLifetime: config.accessTtl },
      refresh: { ...common, maxLifetime: config.refreshTtl },
    };
    rulesOf.set(config, rules);
  }
  return rules[kind];
}

/**
 * The checks that follow a verified signature: `typ`, registered claims, a refresh
 * token's family, the custom-claims schema. Answers the claims (a promise only
 * when a schema runs); throws (or rejects with) an AuthError.
 */
export function checkVerifiedClaims(
  config: AuthConfig,
  decoded: DecodedToken,
  kind: TokenKind,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const refresh = kind === 'refresh';
  checkTokenType(
    decoded.header,
    refresh ? REFRESH_TYPES : config.accessTypes,
    refresh ? 'a refresh token' : 'an access token',
  );
  checkRegisteredClaims(decoded.payload, claimRules(config, kind), Math.floor(config.clock() / 1000));
  if (refresh && (typeof decoded.payload.fam !== 'string' || decoded.payload.fam === '')) {
    throw new AuthError('CLAIM_INVALID', 'the refresh token has no family');
  }
  // Without a schema there is nothing to await. The payload was parsed for this call
  // alone and nothing else holds it, so it is the caller's without a copy.
  if (config.claimsSchema === undefined) return decoded.payload as Record<string, unknown>;
  return checkClaimsSchema(config, { ...decoded.payload });
}

/**
 * Verifies everything a token carries, in order: size and format, algorithm and
 * signature, `typ`, registered claims, custom-claims schema. The store is not asked.
 * Answers synchronously when nothing needs awaiting (local keys, no schema), else a
 * promise; throws (or rejects with) an AuthError.
 */
export function checkStateless(
  config: AuthConfig,
  token: unknown,
  kind: TokenKind,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const decoded = decodeTokenFast(token, config.maxTokenSize);
  const [encodedHeader, encodedPayload] = decoded.parts;
  // A slice of the token shares its characters: the signing input is not copied.
  const signingInput = (token as string).slice(0, encodedHeader.length + 1 + encodedPayload.length);
  if (config.issuers !== undefined)
    return checkFromIssuer(config, config.issuers, decoded, kind, signingInput);
  const signed = checkSignature(decoded, config.algorithms, config.lookup, signingInput);
  if (signed !== undefined) return signed.then(() => checkVerifiedClaims(config, decoded, kind));
  return checkVerifiedClaims(config, decoded, kind);
}

/**
 * The stateless checks of an instance of several issuers: the token's `iss` picks the issuer
 * (an unknown one is refused before any key is looked up), whose keys alone may verify the
 * signature and whose policy judges the claims.
 */
function checkFromIssuer(
  config: AuthConfig,
  issuers: IssuerPolicies,
  decoded: DecodedToken,
  kind: TokenKind,
  signingInput: string,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  if (kind === 'refresh') {
    throw new AuthError('TOKEN_TYPE_MISMATCH', 'an instance of several issuers verifies access tokens only');
  }
  const policy = policyOf(issuers, decoded.payload);
  const judge = () => {
    const claims = checkIssuerClaims(
      policy,
      decoded.header,
      decoded.payload as Record<string, unknown>,
      Math.floor(config.clock() / 1000),
      config.clockTolerance,
    );
    return config.claimsSchema === undefined ? claims : checkClaimsSchema(config, { ...claims });
  };
  const signed = checkSignature(decoded, policy.algorithms, policy.lookup, signingInput);
  return signed === undefined ? judge() : signed.then(judge);
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

/** The stateless checks, answered from the verified-token cache when it is on and holds the token. */
function cachedStateless(
  config: AuthConfig,
  token: unknown,
  kind: TokenKind,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const cache = config.verifyCache;
  if (cache === undefined || typeof token !== 'string') return checkStateless(config, token, kind);
  const nowMs = config.clock();
  const hit = cache.get(token, kind, nowMs);
  if (hit !== undefined) return hit;
  const claims = checkStateless(config, token, kind);
  const remember = (verified: Record<string, unknown>): Record<string, unknown> => {
    cache.set(token, kind, verified, config.clockTolerance, nowMs);
    return verified;
  };
  return claims instanceof Promise ? claims.then(remember) : remember(claims);
}

const NO_OPTIONS: VerifyOptions = Object.freeze({});

/** The store checks: a refresh token's family state, an access token's revocation when enabled. */
async function checkStoreState(
  config: AuthConfig,
  claims: Record<string, unknown>,
  kind: TokenKind,
): Promise<Record<string, unknown>> {
  const nowMs = config.clock();
  if (kind === 'refresh') {
    const state = await config.storeCall((store) =>
      store.getRefreshTokenState(refreshTokenRef(claims, nowMs)),
    );
    if (state !== 'active') throw new AuthError('TOKEN_REVOKED', 'the refresh token is no longer valid');
  } else {
    const ref: AccessTokenRef = {
      subject: claims.sub as string,
      tokenId: claims.jti as string,
      issuedAt: issuedAtMs(claims.jti, claims.iat as number),
      now: nowMs,
    };
    // The session, checked in the same store read: a revoked session's access tokens end at once.
    // Only tokens tokenward issued (its issuer, its UUIDv7 jti): an OpenID Provider's `sid`
    // (Keycloak puts one in access tokens) names nothing in this store.
    if (
      typeof claims.sid === 'string' &&
      claims.sid !== '' &&
      config.issuers === undefined &&
      claims.iss === config.issuer &&
      isTokenId(claims.jti)
    )
      ref.sessionId = claims.sid;
    if (await config.storeCall((store) => store.isAccessTokenRevoked(ref))) {
      throw new AuthError('TOKEN_REVOKED', 'the token has been revoked');
    }
  }
  return claims;
}

/**
 * Verifies a token and then its state: a refresh token must be its family's live
 * token; an access token is checked against revocations when that is enabled.
 */
export function verifyToken(
  config: AuthConfig,
  token: unknown,
  options: VerifyOptions = NO_OPTIONS,
): Promise<Record<string, unknown>> {
  try {
    const kind = options.type ?? 'access';
    if (kind !== 'access' && kind !== 'refresh')
      throw new AuthError('CONFIG_INVALID', 'type must be "access" or "refresh"');
    const storeCheck = kind === 'refresh' || (options.checkRevocation ?? config.checkRevocation);
    const stateless = cachedStateless(config, token, kind);
    // Not an async function: with a local key and no store check, nothing is awaited
    // and the answer is a promise already resolved in this turn.
    if (stateless instanceof Promise) {
      return storeCheck ? stateless.then((claims) => checkStoreState(config, claims, kind)) : stateless;
    }
    return storeCheck ? checkStoreState(config, stateless, kind) : Promise.resolve(stateless);
  } catch (error) {
    return Promise.reject(error);
  }
}
