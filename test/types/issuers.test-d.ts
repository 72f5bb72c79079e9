import { describe, expectTypeOf, it } from 'vitest';
import { type AuthOptions, createAuth, type IssuerOptions } from '../../src/index.js';

describe('the issuers option', () => {
  it('takes each key source, audiences as a list, a typ list with null', () => {
    const issuers: IssuerOptions[] = [
      {
        issuer: 'https://a.example/',
        jwks: 'https://a.example/.well-known/jwks.json',
        audience: ['api', 'other'],
      },
      { issuer: 'https://b.example', discovery: true, clientIds: ['app'], accessTokenType: ['JWT', null] },
      {
        issuer: 'https://c.example',
        keys: { kty: 'OKP', crv: 'Ed25519', x: 'x' },
        audience: 'api',
        accessTokenTtl: '1h',
      },
    ];
    expectTypeOf(createAuth({ issuers }).verifyToken).toBeFunction();
    expectTypeOf<AuthOptions['issuers']>().toEqualTypeOf<readonly IssuerOptions[] | undefined>();
  });

  it('refuses options that do not exist, and a typ that is not a string or null', () => {
    // @ts-expect-error: `audiences` is not an option
    const misspelt: IssuerOptions = { issuer: 'https://a.example', discovery: true, audiences: ['api'] };
    const wrongTyp: IssuerOptions = {
      issuer: 'https://a.example',
      discovery: true,
      audience: 'api',
      // @ts-expect-error: a typ is a string, or null
      accessTokenType: 1,
    };
    expectTypeOf(misspelt).toEqualTypeOf<IssuerOptions>();
    expectTypeOf(wrongTyp).toEqualTypeOf<IssuerOptions>();
  });
});
