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
