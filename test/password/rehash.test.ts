import { beforeAll, describe, expect, it } from 'vitest';
import { isAuthError } from '../../src/errors.js';
import { hashPassword, needsRehash } from '../../src/password/index.js';
import { TEST_COST, thrown } from './helpers.js';

let cost10: string;

beforeAll(async () => {
  cost10 = await hashPassword('rehash me', { cost: TEST_COST });
});

// Only the header of a hash matters to needsRehash.
const withCost = (hash: string, cost: number) => hash.replace(/^\$2b\$\d\d\$/, `$2b$${cost}$`);

describe('needsRehash', () => {
  it('is true when the cost is below the wanted one (default 12)', () => {
    expect(needsRehash(cost10)).toBe(true);
    expect(needsRehash(withCost(cost10, 11))).toBe(true);
    expect(needsRehash(withCost(cost10, 4))).toBe(true);
    expect(needsRehash(withCost(cost10, 13), { cost: 14 })).toBe(true);
  });

  it('is false at the wanted cost or above', () => {
    expect(needsRehash(cost10, { cost: 10 })).toBe(false);
    expect(needsRehash(withCost(cost10, 12))).toBe(false);
    expect(needsRehash(withCost(cost10, 13))).toBe(false);
    expect(needsRehash(withCost(cost10, 31), { cost: 31 })).toBe(false);
  });

  it('is true for bcrypt versions we do not produce', () => {
    for (const version of ['2a', '2y', '2x']) {
      expect(needsRehash(withCost(cost10, 14).replace('$2b$', `$${version}$`))).toBe(true);
    }
  });

  it('is true for anything that is not a bcrypt hash', () => {
    const values: unknown[] = [
      '',
      '$2b$',
      'plaintext',
      cost10.slice(0, -1),
      withCost(cost10, 32),
      '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG',
      undefined,
      null,
      12,
    ];
    for (const value of values) {
      expect(needsRehash(value as string)).toBe(true);
    }
  });

  it('refuses a wanted cost outside 10..31 with CONFIG_INVALID', () => {
    for (const cost of [9, 32, 11.5, Number.NaN]) {
      const error = thrown(() => needsRehash(cost10, { cost }));
      expect(isAuthError(error) && error.code).toBe('CONFIG_INVALID');
    }
  });
});
