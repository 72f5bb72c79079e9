/**
 * Attacks on a verify-only instance of several issuers, against real JWKS and discovery
 * endpoints on 127.0.0.1 whose every request is counted.
 */

import { createPublicKey } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, createAuth } from '../../src/index.js';
import { b64, codeOf, hs256 } from '../support/tokens.js';
import { type FakeIdp, rsaKey, startIdp } from './idp.js';

let a: FakeIdp;
let b: FakeIdp;
let stranger: FakeIdp;
let auth: Auth;

function accessToken(
  idp: FakeIdp,
  overrides: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
) {
  const iat = Math.floor(Date.now() / 1000);
  return idp.sign(
    { typ: 'at+jwt', ...header },
    {
      iss: idp.issuer,
      aud: 'https://api.example',
      sub: 'u1',
      client_id: 'app',
      iat,
      exp: iat + 600,
      ...overrides,
    },
  );
}

beforeAll(async () => {
  [a, b, stranger] = await Promise.all([startIdp('/a'), startIdp('/b'), startIdp('/stranger')]);
  auth = createAuth({
    issuers: [
      { issuer: a.issuer, jwks: a.jwksUri, audience: 'https://api.example' },
      { issuer: b.issuer, discovery: true, audience: ['https://api.example', 'https://other.example'] },
    ],
  });
  // Both key sets are in the cache before the attacks start.
  await auth.verifyToken(accessToken(a));
  await auth.verifyToken(accessToken(b));
});

afterAll(async () => {
  await Promise.all([a, b, stranger].map((idp) => idp?.close()));
});

let hitsBefore: number[] = [];
const hits = () => [a, b, stranger].flatMap((idp) => [idp.hits.jwks, idp.hits.configuration]);
afterEach(() => {
  hitsBefore = [];
});

describe('tokens that must never pass', () => {
  it('a token of issuer A signed with issuer B’s key, under B’s kid or A’s', async () => {
    const bKey = b.keys[0];
    const aKid = a.keys[0]?.kid;
    if (bKey === undefined || aKid === undefined) throw new Error('no keys');
    hitsBefore = hits();
    expect(await codeOf(auth.verifyToken(a.sign({ typ: 'at+jwt' }, payloadOf(a), bKey)))).toBe(
      'TOKEN_INVALID',
    );
    expect(await codeOf(auth.verifyToken(a.sign({ typ: 'at+jwt', kid: aKid }, payloadOf(a), bKey)))).toBe(
      'TOKEN_INVALID',
    );
    // B's kid is unknown to A: one refetch of A's JWKS at most, within its cooldown.
    expect(a.hits.jwks - (hitsBefore[0] as number)).toBeLessThanOrEqual(1);
  });

  it('a token of an issuer not configured, without fetching anything from it', async () => {
    hitsBefore = hits();
    expect(await codeOf(auth.verifyToken(accessToken(stranger)))).toBe('CLAIM_INVALID');
    expect(hits()).toEqual(hitsBefore);
  });

  it('iss spelled differently: a trailing slash, another case, another scheme', async () => {
    hitsBefore = hits();
    for (const iss of [
      `${a.issuer}/`,
      a.issuer.toUpperCase(),
      a.issuer.replace('http:', 'https:'),
      `${a.issuer} `,
    ]) {
      expect(await codeOf(auth.verifyToken(accessToken(a, { iss })))).toBe('CLAIM_INVALID');
    }
    expect(await codeOf(auth.verifyToken(accessToken(a, { iss: undefined })))).toBe('CLAIM_INVALID');
    expect(await codeOf(auth.verifyToken(accessToken(a, { iss: [a.issuer] })))).toBe('CLAIM_INVALID');
    expect(hits()).toEqual(hitsBefore);
  });

  it('an aud of another API, even one issuer B is trusted for', async () => {
    expect(await codeOf(auth.verifyToken(accessToken(a, { aud: 'https://billing.example' })))).toBe(
      'CLAIM_INVALID',
    );
    expect(await codeOf(auth.verifyToken(accessToken(a, { aud: 'https://other.example' })))).toBe(
      'CLAIM_INVALID',
    );
    expect(await auth.verifyToken(accessToken(b, { aud: ['https://other.example', 'x'] }))).toMatchObject({
      sub: 'u1',
    });
    expect(await codeOf(auth.verifyToken(accessToken(a, { aud: undefined })))).toBe('CLAIM_INVALID');
  });

  it('alg none, and HS256 with the issuer’s public key as the secret', async () => {
    const payload = payloadOf(a);
    const none = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload)}.`;
    expect(await codeOf(auth.verifyToken(none))).toBe('TOKEN_INVALID');
    const publicPem = createPublicKey(a.keys[0]?.privateKey ?? '').export({ type: 'spki', format: 'pem' });
    const kid = a.keys[0]?.kid;
    for (const secret of [
      publicPem as string,
      JSON.stringify(a.keys[0]?.publicKey.export({ format: 'jwk' })),
    ]) {
      expect(
        await codeOf(auth.verifyToken(hs256({ alg: 'HS256', typ: 'at+jwt', kid }, payload, secret))),
      ).toBe('TOKEN_INVALID');
    }
  });

  it('a header that points at its own key (jku, jwk, x5u)', async () => {
    const attacker = rsaKey();
    const jwk = attacker.publicKey.export({ format: 'jwk' });
    for (const header of [{ jku: stranger.jwksUri }, { jwk }, { x5u: `${stranger.origin}/cert.pem` }]) {
      hitsBefore = hits();
      const token = a.sign({ typ: 'at+jwt', kid: attacker.kid, ...header }, payloadOf(a), attacker);
      expect(await codeOf(auth.verifyToken(token))).toBe('TOKEN_INVALID');
      expect(stranger.hits.jwks).toBe(hitsBefore[4]);
    }
  });

  it('a default policy refuses typ JWT and no typ', async () => {
    expect(await codeOf(auth.verifyToken(accessToken(a, {}, { typ: 'JWT' })))).toBe('TOKEN_TYPE_MISMATCH');
    expect(await codeOf(auth.verifyToken(accessToken(a, {}, { typ: undefined })))).toBe(
      'TOKEN_TYPE_MISMATCH',
    );
    expect(await auth.verifyToken(accessToken(a, {}, { typ: 'application/at+jwt' }))).toMatchObject({
      sub: 'u1',
    });
  });
});

function payloadOf(idp: FakeIdp): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return { iss: idp.issuer, aud: 'https://api.example', sub: 'u1', iat, exp: iat + 600 };
}
