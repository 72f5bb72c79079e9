import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthOptions, createAuth } from '../../src/index.js';
import { codeOf, SECRET } from '../support/tokens.js';

const base = { issuer: 'https://issuer.test', audience: 'api' };

function configCode(options: AuthOptions): string {
  try {
    createAuth(options);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'no error';
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
}

describe('createAuth refuses unsafe or incomplete configuration with CONFIG_INVALID', () => {
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const ed = generateKeyPairSync('ed25519').privateKey;
  const cases: Record<string, AuthOptions> = {
    'a short secret': { ...base, keys: 'too-short' },
    'a 31-byte secret': { ...base, keys: 'x'.repeat(31) },
    'an empty secret': { ...base, keys: '' },
    'a missing secret (unset env var)': { ...base, keys: undefined },
    'an empty key list': { ...base, keys: [] },
    'alg none': { ...base, keys: { key: SECRET, alg: 'none' as 'HS256' } },
    'an HS384 secret under 48 bytes': { ...base, keys: { key: 'x'.repeat(40), alg: 'HS384' } },
    'an HMAC alg on an Ed25519 key': { ...base, keys: { key: ed, alg: 'HS256' } },
    'ES256 on an Ed25519 key': { ...base, keys: { key: ed, alg: 'ES256' } },
    'a 1024-bit RSA key': { ...base, keys: rsa1024 },
    'a P-384 key': { ...base, keys: p384 },
    'an encryption JWK': {
      ...base,
      keys: { ...(ed.export({ format: 'jwk' }) as object), use: 'enc' } as never,
    },
    'two keys with one kid': {
      ...base,
      keys: [
        { key: SECRET, kid: 'a' },
        { key: `${SECRET}!`, kid: 'a' },
      ],
    },
    'neither keys nor jwks': { ...base },
    'both keys and jwks': { ...base, keys: SECRET, jwks: { keys: [] } },
    'a JWKS over plain http': { ...base, jwks: 'http://example.com/jwks.json' },
    'a JWKS with no usable key': { ...base, jwks: { keys: [{ kty: 'oct', k: 'abc' }] } },
    'a bad duration': { ...base, keys: SECRET, accessTokenTtl: 'soon' as never },
    'a zero lifetime': { ...base, keys: SECRET, refreshTokenTtl: 0 },
    'an empty issuer': { ...base, keys: SECRET, issuer: '' },
    'HS256 accepted from a JWKS': { ...base, jwks: { keys: [] }, algorithms: ['HS256'] },
    'a secret of only whitespace': { ...base, keys: ' '.repeat(40) },
    'algorithms naming none': { ...base, keys: SECRET, algorithms: ['none' as 'HS256'] },
    'algorithms naming NONE, from a JWKS': { ...base, jwks: { keys: [] }, algorithms: ['NONE' as 'ES256'] },
    'algorithms that match no key': { ...base, keys: SECRET, algorithms: ['RS256'] },
    'algorithms without the signing key': {
      ...base,
      keys: [SECRET, { key: ed, kid: 'old-ed' }],
      algorithms: ['EdDSA'],
    },
    'an empty algorithm list': { ...base, keys: SECRET, algorithms: [] },
    'jwksOptions with local keys': { ...base, keys: SECRET, jwksOptions: { timeoutDuration: 100 } },
    'a misspelt option': { ...base, keys: SECRET, checkRevocaton: true } as AuthOptions,
    'an algorithm option that does not exist': { ...base, keys: SECRET, algorithm: 'none' } as AuthOptions,
    'a tiny size limit': { ...base, keys: SECRET, maxTokenSize: 10 },
  };
  for (const [name, options] of Object.entries(cases)) {
    it(name, () => expect(configCode(options)).toBe('CONFIG_INVALID'));
  }

  it('names an unknown option and the known ones', () => {
    expect(() => createAuth({ ...base, keys: SECRET, checkRevocaton: true } as AuthOptions)).toThrow(
      /unknown option "checkRevocaton".*checkRevocation/,
    );
  });

  it('narrows the allowlist to the listed algorithms of the keys', async () => {
    const both = createAuth({ ...base, keys: [SECRET, { key: ed, kid: 'ed' }] });
    const edToken = await createAuth({ ...base, keys: { key: ed, kid: 'ed' } }).createAccessToken({
      sub: 'u1',
    });
    expect((await both.verifyToken(edToken)).sub).toBe('u1');
    const hmacOnly = createAuth({ ...base, keys: [SECRET, { key: ed, kid: 'ed' }], algorithms: ['HS256'] });
    expect(await codeOf(hmacOnly.verifyToken(edToken))).toBe('TOKEN_INVALID');
    const own = await hmacOnly.createAccessToken({ sub: 'u2' });
    expect((await hmacOnly.verifyToken(own)).sub).toBe('u2');
  });

  it('says what to fix, without echoing the secret', () => {
    try {
      createAuth({ ...base, keys: 'my-short-secret' });
    } catch (error) {
      expect((error as Error).message).toMatch(/at least 32 bytes/);
      expect((error as Error).message).not.toContain('my-short-secret');
    }
  });
});

describe('asymmetric keys from JWK, PEM and KeyObject', () => {
  const pairs = {
    EdDSA: generateKeyPairSync('ed25519'),
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
  for (const [alg, pair] of Object.entries(pairs)) {
    const forms = {
      KeyObject: pair.privateKey,
      PEM: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      JWK: pair.privateKey.export({ format: 'jwk' }),
    };
    for (const [form, key] of Object.entries(forms)) {
      it(`${alg} from ${form}: signs with its one algorithm and a thumbprint kid, verifies`, async () => {
        const auth = createAuth({ ...base, keys: key as never });
        const token = await auth.createAccessToken({ sub: 'u1' });
        const header = headerOf(token);
        expect(header).toMatchObject({ alg, typ: 'at+jwt' });
        const [jwk] = auth.jwks().keys;
        expect(header.kid).toBe(jwk?.kid);
        expect(jwk).toMatchObject({ alg, use: 'sig' });
        expect(jwk).not.toHaveProperty('d');
        expect(await auth.verifyToken(token)).toMatchObject({ sub: 'u1' });
      });
    }
  }

  it('keeps an explicit kid and the JWK kid', async () => {
    const jwk = { ...pairs.EdDSA.privateKey.export({ format: 'jwk' }), kid: 'from-jwk' };
    expect(createAuth({ ...base, keys: jwk as never }).jwks().keys[0]?.kid).toBe('from-jwk');
    expect(
      createAuth({ ...base, keys: { key: pairs.ES256.privateKey, kid: 'explicit' } }).jwks().keys[0]?.kid,
    ).toBe('explicit');
  });

  it('publishes no JWKS for an HMAC secret and names the secret without revealing it', async () => {
    const auth = createAuth({ ...base, keys: SECRET });
    expect(auth.jwks()).toEqual({ keys: [] });
    const kid = headerOf(await auth.createAccessToken({ sub: 'u1' })).kid;
    expect(typeof kid).toBe('string');
    expect(SECRET).not.toContain(String(kid));
  });
});

describe('key rotation', () => {
  it('the first private key signs, every listed key verifies: old tokens stay valid', async () => {
    const oldKey = { key: generateKeyPairSync('ed25519').privateKey, kid: 'old' };
    const newKey = { key: generateKeyPairSync('ed25519').privateKey, kid: 'new' };
    const before = createAuth({ ...base, keys: [oldKey] });
    const oldToken = await before.createAccessToken({ sub: 'u1' });
    const after = createAuth({ ...base, keys: [newKey, { ...oldKey, verifyOnly: true }] });
    const newToken = await after.createAccessToken({ sub: 'u1' });
    expect(headerOf(newToken).kid).toBe('new');
    expect(await after.verifyToken(oldToken)).toMatchObject({ sub: 'u1' });
    expect(after.jwks().keys.map((k) => k.kid)).toEqual(['new', 'old']);
    // Once the old key is dropped, its tokens fail.
    const dropped = createAuth({ ...base, keys: [newKey] });
    expect(await codeOf(dropped.verifyToken(oldToken))).toBe('TOKEN_INVALID');
  });

  it('rotates HMAC secrets the same way', async () => {
    const oldAuth = createAuth({ ...base, keys: { key: SECRET, kid: 's1' } });
    const token = await oldAuth.createAccessToken({ sub: 'u1' });
    const rotated = createAuth({
      ...base,
      keys: [
        { key: `${SECRET}-v2`, kid: 's2' },
        { key: SECRET, kid: 's1' },
      ],
    });
    expect(headerOf(await rotated.createAccessToken({ sub: 'u1' })).kid).toBe('s2');
    expect(await rotated.verifyToken(token)).toMatchObject({ sub: 'u1' });
  });
});

describe('verify-only mode', () => {
  const issuerAuth = createAuth({ ...base, keys: generateKeyPairSync('ed25519').privateKey });
  let server: Server;
  let url: string;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(issuerAuth.jwks()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies tokens from a JWKS object and cannot issue', async () => {
    const verifier = createAuth({ ...base, jwks: issuerAuth.jwks() });
    const token = await issuerAuth.createAccessToken({ sub: 'u1', roles: ['admin'] });
    expect(await verifier.verifyToken(token)).toMatchObject({ sub: 'u1', roles: ['admin'] });
    expect(await codeOf(verifier.createAccessToken({ sub: 'u1' }))).toBe('CONFIG_INVALID');
    expect(verifier.settings.canIssue).toBe(false);
    const otherIssuer = createAuth({ ...base, keys: generateKeyPairSync('ed25519').privateKey });
    expect(await codeOf(verifier.verifyToken(await otherIssuer.createAccessToken({ sub: 'u1' })))).toBe(
      'TOKEN_INVALID',
    );
  });

  it('verifies tokens from a remote JWKS, fetched once and cached', async () => {
    const verifier = createAuth({ ...base, jwks: url });
    const before = requests;
    for (let i = 0; i < 3; i++) {
      const token = await issuerAuth.createAccessToken({ sub: `u${i}` });
      expect(await verifier.verifyToken(token)).toMatchObject({ sub: `u${i}` });
    }
    expect(requests - before).toBe(1);
  });

  it('answers JWKS_UNAVAILABLE when the remote JWKS cannot be fetched', async () => {
    const verifier = createAuth({
      ...base,
      jwks: 'http://127.0.0.1:9/jwks.json',
      jwksOptions: { timeoutDuration: 500 },
    });
    expect(await codeOf(verifier.verifyToken(await issuerAuth.createAccessToken({ sub: 'u1' })))).toBe(
      'JWKS_UNAVAILABLE',
    );
  });

  it('accepts the typ values it is told to, for tokens of other issuers', async () => {
    const idp = createAuth({ ...base, keys: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey });
    const token = await idp.createAccessToken({ sub: 'u1' });
    const strict = createAuth({ ...base, jwks: idp.jwks(), accessTokenType: 'JWT' });
    expect(await codeOf(strict.verifyToken(token))).toBe('TOKEN_TYPE_MISMATCH');
    const lenient = createAuth({ ...base, jwks: idp.jwks(), accessTokenType: ['JWT', 'at+jwt'] });
    expect(await lenient.verifyToken(token)).toMatchObject({ sub: 'u1' });
  });
});
