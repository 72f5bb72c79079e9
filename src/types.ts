import type { KeyObject } from 'node:crypto';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { JWK } from 'jose';
import type { JwsAlgorithm } from './keys/algorithms.js';
import type { IssuerOptions } from './keys/issuer-set.js';
import type { Duration } from './lib/duration.js';
import type { ScopeClaimName } from './roles/require-scope.js';
import type { TokenStore } from './stores/token-store.js';
import type { ReservedClaimName } from './tokens/reserved-claims.js';

// Derived from their run-time tables (the algorithm table, the reserved-claim list), so
// the types cannot drift from what key import and token issuing check.
export type { JwsAlgorithm, ReservedClaimName };

/** Custom claims: any JSON-serialisable object without the reserved names. */
export type CustomClaims = { [name: string]: unknown };

/** The registered claims every tokenward token carries. */
export interface RegisteredClaims {
  /** Issuer. */
  iss: string;
  /** Audience. */
  aud: string | string[];
  /** Subject: the user id. */
  sub: string;
  /** Expiry, in seconds since the epoch. */
  exp: number;
  /** Issuing time, in seconds since the epoch. */
  iat: number;
  /** Token id. */
  jti: string;
  /** Not-before time, in seconds since the epoch, when the issuer set one. */
  nbf?: number;
}

/** The verified claims of an access token. */
export type AccessTokenClaims<Claims extends object = CustomClaims, Role extends string = string> = Claims &
  RegisteredClaims & {
    /** The subject's roles. */
    roles?: Role[];
    /** The granted scopes, space-separated (RFC 9068), when the token was issued with scopes. */
    scope?: string;
    /** The session (refresh-token family) the token was issued from, at a login or a refresh. */
    sid?: string;
  };

/** The verified claims of a refresh token: its family and a copy of the access claims it renews. */
export type RefreshTokenClaims<
  Claims extends object = CustomClaims,
  Role extends string = string,
> = AccessTokenClaims<Claims, Role> & {
  /** The refresh-token family id. */
  fam: string;
};

/** What a token is issued for: the subject, its roles and the app's custom claims. */
export type TokenSubject<Claims extends object = CustomClaims, Role extends string = string> = {
  /** The subject: a stable user id (non-empty). */
  sub: string;
  /** The subject's roles. */
  roles?: readonly Role[];
  /** A single role, accepted for convenience; stored as `roles: [role]`. */
  role?: Role;
  /**
   * The scopes the token grants, each a scope-token of RFC 6749 3.3 (`'read:notes'`); written as
   * the space-separated `scope` claim (RFC 9068) that `requireScope` reads. Default: no `scope` claim.
   */
  scope?: readonly string[];
} & Omit<Claims, ReservedClaimName>;

/**
 * What `loadSubject` answers for a subject that may keep its session: its roles
 * and custom claims as they are now. `claims` is required when the instance's
 * claims type has required claims.
 */
export type LoadedSubject<Claims extends object = CustomClaims, Role extends string = string> = {
  /** The subject's current roles; absent: none. */
  roles?: readonly Role[];
} & (Partial<Record<never, never>> extends Omit<Claims, ReservedClaimName>
  ? {
      /** The subject's current custom claims; they replace the old token's. */
      claims?: Omit<Claims, ReservedClaimName>;
    }
  : {
      /** The subject's current custom claims; they replace the old token's. */
      claims: Omit<Claims, ReservedClaimName>;
    });

/** The answer of `issueTokens` and `refresh`. */
export interface TokenPair {
  /** The access token (a JWT with `typ: at+jwt`). */
  accessToken: string;
  /** The refresh token (a JWT with `typ: refresh+jwt`). */
  refreshToken: string;
  /** Always `'Bearer'`. */
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Seconds until the refresh token expires. */
  refreshExpiresIn: number;
  /** The scopes the access token grants, space-separated as in its `scope` claim; absent when it has none. */
  scope?: string;
}

/** Options of `issueTokens` beyond the subject. */
export interface IssueTokensOptions {
  /** The session the login starts. */
  session?: {
    /**
     * A label shown on the user's device page: a client name or a short user
     * agent (`Firefox on Linux`). 1 to 100 characters, no control characters;
     * never a secret or a token (a token-shaped label is refused).
     */
    label?: string;
  };
}

/**
 * One of the subject's live sessions (a refresh-token family), as `listSessions`
 * answers it. Times in milliseconds since the epoch.
 */
export interface Session {
  /** The session id: the `sid` of its access tokens. */
  id: string;
  /** When the session started (the login). */
  createdAt: number;
  /** When it was last refreshed (the login, until the first refresh). */
  lastUsedAt: number;
  /** When it ends unless refreshed before: its refresh token's expiry. */
  expiresAt: number;
  /** When it ends whatever happens (`refreshFamilyTtl`), or `null` when unbounded. */
  absoluteExpiresAt: number | null;
  /** The label given at login, when there was one. */
  label?: string;
}

/** A signing or verification key with its optional id and algorithm. */
export interface KeyEntry {
  /** The key: a JWK, a PEM string, a `KeyObject`, or an HMAC secret (string or bytes). */
  key: JWK | KeyObject | string | Uint8Array;
  /** The key id. Defaults to the JWK's `kid`, else a thumbprint of the key. */
  kid?: string;
  /** For HMAC secrets only: `HS256` (default), `HS384` or `HS512`. Other keys' algorithm follows their type. */
  alg?: JwsAlgorithm;
  /** `true` to use this private key for verification only (a retired signing key). */
  verifyOnly?: boolean;
}

/** Keys as `createAuth` accepts them: one secret or key, or a list (the first private key signs). */
export type KeysOption =
  | string
  | Uint8Array
  | KeyObject
  | JWK
  | KeyEntry
  | ReadonlyArray<string | Uint8Array | KeyObject | JWK | KeyEntry>;

/** A JSON Web Key Set. */
export interface JsonWebKeySet {
  /** The keys. */
  keys: JWK[];
}

/**
 * An event for audit logs. It never carries a token or a password.
 * `createAuth`'s `onEvent` receives `login`, `refresh`, `reuse-detected`, `revoke` and
 * `revoke-subject`; the token routes' `onEvent` receives `login-throttled` (a 429
 * TOO_MANY_ATTEMPTS) and `login-busy` (a 503 LOGIN_BUSY).
 */
export interface AuthEvent {
  /** What happened. */
  type:
    | 'login'
    | 'refresh'
    | 'reuse-detected'
    | 'revoke'
    | 'revoke-subject'
    | 'login-throttled'
    | 'login-busy'
    | 'session-created'
    | 'session-refreshed'
    | 'session-revoked';
  /**
   * The subject concerned; for `login-throttled` and `login-busy`, the user name tried
   * (normalised as the throttle counts it), since no user was looked up.
   */
  subject: string;
  /**
   * The refresh-token family concerned, when there is one: for the `session-*` events,
   * the session id. A `session-revoked` without one (reason `subject-revocation`) ended
   * every session of the subject.
   */
  familyId?: string;
  /**
   * Why, in a few words (e.g. `refresh-token`, `access-token`); for `login-throttled`
   * the limit reached (`username` or `address`), for `login-busy` `queue-full`; for
   * `session-revoked`, what ended it: `logout`, `revokeSession`, `revokeOtherSessions`,
   * `reuse`, `subject-revocation` or `subject-gone`.
   */
  reason?: string;
  /** The client address of a `login-throttled` or `login-busy` event, when the framework knows it. */
  address?: string;
  /** The `Retry-After` answered to a `login-throttled` or `login-busy` event, in seconds. */
  retryAfter?: number;
  /** When, in milliseconds since the epoch. */
  at: number;
}

/** Options of `createAuth`. */
export interface AuthOptions<Claims extends object = CustomClaims, Role extends string = string> {
  /**
   * Signing and verification keys: an HMAC secret of at least 32 bytes, or keys
   * (JWK, PEM, `KeyObject`), each with a `kid`. The first private key (or secret)
   * signs; every listed key verifies, so keys rotate without logging anyone out.
   * Give either `keys` or `jwks`.
   */
  keys?: KeysOption;
  /**
   * Verify-only mode: a JWKS (object) or the URL of a remote JWKS to check
   * tokens issued elsewhere. Such an instance cannot issue tokens.
   */
  jwks?: JsonWebKeySet | string | URL;
  /**
   * Options of the remote JWKS fetch and cache (of `jwks`, or of every `issuers` entry that has no
   * `jwksOptions` of its own).
   */
  jwksOptions?: {
    /** How long a fetch may take, in milliseconds (default 5000). */
    timeoutDuration?: number;
    /**
     * The shortest time between two fetches, in milliseconds (default 30000): an unknown `kid` or a
     * failed fetch triggers at most one fetch per cooldown.
     */
    cooldownDuration?: number;
    /**
     * The longest time a fetched JWKS is used before it is fetched again, in milliseconds (default
     * 600000). The answer's `Cache-Control: max-age` is honoured between `cooldownDuration` and this.
     */
    cacheMaxAge?: number;
  };
  /**
   * Verify-only mode for tokens of several issuers (Auth0, Keycloak, Entra, Cognito, Okta, your
   * own): each entry with its keys, JWKS or OIDC discovery, audiences, clients, accepted `typ`,
   * roles claim and longest lifetime. A token is checked with the keys and policy of the entry
   * whose `issuer` equals its `iss`. Instead of `keys`, `jwks`, `issuer`, `audience`,
   * `algorithms`, `accessTokenType` and `accessTokenTtl`, which each entry sets for itself.
   */
  issuers?: readonly IssuerOptions[];
  /**
   * The algorithm allowlist. From a JWKS: any algorithm whose keys a JWKS may
   * carry, today `EdDSA`, `ES256`, `RS256` (the default: all of them). With `keys`, each key's type already fixes its
   * algorithm, so this may only narrow the list to algorithms of the keys,
   * including the signing key's; anything else is CONFIG_INVALID.
   */
  algorithms?: readonly JwsAlgorithm[];
  /** The `iss` tokens carry and must carry. Default `'tokenward'`; set it. */
  issuer?: string;
  /** The `aud` tokens carry and must include. Default `'tokenward'`; set it. */
  audience?: string;
  /** Access-token lifetime. Default `'15m'`. Tokens living longer than this are rejected. */
  accessTokenTtl?: Duration;
  /** Refresh-token lifetime. Default `'7d'`. */
  refreshTokenTtl?: Duration;
  /** Absolute lifetime of a refresh-token family, after which refresh fails. Default: unbounded. */
  refreshFamilyTtl?: Duration;
  /** Clock skew tolerated on `exp`, `nbf`, `iat`. Default `'5s'`. */
  clockTolerance?: Duration;
  /**
   * How long after a rotation a retry with the previous refresh token still
   * succeeds (and replaces the live token); `0` turns it off. Default `'10s'`:
   * one store timeout (`storeTimeoutMs`) plus a client's retry after a short
   * backoff, so that a rotation the store committed after the timeout (the
   * client got STORE_UNAVAILABLE and kept its token) is not taken for theft when
   * the client retries. Keep it longer than `storeTimeoutMs`, and short: within
   * it a stolen, just-rotated token can still be used once.
   */
  refreshReuseGrace?: Duration;
  /** The expected access-token `typ`. Default `'at+jwt'`; a verify-only service may accept others, e.g. `['at+jwt', 'JWT']`. */
  accessTokenType?: string | readonly string[];
  /** The largest token accepted, in bytes, checked before any decoding. Default 8192 (`DEFAULT_MAX_TOKEN_SIZE`). */
  maxTokenSize?: number;
  /** Where refresh state and revocations live. Default: a new `MemoryTokenStore`. */
  store?: TokenStore;
  /**
   * Abandon a store call after this many milliseconds (STORE_UNAVAILABLE).
   * Default 1000: a store answers in about a millisecond, and a store call sits on
   * every refresh (and every request with `checkRevocation`), so a store that
   * hangs should fail requests within a second rather than hold each for long.
   * Raise it for a slow store, and keep `refreshReuseGrace` longer than it.
   */
  storeTimeoutMs?: number;
  /** Check access tokens against the store's revocations on every verify (one store read). Default `false`. */
  checkRevocation?: boolean;
  /**
   * Turns on the verified-token cache, off by default: up to `maxEntries` tokens
   * whose signature and claims were verified are remembered (least recently used
   * out first), so that verifying the same token again skips the signature and
   * claim checks. An entry is keyed on the whole token, serves only while the
   * token's claims would verify again (never at or after its `exp`), and holds no
   * store state: revocation (`checkRevocation`) and refresh-token state are still
   * checked on every call. The claims returned for a cached token share their
   * nested values (arrays, objects), which are frozen. A key removed from a remote
   * JWKS stops accepting new tokens at once, but tokens already cached serve until
   * they expire; a `claimsSchema` runs once per cached token.
   */
  verifyCache?: {
    /** The most tokens remembered; the least recently used is forgotten first. */
    maxEntries: number;
  };
  /**
   * A Standard Schema (zod, valibot, arktype…) the custom claims must satisfy. A
   * received token that fails it is CLAIM_INVALID (401); claims this server is about
   * to issue (`createAccessToken`, `createRefreshToken`, `issueTokens`, the new pair
   * of `refresh`) that fail it are the server's bug: CONFIG_INVALID (500), whose
   * message names the failing paths, never the values.
   */
  claimsSchema?: StandardSchemaV1<unknown, Claims>;
  /** The role names this app knows. Only used for typing and for `roleHierarchy`. */
  roles?: readonly Role[];
  /** Roles that imply others: `{ admin: ['editor'], editor: ['viewer'] }`. */
  roleHierarchy?: Partial<Record<Role, readonly Role[]>>;
  /**
   * The claims `auth.requireScope`, `auth.requireAnyScope` and the adapters' scope middlewares
   * read scopes from, in any order (their scopes add up): `'scope'` (a space-separated string,
   * RFC 9068), `'scp'` (a string or an array, as Entra and Okta send) and `'permissions'` (an
   * array, as Auth0 sends). Name only those your issuer sets, so that no other claim of that name
   * grants anything. Default: all three.
   */
  scopeClaims?: readonly ScopeClaimName[];
  /** Receives audit events; its errors are ignored. */
  onEvent?: (event: AuthEvent) => void | Promise<void>;
  /** The clock, in milliseconds since the epoch. For tests. Default `Date.now`. */
  clock?: () => number;
  /**
   * Looks up a subject (by `sub`) at every `refresh`, so that the new pair
   * carries its roles and claims as they are now: a demoted admin loses `admin`
   * at the next refresh. Answer `null` when the subject may no longer sign in
   * (deleted, disabled): the refresh fails with TOKEN_REVOKED and the family is
   * revoked (an `onEvent` `revoke` with reason `subject-gone`). The subject is
   * looked up before the refresh token is consumed; a lookup that throws, or
   * answers anything else, fails closed with STORE_UNAVAILABLE (503) and
   * consumes nothing. tokenward puts no timeout on it: give your database
   * client one. Without it, a refresh copies the old token's roles and claims,
   * so a change reaches tokens only at the next login (or `revokeSubject`).
   */
  loadSubject?: (
    subject: string,
  ) =>
    | LoadedSubject<NoInfer<Claims>, NoInfer<Role>>
    | null
    | Promise<LoadedSubject<NoInfer<Claims>, NoInfer<Role>> | null>;
}

/** Options of `verifyToken`. */
export interface VerifyOptions {
  /** Which kind of token is expected. Default `'access'`. */
  type?: 'access' | 'refresh';
  /** Overrides the `checkRevocation` option for this call (access tokens). */
  checkRevocation?: boolean;
}
