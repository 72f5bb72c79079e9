import { verify as rawVerify } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BCRYPT_COST,
  hashPassword,
  MAX_BCRYPT_COST,
  MAX_PASSWORD_BYTES,
  MIN_BCRYPT_COST,
  needsRehash,
  verifyPassword,
} from '../../src/password/index.js';
import { expectAuthError, TEST_COST } from './helpers.js';

describe('hashPassword', () => {
  it('produces a $2b$ hash of the requested cost that verifies', async () => {
    const hash = await hashPassword('correct horse battery staple', { cost: TEST_COST });
    expect(hash).toMatch(/^\$2b\$10\$[./A-Za-z0-9]{53}$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery staplE', hash)).toBe(false);
    // Interoperable: plain bcrypt checks it too.
    expect(await rawVerify('correct horse battery staple', hash)).toBe(true);
  });

  it('uses cost 12 by default', async () => {
    expect(DEFAULT_BCRYPT_COST).toBe(12);
    const hash = await hashPassword('default cost');
    expect(hash.startsWith('$2b$12$')).toBe(true);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same', { cost: TEST_COST }),
      hashPassword('same', { cost: TEST_COST }),
    ]);
    expect(a).not.toBe(b);
  });

  it('accepts exactly 72 UTF-8 bytes, also in multi-byte characters', async () => {
    const cases = [
      'a'.repeat(72),
      'é'.repeat(36), // 2 bytes each
      '€'.repeat(24), // 3 bytes each
      '😀'.repeat(18), // 4 bytes each (a surrogate pair in UTF-16)
      `${'😀'.repeat(17)}abcd`,
      `${'a'.repeat(70)}é`,
    ];
    for (const password of cases) {
      expect(Buffer.byteLength(password, 'utf8')).toBe(MAX_PASSWORD_BYTES);
      const hash = await hashPassword(password, { cost: TEST_COST });
      expect(await verifyPassword(password, hash)).toBe(true);
    }
  });

  it('refuses 73 UTF-8 bytes, even when that is 72 characters or fewer', async () => {
    const cases = [
      'a'.repeat(73),
      `${'a'.repeat(71)}é`, // 72 characters, 73 bytes
      `${'é'.repeat(36)}a`,
      `${'€'.repeat(24)}a`,
      `${'😀'.repeat(17)}abcde`,
      `${'😀'.repeat(18)}a`,
      'x'.repeat(10_000),
    ];
    for (const password of cases) {
      expect(Buffer.byteLength(password, 'utf8')).toBeGreaterThan(MAX_PASSWORD_BYTES);
      const error = await expectAuthError(hashPassword(password, { cost: TEST_COST }), 'PASSWORD_REJECTED');
      expect(error.status).toBe(400);
      expect(error.message).toContain('72 bytes');
    }
  });

  it('refuses NUL anywhere in the password', async () => {
    for (const password of ['\0', '\0abc', 'ab\0c', 'abc\0']) {
      const error = await expectAuthError(hashPassword(password, { cost: TEST_COST }), 'PASSWORD_REJECTED');
      expect(error.message).toContain('NUL');
    }
  });

  it('refuses unpaired surrogates, which would all encode alike', async () => {
    for (const password of ['\uD800', 'abc\uDC00', '\uDE00\uD83D', 'x\uD83D']) {
      await expectAuthError(hashPassword(password, { cost: TEST_COST }), 'PASSWORD_REJECTED');
    }
  });

  it('refuses empty and non-string passwords', async () => {
    const values: unknown[] = [
      '',
      undefined,
      null,
      42,
      Buffer.from('secret'),
      ['a'],
      { toString: () => 'a' },
    ];
    for (const value of values) {
      await expectAuthError(hashPassword(value as string, { cost: TEST_COST }), 'PASSWORD_REJECTED');
    }
  });

  it('never puts the password in the error message', async () => {
    const marker = 'Zq9xWv7K';
    const secrets = [`${marker}${'s'.repeat(80)}`, `${marker}\0${marker}`, `${marker}\uD800`, `\0${marker}`];
    for (const secret of secrets) {
      const error = await expectAuthError(hashPassword(secret), 'PASSWORD_REJECTED');
      expect(error.message).not.toContain(marker);
      expect(String(error.stack)).not.toContain(marker);
      expect(JSON.stringify(error)).not.toContain(marker);
    }
  });

  it('refuses costs outside 10..31 with CONFIG_INVALID', async () => {
    expect(MIN_BCRYPT_COST).toBe(10);
    expect(MAX_BCRYPT_COST).toBe(31);
    for (const cost of [9, 4, 0, -1, 32, 100, 10.5, Number.NaN, Number.POSITIVE_INFINITY, '12']) {
      const error = await expectAuthError(
        hashPassword('password', { cost: cost as number }),
        'CONFIG_INVALID',
      );
      expect(error.message).toContain('10 to 31');
    }
  });

  it('checks the cost before the password', async () => {
    await expectAuthError(hashPassword('', { cost: 4 }), 'CONFIG_INVALID');
  });
});

describe('hashPassword with insecureTestCost (test fixtures only)', () => {
  const costOf = (hash: string) => Number(hash.split('$')[2]);

  it('hashes below the production minimum when asked by name, and the hash verifies', async () => {
    for (const insecureTestCost of [4, 9]) {
      const hash = await hashPassword('fixture password', { insecureTestCost });
      expect(costOf(hash)).toBe(insecureTestCost);
      expect(await verifyPassword('fixture password', hash)).toBe(true);
      expect(await verifyPassword('another password', hash)).toBe(false);
      expect(needsRehash(hash)).toBe(true);
    }
  });

  it('leaves the production minimum in place for cost', async () => {
    for (const cost of [4, 9]) {
      await expectAuthError(hashPassword('password', { cost }), 'CONFIG_INVALID');
    }
    await expectAuthError(
      hashPassword('password', { cost: 4, insecureTestCost: undefined }),
      'CONFIG_INVALID',
    );
  });

  it('takes only costs below the minimum, never together with cost', async () => {
    for (const insecureTestCost of [3, 10, 12, 4.5, Number.NaN, '4']) {
      const error = await expectAuthError(
        hashPassword('password', { insecureTestCost: insecureTestCost as number }),
        'CONFIG_INVALID',
      );
      expect(error.message).toContain('4 to 9');
    }
    await expectAuthError(hashPassword('password', { cost: 12, insecureTestCost: 4 }), 'CONFIG_INVALID');
  });

  it('is refused in production', async () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const error = await expectAuthError(
        hashPassword('password', { insecureTestCost: 4 }),
        'CONFIG_INVALID',
      );
      expect(error.message).toMatch(/production/);
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
});
