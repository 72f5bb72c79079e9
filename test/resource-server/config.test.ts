/**
 * The `issuers` option at start-up: what it refuses with CONFIG_INVALID, and the local key
 * sources (a JWKS object, keys) that need no server.
 */

import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AuthOptions, createAuth, type IssuerOptions } from '../../src/index.js';
import { codeOf, eddsa, nowSeconds, startUpError } from '../support/tokens.js';

const ed = generateKeyPairSync('ed25519');
const jwk = { ...ed.publicKey.export({ format: 'jwk' }), kid: 'ed-1' };
const entry: IssuerOptions = { issuer: 'https://idp.example', jwks: { keys: [jwk] }, audience: 'api' };

describe('issuers: refused at start-up', () => {
  const cases: Record<string, AuthOptions> = {
    'an empty list': { issuers: [] },
    'an entry with neither audience nor clientIds': {
      issuers: [{ issuer: 'https://idp.example', jwks: { keys: [jwk] } }],
    },
    'an entry with no key source': { issuers: [{ issuer: 'https://idp.example', audience: 'api' }] },
    'an entry with two key sources': { issuers: [{ ...entry, discovery: true }] },
    'an entry with keys and a jwks': { issuers: [{ ...entry, keys: ed.publicKey }] },
    'an issuer listed twice': { issuers: [entry, { ...entry }] },
    'an empty issuer': { issuers: [{ ...entry, issuer: '' }] },
    'an empty audience list': { issuers: [{ ...entry, audience: [] }] },
    'a misspelt entry option': { issuers: [{ ...entry, audiences: ['api'] } as IssuerOptions] },
    'the refresh typ accepted': { issuers: [{ ...entry, accessTokenType: 'refresh+jwt' }] },
    'an empty typ list': { issuers: [{ ...entry, accessTokenType: [] }] },
    'alg none': { issuers: [{ ...entry, algorithms: ['none' as 'RS256'] }] },
    'HS256 from a JWKS': { issuers: [{ ...entry, algorithms: ['HS256'] }] },
    'a JWKS over plain http': { issuers: [{ ...entry, jwks: 'http://idp.example/jwks.json' }] },
    'discovery of a plain-http issuer': {
      issuers: [{ ...entry, jwks: undefined, issuer: 'http://idp.example', discovery: true }],
    },
    'a bad lifetime': { issuers: [{ ...entry, accessTokenTtl: 'long' }] },
    'an empty rolesClaim': { issuers: [{ ...entry, rolesClaim: '' }] },
    'a top-level issuer as well': { issuers: [entry], issuer: 'https://idp.example' },
    'top-level keys as well': { issuers: [entry], keys: ed.privateKey },
    'a top-level audience as well': { issuers: [entry], audience: 'api' },
    checkRevocation: { issuers: [entry], checkRevocation: true },
    'a cacheMaxAge under the cooldown': {
      issuers: [
        {
          ...entry,
          jwks: 'https://idp.example/jwks.json',
          jwksOptions: { cacheMaxAge: 10, cooldownDuration: 100 },
        },
      ],
    },
  };
  for (const [name, options] of Object.entries(cases)) {
    it(name, () => {
      expect(startUpError(options)?.code).toBe('CONFIG_INVALID');
    });
  }
});

describe('issuers with local keys', () => {
  it('verifies with a JWKS object or keys, roles at a dot path', async () => {
    const iat = nowSeconds();
    const claims = {
      iss: 'https://idp.example',
      aud: 'api',
      sub: 'u1',
      iat,
      exp: iat + 60,
      realm: { roles: ['admin'] },
    };
    const fromJwks = createAuth({ issuers: [{ ...entry, rolesClaim: 'realm.roles' }] });
    const token = eddsa({ alg: 'EdDSA', typ: 'at+jwt', kid: 'ed-1' }, claims, ed.privateKey);
    expect(await fromJwks.verifyToken(token)).toMatchObject({ roles: ['admin'] });
    const fromKeys = createAuth({
      issuers: [{ issuer: 'https://idp.example', keys: { key: ed.publicKey, kid: 'ed-1' }, audience: 'api' }],
    });
    expect(await fromKeys.verifyToken(token)).toMatchObject({ sub: 'u1' });
  });

  it('refuses roles that are not a list of strings, and answers no roles when the path is absent', async () => {
    const iat = nowSeconds();
    const base = { iss: 'https://idp.example', aud: 'api', sub: 'u1', iat, exp: iat + 60 };
    const auth = createAuth({ issuers: [{ ...entry, rolesClaim: 'realm.roles' }] });
    const sign = (extra: object) =>
      eddsa({ alg: 'EdDSA', typ: 'at+jwt', kid: 'ed-1' }, { ...base, ...extra }, ed.privateKey);
    expect(await codeOf(auth.verifyToken(sign({ realm: { roles: 'admin' } })))).toBe('CLAIM_INVALID');
    expect(await auth.verifyToken(sign({ roles: ['admin'] }))).toMatchObject({ roles: [] });
  });
});
