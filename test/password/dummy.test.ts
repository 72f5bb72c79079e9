import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPasswordOrDummy } from '../../src/password/index.js';
import { expectAuthError, TEST_COST } from './helpers.js';

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
});
