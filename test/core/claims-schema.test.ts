import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AuthError, createAuth, isAuthError } from '../../src/index.js';
import { codeOf, hs256, SECRET } from '../support/tokens.js';

describe('custom claims checked by a Standard Schema', () => {
  it('zod: valid claims pass (typed); invalid ones are CONFIG_INVALID at creation, CLAIM_INVALID at verification', async () => {
    const auth = createAuth({ keys: SECRET, claimsSchema: z.object({ tenant: z.string().min(1) }) });
    const token = await auth.createAccessToken({ sub: 'u1', tenant: 't1' });
    const claims = await auth.verifyToken(token);
    expect(claims.tenant).toBe('t1');
    expect(await codeOf(auth.createAccessToken({ sub: 'u1', tenant: '' }))).toBe('CONFIG_INVALID');
    // A token signed by the right key but without the claim (e.g. issued before the schema existed).
    const now = Math.floor(Date.now() / 1000);
    const legacy = hs256(
      { alg: 'HS256', typ: 'at+jwt' },
      { iss: 'tokenward', aud: 'tokenward', sub: 'u1', iat: now, exp: now + 60, jti: 'j' },
    );
    expect(await codeOf(auth.verifyToken(legacy))).toBe('CLAIM_INVALID');
  });

  it('valibot works the same way', async () => {
    const auth = createAuth({ keys: SECRET, claimsSchema: v.object({ plan: v.picklist(['free', 'pro']) }) });
    expect((await auth.verifyToken(await auth.createAccessToken({ sub: 'u1', plan: 'pro' }))).plan).toBe(
      'pro',
    );
    expect(await codeOf(auth.createAccessToken({ sub: 'u1', plan: 'gold' as 'pro' }))).toBe('CONFIG_INVALID');
  });

  it('refresh keeps the custom claims through rotation', async () => {
    const auth = createAuth({ keys: SECRET, claimsSchema: z.object({ tenant: z.string() }) });
    const pair = await auth.issueTokens({ sub: 'u1', tenant: 't9' });
    const next = await auth.refresh(pair.refreshToken);
    expect((await auth.verifyToken(next.accessToken)).tenant).toBe('t9');
  });
});

describe('claims the server is about to issue, refused by its own schema', () => {
  /** The AuthError a promise rejects with. */
  async function errorOf(promise: Promise<unknown>): Promise<AuthError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!isAuthError(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
    return error;
  }

  const auth = createAuth({ keys: SECRET, claimsSchema: z.object({ tenant: z.string().min(3) }) });
  const bad = { sub: 'u1', tenant: 'zq' };
  const issuing = {
    createAccessToken: () => auth.createAccessToken(bad),
    createRefreshToken: () => auth.createRefreshToken(bad),
    issueTokens: () => auth.issueTokens(bad),
  };

  for (const [name, issue] of Object.entries(issuing)) {
    it(`${name}: CONFIG_INVALID (500, the server's bug), naming the path and not the value`, async () => {
      const error = await errorOf(issue());
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.status).toBe(500);
      expect(error.message).toMatch(/claims schema refused the claims to be issued/);
      expect(error.message).toContain('tenant');
      expect(error.message).not.toContain('zq');
    });
  }

  it('refresh: a schema whose output does not pass itself fails the re-issue with CONFIG_INVALID', async () => {
    // The verified claims carry the schema's output (a number here), which the new pair must pass again.
    const counting = createAuth({
      keys: SECRET,
      claimsSchema: z.object({ tenant: z.string().transform((s) => s.length) }),
    });
    const pair = await counting.issueTokens({ sub: 'u1', tenant: 'acme' } as never);
    const error = await errorOf(counting.refresh(pair.refreshToken));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/claims schema refused the claims to be issued/);
  });

  it('a received token the schema refuses is still CLAIM_INVALID (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = hs256(
      { alg: 'HS256', typ: 'at+jwt' },
      { iss: 'tokenward', aud: 'tokenward', sub: 'u1', iat: now, exp: now + 60, jti: 'j', tenant: 'zq' },
    );
    const error = await errorOf(auth.verifyToken(token));
    expect(error.code).toBe('CLAIM_INVALID');
    expect(error.status).toBe(401);
  });
});
