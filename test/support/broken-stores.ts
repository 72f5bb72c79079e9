/**
 * Token stores with one deliberate, realistic bug each, wrapped around a correct
 * store: the conformance kit must fail every one of them.
 */

import type {
  AccessTokenRef,
  ListSessionsInput,
  NewRefreshFamily,
  RefreshFamilyRef,
  RefreshTokenRef,
  RefreshTokenState,
  RevokeAccessTokenInput,
  RevokeSubjectInput,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
  SessionRecord,
  TokenStore,
} from '../../src/stores/token-store.js';

/** Delegates everything; subclasses override the one method they get wrong. */
class DelegatingStore implements TokenStore {
  constructor(protected readonly inner: TokenStore) {}
  createFamily(family: NewRefreshFamily): Promise<void> {
    return this.inner.createFamily(family);
  }
  rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    return this.inner.rotateRefreshToken(input);
  }
  getRefreshTokenState(token: RefreshTokenRef): Promise<RefreshTokenState> {
    return this.inner.getRefreshTokenState(token);
  }
  revokeFamily(family: RefreshFamilyRef): Promise<void> {
    return this.inner.revokeFamily(family);
  }
  revokeAccessToken(token: RevokeAccessTokenInput): Promise<void> {
    return this.inner.revokeAccessToken(token);
  }
  isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    return this.inner.isAccessTokenRevoked(token);
  }
  revokeSubject(input: RevokeSubjectInput): Promise<void> {
    return this.inner.revokeSubject(input);
  }
  listSessions(input: ListSessionsInput): Promise<SessionRecord[]> {
    return (this.inner.listSessions as NonNullable<TokenStore['listSessions']>).call(this.inner, input);
  }
}

/**
 * Rotation as read, then await (a database round trip), then write: two callers
 * can both read "active" before either writes, and both "win".
 */
export class ReadThenWriteStore extends DelegatingStore {
  override async rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    const state = await this.inner.getRefreshTokenState(input);
    if (state !== 'active') return this.inner.rotateRefreshToken(input);
    await new Promise((resolve) => setImmediate(resolve));
    await this.inner.createFamily({
      subject: input.subject,
      familyId: input.familyId,
      tokenId: input.nextTokenId,
      expiresAt: input.nextExpiresAt,
      absoluteExpiresAt: Number.POSITIVE_INFINITY,
      now: input.now,
    });
    return { status: 'rotated', expiresAt: input.nextExpiresAt };
  }
}

const FOREVER = 100 * 365 * 24 * 60 * 60 * 1000;

/** Records that never expire: every expiry it is given is replaced by a century from now. */
export class NeverExpiringStore extends DelegatingStore {
  override createFamily(family: NewRefreshFamily): Promise<void> {
    return this.inner.createFamily({ ...family, expiresAt: family.now + FOREVER });
  }
  override rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    return this.inner.rotateRefreshToken({ ...input, nextExpiresAt: input.now + FOREVER });
  }
  override revokeAccessToken(token: RevokeAccessTokenInput): Promise<void> {
    return this.inner.revokeAccessToken({ ...token, expiresAt: token.now + FOREVER });
  }
  override revokeSubject(input: RevokeSubjectInput): Promise<void> {
    return this.inner.revokeSubject({ ...input, expiresAt: input.now + FOREVER });
  }
}

/** Judges expiry by its own wall clock instead of the `now` it is given. */
export class OwnClockStore extends DelegatingStore {
  #wallClock<T extends { now: number }>(input: T): T {
    return { ...input, now: Date.now() };
  }
  override rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    return this.inner.rotateRefreshToken(this.#wallClock(input));
  }
  override getRefreshTokenState(token: RefreshTokenRef): Promise<RefreshTokenState> {
    return this.inner.getRefreshTokenState(this.#wallClock(token));
  }
  override isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    return this.inner.isAccessTokenRevoked(this.#wallClock(token));
  }
}

/** A store whose every call fails, as an unreachable database would. */
export function unreachableStore(): TokenStore {
  const fail = () => Promise.reject(new Error('connection refused'));
  return {
    createFamily: fail,
    rotateRefreshToken: fail,
    getRefreshTokenState: fail,
    revokeFamily: fail,
    revokeAccessToken: fail,
    isAccessTokenRevoked: fail,
    revokeSubject: fail,
  };
}

/** Every family and access-token denial filed under this one subject: keyed by id alone. */
const ANY_SUBJECT = '';

/**
 * Keys families and access-token denials by id alone, ignoring the subject (the
 * custom-store guide requires `(subject, id)`); subject revocations it keeps
 * right, by subject. Every check that uses distinct ids passes it.
 */
export class IdOnlyStore extends DelegatingStore {
  readonly #revokedSubjects = new Map<string, { revokedAt: number; expiresAt: number }>();

  #subjectRevoked(subject: string, issuedAt: number, now: number): boolean {
    const revocation = this.#revokedSubjects.get(subject);
    return revocation !== undefined && revocation.expiresAt > now && issuedAt < revocation.revokedAt;
  }
  override createFamily(family: NewRefreshFamily): Promise<void> {
    return this.inner.createFamily({ ...family, subject: ANY_SUBJECT });
  }
  override async rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    if (this.#subjectRevoked(input.subject, input.issuedAt, input.now)) return { status: 'revoked' };
    return this.inner.rotateRefreshToken({ ...input, subject: ANY_SUBJECT });
  }
  override async getRefreshTokenState(token: RefreshTokenRef): Promise<RefreshTokenState> {
    const state = await this.inner.getRefreshTokenState({ ...token, subject: ANY_SUBJECT });
    if (state !== 'unknown' && this.#subjectRevoked(token.subject, token.issuedAt, token.now))
      return 'revoked';
    return state;
  }
  override revokeFamily(family: RefreshFamilyRef): Promise<void> {
    return this.inner.revokeFamily({ ...family, subject: ANY_SUBJECT });
  }
  override revokeAccessToken(token: RevokeAccessTokenInput): Promise<void> {
    return this.inner.revokeAccessToken({ ...token, subject: ANY_SUBJECT });
  }
  override async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    if (this.#subjectRevoked(token.subject, token.issuedAt, token.now)) return true;
    return this.inner.isAccessTokenRevoked({ ...token, subject: ANY_SUBJECT });
  }
  override listSessions(input: ListSessionsInput): Promise<SessionRecord[]> {
    return super.listSessions({ ...input, subject: ANY_SUBJECT });
  }
  override async revokeSubject(input: RevokeSubjectInput): Promise<void> {
    const existing = this.#revokedSubjects.get(input.subject);
    if (existing !== undefined && existing.expiresAt > input.now) {
      existing.revokedAt = Math.max(existing.revokedAt, input.revokedAt);
      existing.expiresAt = Math.max(existing.expiresAt, input.expiresAt);
      return;
    }
    this.#revokedSubjects.set(input.subject, { revokedAt: input.revokedAt, expiresAt: input.expiresAt });
  }
}

/** The ways a store can answer outside the contract, each made by {@link NonsenseStore}. */
export type Nonsense =
  | 'rotated-without-expiry'
  | 'rotated-with-nan-expiry'
  | 'rotated-with-infinite-expiry'
  | 'unknown-status'
  | 'unknown-state'
  | 'revoked-undefined'
  | 'revoked-as-string';

/** A correct store except for one answer outside the contract, given whenever that method answers. */
export class NonsenseStore extends DelegatingStore {
  constructor(
    inner: TokenStore,
    readonly nonsense: Nonsense,
  ) {
    super(inner);
  }
  override async rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    const result = await this.inner.rotateRefreshToken(input);
    const answers: Partial<Record<Nonsense, unknown>> = {
      'rotated-without-expiry': { status: 'rotated' },
      'rotated-with-nan-expiry': { status: 'rotated', expiresAt: Number.NaN },
      'rotated-with-infinite-expiry': { status: 'rotated', expiresAt: Number.POSITIVE_INFINITY },
      'unknown-status': { status: 'ok' },
    };
    return (this.nonsense in answers ? answers[this.nonsense] : result) as RotateRefreshTokenResult;
  }
  override async getRefreshTokenState(token: RefreshTokenRef): Promise<RefreshTokenState> {
    const state = await this.inner.getRefreshTokenState(token);
    return (this.nonsense === 'unknown-state' ? 'valid' : state) as RefreshTokenState;
  }
  override async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    const revoked = await this.inner.isAccessTokenRevoked(token);
    if (this.nonsense === 'revoked-undefined') return undefined as unknown as boolean;
    if (this.nonsense === 'revoked-as-string') return String(revoked) as unknown as boolean;
    return revoked;
  }
}

/**
 * Lists sessions, but its access-token check ignores the session (as a 0.1 store's
 * did): a revoked session's access tokens would live on until they expire.
 */
export class SessionBlindStore extends DelegatingStore {
  override isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    const { sessionId: _ignored, ...rest } = token;
    return this.inner.isAccessTokenRevoked(rest);
  }
}

/** Lists every family of the subject it ever recorded, revoked ones included. */
export class ListsRevokedStore extends DelegatingStore {
  readonly #created = new Map<string, SessionRecord[]>();
  override async createFamily(family: NewRefreshFamily): Promise<void> {
    await this.inner.createFamily(family);
    const list = this.#created.get(family.subject) ?? [];
    list.unshift({
      id: family.familyId,
      createdAt: family.now,
      lastUsedAt: family.now,
      expiresAt: family.expiresAt,
      absoluteExpiresAt: family.absoluteExpiresAt,
      ...(family.label === undefined ? {} : { label: family.label }),
    });
    this.#created.set(family.subject, list);
  }
  override async listSessions(input: ListSessionsInput): Promise<SessionRecord[]> {
    const live = await super.listSessions(input);
    const byId = new Map(live.map((session) => [session.id, session]));
    // Unexpired ones, with their live times where the real store still has them.
    return (this.#created.get(input.subject) ?? [])
      .filter((session) => session.expiresAt > input.now)
      .map((session) => byId.get(session.id) ?? session);
  }
}
