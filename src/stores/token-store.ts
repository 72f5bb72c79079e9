/**
 * The storage contract behind refresh rotation and revocation.
 *
 * Every time is a Unix time in milliseconds and comes from the caller (`now`),
 * so a store judges expiry by the clock it is given, not by its own: that is
 * what lets the conformance kit test expiry without waiting. A store also
 * removes what has expired (TTLs, sweeps) so that it never grows without bound.
 *
 * A store keeps identifiers and times only (token ids, family ids, subjects):
 * nothing in it can mint or replay a token.
 * @packageDocumentation
 */

/** A new refresh-token family, recorded when a refresh token is first issued (login). */
export interface NewRefreshFamily {
  /** The subject (`sub`) the family belongs to. */
  subject: string;
  /** The family id (the refresh token's `fam` claim). */
  familyId: string;
  /** The `jti` of the family's first refresh token: it becomes the family's live token. */
  tokenId: string;
  /** When that token expires: from then on (by the caller's `now`) the family counts as unknown. */
  expiresAt: number;
  /** The family's absolute end: no rotation succeeds at or after it. `Infinity` when unbounded. */
  absoluteExpiresAt: number;
  /** The current time. */
  now: number;
  /**
   * The session's label (a client name or a short user agent the app gave at
   * login), at most 100 characters; never a secret.
   * Absent when the app gave none. A store keeps it with the family and answers
   * it in {@link TokenStore.listSessions}.
   */
  label?: string;
}

/** The longest session label tokenward passes to a store, in UTF-16 code units (internal). */
export const MAX_SESSION_LABEL_LENGTH = 100;

/** What {@link TokenStore.listSessions} is asked for. */
export interface ListSessionsInput {
  /** The subject whose sessions are listed. */
  subject: string;
  /** The current time. */
  now: number;
}

/**
 * One live session (one refresh-token family) as a store lists it. Every time
 * is a Unix time in milliseconds.
 */
export interface SessionRecord {
  /** The session id: the family id. */
  id: string;
  /** When the family was created (the login). */
  createdAt: number;
  /** When its live refresh token was issued: the login, or the latest refresh. */
  lastUsedAt: number;
  /** When its live refresh token expires: the session ends then unless it is refreshed. */
  expiresAt: number;
  /** The family's absolute end (`Infinity` when unbounded): no refresh succeeds at or after it. */
  absoluteExpiresAt: number;
  /** The label given at login, when there was one. */
  label?: string;
}

/** One refresh token, as the store identifies it. */
export interface RefreshTokenRef {
  /** The subject (`sub`) of the token. */
  subject: string;
  /** The family id (`fam`) of the token. */
  familyId: string;
  /** The token's `jti`. */
  tokenId: string;
  /** When the token was issued, in milliseconds (compared with {@link TokenStore.revokeSubject}). */
  issuedAt: number;
  /** The current time. */
  now: number;
}

/** What {@link TokenStore.rotateRefreshToken} is asked to do. */
export interface RotateRefreshTokenInput extends RefreshTokenRef {
  /** The `jti` of the successor that becomes the family's live token. */
  nextTokenId: string;
  /** When the successor would expire, before the family's absolute end caps it. */
  nextExpiresAt: number;
  /**
   * How long after a rotation the token it consumed may rotate again (a client's
   * immediate retry), in milliseconds; 0 turns this off. Only the family's
   * previous token qualifies, and its retry replaces the live token, so a family
   * never has two live tokens.
   */
  reuseGraceMs: number;
}

/**
 * The outcome of a rotation.
 * - `rotated`: the presented token was the live one (or a retry within the grace
 *   window); the successor is now live and expires at `expiresAt`.
 * - `reused`: the presented token had already been consumed; the store has
 *   revoked the whole family in the same atomic step.
 * - `revoked`: the family is revoked or unknown (expired, never recorded), or the
 *   subject was revoked after the token was issued.
 * - `expired`: the family has reached its absolute end.
 */
export type RotateRefreshTokenResult =
  | {
      /** The rotation happened. */
      status: 'rotated';
      /** When the successor expires: `min(nextExpiresAt, absoluteExpiresAt)`. */
      expiresAt: number;
    }
  | {
      /** A consumed token was presented; the family is now revoked. */
      status: 'reused';
    }
  | {
      /** The family or subject is revoked, or the family is unknown. */
      status: 'revoked';
    }
  | {
      /** The family has reached its absolute end. */
      status: 'expired';
    };

/**
 * The state of a refresh token, read without changing anything.
 * - `active`: it is its family's live token and neither family nor subject is revoked.
 * - `consumed`: it has been rotated away.
 * - `revoked`: its family or subject is revoked.
 * - `unknown`: its family is not (or no longer) recorded.
 */
export type RefreshTokenState = 'active' | 'consumed' | 'revoked' | 'unknown';

/** A family, for revocation. */
export interface RefreshFamilyRef {
  /** The subject the family belongs to. */
  subject: string;
  /** The family id. */
  familyId: string;
  /** The current time. */
  now: number;
}

/** One access token, as the store identifies it. */
export interface AccessTokenRef {
  /** The subject (`sub`) of the token. */
  subject: string;
  /** The token's `jti`. */
  tokenId: string;
  /** When the token was issued, in milliseconds. */
  issuedAt: number;
  /** The current time. */
  now: number;
  /**
   * The session (family id, the token's `sid` claim) the token was issued from,
   * when it carries one. A store that lists sessions then also answers `true`
   * when that family of the subject is recorded and revoked (by `revokeFamily`
   * or reuse), in the same single read. A family it does not know (expired,
   * or recorded in another instance's store) revokes nothing.
   */
  sessionId?: string;
}

/** An access token to deny until it expires. */
export interface RevokeAccessTokenInput {
  /** The subject (`sub`) of the token. */
  subject: string;
  /** The token's `jti`. */
  tokenId: string;
  /** When the token expires: from then on (by the caller's `now`) the denial is forgotten. */
  expiresAt: number;
  /** The current time. */
  now: number;
}

/** A subject-wide revocation ("log out everywhere"). */
export interface RevokeSubjectInput {
  /** The subject whose tokens are revoked. */
  subject: string;
  /** Every token of the subject issued before this time (milliseconds) is revoked. */
  revokedAt: number;
  /** From this time on (by the caller's `now`) the record is forgotten: no token issued before `revokedAt` outlives it. */
  expiresAt: number;
  /** The current time. */
  now: number;
}

/**
 * Where tokenward keeps refresh-token state and revocations. Implement it for
 * your own database and prove it with `describeTokenStore` from
 * `tokenward/testing`.
 *
 * Every method either completes or throws (rejects); tokenward turns a throw
 * into `STORE_UNAVAILABLE` and never accepts a token on an unknown answer.
 */
export interface TokenStore {
  /**
   * Records a new family whose live token is `family.tokenId`.
   * Family ids are random and never reused; recording one that exists may overwrite it.
   */
  createFamily(family: NewRefreshFamily): Promise<void>;

  /**
   * Atomically consumes the presented refresh token and makes `nextTokenId` the
   * family's live token. Among concurrent callers presenting the same token,
   * exactly one receives `rotated` (outside the grace window); every later
   * presentation of a consumed token receives `reused` and revokes the family
   * in the same atomic step, so its successor fails too. A token issued before
   * the subject's revocation time (see {@link revokeSubject}) receives `revoked`.
   * When the family's absolute end has passed, `expired`.
   */
  rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult>;

  /** Reads the state of a refresh token without changing it. */
  getRefreshTokenState(token: RefreshTokenRef): Promise<RefreshTokenState>;

  /** Revokes a whole family. Revoking an unknown or already revoked family does nothing. */
  revokeFamily(family: RefreshFamilyRef): Promise<void>;

  /** Denies an access token (by `jti`) until `expiresAt`. */
  revokeAccessToken(token: RevokeAccessTokenInput): Promise<void>;

  /**
   * Tells whether an access token is revoked: its `jti` was denied, or it was
   * issued before its subject's revocation time, or (when `token.sessionId` is
   * given and the store lists sessions) its family is revoked. One read.
   */
  isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean>;

  /**
   * Revokes every token of a subject issued before `revokedAt`, refresh and
   * access alike. A later call never moves the time backwards.
   */
  revokeSubject(input: RevokeSubjectInput): Promise<void>;

  /**
   * Lists the subject's live sessions in one read: every family that is not
   * expired (by `now`), not revoked (a revoked family, a reused one, or one whose
   * live token was issued before the subject's revocation time), newest
   * (`createdAt`) first. Other subjects' families never appear.
   *
   * Optional so that a store written for tokenward 0.1 keeps working; a store
   * that has it also honours {@link AccessTokenRef.sessionId} in
   * {@link isAccessTokenRevoked}, keeps {@link NewRefreshFamily.label}, and
   * updates `lastUsedAt` on every rotation. Without it, `listSessions`,
   * `revokeSession` and `revokeOtherSessions` fail with CONFIG_INVALID.
   */
  listSessions?(input: ListSessionsInput): Promise<SessionRecord[]>;
}
