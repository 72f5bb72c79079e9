import { beforeEach, describe, expect, it, vi } from 'vitest';

// Count the hashings without changing them.
vi.mock('@node-rs/bcrypt', async (importOriginal) => {
  const original = await importOriginal<typeof import('@node-rs/bcrypt')>();
  return { ...original, hash: vi.fn(original.hash) };
});

const bcrypt = await import('@node-rs/bcrypt');
const { verifyPasswordOrDummy } = await import('../../src/password/index.js');
const hashSpy = vi.mocked(bcrypt.hash);

describe('the dummy hash of verifyPasswordOrDummy', () => {
  beforeEach(() => {
    hashSpy.mockClear();
  });

  it('is not created while users exist', async () => {
    const real = await bcrypt.hash('pw', 10);
    hashSpy.mockClear();
    expect(await verifyPasswordOrDummy('pw', real, { cost: 10 })).toBe(true);
    expect(hashSpy).not.toHaveBeenCalled();
  });

  it('is created once per cost, at that cost, on first need', async () => {
    await Promise.all([
      verifyPasswordOrDummy('a', null, { cost: 10 }),
      verifyPasswordOrDummy('b', undefined, { cost: 10 }),
    ]);
    await verifyPasswordOrDummy('c', null, { cost: 10 });
    expect(hashSpy).toHaveBeenCalledTimes(1);
    expect(hashSpy.mock.calls[0]?.[1]).toBe(10);

    await verifyPasswordOrDummy('d', null, { cost: 11 });
    expect(hashSpy).toHaveBeenCalledTimes(2);
    expect(hashSpy.mock.calls[1]?.[1]).toBe(11);
  });

  it('is retried after a failed creation, and the login still resolves false', async () => {
    hashSpy.mockRejectedValueOnce(new Error('thread pool gone'));
    expect(await verifyPasswordOrDummy('a', null, { cost: 12 })).toBe(false);
    expect(await verifyPasswordOrDummy('a', null, { cost: 12 })).toBe(false);
    expect(hashSpy).toHaveBeenCalledTimes(2);
  });
});
