import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPasswordOrDummy } from '../../src/password/index.js';
import { expectAuthError, TEST_COST } from './helpers.js';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

describe('verifyPasswordOrDummy', () => {
  it('verifies against the stored hash when there is one', async () => {
    const hash = await hashPassword('s3cret', { cost: TEST_COST });
    expect(await verifyPasswordOrDummy('s3cret', hash, { cost: TEST_COST })).toBe(true);
    expect(await verifyPasswordOrDummy('wrong', hash, { cost: TEST_COST })).toBe(false);
    expect(await verifyPasswordOrDummy(`${'s'.repeat(72)}x`, hash, { cost: TEST_COST })).toBe(false);
  });

  it('resolves false for an unknown user or an unusable hash, whatever the password', async () => {
    for (const stored of [null, undefined, '', 'not a hash', '$2b$']) {
      for (const password of ['s3cret', '', 'a\0b', 'x'.repeat(100), 42]) {
        expect(await verifyPasswordOrDummy(password as string, stored, { cost: TEST_COST })).toBe(false);
      }
    }
  });

  it('shares one dummy hash between concurrent first calls', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => verifyPasswordOrDummy('p', null, { cost: 11 })),
    );
    expect(results).toEqual(Array(8).fill(false));
  });

  it('refuses a cost outside 10..31 with CONFIG_INVALID', async () => {
    await expectAuthError(verifyPasswordOrDummy('p', null, { cost: 9 }), 'CONFIG_INVALID');
    await expectAuthError(verifyPasswordOrDummy('p', null, { cost: 32 }), 'CONFIG_INVALID');
  });

  it('takes about as long for an unknown user as for a wrong password', async () => {
    const hash = await hashPassword('the real one', { cost: TEST_COST });
    const options = { cost: TEST_COST };
    // Warm up: the first dummy call also creates the dummy hash.
    await verifyPasswordOrDummy('guess', null, options);
    await verifyPasswordOrDummy('guess', hash, options);

    const known: number[] = [];
    const unknown: number[] = [];
    const malformed: number[] = [];
    // Interleaved so that any drift of the machine affects every case alike.
    for (let run = 0; run < 7; run += 1) {
      known.push(await time(() => verifyPasswordOrDummy('guess', hash, options)));
      unknown.push(await time(() => verifyPasswordOrDummy('guess', null, options)));
      malformed.push(await time(() => verifyPasswordOrDummy('guess', '', options)));
    }
    const unknownRatio = median(unknown) / median(known);
    const malformedRatio = median(malformed) / median(known);
    console.info(
      `verifyPasswordOrDummy at cost ${TEST_COST}: known ${median(known).toFixed(1)} ms, ` +
        `unknown ${median(unknown).toFixed(1)} ms (ratio ${unknownRatio.toFixed(2)}), ` +
        `malformed ${median(malformed).toFixed(1)} ms (ratio ${malformedRatio.toFixed(2)})`,
    );
    expect(unknownRatio).toBeGreaterThan(0.5);
    expect(unknownRatio).toBeLessThan(2);
    expect(malformedRatio).toBeGreaterThan(0.5);
    expect(malformedRatio).toBeLessThan(2);
  });
});
