import { describe, expect, it } from 'vitest';
import {
  type AuthEvent,
  type AuthOptions,
  createAuth,
  MemoryTokenStore,
  type TokenStore,
} from '../../src/index.js';
import { type Nonsense, NonsenseStore, unreachableStore } from '../support/broken-stores.js';
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
    // No grace window: the replay comes at once (the default window is covered below).
    const auth = createAuth({ ...base, refreshReuseGrace: 0, onEvent: (e) => void events.push(e) });
    const first = await auth.issueTokens({ sub: 'u1' });
    const second = await auth.refresh(first.refreshToken);
    expect(await codeOf(auth.refresh(first.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
    expect(await codeOf(auth.refresh(second.refreshToken))).toBe('TOKEN_REVOKED');
    expect(await codeOf(auth.verifyToken(second.refreshToken, { type: 'refresh' }))).toBe('TOKEN_REVOKED');
    expect(events.map((e) => e.type)).toEqual([
      'session-created',
      'login',
      'refresh',
      'session-refreshed',
      'reuse-detected',
      'session-revoked',
    ]);
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

  it('with the grace window off (refreshReuseGrace: 0) an immediate retry is a reuse', async () => {
    const auth = createAuth({ ...base, refreshReuseGrace: 0 });
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
    // The revocation, then the session it ended.
    expect(events.at(-2)).toMatchObject({ type: 'revoke', subject: 'u1', reason: 'refresh-token' });
    expect(events.at(-1)).toMatchObject({ type: 'session-revoked', subject: 'u1', reason: 'logout' });
    // Revoking twice is harmless.
    await expect(auth.revoke(second.refreshToken)).resolves.toBeUndefined();
  });

  it('revoking an access token denies its jti where revocation checks are on', async () => {
    const auth = createAuth(base);
    const pair = await auth.issueTokens({ sub: 'u1' });
    const other = await auth.issueTokens({ sub: 'u1' });
    await auth.revoke(pair.accessToken);
    // This instance does not check revocations, so its revoke records no denial (nobody would read it).
    await expect(auth.verifyToken(pair.accessToken, { checkRevocation: true })).resolves.toEqual(
      payloadOf(pair.accessToken),
    );
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
    const auth = createAuth({ ...base, checkRevocation: true, onEvent: (e) => void events.push(e) });
    const pair = await auth.issueTokens({ sub: 'u1' });
    const next = await auth.refresh(pair.refreshToken);
    await auth.revoke(next.accessToken);
    await auth.revokeSubject('u1');
    expect(events.map((e) => e.type)).toEqual([
      'session-created',
      'login',
      'refresh',
      'session-refreshed',
      'revoke',
      'revoke-subject',
      'session-revoked',
    ]);
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

describe('loadSubject: fresh roles and claims at refresh', () => {
  type Claims = { tenant: string };
  type Role = 'admin' | 'user';
  interface Row {
    roles: Role[];
    tenant: string;
  }

  function withUsers(rows: Map<string, Row | null>, extra: Partial<AuthOptions<Claims, Role>> = {}) {
    const events: AuthEvent[] = [];
    const lookups: string[] = [];
    const auth = createAuth<Claims, Role>({
      ...base,
      onEvent: (e) => void events.push(e),
      async loadSubject(sub) {
        lookups.push(sub);
        const row = rows.get(sub);
        return row ? { roles: row.roles, claims: { tenant: row.tenant } } : null;
      },
      ...extra,
    });
    return { auth, events, lookups };
  }

  it('issues the new pair with what it returns: a demoted admin loses admin at the next refresh', async () => {
    const rows = new Map<string, Row | null>([['u1', { roles: ['admin'], tenant: 't1' }]]);
    const { auth, lookups } = withUsers(rows);
    const login = await auth.issueTokens({ sub: 'u1', roles: ['admin'], tenant: 't1' });
    rows.set('u1', { roles: ['user'], tenant: 't2' });
    const next = await auth.refresh(login.refreshToken);
    expect(lookups).toEqual(['u1']);
    const access = await auth.verifyToken(next.accessToken);
    expect(access).toMatchObject({ sub: 'u1', roles: ['user'], tenant: 't2' });
    expect(auth.hasRole(access, 'admin')).toBe(false);
    expect(await auth.verifyToken(next.refreshToken, { type: 'refresh' })).toMatchObject({
      sub: 'u1',
      roles: ['user'],
      tenant: 't2',
    });
    // The claims are replaced, not merged: a role list that is gone is gone.
    rows.set('u1', { roles: [], tenant: 't2' });
    const third = await auth.refresh(next.refreshToken);
    expect((await auth.verifyToken(third.accessToken)).roles).toEqual([]);
  });

  it('null ends the session: TOKEN_REVOKED, the family revoked, with an event', async () => {
    const rows = new Map<string, Row | null>([['u1', { roles: ['admin'], tenant: 't1' }]]);
    const { auth, events } = withUsers(rows);
    const login = await auth.issueTokens({ sub: 'u1', roles: ['admin'], tenant: 't1' });
    const second = await auth.refresh(login.refreshToken);
    rows.set('u1', null);
    expect(await codeOf(auth.refresh(second.refreshToken))).toBe('TOKEN_REVOKED');
    expect(events.at(-2)).toMatchObject({
      type: 'revoke',
      subject: 'u1',
      familyId: payloadOf(login.refreshToken).fam,
      reason: 'subject-gone',
    });
    expect(events.at(-1)).toMatchObject({
      type: 'session-revoked',
      familyId: payloadOf(login.refreshToken).fam,
      reason: 'subject-gone',
    });
    // The family is revoked in the store, not just this answer: restoring the user does not revive it.
    rows.set('u1', { roles: ['user'], tenant: 't1' });
    expect(await codeOf(auth.verifyToken(second.refreshToken, { type: 'refresh' }))).toBe('TOKEN_REVOKED');
    expect(await codeOf(auth.refresh(second.refreshToken))).toBe('TOKEN_REVOKED');
  });

  it('a lookup that throws fails closed with STORE_UNAVAILABLE and consumes nothing', async () => {
    let down = true;
    const auth = createAuth<Claims, Role>({
      ...base,
      refreshReuseGrace: 0,
      async loadSubject() {
        if (down) throw new Error('users table unreachable');
        return { roles: ['user'], claims: { tenant: 't1' } };
      },
    });
    const login = await auth.issueTokens({ sub: 'u1', tenant: 't1' });
    const failure = await auth.refresh(login.refreshToken).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    expect((failure as Error).cause).toMatchObject({ message: 'users table unreachable' });
    down = false;
    // Without a grace window a consumed token would be reuse: it was never consumed.
    expect(await auth.verifyToken((await auth.refresh(login.refreshToken)).accessToken)).toMatchObject({
      sub: 'u1',
      roles: ['user'],
    });
  });

  it('an answer outside { roles?, claims? } | null is STORE_UNAVAILABLE, never an issued token', async () => {
    const answers: unknown[] = [
      undefined,
      'u1',
      [],
      { role: 'admin' },
      { roles: 'admin' },
      { claims: 'x' },
      { claims: { sub: 'someone-else' } },
      { claims: { roles: ['admin'] } },
      { claims: { exp: 1 } },
      { claims: { fam: 'x' } },
    ];
    for (const answer of answers) {
      const auth = createAuth({ ...base, loadSubject: async () => answer as never });
      const login = await auth.issueTokens({ sub: 'u1' });
      expect(await codeOf(auth.refresh(login.refreshToken)), JSON.stringify(answer)).toBe(
        'STORE_UNAVAILABLE',
      );
    }
  });

  it('is a function or absent', () => {
    expect(() => createAuth({ ...base, loadSubject: 'users' as never })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('stores that answer outside the contract fail closed', () => {
  const nonsense: Nonsense[] = [
    'rotated-without-expiry',
    'rotated-with-nan-expiry',
    'rotated-with-infinite-expiry',
    'unknown-status',
  ];
  for (const kind of nonsense) {
    it(`a rotation answered ${kind} is STORE_UNAVAILABLE, never a refresh token`, async () => {
      const auth = createAuth({ ...base, store: new NonsenseStore(new MemoryTokenStore(), kind) });
      const login = await auth.issueTokens({ sub: 'u1' });
      const failure = await auth.refresh(login.refreshToken).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(String((failure as Error).cause)).toMatch(/rotateRefreshToken answered .*outside the contract/);
    });
  }

  it('a refresh-token state outside the four is STORE_UNAVAILABLE', async () => {
    const auth = createAuth({ ...base, store: new NonsenseStore(new MemoryTokenStore(), 'unknown-state') });
    const login = await auth.issueTokens({ sub: 'u1' });
    expect(await codeOf(auth.verifyToken(login.refreshToken, { type: 'refresh' }))).toBe('STORE_UNAVAILABLE');
  });

  for (const kind of ['revoked-undefined', 'revoked-as-string'] as const) {
    it(`isAccessTokenRevoked answering ${kind} is STORE_UNAVAILABLE, not "not revoked"`, async () => {
      const auth = createAuth({
        ...base,
        checkRevocation: true,
        store: new NonsenseStore(new MemoryTokenStore(), kind),
      });
      const login = await auth.issueTokens({ sub: 'u1' });
      expect(await codeOf(auth.verifyToken(login.accessToken))).toBe('STORE_UNAVAILABLE');
    });
  }
});

/**
 * A store that commits each rotation at once but answers it only after `delayMs`
 * (a slow network on the way back), for its first `lateAnswers` rotations.
 */
class LateAnsweringStore extends MemoryTokenStore {
  constructor(
    private lateAnswers: number,
    private readonly delayMs: number,
  ) {
    super({ sweepIntervalMs: 0 });
  }
  override async rotateRefreshToken(
    input: Parameters<TokenStore['rotateRefreshToken']>[0],
  ): ReturnType<TokenStore['rotateRefreshToken']> {
    const result = await super.rotateRefreshToken(input);
    if (this.lateAnswers > 0) {
      this.lateAnswers--;
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    }
    return result;
  }
}

describe('a rotation the store committed after the timeout', () => {
  function lateAuth(clock: ReturnType<typeof fakeClock>, store: LateAnsweringStore) {
    // Only the timeout is shortened for the test; the grace window is the default.
    return createAuth({ ...base, store, storeTimeoutMs: 50, clock: clock.now });
  }

  it('the retry of the client that got STORE_UNAVAILABLE succeeds (default grace window)', async () => {
    const clock = fakeClock();
    const store = new LateAnsweringStore(1, 200);
    const auth = lateAuth(clock, store);
    const login = await auth.issueTokens({ sub: 'u1', roles: ['user'] });
    expect(await codeOf(auth.refresh(login.refreshToken))).toBe('STORE_UNAVAILABLE');
    // The client kept its token, as docs/errors.md says, and retries after a backoff.
    clock.advance(3000);
    const retry = await auth.refresh(login.refreshToken);
    expect(await auth.verifyToken(retry.accessToken)).toMatchObject({ sub: 'u1', roles: ['user'] });
    const next = await auth.refresh(retry.refreshToken);
    expect(await auth.verifyToken(next.refreshToken, { type: 'refresh' })).toMatchObject({ sub: 'u1' });
  });

  it('a replay after the grace window is still REFRESH_TOKEN_REUSED', async () => {
    const clock = fakeClock();
    const auth = lateAuth(clock, new LateAnsweringStore(1, 200));
    const login = await auth.issueTokens({ sub: 'u1' });
    expect(await codeOf(auth.refresh(login.refreshToken))).toBe('STORE_UNAVAILABLE');
    clock.advance(10_000);
    expect(await codeOf(auth.refresh(login.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
  });

  it('a replay after the successor was used is still REFRESH_TOKEN_REUSED', async () => {
    const clock = fakeClock();
    const auth = lateAuth(clock, new LateAnsweringStore(0, 0));
    const login = await auth.issueTokens({ sub: 'u1' });
    const second = await auth.refresh(login.refreshToken);
    clock.advance(1000);
    const third = await auth.refresh(second.refreshToken);
    clock.advance(1000);
    expect(await codeOf(auth.refresh(login.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
    expect(await codeOf(auth.refresh(third.refreshToken))).toBe('TOKEN_REVOKED');
  });

  it('the defaults: a 10 s grace window and a 1000 ms store timeout', async () => {
    const clock = fakeClock();
    const auth = createAuth({ ...base, clock: clock.now });
    const login = await auth.issueTokens({ sub: 'u1' });
    await auth.refresh(login.refreshToken);
    clock.advance(9999);
    await expect(auth.refresh(login.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
    clock.advance(1);
    expect(await codeOf(auth.refresh(login.refreshToken))).toBe('REFRESH_TOKEN_REUSED');

    const hanging: TokenStore = { ...unreachableStore(), createFamily: () => new Promise<never>(() => {}) };
    const failure = await createAuth({ ...base, store: hanging })
      .issueTokens({ sub: 'u1' })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(String((failure as Error).cause)).toContain('within 1000 ms');
  });
});

describe('revokeSubject, then a login at once', () => {
  it('200 times: revokeSubject, issueTokens, verifyToken with checkRevocation, refresh all succeed', async () => {
    const auth = createAuth({ ...base, checkRevocation: true });
    for (let i = 0; i < 200; i++) {
      await auth.revokeSubject('u1');
      const pair = await auth.issueTokens({ sub: 'u1' });
      expect(await auth.verifyToken(pair.accessToken), `run ${i}`).toMatchObject({ sub: 'u1' });
      expect(await auth.refresh(pair.refreshToken), `run ${i}`).toMatchObject({ tokenType: 'Bearer' });
    }
  });

  it('with a clock that never advances, it resolves all the same', async () => {
    const auth = createAuth({ ...base, checkRevocation: true, clock: () => 1_800_000_000_000 });
    const before = await auth.issueTokens({ sub: 'u1' });
    await auth.revokeSubject('u1');
    expect(await codeOf(auth.verifyToken(before.accessToken))).toBe('TOKEN_REVOKED');
  });

  it('lets only AuthError escape, like every other method', async () => {
    const auth = createAuth({
      ...base,
      clock: () => {
        throw new Error('clock broken');
      },
    });
    expect(await codeOf(auth.revokeSubject('u1'))).toEqual(expect.any(String));
  });
});

describe('one account cannot fill the memory store', () => {
  it('with checkRevocation off, revoking an access token records nothing', async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0 });
    const auth = createAuth({ ...base, store });
    let pair = await auth.issueTokens({ sub: 'mallory' });
    for (let i = 0; i < 200; i++) {
      pair = await auth.refresh(pair.refreshToken);
      await auth.revoke(pair.accessToken);
    }
    expect(store.size).toBe(1);
  });

  it('refresh then log out with the new access token, repeated: bounded, and other users are unaffected', async () => {
    const maxEntriesPerSubject = 50;
    const store = new MemoryTokenStore({ sweepIntervalMs: 0, maxEntries: 500, maxEntriesPerSubject });
    const auth = createAuth({ ...base, store, checkRevocation: true });
    const alice = await auth.issueTokens({ sub: 'alice' });
    let pair = await auth.issueTokens({ sub: 'mallory' });
    let relogins = 0;
    // Ten times what the whole store holds.
    for (let i = 0; i < 5000; i++) {
      const next = await auth.refresh(pair.refreshToken).catch(async (error: unknown) => {
        // At the cap the denials became a revocation of the whole account: log in again.
        expect(error).toMatchObject({ code: 'TOKEN_REVOKED' });
        relogins++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        return auth.issueTokens({ sub: 'mallory' });
      });
      await auth.revoke(next.accessToken);
      pair = next;
      expect(store.size).toBeLessThanOrEqual(maxEntriesPerSubject + 2);
    }
    expect(relogins).toBeGreaterThan(0);
    // Every other user's login works, and so does an admin's revokeSubject.
    const bob = await auth.issueTokens({ sub: 'bob' });
    expect(await auth.verifyToken(bob.accessToken)).toMatchObject({ sub: 'bob' });
    expect(await auth.verifyToken(alice.accessToken)).toMatchObject({ sub: 'alice' });
    await auth.revokeSubject('mallory');
    expect(await codeOf(auth.verifyToken(pair.accessToken))).toBe('TOKEN_REVOKED');
    await expect(auth.refresh(alice.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('logins of one account end its oldest sessions at the cap, not other users', async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0, maxEntries: 100, maxEntriesPerSubject: 10 });
    const auth = createAuth({ ...base, store });
    const alice = await auth.issueTokens({ sub: 'alice' });
    const first = await auth.issueTokens({ sub: 'mallory' });
    for (let i = 0; i < 1000; i++) await auth.issueTokens({ sub: 'mallory' });
    expect(store.size).toBe(11);
    expect(await codeOf(auth.refresh(first.refreshToken))).toBe('TOKEN_REVOKED');
    await expect(auth.refresh(alice.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
    await expect(auth.issueTokens({ sub: 'bob' })).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('revokeSubject works in a full store', async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0, maxEntries: 20 });
    const auth = createAuth({ ...base, store, checkRevocation: true });
    const victim = await auth.issueTokens({ sub: 'victim' });
    for (let i = 0; store.size < 20; i++) await auth.issueTokens({ sub: `user-${i}` });
    expect(await codeOf(auth.issueTokens({ sub: 'late' }))).toBe('STORE_UNAVAILABLE');
    await auth.revokeSubject('victim');
    expect(await codeOf(auth.verifyToken(victim.accessToken))).toBe('TOKEN_REVOKED');
    expect(await codeOf(auth.refresh(victim.refreshToken))).toBe('TOKEN_REVOKED');
  });
});
