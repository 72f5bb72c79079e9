import { AuthError, isAuthError } from './errors.js';
import { type KeySet, keySetFromJwks, keySetFromKeys } from './keys/key-set.js';
import { type RemoteKeyLookup, remoteJwks } from './keys/remote-jwks.js';
import { toSeconds } from './lib/duration.js';
import { issuedAtMs, newFamilyId, newTokenId } from './lib/token-id.js';
import { assertRoles, hasRole, type RoleBearer } from './roles/require-role.js';
import { MemoryTokenStore } from './stores/memory.js';
import type { TokenStore } from './stores/token-store.js';
import { checkRegisteredClaims } from './tokens/check-claims.js';
import { ACCESS_TOKEN_TYPE, checkTokenType, normalizeType, REFRESH_TOKEN_TYPE } from './tokens/check-type.js';
import { type DecodedToken, decodeToken } from './tokens/parse.js';
import { signToken } from './tokens/sign.js';
import { type KeyLookup, verifySignature } from './tokens/verify-signature.js';
import type {
  AccessTokenClaims,
  AuthEvent,
  AuthOptions,
  CustomClaims,
  JsonWebKeySet,
  RefreshTokenClaims,
  TokenPair,
  TokenSubject,
  VerifyOptions,
} from './types.js';

/** A token accepted by the verifying methods: anything, checked at run time. */
export type TokenInput = string | null | undefined;

/** What `createAuth` returns: token issuing, verification, rotation, revocation and roles. */
export interface Auth<Claims extends object = CustomClaims, Role extends string = string> {
  /** Signs an access token (`typ: at+jwt`) for the subject. */
  createAccessToken(subject: TokenSubject<Claims, Role>): Promise<string>;
  /** Signs a refresh token that starts a new family, recorded in the store. */
  createRefreshToken(subject: TokenSubject<Claims, Role>): Promise<string>;
  /** Issues an access token and a refresh token of a new family (a login). */
  issueTokens(subject: TokenSubject<Claims, Role>): Promise<TokenPair>;
  /** Verifies an access token and returns its claims; throws AuthError otherwise. */
  verifyToken(
    token: TokenInput,
    options?: VerifyOptions & { type?: 'access' },
  ): Promise<AccessTokenClaims<Claims, Role>>;
  /** Verifies a refresh token, including its state in the store. */
  verifyToken(
    token: TokenInput,
    options: VerifyOptions & { type: 'refresh' },
  ): Promise<RefreshTokenClaims<Claims, Role>>;
  /**
   * Consumes a refresh token and returns a new pair of the same family. A token
   * that was already consumed revokes its family (REFRESH_TOKEN_REUSED).
   */
  refresh(refreshToken: TokenInput): Promise<TokenPair>;
  /**
   * Logs out: a refresh token revokes its family; an access token's `jti` is
   * denied until it expires. An expired or already revoked token is accepted silently.
   */
  revoke(token: TokenInput): Promise<void>;
  /** Revokes every token of the subject issued until now ("log out everywhere"). */
  revokeSubject(subject: string): Promise<void>;
  /** Like the top-level `requireRole`, with the configured role hierarchy. */
  requireRole(
    claims: RoleBearer<Role> | null | undefined,
    role: NoInfer<Role>,
    ...moreRoles: NoInfer<Role>[]
  ): void;
  /** Requires every listed role, with the configured role hierarchy. */
  requireAllRoles(
    claims: RoleBearer<Role> | null | undefined,
    role: NoInfer<Role>,
    ...moreRoles: NoInfer<Role>[]
  ): void;
  /** Tells whether the claims hold any of the roles, with the configured hierarchy. */
  hasRole(claims: RoleBearer<Role> | null | undefined, ...roles: NoInfer<Role>[]): boolean;
  /** The public JWKS of the asymmetric keys (empty for HMAC secrets and remote JWKS). */
  jwks(): JsonWebKeySet;
  /** The settings in force, in seconds where they are durations. */
  readonly settings: AuthSettings;
}

/** The resolved settings of an `Auth` instance. */
export interface AuthSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly clockTolerance: number;
  /** `false` for a verify-only instance. */
  readonly canIssue: boolean;
}

const REGISTERED_CLAIMS = new Set(['iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'jti', 'fam', 'roles', 'role']);
const REFRESH_TYPES: ReadonlySet<string> = new Set([REFRESH_TOKEN_TYPE]);
const DEFAULT_JWKS_ALGORITHMS = ['EdDSA', 'ES256', 'RS256'] as const;

/**
 * Creates the tokenward core for one issuer/audience and key set.
 * Throws AuthError CONFIG_INVALID when the configuration is unsafe or incomplete.
 */
export function createAuth<Claims extends object = CustomClaims, Role extends string = string>(
  options: AuthOptions<Claims, Role>,
): Auth<Claims, Role> {
  if (typeof options !== 'object' || options === null)
    throw new AuthError('CONFIG_INVALID', 'createAuth needs an options object');
  const hasKeys = 'keys' in options;
  const hasJwks = options.jwks !== undefined;
  if (hasKeys === hasJwks) {
    throw new AuthError(
      'CONFIG_INVALID',
      hasKeys
        ? 'give either keys or jwks, not both'
        : 'give keys (a secret of 32+ bytes or key pairs) or a jwks to verify with',
    );
  }
  const issuer = options.issuer ?? 'tokenward';
  const audience = options.audience ?? 'tokenward';
  if (typeof issuer !== 'string' || issuer === '')
    throw new AuthError('CONFIG_INVALID', 'issuer must be a non-empty string');
  if (typeof audience !== 'string' || audience === '')
    throw new AuthError('CONFIG_INVALID', 'audience must be a non-empty string');
  const accessTtl = toSeconds(options.accessTokenTtl ?? '15m', 'accessTokenTtl');
  const refreshTtl = toSeconds(options.refreshTokenTtl ?? '7d', 'refreshTokenTtl');
  const familyTtl =
    options.refreshFamilyTtl === undefined
      ? undefined
      : toSeconds(options.refreshFamilyTtl, 'refreshFamilyTtl');
  const clockTolerance = toSeconds(options.clockTolerance ?? '5s', 'clockTolerance', { allowZero: true });
  const reuseGraceMs =
    toSeconds(options.refreshReuseGrace ?? 0, 'refreshReuseGrace', { allowZero: true }) * 1000;
  const maxTokenSize = options.maxTokenSize ?? 8192;
  if (!Number.isInteger(maxTokenSize) || maxTokenSize < 256) {
    throw new AuthError('CONFIG_INVALID', 'maxTokenSize must be an integer of at least 256');
  }
  const storeTimeoutMs = options.storeTimeoutMs ?? 5000;
  if (!(storeTimeoutMs > 0)) throw new AuthError('CONFIG_INVALID', 'storeTimeoutMs must be positive');
  const accessTypes: ReadonlySet<string> = new Set(
    (typeof options.accessTokenType === 'string'
      ? [options.accessTokenType]
      : (options.accessTokenType ?? [ACCESS_TOKEN_TYPE])
    ).map((typ) => normalizeType(typ) ?? ''),
  );
  if (accessTypes.has(REFRESH_TOKEN_TYPE) || accessTypes.has('')) {
    throw new AuthError(
      'CONFIG_INVALID',
      'accessTokenType must be non-empty and differ from the refresh token type',
    );
  }
  const clock = options.clock ?? Date.now;
  const hierarchy = options.roleHierarchy;
  const claimsSchema = options.claimsSchema;
  const onEvent = options.onEvent;

  let keySet: KeySet | undefined;
  let remote: RemoteKeyLookup | undefined;
  let algorithms: ReadonlySet<string>;
  if (hasKeys) {
    keySet = keySetFromKeys(options.keys as NonNullable<AuthOptions['keys']>);
    algorithms = keySet.algorithms;
  } else {
    algorithms = new Set(options.algorithms ?? DEFAULT_JWKS_ALGORITHMS);
    for (const alg of algorithms) {
      if (!(DEFAULT_JWKS_ALGORITHMS as readonly string[]).includes(alg)) {
        throw new AuthError(
          'CONFIG_INVALID',
          `algorithms: ${alg} is not accepted from a JWKS (use EdDSA, ES256 or RS256)`,
        );
      }
    }
    if (typeof options.jwks === 'string' || options.jwks instanceof URL) {
      remote = remoteJwks(options.jwks, options.jwksOptions);
    } else {
      keySet = keySetFromJwks(options.jwks as JsonWebKeySet, algorithms);
    }
  }
  const signingKey = keySet?.signingKey;
  const lookup: KeyLookup = remote
    ? (header) => remote(header)
    : (header, alg) => keySet!.candidates(header.kid as string | undefined, alg).map((key) => key.verifyKey);

  let store: TokenStore | undefined = options.store;
  // The default store is made on first use, so a verify-only service never holds one.
  const getStore = (): TokenStore => {
    if (store === undefined) store = new MemoryTokenStore();
    return store;
  };

  async function storeCall<T>(operation: (store: TokenStore) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const pending = Promise.resolve().then(() => operation(getStore()));
    // A late rejection after a timeout must not become an unhandled rejection.
    pending.catch(() => {});
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the store did not answer within ${storeTimeoutMs} ms`)),
        storeTimeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (error) {
      throw new AuthError('STORE_UNAVAILABLE', 'the token store is unavailable', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  function emit(event: Omit<AuthEvent, 'at'>): void {
    if (!onEvent) return;
    try {
      const result = onEvent({ ...event, at: clock() });
      if (result && typeof result.then === 'function') result.then(undefined, () => {});
    } catch {
      // An audit hook never breaks authentication.
    }
  }

  function requireSigningKey() {
    if (!signingKey) {
      throw new AuthError(
        'CONFIG_INVALID',
        'this instance only verifies tokens: configure a private key or secret to issue them',
      );
    }
    return signingKey;
  }

  async function checkSchema(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!claimsSchema) return payload;
    const result = await claimsSchema['~standard'].validate(payload);
    if (result.issues) {
      const paths = result.issues.map(
        (issue) => issue.path?.map((p) => (typeof p === 'object' ? p.key : p)).join('.') || '(root)',
      );
      throw new AuthError(
        'CLAIM_INVALID',
        `the custom claims do not match the schema at: ${paths.join(', ')}`,
      );
    }
    return { ...payload, ...(result.value as Record<string, unknown>) };
  }

  /** The claims a subject's tokens carry besides the registered ones. */
  function subjectClaims(subject: TokenSubject<Claims, Role>): Record<string, unknown> {
    if (typeof subject !== 'object' || subject === null)
      throw new AuthError('CLAIM_INVALID', 'a token needs a subject object');
    const { sub, roles, role, ...custom } = subject as Record<string, unknown>;
    if (typeof sub !== 'string' || sub === '')
      throw new AuthError('CLAIM_INVALID', 'sub must be a non-empty string');
    for (const name of Object.keys(custom)) {
      if (REGISTERED_CLAIMS.has(name))
        throw new AuthError('CLAIM_INVALID', `the claim "${name}" is reserved`);
    }
    const roleList = roles !== undefined ? roles : role !== undefined ? [role] : undefined;
    if (
      roleList !== undefined &&
      !(Array.isArray(roleList) && roleList.every((r) => typeof r === 'string'))
    ) {
      throw new AuthError('CLAIM_INVALID', 'roles must be an array of strings (or role a string)');
    }
    return roleList === undefined ? { ...custom, sub } : { ...custom, sub, roles: [...roleList] };
  }

  async function sign(claims: Record<string, unknown>, typ: string): Promise<string> {
    try {
      return await signToken(claims, typ, requireSigningKey());
    } catch (error) {
      if (isAuthError(error)) throw error;
      throw new AuthError('CLAIM_INVALID', 'the claims could not be signed (are they JSON-serialisable?)', {
        cause: error,
      });
    }
  }

  async function signAccessToken(claims: Record<string, unknown>, nowMs: number): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    const payload = {
      ...claims,
      iss: issuer,
      aud: audience,
      iat,
      exp: iat + accessTtl,
      jti: newTokenId(nowMs),
    };
    await checkSchema(payload);
    return sign(payload, ACCESS_TOKEN_TYPE);
  }

  async function startFamily(
    claims: Record<string, unknown>,
    nowMs: number,
  ): Promise<{ token: string; expiresIn: number }> {
    requireSigningKey();
    const iat = Math.floor(nowMs / 1000);
    const absoluteExpiresAt = familyTtl === undefined ? Number.POSITIVE_INFINITY : nowMs + familyTtl * 1000;
    const expiresAt = Math.min(nowMs + refreshTtl * 1000, absoluteExpiresAt);
    const exp = Math.floor(expiresAt / 1000);
    const payload = {
      ...claims,
      iss: issuer,
      aud: audience,
      iat,
      exp,
      jti: newTokenId(nowMs),
      fam: newFamilyId(),
    };
    await checkSchema(payload);
    const token = await sign(payload, REFRESH_TOKEN_TYPE);
    await storeCall((s) =>
      s.createFamily({
        subject: claims.sub as string,
        familyId: payload.fam,
        tokenId: payload.jti,
        expiresAt,
        absoluteExpiresAt,
        now: nowMs,
      }),
    );
    return { token, expiresIn: exp - iat };
  }

  /** Decodes, checks the signature, the type and the claims; the store is the caller's. */
  async function verifyStateless(
    token: TokenInput,
    type: 'access' | 'refresh',
  ): Promise<{ decoded: DecodedToken; claims: Record<string, unknown> }> {
    const decoded = decodeToken(token, maxTokenSize);
    await verifySignature(decoded, algorithms, lookup);
    const refresh = type === 'refresh';
    checkTokenType(
      decoded.header,
      refresh ? REFRESH_TYPES : accessTypes,
      refresh ? 'a refresh token' : 'an access token',
    );
    const rules = { issuer, audience, clockTolerance, maxLifetime: refresh ? refreshTtl : accessTtl };
    checkRegisteredClaims(decoded.payload, rules, Math.floor(clock() / 1000));
    if (refresh && (typeof decoded.payload.fam !== 'string' || decoded.payload.fam === '')) {
      throw new AuthError('CLAIM_INVALID', 'the refresh token has no family');
    }
    return { decoded, claims: await checkSchema({ ...decoded.payload }) };
  }

  /** Runs a verifying operation so that nothing but an AuthError ever escapes it. */
  async function guarded<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isAuthError(error)) throw error;
      throw new AuthError('TOKEN_INVALID', 'the token could not be verified', { cause: error });
    }
  }

  function refreshRef(claims: Record<string, unknown>, nowMs: number) {
    return {
      subject: claims.sub as string,
      familyId: claims.fam as string,
      tokenId: claims.jti as string,
      issuedAt: issuedAtMs(claims.jti, claims.iat as number),
      now: nowMs,
    };
  }

  async function verifyToken(
    token: TokenInput,
    verifyOptions: VerifyOptions = {},
  ): Promise<Record<string, unknown>> {
    return guarded(async () => {
      const type = verifyOptions.type ?? 'access';
      if (type !== 'access' && type !== 'refresh')
        throw new AuthError('CONFIG_INVALID', 'type must be "access" or "refresh"');
      const { claims } = await verifyStateless(token, type);
      const nowMs = clock();
      if (type === 'refresh') {
        const state = await storeCall((s) => s.getRefreshTokenState(refreshRef(claims, nowMs)));
        if (state !== 'active') throw new AuthError('TOKEN_REVOKED', 'the refresh token is no longer valid');
      } else if (verifyOptions.checkRevocation ?? options.checkRevocation ?? false) {
        const ref = {
          subject: claims.sub as string,
          tokenId: claims.jti as string,
          issuedAt: issuedAtMs(claims.jti, claims.iat as number),
          now: nowMs,
        };
        if (await storeCall((s) => s.isAccessTokenRevoked(ref))) {
          throw new AuthError('TOKEN_REVOKED', 'the token has been revoked');
        }
      }
      return claims;
    });
  }

  function carriedClaims(claims: Record<string, unknown>): Record<string, unknown> {
    const {
      iss: _iss,
      aud: _aud,
      iat: _iat,
      exp: _exp,
      nbf: _nbf,
      jti: _jti,
      fam: _fam,
      ...carried
    } = claims;
    return carried;
  }

  const auth: Auth<Claims, Role> = {
    async createAccessToken(subject) {
      requireSigningKey();
      return signAccessToken(subjectClaims(subject), clock());
    },

    async createRefreshToken(subject) {
      const claims = subjectClaims(subject);
      const { token } = await startFamily(claims, clock());
      return token;
    },

    async issueTokens(subject) {
      const claims = subjectClaims(subject);
      const nowMs = clock();
      const accessToken = await signAccessToken(claims, nowMs);
      const refresh = await startFamily(claims, nowMs);
      emit({ type: 'login', subject: claims.sub as string });
      return {
        accessToken,
        refreshToken: refresh.token,
        tokenType: 'Bearer',
        expiresIn: accessTtl,
        refreshExpiresIn: refresh.expiresIn,
      };
    },

    verifyToken: verifyToken as Auth<Claims, Role>['verifyToken'],

    refresh(refreshToken) {
      return guarded(async () => {
        const key = requireSigningKey();
        const { claims } = await verifyStateless(refreshToken, 'refresh');
        const nowMs = clock();
        const nextTokenId = newTokenId(nowMs);
        const ref = refreshRef(claims, nowMs);
        const result = await storeCall((s) =>
          s.rotateRefreshToken({
            ...ref,
            nextTokenId,
            nextExpiresAt: nowMs + refreshTtl * 1000,
            reuseGraceMs,
          }),
        );
        const event = { subject: ref.subject, familyId: ref.familyId };
        switch (result.status) {
          case 'rotated':
            break;
          case 'reused':
            emit({ ...event, type: 'reuse-detected', reason: 'a consumed refresh token was presented' });
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
        const iat = Math.floor(nowMs / 1000);
        const exp = Math.floor(result.expiresAt / 1000);
        const refreshPayload = {
          ...carried,
          iss: issuer,
          aud: audience,
          iat,
          exp,
          jti: nextTokenId,
          fam: ref.familyId,
        };
        const [accessToken, newRefreshToken] = await Promise.all([
          signAccessToken(carried, nowMs),
          signToken(refreshPayload, REFRESH_TOKEN_TYPE, key),
        ]);
        emit({ ...event, type: 'refresh' });
        return {
          accessToken,
          refreshToken: newRefreshToken,
          tokenType: 'Bearer' as const,
          expiresIn: accessTtl,
          refreshExpiresIn: exp - iat,
        };
      });
    },

    revoke(token) {
      return guarded(async () => {
        const decoded = decodeToken(token, maxTokenSize);
        const type = normalizeType(decoded.header.typ) === REFRESH_TOKEN_TYPE ? 'refresh' : 'access';
        let claims: Record<string, unknown>;
        try {
          ({ claims } = await verifyStateless(token, type));
        } catch (error) {
          // An expired token grants nothing any more: there is nothing left to revoke.
          if (isAuthError(error) && error.code === 'TOKEN_EXPIRED') return;
          throw error;
        }
        const nowMs = clock();
        const subject = claims.sub as string;
        if (type === 'refresh') {
          await storeCall((s) => s.revokeFamily({ subject, familyId: claims.fam as string, now: nowMs }));
          emit({ type: 'revoke', subject, familyId: claims.fam as string, reason: 'refresh-token' });
        } else {
          const expiresAt = ((claims.exp as number) + clockTolerance) * 1000;
          await storeCall((s) =>
            s.revokeAccessToken({ subject, tokenId: claims.jti as string, expiresAt, now: nowMs }),
          );
          emit({ type: 'revoke', subject, reason: 'access-token' });
        }
      });
    },

    async revokeSubject(subject) {
      if (typeof subject !== 'string' || subject === '')
        throw new AuthError('CLAIM_INVALID', 'revokeSubject needs a subject');
      const nowMs = clock();
      // No token issued before now outlives the longest lifetime plus the tolerance.
      const expiresAt = nowMs + (Math.max(accessTtl, refreshTtl) + clockTolerance + 1) * 1000;
      await storeCall((s) => s.revokeSubject({ subject, revokedAt: nowMs, expiresAt, now: nowMs }));
      emit({ type: 'revoke-subject', subject });
    },

    requireRole(claims, role, ...moreRoles) {
      assertRoles(claims, [role, ...moreRoles], { hierarchy });
    },

    requireAllRoles(claims, role, ...moreRoles) {
      assertRoles(claims, [role, ...moreRoles], { all: true, hierarchy });
    },

    hasRole(claims, ...roles) {
      return hasRole(claims, roles, { hierarchy });
    },

    jwks() {
      return keySet ? keySet.jwks() : { keys: [] };
    },

    settings: Object.freeze({
      issuer,
      audience,
      accessTokenTtl: accessTtl,
      refreshTokenTtl: refreshTtl,
      clockTolerance,
      canIssue: signingKey !== undefined,
    }),
  };
  return auth;
}
