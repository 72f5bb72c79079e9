/**
 * Token stores with one deliberate, realistic bug each, wrapped around a correct
 * store: the conformance kit must fail every one of them.
 */

import type {
  AccessTokenRef,
  NewRefreshFamily,
  RefreshFamilyRef,
  RefreshTokenRef,
  RefreshTokenState,
  RevokeAccessTokenInput,
  RevokeSubjectInput,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
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
