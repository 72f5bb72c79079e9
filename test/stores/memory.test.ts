import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../src/errors.js';
import { MemoryTokenStore } from '../../src/stores/memory.js';
import { describeTokenStore } from '../../src/testing/index.js';

describeTokenStore('MemoryTokenStore', {
  create: () => new MemoryTokenStore(),
  cleanup: (store) => store.close(),
  runner: { describe, it },
});

const T0 = 1_900_000_000_000;

function family(i: number, now: number, ttl = 1000) {
  return {
    subject: `user-${i}`,
    familyId: `fam-${i}`,
    tokenId: `rt-${i}`,
    expiresAt: now + ttl,
    absoluteExpiresAt: Number.POSITIVE_INFINITY,
    now,
  };
}

describe('MemoryTokenStore specifics', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('removes expired records lazily when looked up', async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0 });
    await store.createFamily(family(1, T0));
    await store.revokeAccessToken({ subject: 'u', tokenId: 'at', expiresAt: T0 + 1000, now: T0 });
    await store.revokeSubject({ subject: 'u', revokedAt: T0, expiresAt: T0 + 1000, now: T0 });
    expect(store.size).toBe(3);
    const later = T0 + 1000;
    expect(
      await store.getRefreshTokenState({
        subject: 'user-1',
        familyId: 'fam-1',
        tokenId: 'rt-1',
        issuedAt: T0,
        now: later,
      }),
    ).toBe('unknown');
    expect(
      await store.isAccessTokenRevoked({ subject: 'u', tokenId: 'at', issuedAt: T0 - 1, now: later }),
    ).toBe(false);
    expect(store.size).toBe(0);
  });

  it('sweeps expired records on an unref()d timer, by the callers clock', async () => {
    vi.useFakeTimers({ now: 0 });
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const store = new MemoryTokenStore({ sweepIntervalMs: 1000 });
    const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    // The caller's clock runs far from the wall clock (as under the conformance kit).
    await store.createFamily(family(1, T0, 1500));
    await store.createFamily(family(2, T0, 10_000));
    vi.advanceTimersByTime(1000);
    expect(store.size).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(store.size).toBe(1);
    store.close();
    vi.advanceTimersByTime(20_000);
    expect(store.size).toBe(1);
  });

  it('sweeps when full, and throws rather than evict when nothing has expired', async () => {
    const store = new MemoryTokenStore({ maxEntries: 3, sweepIntervalMs: 0 });
    await store.createFamily(family(1, T0, 1000));
    await store.revokeSubject({ subject: 'u', revokedAt: T0, expiresAt: T0 + 5000, now: T0 });
    await store.revokeAccessToken({ subject: 'u', tokenId: 'at', expiresAt: T0 + 5000, now: T0 });
    await expect(store.createFamily(family(2, T0))).rejects.toThrow(/full/);
    await expect(
      store.revokeAccessToken({ subject: 'u', tokenId: 'at2', expiresAt: T0 + 5000, now: T0 }),
    ).rejects.toThrow(/full/);
    // The revocations survive a full store: nothing was evicted to make room.
    expect(await store.isAccessTokenRevoked({ subject: 'u', tokenId: 'at', issuedAt: T0, now: T0 + 1 })).toBe(
      true,
    );
    // Updating what exists needs no room.
    await store.revokeSubject({ subject: 'u', revokedAt: T0 + 10, expiresAt: T0 + 6000, now: T0 + 1 });
    await store.revokeFamily({ subject: 'user-1', familyId: 'fam-1', now: T0 + 1 });
    // Once the first family has expired, the sweep makes room.
    await store.createFamily(family(3, T0 + 1000));
    expect(store.size).toBe(3);
  });

  it('a full store sweeps at most once a second of the callers clock, not once per write', async () => {
    const store = new MemoryTokenStore({ maxEntries: 100, sweepIntervalMs: 0 });
    for (let i = 0; i < 100; i++) await store.createFamily(family(i, T0, 60_000));
    const sweep = vi.spyOn(store, 'sweep');
    for (let i = 0; i < 500; i++) {
      await expect(store.createFamily(family(1000 + i, T0 + i))).rejects.toThrow(/full/);
    }
    expect(sweep).toHaveBeenCalledTimes(1);
    await expect(store.createFamily(family(2000, T0 + 1000))).rejects.toThrow(/full/);
    expect(sweep).toHaveBeenCalledTimes(2);
  });

  it('one subject at its cap: a new denial revokes the whole subject in one record', async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0, maxEntriesPerSubject: 5 });
    await store.createFamily({ ...family(1, T0, 100_000), subject: 'm' });
    const deny = (i: number, now: number) =>
      store.revokeAccessToken({ subject: 'm', tokenId: `at-${i}`, expiresAt: now + 10_000, now });
    for (let i = 0; i < 4; i++) await deny(i, T0);
    expect(store.size).toBe(5);
    await deny(4, T0 + 10);
    // The family and the denials are replaced by one subject revocation.
    expect(store.size).toBe(1);
    for (let i = 0; i < 5; i++) {
      expect(
        await store.isAccessTokenRevoked({ subject: 'm', tokenId: `at-${i}`, issuedAt: T0, now: T0 + 9000 }),
      ).toBe(true);
    }
    // It lasts as long as the family would have: its refresh token stays refused.
    const state = (now: number) =>
      store.getRefreshTokenState({ subject: 'm', familyId: 'fam-1', tokenId: 'rt-1', issuedAt: T0, now });
    expect(await state(T0 + 99_999)).not.toBe('active');
    expect(
      await store.rotateRefreshToken({
        subject: 'm',
        familyId: 'fam-1',
        tokenId: 'rt-1',
        issuedAt: T0,
        now: T0 + 99_999,
        nextTokenId: 'rt-2',
        nextExpiresAt: T0 + 200_000,
        reuseGraceMs: 0,
      }),
    ).toEqual({ status: 'revoked' });
    // A token issued after it is not covered; other subjects never were.
    expect(
      await store.isAccessTokenRevoked({ subject: 'm', tokenId: 'new', issuedAt: T0 + 11, now: T0 + 12 }),
    ).toBe(false);
    await store.revokeAccessToken({ subject: 'other', tokenId: 'x', expiresAt: T0 + 1000, now: T0 });
    expect(await store.isAccessTokenRevoked({ subject: 'other', tokenId: 'y', issuedAt: T0, now: T0 })).toBe(
      false,
    );
  });

  it('one subject at its cap: a new family forgets its oldest; a subject of denials only is refused', async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0, maxEntriesPerSubject: 3 });
    for (let i = 0; i < 5; i++) await store.createFamily({ ...family(i, T0 + i, 100_000), subject: 'm' });
    expect(store.size).toBe(3);
    const state = (i: number) =>
      store.getRefreshTokenState({
        subject: 'm',
        familyId: `fam-${i}`,
        tokenId: `rt-${i}`,
        issuedAt: T0,
        now: T0 + 10,
      });
    expect([await state(0), await state(1), await state(2), await state(3), await state(4)]).toEqual([
      'unknown',
      'unknown',
      'active',
      'active',
      'active',
    ]);
    for (let i = 0; i < 3; i++)
      await store.revokeAccessToken({ subject: 'd', tokenId: `at-${i}`, expiresAt: T0 + 1000, now: T0 });
    await expect(store.createFamily({ ...family(9, T0), subject: 'd' })).rejects.toThrow(
      /maxEntriesPerSubject/,
    );
    // Once those denials have expired, the subject logs in again.
    await store.createFamily({ ...family(9, T0 + 1000), subject: 'd' });
  });

  it('counts a subject again from what is left after records expire', async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0, maxEntriesPerSubject: 3 });
    const state = (i: number, now: number) =>
      store.getRefreshTokenState({
        subject: 'm',
        familyId: `fam-${i}`,
        tokenId: `rt-${i}`,
        issuedAt: T0,
        now,
      });
    for (let i = 0; i < 3; i++) await store.createFamily({ ...family(i, T0, 1000), subject: 'm' });
    expect(store.sweep(T0 + 1000)).toBe(3);
    for (let i = 3; i < 6; i++) await store.createFamily({ ...family(i, T0 + 1000, 1000), subject: 'm' });
    // Three new families fit without forgetting one another.
    for (let i = 3; i < 6; i++) expect(await state(i, T0 + 1001)).toBe('active');
    // Lazy removal counts too: the family looked up after its expiry frees its place.
    expect(await state(3, T0 + 2000)).toBe('unknown');
    await store.revokeAccessToken({ subject: 'm', tokenId: 'at', expiresAt: T0 + 5000, now: T0 + 1500 });
    expect(await state(4, T0 + 1500)).toBe('active');
    expect(store.size).toBe(3);
  });

  it('refuses a non-finite expiry rather than keep a record forever', async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0 });
    await expect(
      store.createFamily({ ...family(1, T0), expiresAt: Number.POSITIVE_INFINITY }),
    ).rejects.toThrow(RangeError);
    await expect(
      store.revokeAccessToken({ subject: 'u', tokenId: 'a', expiresAt: Number.NaN, now: T0 }),
    ).rejects.toThrow(RangeError);
    expect(store.size).toBe(0);
  });

  it('rejects invalid options with AuthError CONFIG_INVALID, like every configuration error', () => {
    for (const options of [
      { maxEntries: 0 },
      { maxEntries: 1.5 },
      { sweepIntervalMs: -1 },
      { sweepIntervalMs: Number.NaN },
      { maxEntriesPerSubject: 0 },
      { maxEntriesPerSubject: '10' as unknown as number },
    ]) {
      expect(() => new MemoryTokenStore(options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ name: 'AuthError', code: 'CONFIG_INVALID' }),
      );
    }
    expect(() => new MemoryTokenStore({ maxEntries: 0 })).toThrow(AuthError);
  });

  it('warns once when constructed in production', async () => {
    vi.resetModules();
    const { MemoryTokenStore: FreshStore } = await import('../../src/stores/memory.js');
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    vi.stubEnv('NODE_ENV', 'test');
    new FreshStore({ sweepIntervalMs: 0 });
    expect(emitWarning).not.toHaveBeenCalled();
    vi.stubEnv('NODE_ENV', 'production');
    new FreshStore({ sweepIntervalMs: 0 });
    new FreshStore({ sweepIntervalMs: 0 });
    expect(emitWarning).toHaveBeenCalledTimes(1);
    expect(emitWarning.mock.calls[0]?.[1]).toMatchObject({ code: 'TOKENWARD_MEMORY_STORE_IN_PRODUCTION' });
  });
});

describe('MemoryTokenStore sessions', () => {
  it("lists from the subject's own families only, bounded by maxEntriesPerSubject, pruning expired ones", async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0, maxEntriesPerSubject: 3 });
    const create = (subject: string, familyId: string, now: number, ttl: number) =>
      store.createFamily({
        subject,
        familyId,
        tokenId: `${familyId}-rt`,
        expiresAt: now + ttl,
        absoluteExpiresAt: Number.POSITIVE_INFINITY,
        now,
      });
    await create('other', 'x', T0, 10_000);
    await create('u', 'short', T0, 1_000);
    await create('u', 'a', T0 + 1, 10_000);
    await create('u', 'b', T0 + 2, 10_000);
    expect((await store.listSessions({ subject: 'u', now: T0 + 2 })).map((s) => s.id)).toEqual([
      'b',
      'a',
      'short',
    ]);
    // A fourth login at the cap forgets the subject's oldest family: at most 3 are ever listed.
    await create('u', 'c', T0 + 3, 10_000);
    expect((await store.listSessions({ subject: 'u', now: T0 + 3 })).map((s) => s.id)).toEqual([
      'c',
      'b',
      'a',
    ]);
    expect(store.size).toBe(4);
    // Past a family's expiry, listing removes it from the store, not only from the answer.
    await create('u', 'brief', T0 + 4, 10);
    expect(store.size).toBe(4);
    expect((await store.listSessions({ subject: 'u', now: T0 + 20 })).map((s) => s.id)).toEqual(['c', 'b']);
    expect(store.size).toBe(3);
    expect((await store.listSessions({ subject: 'other', now: T0 + 20 })).map((s) => s.id)).toEqual(['x']);
  });
});
