/**
 * The algorithm table (src/keys/algorithms.ts) is the only place an algorithm is
 * described: for every row, a key made from the row alone signs, verifies, is
 * checked by the fast path and published (or not) in the JWKS as the row says,
 * and jose agrees both ways. A row the code does not support fails here, so adding
 * an algorithm is one row plus its test vectors.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { compactVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { createAuth, type JwsAlgorithm } from '../../src/index.js';
import {
  ALGORITHM_NAMES,
  ALGORITHMS,
  type AlgorithmSpec,
  JWKS_ALGORITHMS,
} from '../../src/keys/algorithms.js';
import { importKey } from '../../src/keys/import-key.js';
import { fastVerifier } from '../../src/tokens/fast-verify.js';
import { checkStateless } from '../../src/tokens/verify-token.js';
import { joseVerifyStateless } from '../support/jose-oracle.js';

const base = { issuer: 'https://issuer.test', audience: 'api' };

/** A signing key of the kind a row describes, made from the row's fields alone. */
function keyFor(spec: AlgorithmSpec): KeyObject | Buffer {
  switch (spec.keyType) {
    case 'secret':
      return randomBytes(spec.minSecretBytes ?? 32);
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey;
    case 'ec':
      return generateKeyPairSync('ec', { namedCurve: spec.curve!.node }).privateKey;
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: spec.minModulusBits ?? 2048 }).privateKey;
  }
}

const headerOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));

describe.each(ALGORITHM_NAMES.map((alg) => [alg, ALGORITHMS[alg]] as const))(
  'the %s row',
  (alg: JwsAlgorithm, spec: AlgorithmSpec) => {
    const key = keyFor(spec);
    const symmetric = spec.keyType === 'secret';
    const entry = symmetric ? { key, alg, kid: 'k1' } : { key, kid: 'k1' };
    const options = { ...base, keys: entry };
    const auth = createAuth(options);
    const prepared = importKey(entry);

    it('imports its key with this algorithm, and the fast path covers it', () => {
      expect(prepared.alg).toBe(alg);
      expect(prepared.symmetric).toBe(symmetric);
      expect(fastVerifier(prepared.verifyKey, alg)).toBeDefined();
      if (!symmetric) {
        expect(prepared.publicJwk).toMatchObject({ kty: spec.kty, alg, use: 'sig' });
        if (spec.curve !== undefined) expect(prepared.publicJwk?.crv).toBe(spec.curve.jwk);
      }
    });

    it('signs tokens jose verifies, with the signature length of the row', async () => {
      const token = await auth.createAccessToken({ sub: 'u1', roles: ['admin'] });
      expect(headerOf(token)).toEqual({ alg, typ: 'at+jwt', kid: 'k1' });
      const { payload } = await compactVerify(token, prepared.verifyKey, { algorithms: [alg] });
      expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toMatchObject({
        sub: 'u1',
        roles: ['admin'],
      });
      if (spec.signatureLength !== undefined) {
        expect(Buffer.from(token.split('.')[2]!, 'base64url')).toHaveLength(spec.signatureLength);
      }
      expect(await auth.verifyToken(token)).toMatchObject({ sub: 'u1', roles: ['admin'], iss: base.issuer });
    });

    it('verifies tokens jose signs, as the jose oracle does', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: 'u2', iss: base.issuer, aud: base.audience, iat: now, exp: now + 60, jti: 'j1' };
      const signKey = symmetric ? prepared.verifyKey : (key as KeyObject);
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'at+jwt', kid: 'k1' })
        .sign(signKey);
      const config = resolveConfig(options);
      expect(await checkStateless(config, token, 'access')).toEqual(claims);
      expect(await joseVerifyStateless(config, token, 'access')).toEqual(claims);
      expect(await auth.verifyToken(token)).toEqual(claims);
    });

    it(`is ${spec.jwks ? '' : 'not '}published in and accepted from a JWKS`, async () => {
      expect(JWKS_ALGORITHMS.includes(alg)).toBe(spec.jwks);
      expect(auth.jwks().keys).toHaveLength(spec.jwks ? 1 : 0);
      if (!spec.jwks) {
        expect(() => createAuth({ ...base, jwks: { keys: [] }, algorithms: [alg] })).toThrowError(
          expect.objectContaining({ code: 'CONFIG_INVALID' }),
        );
        return;
      }
      const verifier = createAuth({ ...base, jwks: auth.jwks() });
      const token = await auth.createAccessToken({ sub: 'u3' });
      expect(await verifier.verifyToken(token)).toMatchObject({ sub: 'u3' });
    });
  },
);

describe('JWKS eligibility comes from the table', () => {
  it('keeps the keys of JWKS rows and skips other kty and crv values', async () => {
    const issuer = createAuth({
      ...base,
      keys: { key: generateKeyPairSync('ed25519').privateKey, kid: 'ed' },
    });
    const others = [
      { ...generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }), kid: 'x25519' },
      {
        ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }),
        kid: 'p384',
      },
      { kty: 'oct', k: randomBytes(32).toString('base64url'), kid: 'secret' },
    ];
    const verifier = createAuth({ ...base, jwks: { keys: [...others, ...issuer.jwks().keys] } });
    const token = await issuer.createAccessToken({ sub: 'u1' });
    expect(await verifier.verifyToken(token)).toMatchObject({ sub: 'u1' });
    expect(() => createAuth({ ...base, jwks: { keys: others } })).toThrowError(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
