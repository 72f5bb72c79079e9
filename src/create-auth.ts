import { resolveConfig } from './config.js';
import { AuthError } from './errors.js';
import { onlyAuthErrors } from './lib/guard.js';
import { newFamilyId } from './lib/token-id.js';
import { revokeSubject, revokeToken } from './refresh/revoke.js';
import { rotateRefreshToken } from './refresh/rotate.js';
import { listSessions, revokeOtherSessions, revokeSession } from './refresh/sessions.js';
import {
  assertRoles,
  hasRole,
  type RoleArguments,
  type RoleBearer,
  type RoleHierarchy,
  roleRequirement,
} from './roles/require-role.js';
import {
  assertScopes,
  hasScope,
  type ScopeArguments,
  type ScopeBearer,
  scopeRequirement,
} from './roles/require-scope.js';
import {
  requireSigningKey,
  sessionLabel,
  signAccessToken,
  startFamily,
  subjectClaims,
  tokenPair,
} from './tokens/issue.js';
import { verifyToken } from './tokens/verify-token.js';
import type {
  AccessTokenClaims,
  AuthOptions,
  CustomClaims,
  IssueTokensOptions,
  JsonWebKeySet,
  RefreshTokenClaims,
  Session,
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
  /**
   * Issues an access token and a refresh token of a new family (a login): a new
   * session, whose id the access token carries as `sid`. `options.session.label`
   * names it on the user's device page (see {@link IssueTokensOptions}).
   */
  issueTokens(subject: TokenSubject<Claims, Role>, options?: IssueTokensOptions): Promise<TokenPair>;
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
  /** Verifies a token of the kind `options.type` says. */
  verifyToken(
    token: TokenInput,
    options?: VerifyOptions,
  ): Promise<AccessTokenClaims<Claims, Role> | RefreshTokenClaims<Claims, Role>>;
  /**
   * Consumes a refresh token and returns a new pair of the same family. A token
   * that was already consumed revokes its family (REFRESH_TOKEN_REUSED), except a
   * retry of the previous token within `refreshReuseGrace`. With `loadSubject`,
   * the pair carries the subject's current roles and claims (`null`: TOKEN_REVOKED,
   * family revoked); without it, the old token's.
   */
  refresh(refreshToken: TokenInput): Promise<TokenPair>;
  /**
   * Logs out: a refresh token revokes its family; an access token's `jti` is
   * denied until it expires when this instance checks revocations
   * (`checkRevocation`), and nothing is recorded otherwise, since nothing would
   * read it. An expired or already revoked token is accepted silently.
   */
  revoke(token: TokenInput): Promise<void>;
  /**
   * Revokes every token of the subject issued until now ("log out everywhere").
   * Resolves once the clock has passed the revocation time, so that tokens issued
   * afterwards (a login right after a password change) are valid.
   */
  revokeSubject(subject: string): Promise<void>;
  /**
   * The subject's live sessions (not expired, not revoked, not reused), newest
   * first, in one store read: `{ id, createdAt, lastUsedAt, expiresAt,
   * absoluteExpiresAt, label? }`, times in milliseconds.
   * @throws AuthError CONFIG_INVALID when the store has no `listSessions` (a store written for 0.1).
   */
  listSessions(subject: string): Promise<Session[]>;
  /**
   * Ends one session ("sign out that device"): its refresh token is refused, and
   * with `checkRevocation` its access tokens fail with TOKEN_REVOKED at once. An id
   * that is not one of the subject's sessions changes nothing and resolves alike.
   * @throws AuthError CONFIG_INVALID when the store has no `listSessions`.
   */
  revokeSession(subject: string, sessionId: string): Promise<void>;
  /**
   * Ends every session of the subject but `keepSessionId` (usually the caller's
   * own `sid`) and resolves with how many ended. A session created while it runs
   * is ended with the rest unless it came after the last listing.
   * @throws AuthError CONFIG_INVALID when the store has no `listSessions`.
   */
  revokeOtherSessions(subject: string, keepSessionId: string): Promise<number>;
  /** Like the top-level `requireRole` (options after the roles included), with the configured role hierarchy. */
  requireRole(claims: RoleBearer<Role> | null | undefined, ...roles: RoleArguments<NoInfer<Role>>): void;
  /** Requires every listed role, with the configured role hierarchy. */
  requireAllRoles(claims: RoleBearer<Role> | null | undefined, ...roles: RoleArguments<NoInfer<Role>>): void;
  /** Tells whether the claims hold any of the roles, with the configured hierarchy. */
  hasRole(claims: RoleBearer<Role> | null | undefined, ...roles: NoInfer<Role>[]): boolean;
  /**
   * Like the top-level `requireScope` (every listed scope; options after the scopes included),
   * reading the claims the `scopeClaims` option names. A miss is an `InsufficientScopeError`
   * (FORBIDDEN), answered by the adapters with `error="insufficient_scope", scope="..."`.
   */
  requireScope(claims: ScopeBearer | null | undefined, ...scopes: ScopeArguments): void;
  /** Like {@link Auth.requireScope}, but any one of the listed scopes is enough. */
  requireAnyScope(claims: ScopeBearer | null | undefined, ...scopes: ScopeArguments): void;
  /** Tells whether the claims hold every one of the scopes, read from the claims `scopeClaims` names. */
  hasScope(claims: ScopeBearer | null | undefined, ...scopes: string[]): boolean;
  /** The public JWKS of the asymmetric keys (empty for HMAC secrets and remote JWKS). */
  jwks(): JsonWebKeySet;
  /** The settings in force, in seconds where they are durations. */
  readonly settings: AuthSettings;
}

/** The resolved settings of an `Auth` instance. */
export interface AuthSettings {
  /** The `iss` tokens carry and must carry. */
  readonly issuer: string;
  /** The `aud` tokens carry and must include. */
  readonly audience: string;
  /** Access-token lifetime, in seconds. */
  readonly accessTokenTtl: number;
  /** Refresh-token lifetime, in seconds. */
  readonly refreshTokenTtl: number;
  /** Tolerated clock skew, in seconds. */
  readonly clockTolerance: number;
  /** `false` for a verify-only instance. */
  readonly canIssue: boolean;
}

/**
 * Creates the tokenward core for one issuer/audience and key set.
 * Throws AuthError CONFIG_INVALID when the configuration is unsafe or incomplete.
 *
 * @example
 * ```ts
 * const auth = createAuth({
 *   keys: process.env.JWT_SECRET, // >= 32 bytes; or key pairs with a kid each
 *   issuer: 'https://api.example.com',
 *   audience: 'api',
 * });
 * const { accessToken, refreshToken } = await auth.issueTokens({ sub: 'u1', roles: ['admin'] });
 * const claims = await auth.verifyToken(accessToken); // throws AuthError otherwise
 * const next = await auth.refresh(refreshToken); // rotation; a replay is REFRESH_TOKEN_REUSED
 * ```
 */
export function createAuth<Claims extends object = CustomClaims, Role extends string = string>(
  options: AuthOptions<Claims, Role>,
): Auth<Claims, Role> {
  const config = resolveConfig(options as AuthOptions);
  const hierarchy = config.roleHierarchy as RoleHierarchy | undefined;

  return {
    async createAccessToken(subject) {
      requireSigningKey(config);
      return signAccessToken(config, subjectClaims(subject), config.clock());
    },

    async createRefreshToken(subject) {
      const { token } = await startFamily(config, subjectClaims(subject), config.clock());
      return token;
    },

    async issueTokens(subject, issueOptions) {
      const claims = subjectClaims(subject);
      if (issueOptions !== undefined && (typeof issueOptions !== 'object' || issueOptions === null))
        throw new AuthError('CLAIM_INVALID', 'issueTokens options must be an object');
      const session = issueOptions?.session;
      if (session !== undefined && (typeof session !== 'object' || session === null))
        throw new AuthError('CLAIM_INVALID', 'issueTokens: session must be an object');
      const label = sessionLabel(session?.label);
      requireSigningKey(config);
      const nowMs = config.clock();
      // The family id is made first: the access token of the login already names its session.
      const familyId = newFamilyId();
      const accessToken = await signAccessToken(config, claims, nowMs, familyId);
      const refresh = await startFamily(config, claims, nowMs, { familyId, label });
      config.emit({ type: 'login', subject: claims.sub as string });
      return tokenPair(config, accessToken, refresh, claims);
    },

    verifyToken: ((token: TokenInput, verifyOptions?: VerifyOptions) =>
      onlyAuthErrors(() => verifyToken(config, token, verifyOptions))) as Auth<Claims, Role>['verifyToken'],

    refresh: (refreshToken) => onlyAuthErrors(() => rotateRefreshToken(config, refreshToken)),

    revoke: (token) => onlyAuthErrors(() => revokeToken(config, token)),

    revokeSubject: (subject) => onlyAuthErrors(() => revokeSubject(config, subject)),

    listSessions: (subject) => onlyAuthErrors(() => listSessions(config, subject)),

    revokeSession: (subject, sessionId) => onlyAuthErrors(() => revokeSession(config, subject, sessionId)),

    revokeOtherSessions: (subject, keepSessionId) =>
      onlyAuthErrors(() => revokeOtherSessions(config, subject, keepSessionId)),

    requireRole(claims, ...roles) {
      assertRoles(claims, roleRequirement(roles), { hierarchy });
    },

    requireAllRoles(claims, ...roles) {
      assertRoles(claims, roleRequirement(roles), { all: true, hierarchy });
    },

    hasRole(claims, ...roles) {
      return hasRole<string>(claims, roles, { hierarchy });
    },

    requireScope(claims, ...scopes) {
      assertScopes(claims, scopeRequirement(scopes), { scopeClaims: config.scopeClaims });
    },

    requireAnyScope(claims, ...scopes) {
      assertScopes(claims, scopeRequirement(scopes), { any: true, scopeClaims: config.scopeClaims });
    },

    hasScope(claims, ...scopes) {
      return hasScope(claims, scopes, { scopeClaims: config.scopeClaims });
    },

    jwks: () => config.keySet?.jwks() ?? { keys: [] },

    settings: Object.freeze({
      issuer: config.issuer,
      audience: config.audience,
      accessTokenTtl: config.accessTtl,
      refreshTokenTtl: config.refreshTtl,
      clockTolerance: config.clockTolerance,
      canIssue: config.signingKey !== undefined,
    }),
  };
}
