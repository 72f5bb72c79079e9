import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createAuth, isAuthError } from '../../src/index.js';
import { b64, codeOf, ed25519, eddsa, hs256, SECRET } from '../support/tokens.js';

const NOW = 1_800_000_000;
const clock = () => NOW * 1000;
const auth = createAuth({ keys: SECRET, issuer: 'https://issuer.test', audience: 'api', clock });
const header = { alg: 'HS256', typ: 'at+jwt' };
const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: 'https://issuer.test',
  aud: 'api',
  sub: 'u1',
  iat: NOW,
  exp: NOW + 60,
  jti: 'j1',
  ...overrides,
});

describe('verifyToken accepts', () => {
  it('a token it issued, and a hand-made token with the right key, header and claims', async () => {
    const issued = await auth.createAccessToken({ sub: 'u1', roles: ['admin'] });
    expect(await auth.verifyToken(issued)).toMatchObject({
      sub: 'u1',
      roles: ['admin'],
      iss: 'https://issuer.test',
      aud: 'api',
    });
    expect(await auth.verifyToken(hs256(header, claims()))).toMatchObject({ sub: 'u1', jti: 'j1' });
  });

  it('an audience array that includes the audience, and typ written as a full media type', async () => {
    await expect(auth.verifyToken(hs256(header, claims({ aud: ['other', 'api'] })))).resolves.toEqual(
      claims({ aud: ['other', 'api'] }),
    );
    await expect(
      auth.verifyToken(hs256({ ...header, typ: 'application/AT+JWT' }, claims())),
    ).resolves.toEqual(claims());
  });
});

describe('verifyToken refuses, with the right code', () => {
  it('TOKEN_MISSING when there is no token', async () => {
    for (const value of [undefined, null, ''])
      expect(await codeOf(auth.verifyToken(value))).toBe('TOKEN_MISSING');
  });

  it('TOKEN_MALFORMED for anything that is not a compact JWS of JSON objects', async () => {
    const good = hs256(header, claims());
    const [h, p, s] = good.split('.');
    const cases: unknown[] = [
      'abc',
      'a.b',
      `${good}.x`,
      `${h}.${p}`,
      `${h}!.${p}.${s}`,
      `${b64('not json')}.${p}.${s}`,
      `${b64([1, 2])}.${p}.${s}`,
      `${h}.${b64('null')}.${s}`,
      `${h}.${b64('"string"')}.${s}`,
      `.${p}.${s}`,
      `${h}.${p}.${s}=`,
      42,
      { token: good },
      ['a', 'b'],
    ];
    for (const value of cases)
      expect(await codeOf(auth.verifyToken(value as string)), String(value)).toBe('TOKEN_MALFORMED');
  });

  it('TOKEN_MALFORMED for a token over the size limit, before anything is decoded', async () => {
    const big = hs256(header, claims({ padding: 'x'.repeat(9000) }));
    expect(await codeOf(auth.verifyToken(big))).toBe('TOKEN_MALFORMED');
    // Not even a JWS: proves the size is checked first.
    expect(await codeOf(auth.verifyToken('.'.repeat(9000)))).toBe('TOKEN_MALFORMED');
  });

  it('TOKEN_INVALID for alg none in every casing, with or without a signature', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const unsigned = `${b64({ alg, typ: 'at+jwt' })}.${b64(claims())}.`;
      expect(await codeOf(auth.verifyToken(unsigned)), alg).toBe('TOKEN_INVALID');
      const withSignature = hs256({ alg, typ: 'at+jwt' }, claims());
      expect(await codeOf(auth.verifyToken(withSignature)), alg).toBe('TOKEN_INVALID');
    }
  });

  it('TOKEN_INVALID for a tampered payload, a stripped or truncated signature', async () => {
    const token = await auth.createAccessToken({ sub: 'u1', roles: ['user'] });
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${b64({ ...payload, roles: ['admin'] })}.${s}`;
    expect(await codeOf(auth.verifyToken(tampered))).toBe('TOKEN_INVALID');
    expect(await codeOf(auth.verifyToken(`${h}.${p}.`))).toBe('TOKEN_INVALID');
    // A truncated signature is malformed when its new last character has spare bits set, else invalid.
    for (const cut of [s.slice(0, -1), s.slice(0, -4), s.slice(0, 20), s.slice(0, 1)]) {
      expect(['TOKEN_INVALID', 'TOKEN_MALFORMED']).toContain(
        await codeOf(auth.verifyToken(`${h}.${p}.${cut}`)),
      );
    }
    expect(await codeOf(auth.verifyToken(`${h}.${p}.${s.slice(0, 40)}`.replace(/.$/, 'A')))).toBe(
      'TOKEN_INVALID',
    );
  });

  it('TOKEN_INVALID for a wrong key, an unknown or odd kid', async () => {
    expect(
      await codeOf(auth.verifyToken(hs256(header, claims(), 'another-secret-that-is-32-bytes-long!!'))),
    ).toBe('TOKEN_INVALID');
    for (const kid of [
      'unknown',
      '__proto__',
      'constructor',
      'toString',
      '../../etc/passwd',
      'x'.repeat(300),
      '',
    ]) {
      expect(await codeOf(auth.verifyToken(hs256({ ...header, kid }, claims()))), kid).toBe('TOKEN_INVALID');
    }
    for (const kid of [123, null, { a: 1 }, ['k']]) {
      expect(await codeOf(auth.verifyToken(hs256({ ...header, kid }, claims()))), String(kid)).toBe(
        'TOKEN_INVALID',
      );
    }
  });

  it('TOKEN_INVALID for headers that would choose the key or change processing: jwk, jku, x5u, x5c, crit, b64', async () => {
    const attacker = ed25519();
    const jwk = attacker.publicKey.export({ format: 'jwk' });
    const edAuth = createAuth({
      keys: ed25519().privateKey,
      issuer: 'https://issuer.test',
      audience: 'api',
      clock,
    });
    expect(
      await codeOf(
        edAuth.verifyToken(eddsa({ alg: 'EdDSA', typ: 'at+jwt', jwk }, claims(), attacker.privateKey)),
      ),
    ).toBe('TOKEN_INVALID');
    for (const extra of [
      { jku: 'https://evil.test/jwks.json' },
      { x5u: 'https://evil.test/cert.pem' },
      { x5c: ['MIIB'] },
      { crit: ['exp'] },
      { b64: false, crit: ['b64'] },
    ]) {
      expect(
        await codeOf(auth.verifyToken(hs256({ ...header, ...extra }, claims()))),
        JSON.stringify(extra),
      ).toBe('TOKEN_INVALID');
    }
  });

  it('TOKEN_INVALID for HS256 signed with the public key of an asymmetric configuration (PEM and JWK)', async () => {
    for (const type of ['ed25519', 'rsa', 'ec'] as const) {
      const pair =
        type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : type === 'ec'
            ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
            : generateKeyPairSync('ed25519');
      const asym = createAuth({
        keys: pair.privateKey,
        issuer: 'https://issuer.test',
        audience: 'api',
        clock,
      });
      const pem = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string;
      const jwkText = JSON.stringify(asym.jwks().keys[0]);
      for (const secret of [pem, jwkText]) {
        const forged = hs256({ ...header, kid: asym.jwks().keys[0]?.kid }, claims(), secret);
        expect(await codeOf(asym.verifyToken(forged)), type).toBe('TOKEN_INVALID');
      }
    }
  });

  it('TOKEN_INVALID for an ES256 token with an all-zero signature (CVE-2022-21449)', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const es = createAuth({ keys: pair.privateKey, issuer: 'https://issuer.test', audience: 'api', clock });
    const input = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: es.jwks().keys[0]?.kid })}.${b64(claims())}`;
    expect(await codeOf(es.verifyToken(`${input}.${Buffer.alloc(64).toString('base64url')}`))).toBe(
      'TOKEN_INVALID',
    );
    expect(await codeOf(es.verifyToken(`${input}.${Buffer.alloc(72).toString('base64url')}`))).toBe(
      'TOKEN_INVALID',
    );
  });

  it('checks the signature before the claims: an expired token with a bad signature is TOKEN_INVALID', async () => {
    const expiredForged = hs256(
      header,
      claims({ exp: NOW - 3600, iat: NOW - 3660 }),
      'another-secret-that-is-32-bytes-long!!',
    );
    expect(await codeOf(auth.verifyToken(expiredForged))).toBe('TOKEN_INVALID');
  });

  it('TOKEN_EXPIRED at and past exp + tolerance (5 s), not before', async () => {
    await expect(auth.verifyToken(hs256(header, claims({ iat: NOW - 60, exp: NOW - 4 })))).resolves.toEqual(
      claims({ iat: NOW - 60, exp: NOW - 4 }),
    );
    expect(await codeOf(auth.verifyToken(hs256(header, claims({ iat: NOW - 60, exp: NOW - 5 }))))).toBe(
      'TOKEN_EXPIRED',
    );
    expect(await codeOf(auth.verifyToken(hs256(header, claims({ iat: NOW - 600, exp: NOW - 300 }))))).toBe(
      'TOKEN_EXPIRED',
    );
  });

  it('TOKEN_NOT_YET_VALID past nbf - tolerance or iat in the future, not at the boundary', async () => {
    await expect(auth.verifyToken(hs256(header, claims({ nbf: NOW + 5 })))).resolves.toEqual(
      claims({ nbf: NOW + 5 }),
    );
    expect(await codeOf(auth.verifyToken(hs256(header, claims({ nbf: NOW + 6 }))))).toBe(
      'TOKEN_NOT_YET_VALID',
    );
    await expect(auth.verifyToken(hs256(header, claims({ iat: NOW + 5, exp: NOW + 65 })))).resolves.toEqual(
      claims({ iat: NOW + 5, exp: NOW + 65 }),
    );
    expect(await codeOf(auth.verifyToken(hs256(header, claims({ iat: NOW + 6, exp: NOW + 66 }))))).toBe(
      'TOKEN_NOT_YET_VALID',
    );
  });

  it('CLAIM_INVALID for a wrong iss or aud, a missing or mistyped registered claim, a too long lifetime', async () => {
    const cases: Record<string, unknown>[] = [
      { iss: 'https://evil.test' },
      { iss: undefined },
      { aud: 'other' },
      { aud: ['other'] },
      { aud: undefined },
      { sub: undefined },
      { sub: '' },
      { sub: 42 },
      { jti: undefined },
      { iat: undefined },
      { iat: '1800000000' },
      { exp: undefined },
      { exp: 'never' },
      { nbf: 'soon' },
      { roles: 'admin' },
      { roles: [1, 2] },
      { exp: NOW + 16 * 60 },
    ];
    for (const overrides of cases) {
      const payload = JSON.parse(JSON.stringify(claims(overrides)));
      expect(await codeOf(auth.verifyToken(hs256(header, payload))), JSON.stringify(overrides)).toBe(
        'CLAIM_INVALID',
      );
    }
  });

  it('TOKEN_TYPE_MISMATCH for a refresh token used as an access token, the reverse, or another typ', async () => {
    const pair = await auth.issueTokens({ sub: 'u1' });
    expect(await codeOf(auth.verifyToken(pair.refreshToken))).toBe('TOKEN_TYPE_MISMATCH');
    expect(await codeOf(auth.verifyToken(pair.accessToken, { type: 'refresh' }))).toBe('TOKEN_TYPE_MISMATCH');
    expect(await codeOf(auth.refresh(pair.accessToken))).toBe('TOKEN_TYPE_MISMATCH');
    for (const typ of ['JWT', 'jwt', undefined, 'refresh+jwt', 42]) {
      expect(await codeOf(auth.verifyToken(hs256({ alg: 'HS256', typ }, claims()))), String(typ)).toBe(
        'TOKEN_TYPE_MISMATCH',
      );
    }
  });

  it('never puts the token in an error message', async () => {
    const token = hs256(header, claims({ exp: NOW - 100, iat: NOW - 200 }));
    try {
      await auth.verifyToken(token);
      expect.unreachable();
    } catch (error) {
      expect(isAuthError(error)).toBe(true);
      for (const part of token.split('.')) expect(String((error as Error).message)).not.toContain(part);
    }
  });
});

describe('one spelling per token', () => {
  it('refuses a signature whose last character carries non-zero spare bits (TOKEN_MALFORMED)', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const token = hs256(header, claims());
    await expect(auth.verifyToken(token)).resolves.toEqual(claims());
    const last = alphabet.indexOf(token.at(-1)!);
    // A 32-byte HMAC is 43 characters (258 bits): the last one carries 2 spare bits.
    for (let spare = 1; spare < 4; spare++) {
      const respelled = token.slice(0, -1) + alphabet[(last & ~0b11) | spare];
      expect(await codeOf(auth.verifyToken(respelled)), respelled.at(-1)).toBe('TOKEN_MALFORMED');
    }
  });
});

describe('without a clock option', () => {
  it('follows fake timers set after createAuth, as tests of expiry use them', async () => {
    const real = createAuth({ keys: SECRET, issuer: 'https://issuer.test', audience: 'api' });
    const token = await real.createAccessToken({ sub: 'u1' });
    vi.useFakeTimers({ now: Date.now() });
    try {
      expect(await real.verifyToken(token)).toMatchObject({ sub: 'u1' });
      vi.setSystemTime(Date.now() + 16 * 60 * 1000);
      expect(await codeOf(real.verifyToken(token))).toBe('TOKEN_EXPIRED');
    } finally {
      vi.useRealTimers();
    }
  });
});
