import { beforeEach, describe, expect, it, vi } from 'vitest';

// Count the hashings without changing them.
vi.mock('@node-rs/bcrypt', async (importOriginal) => {
  const original = await importOriginal<typeof import('@node-rs/bcrypt')>();
  return { ...original, hash: vi.fn(original.hash), verify: vi.fn(original.verify) };
});

const bcrypt = await import('@node-rs/bcrypt');
const { verifyPasswordOrDummy } = await import('../../src/password/index.js');
const hashSpy = vi.mocked(bcrypt.hash);
const verifySpy = vi.mocked(bcrypt.verify);

/** The cost field of a bcrypt hash (`$2b$10$...`). */
const costOf = (hash: unknown) => Number(String(hash).split('$')[2]);

describe('the dummy hash of verifyPasswordOrDummy', () => {
  beforeEach(() => {
    hashSpy.mockClear();
    verifySpy.mockClear();
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

  // The timing itself is measured by bench/password.bench.mjs; this is why the times match:
  // both paths run one bcrypt verification against a hash of the same cost.
  it('makes an unknown user cost one bcrypt verification at the configured cost, like a real user', async () => {
    for (const cost of [10, 11]) {
      const real = await bcrypt.hash('the real one', cost);
      for (const stored of [real, null, undefined, '', 'not a hash']) {
        verifySpy.mockClear();
        expect(await verifyPasswordOrDummy('guess', stored, { cost })).toBe(false);
        expect(verifySpy, `stored ${String(stored).slice(0, 12)}`).toHaveBeenCalledTimes(1);
        expect(costOf(verifySpy.mock.calls[0]?.[1])).toBe(cost);
      }
    }
  });
});
