import { describe, expect, it } from 'vitest';
import {
  type AuthEvent,
  type AuthOptions,
  createAuth,
  MemoryTokenStore,
  type TokenStore,
} from '../../src/index.js';
import { codeOf, SECRET } from '../support/tokens.js';

const base = { keys: SECRET, issuer: 'https://issuer.test', audience: 'api' } as const;

function fakeClock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

describe('issueTokens', () => {
  it('returns a Bearer pair with default lifetimes of 15 minutes and 7 days', async () => {
    const auth = createAuth(base);
    const pair = await auth.issueTokens({ sub: 'u1', roles: ['admin'] });
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 7 * 86_400 });
    const access = payloadOf(pair.accessToken);
    const refresh = payloadOf(pair.refreshToken);
    expect(Number(access.exp) - Number(access.iat)).toBe(900);
    expect(Number(refresh.exp) - Number(refresh.iat)).toBe(7 * 86_400);
    expect(refresh.fam).toEqual(expect.any(String));
    expect(access.jti).not.toBe(refresh.jti);
    expect(await auth.verifyToken(pair.refreshToken, { type: 'refresh' })).toMatchObject({
      sub: 'u1',
      fam: refresh.fam,
    });
  });

  it('takes durations as seconds or strings', async () => {
    const auth = createAuth({ ...base, accessTokenTtl: 60, refreshTokenTtl: '2h' });
    const pair = await auth.issueTokens({ sub: 'u1' });
    expect(pair.expiresIn).toBe(60);
    expect(pair.refreshExpiresIn).toBe(7200);
  });

  it('starts a new family at every login', async () => {
    const auth = createAuth(base);
    const a = payloadOf((await auth.issueTokens({ sub: 'u1' })).refreshToken);
    const b = payloadOf((await auth.issueTokens({ sub: 'u1' })).refreshToken);
    expect(a.fam).not.toBe(b.fam);
  });

  it('refuses reserved claims in custom claims and accepts a single role', async () => {
    const auth = createAuth(base);
    for (const name of ['exp', 'iat', 'iss', 'aud', 'jti', 'nbf', 'fam']) {
      expect(await codeOf(auth.createAccessToken({ sub: 'u1', [name]: 1 } as never)), name).toBe(
        'CLAIM_INVALID',
      );
    }
    expect(await codeOf(auth.createAccessToken({ sub: '' }))).toBe('CLAIM_INVALID');
    expect(await codeOf(auth.createAccessToken({ sub: 'u1', roles: 'admin' as never }))).toBe(
      'CLAIM_INVALID',
    );
    expect(payloadOf(await auth.createAccessToken({ sub: 'u1', role: 'admin' })).roles).toEqual(['admin']);
    expect(await codeOf(auth.createAccessToken({ sub: 'u1', big: 10n } as never))).toBe('CLAIM_INVALID');
  });
});

describe('refresh: rotation and reuse detection', () => {
  it('rotates: a new pair in the same family carrying the same claims; the old token is consumed', async () => {
    const auth = createAuth(base);
    const first = await auth.issueTokens({ sub: 'u1', roles: ['admin'], tenant: 't1' });
    const second = await auth.refresh(first.refreshToken);
    expect(payloadOf(second.refreshToken).fam).toBe(payloadOf(first.refreshToken).fam);
    expect(await auth.verifyToken(second.accessToken)).toMatchObject({
      sub: 'u1',
      roles: ['admin'],
      tenant: 't1',
    });
    expect(await codeOf(auth.verifyToken(first.refreshToken, { type: 'refresh' }))).toBe('TOKEN_REVOKED');
    const third = await auth.refresh(second.refreshToken);
    expect(await auth.verifyToken(third.refreshToken, { type: 'refresh' })).toMatchObject({ sub: 'u1' });
  });

  it('a reused token revokes its family: the thief and the victim both lose it', async () => {
    const events: AuthEvent[] = [];
    const auth = createAuth({ ...base, onEvent: (e) => void events.push(e) });
    const first = await auth.issueTokens({ sub: 'u1' });
    const second = await auth.refresh(first.refreshToken);
    expect(await codeOf(auth.refresh(first.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
    expect(await codeOf(auth.refresh(second.refreshToken))).toBe('TOKEN_REVOKED');
    expect(await codeOf(auth.verifyToken(second.refreshToken, { type: 'refresh' }))).toBe('TOKEN_REVOKED');
    expect(events.map((e) => e.type)).toEqual(['login', 'refresh', 'reuse-detected']);
    // Another family of the same subject is untouched.
    const other = await auth.issueTokens({ sub: 'u1' });
    await expect(
      auth.refresh(other.refreshToken).then((next) => auth.verifyToken(next.accessToken)),
    ).resolves.toMatchObject({ sub: payloadOf(other.accessToken).sub, iss: base.issuer, aud: base.audience });
  });

  it('a grace window lets only an immediate retry of the previous token succeed', async () => {
    const clock = fakeClock();
    const auth = createAuth({ ...base, refreshReuseGrace: '10s', clock: clock.now });
    const first = await auth.issueTokens({ sub: 'u1' });
    const second = await auth.refresh(first.refreshToken);
    clock.advance(2000);
    const retry = await auth.refresh(first.refreshToken);
    // The retry replaced the live token: a family never has two.
    expect(await codeOf(auth.verifyToken(second.refreshToken, { type: 'refresh' }))).toBe('TOKEN_REVOKED');
    expect(await auth.verifyToken(retry.refreshToken, { type: 'refresh' })).toMatchObject({ sub: 'u1' });
    clock.advance(11_000);
    expect(await codeOf(auth.refresh(first.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
    expect(await codeOf(auth.refresh(retry.refreshToken))).toBe('TOKEN_REVOKED');
  });

  it('with no grace window (the default) an immediate retry is a reuse', async () => {
    const auth = createAuth(base);
    const first = await auth.issueTokens({ sub: 'u1' });
    await auth.refresh(first.refreshToken);
    expect(await codeOf(auth.refresh(first.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
  });

  it('a family lifetime caps the refresh tokens and ends refreshing', async () => {
    const clock = fakeClock();
    const auth = createAuth({ ...base, refreshTokenTtl: '1h', refreshFamilyTtl: '90m', clock: clock.now });
    const first = await auth.issueTokens({ sub: 'u1' });
    clock.advance(50 * 60_000);
    const second = await auth.refresh(first.refreshToken);
    // The family ends 90 minutes after login, 40 minutes from now.
    expect(second.refreshExpiresIn).toBe(40 * 60);
    clock.advance(39 * 60_000);
    const third = await auth.refresh(second.refreshToken);
    expect(third.refreshExpiresIn).toBe(60);
    clock.advance(61_000);
    expect(await codeOf(auth.refresh(third.refreshToken))).toBe('TOKEN_EXPIRED');
  });

  it('an expired refresh token is TOKEN_EXPIRED', async () => {
    const clock = fakeClock();
    const auth = createAuth({ ...base, refreshTokenTtl: '1h', clock: clock.now });
    const pair = await auth.issueTokens({ sub: 'u1' });
    clock.advance(3600_000 + 6000);
    expect(await codeOf(auth.refresh(pair.refreshToken))).toBe('TOKEN_EXPIRED');
  });

  it('a refresh token of another store (unknown family) is refused', async () => {
    const issuer = createAuth(base);
    const other = createAuth(base);
    const pair = await issuer.issueTokens({ sub: 'u1' });
    expect(await codeOf(other.refresh(pair.refreshToken))).toBe('TOKEN_REVOKED');
  });
});

describe('revoke and revokeSubject', () => {
  it('revoking a refresh token revokes its family (logout)', async () => {
    const events: AuthEvent[] = [];
    const auth = createAuth({ ...base, onEvent: (e) => void events.push(e) });
    const first = await auth.issueTokens({ sub: 'u1' });
    const second = await auth.refresh(first.refreshToken);
    await auth.revoke(second.refreshToken);
    expect(await codeOf(auth.refresh(second.refreshToken))).toBe('TOKEN_REVOKED');
    expect(events.at(-1)).toMatchObject({ type: 'revoke', subject: 'u1', reason: 'refresh-token' });
    // Revoking twice is harmless.
    await expect(auth.revoke(second.refreshToken)).resolves.toBeUndefined();
  });

  it('revoking an access token denies its jti where revocation checks are on', async () => {
    const auth = createAuth(base);
    const pair = await auth.issueTokens({ sub: 'u1' });
    const other = await auth.issueTokens({ sub: 'u1' });
    await auth.revoke(pair.accessToken);
    expect(await codeOf(auth.verifyToken(pair.accessToken, { checkRevocation: true }))).toBe('TOKEN_REVOKED');
    await expect(auth.verifyToken(other.accessToken, { checkRevocation: true })).resolves.toEqual(
      payloadOf(other.accessToken),
    );
    // Without the check (the default), verification costs no store read and still passes.
    await expect(auth.verifyToken(pair.accessToken)).resolves.toEqual(payloadOf(pair.accessToken));
    const checking = createAuth({ ...base, checkRevocation: true, store: new MemoryTokenStore() });
    const checked = await checking.issueTokens({ sub: 'u2' });
    await checking.revoke(checked.accessToken);
    expect(await codeOf(checking.verifyToken(checked.accessToken))).toBe('TOKEN_REVOKED');
  });

  it('revoke accepts an expired token silently and refuses a forged one', async () => {
    const clock = fakeClock();
    const auth = createAuth({ ...base, clock: clock.now });
    const pair = await auth.issueTokens({ sub: 'u1' });
    clock.advance(16 * 60_000);
    await expect(auth.revoke(pair.accessToken)).resolves.toBeUndefined();
    expect(await codeOf(auth.revoke('not-a-token'))).toBe('TOKEN_MALFORMED');
    const forged = createAuth({ ...base, keys: `${SECRET}-other` });
    expect(await codeOf(auth.revoke((await forged.issueTokens({ sub: 'u1' })).refreshToken))).toBe(
      'TOKEN_INVALID',
    );
  });

  it('revokeSubject rejects every earlier token of the subject and none issued after', async () => {
    const auth = createAuth({ ...base, checkRevocation: true });
    const a = await auth.issueTokens({ sub: 'u1' });
    const b = await auth.issueTokens({ sub: 'u1' });
    const bob = await auth.issueTokens({ sub: 'u2' });
    await auth.revokeSubject('u1');
    for (const pair of [a, b]) {
      expect(await codeOf(auth.verifyToken(pair.accessToken))).toBe('TOKEN_REVOKED');
      expect(await codeOf(auth.refresh(pair.refreshToken))).toBe('TOKEN_REVOKED');
    }
    await expect(auth.verifyToken(bob.accessToken)).resolves.toEqual(payloadOf(bob.accessToken));
    // Logging in again right away works: same second, later millisecond.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const again = await auth.issueTokens({ sub: 'u1' });
    await expect(auth.verifyToken(again.accessToken)).resolves.toEqual(payloadOf(again.accessToken));
    await expect(
      auth.refresh(again.refreshToken).then((next) => auth.verifyToken(next.accessToken)),
    ).resolves.toMatchObject({ sub: payloadOf(again.accessToken).sub, iss: base.issuer, aud: base.audience });
  });

  it('revokeSubject covers tokens issued in its own millisecond, and none of the next', async () => {
    const clock = fakeClock();
    const auth = createAuth({ ...base, checkRevocation: true, clock: clock.now });
    const before = await auth.issueTokens({ sub: 'u1' });
    await auth.revokeSubject('u1');
    expect(await codeOf(auth.verifyToken(before.accessToken))).toBe('TOKEN_REVOKED');
    expect(await codeOf(auth.refresh(before.refreshToken))).toBe('TOKEN_REVOKED');
    clock.advance(1);
    const after = await auth.issueTokens({ sub: 'u1' });
    await expect(auth.verifyToken(after.accessToken)).resolves.toEqual(payloadOf(after.accessToken));
    await expect(
      auth.refresh(after.refreshToken).then((next) => auth.verifyToken(next.accessToken)),
    ).resolves.toMatchObject({ sub: payloadOf(after.accessToken).sub, iss: base.issuer, aud: base.audience });
  });

  it('events carry subject and family, never a token', async () => {
    const events: AuthEvent[] = [];
    const auth = createAuth({ ...base, onEvent: (e) => void events.push(e) });
    const pair = await auth.issueTokens({ sub: 'u1' });
    const next = await auth.refresh(pair.refreshToken);
    await auth.revoke(next.accessToken);
    await auth.revokeSubject('u1');
    expect(events.map((e) => e.type)).toEqual(['login', 'refresh', 'revoke', 'revoke-subject']);
    const text = JSON.stringify(events);
    for (const token of [pair.accessToken, pair.refreshToken, next.accessToken, next.refreshToken]) {
      for (const part of token.split('.')) expect(text).not.toContain(part);
    }
  });

  it('a throwing or rejecting event hook never breaks authentication', async () => {
    for (const onEvent of [
      () => {
        throw new Error('audit down');
      },
      () => Promise.reject(new Error('audit down')),
    ]) {
      const auth = createAuth({ ...base, onEvent });
      const pair = await auth.issueTokens({ sub: 'u1' });
      await expect(
        auth.refresh(pair.refreshToken).then((next) => auth.verifyToken(next.accessToken)),
      ).resolves.toMatchObject({
        sub: payloadOf(pair.accessToken).sub,
        iss: base.issuer,
        aud: base.audience,
      });
    }
  });
});

describe('fail closed: a failing store is STORE_UNAVAILABLE, never an accepted token', () => {
  const failing = (how: 'throw' | 'hang'): TokenStore => {
    const act = () =>
      how === 'throw' ? Promise.reject(new Error('connection refused')) : new Promise<never>(() => {});
    return {
      createFamily: act,
      rotateRefreshToken: act,
      getRefreshTokenState: act,
      revokeFamily: act,
      revokeAccessToken: act,
      isAccessTokenRevoked: act,
      revokeSubject: act,
    };
  };

  for (const how of ['throw', 'hang'] as const) {
    it(`when the store ${how}s`, async () => {
      const healthy = createAuth(base);
      const pair = await healthy.issueTokens({ sub: 'u1' });
      const options: AuthOptions = { ...base, store: failing(how), storeTimeoutMs: 50 };
      const auth = createAuth(options);
      expect(await codeOf(auth.issueTokens({ sub: 'u1' }))).toBe('STORE_UNAVAILABLE');
      expect(await codeOf(auth.createRefreshToken({ sub: 'u1' }))).toBe('STORE_UNAVAILABLE');
      expect(await codeOf(auth.refresh(pair.refreshToken))).toBe('STORE_UNAVAILABLE');
      expect(await codeOf(auth.verifyToken(pair.refreshToken, { type: 'refresh' }))).toBe(
        'STORE_UNAVAILABLE',
      );
      expect(await codeOf(auth.verifyToken(pair.accessToken, { checkRevocation: true }))).toBe(
        'STORE_UNAVAILABLE',
      );
      expect(await codeOf(auth.revoke(pair.refreshToken))).toBe('STORE_UNAVAILABLE');
      expect(await codeOf(auth.revokeSubject('u1'))).toBe('STORE_UNAVAILABLE');
      // Access tokens without revocation checks need no store.
      await expect(auth.verifyToken(pair.accessToken)).resolves.toEqual(payloadOf(pair.accessToken));
    });
  }

  it('a store that throws synchronously is handled the same', async () => {
    const store = {
      ...failing('throw'),
      createFamily: () => {
        throw new TypeError('bug in the store');
      },
    } as TokenStore;
    expect(await codeOf(createAuth({ ...base, store }).issueTokens({ sub: 'u1' }))).toBe('STORE_UNAVAILABLE');
  });
});
