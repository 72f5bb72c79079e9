import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAuth } from '../../src/index.js';
import { codeOf, hs256, SECRET } from '../support/tokens.js';

describe('custom claims checked by a Standard Schema', () => {
  it('zod: valid claims pass (typed), invalid ones are CLAIM_INVALID at creation and at verification', async () => {
    const auth = createAuth({ keys: SECRET, claimsSchema: z.object({ tenant: z.string().min(1) }) });
    const token = await auth.createAccessToken({ sub: 'u1', tenant: 't1' });
    const claims = await auth.verifyToken(token);
    expect(claims.tenant).toBe('t1');
    expect(await codeOf(auth.createAccessToken({ sub: 'u1', tenant: '' }))).toBe('CLAIM_INVALID');
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
    expect(await codeOf(auth.createAccessToken({ sub: 'u1', plan: 'gold' as 'pro' }))).toBe('CLAIM_INVALID');
  });

  it('refresh keeps the custom claims through rotation', async () => {
    const auth = createAuth({ keys: SECRET, claimsSchema: z.object({ tenant: z.string() }) });
    const pair = await auth.issueTokens({ sub: 'u1', tenant: 't9' });
    const next = await auth.refresh(pair.refreshToken);
    expect((await auth.verifyToken(next.accessToken)).tenant).toBe('t9');
  });
});
