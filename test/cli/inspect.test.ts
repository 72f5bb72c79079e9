import { describe, expect, it } from 'vitest';
import { createAuth } from '../../src/create-auth.js';
import { runCli } from './run-cli.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token with any header and claims; inspect never looks at the signature. */
const unsignedToken = (header: object, payload: object) => `${b64(header)}.${b64(payload)}.c2lnbmF0dXJl`;

describe('tokenward inspect', () => {
  const now = Math.floor(Date.now() / 1000);
  const token = unsignedToken(
    { alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' },
    {
      sub: 'u1',
      roles: ['admin'],
      iat: now - 3 * 3600 - 100,
      nbf: now - 3 * 3600 - 100,
      exp: now + 14 * 60 + 30,
    },
  );

  it('marks the output UNVERIFIED on its first line and prints header and claims', async () => {
    const result = await runCli(['inspect', token]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^UNVERIFIED/);
    expect(lines[0]).toContain('NOT been checked');
    expect(result.stdout).toContain('"kid": "k1"');
    expect(result.stdout).toContain('"sub": "u1"');
    expect(result.stdout).toContain('kind: access token (typ at+jwt)');
  });

  it('shows iat, nbf and exp as ISO dates and relative times', async () => {
    const { stdout } = await runCli(['inspect', token]);
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    expect(stdout).toContain(`iat  ${iso(now - 3 * 3600 - 100)}  (3 hours ago)`);
    expect(stdout).toContain(`nbf  ${iso(now - 3 * 3600 - 100)}  (3 hours ago)`);
    expect(stdout).toContain(`exp  ${iso(now + 14 * 60 + 30)}  (in 14 minutes)`);
    expect(stdout).toContain('status: not expired, expires in 14 minutes');
    expect(stdout).toContain('lifetime (exp - iat): 3 hours 16 minutes');
  });

  it('says when a token has expired', async () => {
    const expired = unsignedToken(
      { alg: 'HS256' },
      { sub: 'u1', iat: now - 2 * 86_400, exp: now - 86_400 - 60 },
    );
    const { code, stdout } = await runCli(['inspect', expired]);
    expect(code).toBe(0);
    expect(stdout).toContain('status: expired 1 day ago');
    expect(stdout).toContain('kind: no typ header');
  });

  it('decodes a real tokenward refresh token and names its kind', async () => {
    const auth = createAuth({ keys: 'x'.repeat(32) });
    const { refreshToken } = await auth.issueTokens({ sub: 'u1' });
    const { code, stdout } = await runCli(['inspect', refreshToken]);
    expect(code).toBe(0);
    expect(stdout).toContain('kind: tokenward refresh token (typ refresh+jwt)');
    expect(stdout).toContain('"fam"');
  });

  it('flags times that are not NumericDates and tokens without exp', async () => {
    const odd = unsignedToken({ alg: 'HS256' }, { sub: 'u1', iat: 'yesterday' });
    const { code, stdout } = await runCli(['inspect', odd]);
    expect(code).toBe(0);
    expect(stdout).toContain('iat  "yesterday"  (not a valid NumericDate)');
    expect(stdout).toContain('no exp claim');
  });

  it('reads the token from standard input with "-" and ignores a Bearer prefix', async () => {
    const result = await runCli(['inspect', '-'], { input: `Bearer ${token}\n` });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^UNVERIFIED/);
    expect(result.stdout).toContain('"sub": "u1"');
  });

  it.each([
    ['not three parts', 'abc.def'],
    ['a header that is not JSON', `${Buffer.from('nope').toString('base64url')}.${b64({ sub: 'u1' })}.sig`],
    ['a payload that is an array', `${b64({ alg: 'HS256' })}.${b64([1, 2])}.sig`],
    ['characters outside base64url', `${b64({ alg: 'HS256' })}.${b64({ sub: 'u1' })}.s+g=`],
  ])('exits 1 with TOKEN_MALFORMED for %s, printing nothing on standard output', async (_name, bad) => {
    const result = await runCli(['inspect', bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^TOKEN_MALFORMED: /);
    expect(result.stderr).not.toContain(bad);
  });

  it('exits 1 with TOKEN_MISSING for an empty token and 2 without any', async () => {
    expect(await runCli(['inspect', ''])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^TOKEN_MISSING/),
    });
    const none = await runCli(['inspect']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give the token');
    const two = await runCli(['inspect', token, token]);
    expect(two.code).toBe(2);
  });

  it('escapes every character outside printable ASCII that comes from the token', async () => {
    // ESC sequences (title, clear screen), C1 CSI, DEL, C0, bidi override and isolate, non-ASCII, a lone surrogate.
    const hostile =
      '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u007f\u0001\u202eevil\u202c\u2066x\u2069\u00e9\ud800';
    const odd = unsignedToken(
      { alg: 'HS256', typ: hostile, kid: hostile },
      { sub: hostile, [hostile]: 1, iat: hostile, exp: now + 60 },
    );
    const result = await runCli(['inspect', odd]);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/^[\x20-\x7e\n]*$/);
    for (const escaped of [
      '\\u001b',
      '\\u0007',
      '\\u009b',
      '\\u007f',
      '\\u0001',
      '\\u202e',
      '\\u2066',
      '\\u00e9',
      '\\ud800',
    ]) {
      expect(result.stdout).toContain(escaped);
    }
    // The header and claims stay JSON that parses back to the token's values.
    const claims = result.stdout.split('\nclaims:\n')[1]!.split('\n\ntimes:')[0]!;
    expect(JSON.parse(claims)).toMatchObject({ sub: hostile, [hostile]: 1 });
  });
});
