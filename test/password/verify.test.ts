import { hash as rawHash, verify as rawVerify } from '@node-rs/bcrypt';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/password/index.js';
import { TEST_COST } from './helpers.js';

// Vectors nobody here wrote: the OpenBSD bcrypt test vector ($2a$) and the
// example of PHP's password_verify documentation ($2y$).
const OPENBSD_2A = { password: 'U*U', hash: '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW' };
const PHP_2Y = {
  password: 'rasmuslerdorf',
  hash: '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a',
};

const P72 = 'k'.repeat(72);
let hash72: string;
let hashCafe: string;

beforeAll(async () => {
  [hash72, hashCafe] = await Promise.all([
    hashPassword(P72, { cost: TEST_COST }),
    hashPassword('café ☕ 😀', { cost: TEST_COST }),
  ]);
});

describe('verifyPassword', () => {
  it('resolves true for the right password and false for a wrong one', async () => {
    expect(await verifyPassword('café ☕ 😀', hashCafe)).toBe(true);
    expect(await verifyPassword('cafe ☕ 😀', hashCafe)).toBe(false);
    expect(await verifyPassword('café ☕ 😀 ', hashCafe)).toBe(false);
    expect(await verifyPassword(P72, hash72)).toBe(true);
  });

  it('never matches two passwords sharing their first 72 bytes', async () => {
    for (const longer of [`${P72}x`, `${P72}\0`, `${P72}é`, `${P72}${'k'.repeat(1000)}`]) {
      expect(await verifyPassword(longer, hash72)).toBe(false);
    }
  });

  it('does not confuse passwords that plain bcrypt truncates mid-character', async () => {
    // é is C3 A9, è is C3 A8: both strings are 73 bytes and share their first 72.
    const a = `${'a'.repeat(71)}é`;
    const b = `${'a'.repeat(71)}è`;
    const foreign = await rawHash(a, 4); // made elsewhere, silently truncated
    expect(await rawVerify(b, foreign)).toBe(true); // the flaw this library closes
    expect(await verifyPassword(b, foreign)).toBe(false);
    expect(await verifyPassword(a, foreign)).toBe(false);
  });

  it('resolves false for NUL, unpaired surrogates, empty and non-string passwords', async () => {
    const withNul = await rawHash('ab\0c', 4); // made elsewhere
    expect(await verifyPassword('ab\0c', withNul)).toBe(false);
    const lone = await rawHash('\uD800', 4); // encodes as U+FFFD
    expect(await verifyPassword('\uDC00', lone)).toBe(false);
    expect(await verifyPassword('\uD800', lone)).toBe(false);
    const empty = await rawHash('', 4);
    expect(await verifyPassword('', empty)).toBe(false);
    for (const value of [undefined, null, 42, Buffer.from('kkk'), {}, Symbol('x')]) {
      expect(await verifyPassword(value as unknown as string, hashCafe)).toBe(false);
    }
  });

  it('resolves false for malformed stored hashes', async () => {
    const malformed: unknown[] = [
      '',
      '$2b$',
      '$2b$10$',
      'not a hash',
      'café ☕ 😀',
      hashCafe.slice(0, -1),
      `${hashCafe}x`,
      ` ${hashCafe}`,
      hashCafe.replace('$2b$10$', '$2b$03$'),
      hashCafe.replace('$2b$10$', '$2b$32$'),
      hashCafe.replace('$2b$10$', '$2b$1$'),
      hashCafe.replace('$2b$', '$2c$'),
      hashCafe.replace('$2b$', '$3b$'),
      `${hashCafe.slice(0, 20)}!${hashCafe.slice(21)}`,
      '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG',
      undefined,
      null,
      42,
      Buffer.from(hashCafe),
      {},
    ];
    for (const hash of malformed) {
      expect(await verifyPassword('café ☕ 😀', hash as string)).toBe(false);
    }
  });

  it('verifies $2a$ and $2y$ hashes made elsewhere', async () => {
    expect(await verifyPassword(OPENBSD_2A.password, OPENBSD_2A.hash)).toBe(true);
    expect(await verifyPassword('U*V', OPENBSD_2A.hash)).toBe(false);
    expect(await verifyPassword(PHP_2Y.password, PHP_2Y.hash)).toBe(true);
    expect(await verifyPassword('rasmuslerdorF', PHP_2Y.hash)).toBe(false);
    // The same digest under the other version markers is the same bcrypt.
    expect(await verifyPassword('café ☕ 😀', hashCafe.replace('$2b$', '$2a$'))).toBe(true);
    expect(await verifyPassword('café ☕ 😀', hashCafe.replace('$2b$', '$2y$'))).toBe(true);
  });

  it('refuses $2x$ (the buggy crypt_blowfish marker) although @node-rs/bcrypt checks it', async () => {
    const x = hashCafe.replace('$2b$', '$2x$');
    expect(await rawVerify('café ☕ 😀', x)).toBe(true);
    expect(await verifyPassword('café ☕ 😀', x)).toBe(false);
  });

  it('never throws, whatever the password and the stored value (property)', async () => {
    const valid = await rawHash('k', 4);
    const unit = fc.oneof(
      { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.constantFrom('\0', '\uD83D', '\uDE00', '$', '2', 'b', '.', '/') },
    );
    const text = fc.string({ unit, maxLength: 120 });
    const mutatedHash = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.string({ unit, minLength: 0, maxLength: 2 }))
      .map(([at, put]) => `${valid.slice(0, at)}${put}${valid.slice(at + 1)}`)
      // A mutation of the cost field (`$2b$04$` to `$2b$24$`) asks for a check that runs for
      // minutes: this property is about throwing, not time, so such costs are left out.
      .filter((hash) => Number(/^\$2[abxy]?\$(\d\d)\$/.exec(hash)?.[1] ?? 0) <= 12);
    const storedHash = fc.oneof(text, mutatedHash, fc.constant(valid), fc.anything());
    const password = fc.oneof(text, fc.constant('k'), fc.anything());
    await fc.assert(
      fc.asyncProperty(password, storedHash, async (pw, hash) => {
        const result = await verifyPassword(pw as string, hash as string);
        expect(typeof result).toBe('boolean');
      }),
      { numRuns: 400 },
    );
  });

  it('rejects any suffix of an accepted password (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), async (suffix) => {
        expect(await verifyPassword(P72 + suffix, hash72)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
