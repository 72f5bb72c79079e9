/**
 * The remote JWKS and discovery caches against real endpoints on 127.0.0.1 that count their
 * requests: Cache-Control within bounds, one refetch per cooldown for an unknown kid, and a
 * failing or hanging endpoint that never yields an accepted token nor a storm of requests.
 * Only `Date` is faked, to move past cache lifetimes without waiting.
 */

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AuthError, createAuth, type IssuerOptions } from '../../src/index.js';
import { codeOf } from '../support/tokens.js';
import { type FakeIdp, rsaKey, startIdp } from './idp.js';

let idp: FakeIdp;

beforeAll(async () => {
  idp = await startIdp('/realms/acme');
});
afterAll(() => idp?.close());

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  idp.jwksMode = 'ok';
  idp.cacheControl = undefined;
  idp.configuration = {};
  idp.keys = [rsaKey()];
  idp.hits.jwks = 0;
  idp.hits.configuration = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

const SECOND = 1000;

function token(kid?: string): string {
  const iat = Math.floor(Date.now() / 1000);
  return idp.sign(
    { typ: 'at+jwt', ...(kid === undefined ? {} : { kid }) },
    { iss: idp.issuer, aud: 'api', sub: 'u1', iat, exp: iat + 300 },
  );
}

function verifier(entry: Partial<IssuerOptions> = {}) {
  return createAuth({ issuers: [{ issuer: idp.issuer, jwks: idp.jwksUri, audience: 'api', ...entry }] });
}

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe('a JWKS endpoint that fails', () => {
  it('answers JWKS_UNAVAILABLE, and fetches once per cooldown however many requests come', async () => {
    idp.jwksMode = 'fail';
    const auth = verifier();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => codeOf(auth.verifyToken(token()))));
    for (let i = 0; i < 20; i++) outcomes.push(await codeOf(auth.verifyToken(token())));
    expect(new Set(outcomes)).toEqual(new Set(['JWKS_UNAVAILABLE']));
    expect(idp.hits.jwks).toBe(1);
    // Clients are told when the next fetch may happen: no sooner than the cooldown.
    expect(await auth.verifyToken(token()).catch((error: AuthError) => error.retryAfter)).toBe(30);
    advance(29 * SECOND);
    expect(await auth.verifyToken(token()).catch((error: AuthError) => error.retryAfter)).toBe(1);
    expect(await codeOf(auth.verifyToken(token()))).toBe('JWKS_UNAVAILABLE');
    expect(idp.hits.jwks).toBe(1);
    advance(2 * SECOND);
    expect(await codeOf(auth.verifyToken(token()))).toBe('JWKS_UNAVAILABLE');
    expect(idp.hits.jwks).toBe(2);
    idp.jwksMode = 'ok';
    advance(31 * SECOND);
    expect(await auth.verifyToken(token())).toMatchObject({ sub: 'u1' });
    expect(idp.hits.jwks).toBe(3);
  });

  it('a JWKS that hangs: the fetch times out, shared by every waiting request', async () => {
    idp.jwksMode = 'hang';
    const auth = verifier({ jwksOptions: { timeoutDuration: 300 } });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => codeOf(auth.verifyToken(token()))));
    expect(new Set(outcomes)).toEqual(new Set(['JWKS_UNAVAILABLE']));
    expect(await codeOf(auth.verifyToken(token()))).toBe('JWKS_UNAVAILABLE');
    expect(idp.hits.jwks).toBe(1);
  });

  it('a JWKS that is not JSON, or holds no usable key, is JWKS_UNAVAILABLE too', async () => {
    idp.jwksMode = 'garbage';
    expect(await codeOf(verifier().verifyToken(token()))).toBe('JWKS_UNAVAILABLE');
    idp.jwksMode = 'empty';
    expect(await codeOf(verifier().verifyToken(token()))).toBe('JWKS_UNAVAILABLE');
  });

  it('keeps the keys it holds through a failed refresh, for one more cacheMaxAge at most', async () => {
    idp.cacheControl = 'public, max-age=60';
    const auth = verifier();
    await auth.verifyToken(token());
    idp.jwksMode = 'fail';
    advance(61 * SECOND);
    expect(await auth.verifyToken(token())).toMatchObject({ sub: 'u1' });
    expect(idp.hits.jwks).toBe(2);
    advance(600 * SECOND);
    expect(await codeOf(auth.verifyToken(token()))).toBe('JWKS_UNAVAILABLE');
    expect(idp.hits.jwks).toBe(3);
  });
});

describe('an unknown kid', () => {
  it('triggers one refetch, which finds a rotated key; another unknown kid waits for the cooldown', async () => {
    const auth = verifier();
    await auth.verifyToken(token());
    advance(31 * SECOND);
    const next = rsaKey();
    idp.keys = [next, ...idp.keys];
    expect(await auth.verifyToken(token())).toMatchObject({ sub: 'u1' });
    expect(idp.hits.jwks).toBe(2);
    const rogue = rsaKey();
    for (let i = 0; i < 10; i++) {
      expect(await codeOf(auth.verifyToken(idp.sign({ typ: 'at+jwt' }, claims(), rogue)))).toBe(
        'TOKEN_INVALID',
      );
    }
    expect(idp.hits.jwks).toBe(2);
    advance(31 * SECOND);
    expect(await codeOf(auth.verifyToken(idp.sign({ typ: 'at+jwt' }, claims(), rogue)))).toBe(
      'TOKEN_INVALID',
    );
    expect(idp.hits.jwks).toBe(3);
  });
});

describe('Cache-Control, within bounds', () => {
  it('honours max-age', async () => {
    idp.cacheControl = 'public, max-age=120';
    const auth = verifier();
    await auth.verifyToken(token());
    advance(119 * SECOND);
    await auth.verifyToken(token());
    expect(idp.hits.jwks).toBe(1);
    advance(2 * SECOND);
    await auth.verifyToken(token());
    expect(idp.hits.jwks).toBe(2);
  });

  it('caps a long max-age at cacheMaxAge, and lifts no-store to the cooldown', async () => {
    idp.cacheControl = 'max-age=31536000';
    const auth = verifier({ jwksOptions: { cacheMaxAge: 300 * SECOND } });
    await auth.verifyToken(token());
    advance(301 * SECOND);
    await auth.verifyToken(token());
    expect(idp.hits.jwks).toBe(2);

    idp.cacheControl = 'no-store';
    idp.hits.jwks = 0;
    const eager = verifier();
    await eager.verifyToken(token());
    advance(10 * SECOND);
    await eager.verifyToken(token());
    expect(idp.hits.jwks).toBe(1);
    advance(21 * SECOND);
    await eager.verifyToken(token());
    expect(idp.hits.jwks).toBe(2);
  });
});

describe('OIDC discovery', () => {
  const discovering = () =>
    createAuth({ issuers: [{ issuer: idp.issuer, discovery: true, audience: 'api' }] });

  it('reads jwks_uri from the configuration, cached like the JWKS', async () => {
    const auth = discovering();
    await auth.verifyToken(token());
    await auth.verifyToken(token());
    expect([idp.hits.configuration, idp.hits.jwks]).toEqual([1, 1]);
  });

  it('finds the configuration of an issuer with a trailing slash (Auth0) without doubling it', async () => {
    const auth0 = await startIdp('/');
    try {
      const auth = createAuth({ issuers: [{ issuer: auth0.issuer, discovery: true, audience: 'api' }] });
      const iat = Math.floor(Date.now() / 1000);
      const signed = auth0.sign(
        { typ: 'at+jwt' },
        { iss: auth0.issuer, aud: 'api', sub: 'u1', iat, exp: iat + 60 },
      );
      expect(await auth.verifyToken(signed)).toMatchObject({ sub: 'u1' });
      expect([auth0.hits.configuration, auth0.hits.jwks]).toEqual([1, 1]);
    } finally {
      await auth0.close();
    }
  });

  it('refuses a configuration that names another issuer, before fetching any key', async () => {
    idp.configuration = { issuer: `${idp.issuer}/` };
    expect(await codeOf(discovering().verifyToken(token()))).toBe('JWKS_UNAVAILABLE');
    expect(idp.hits.jwks).toBe(0);
  });

  it('refuses a jwks_uri that is not https', async () => {
    idp.configuration = { jwks_uri: 'http://keys.example.com/jwks.json' };
    expect(await codeOf(discovering().verifyToken(token()))).toBe('JWKS_UNAVAILABLE');
  });

  it('a configuration endpoint that fails is asked once per cooldown', async () => {
    idp.configuration = { jwks_uri: 5 };
    const auth = discovering();
    for (let i = 0; i < 5; i++) expect(await codeOf(auth.verifyToken(token()))).toBe('JWKS_UNAVAILABLE');
    expect(idp.hits.configuration).toBe(1);
  });
});

function claims(): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return { iss: idp.issuer, aud: 'api', sub: 'u1', iat, exp: iat + 300 };
}
