import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AuthEvent,
  type AuthOptions,
  createAuth,
  MemoryTokenStore,
  type TokenStore,
} from '../../src/index.js';
import { codeOf, hs256, SECRET } from '../support/tokens.js';

/** A store written for tokenward 0.1: every method but listSessions, delegated to a memory store. */
function storeFor01(): TokenStore {
  const inner = new MemoryTokenStore({ sweepIntervalMs: 0 });
  return {
    createFamily: (f) => inner.createFamily(f),
    rotateRefreshToken: (i) => inner.rotateRefreshToken(i),
    getRefreshTokenState: (t) => inner.getRefreshTokenState(t),
    revokeFamily: (f) => inner.revokeFamily(f),
    revokeAccessToken: (t) => inner.revokeAccessToken(t),
    isAccessTokenRevoked: (t) => inner.isAccessTokenRevoked(t),
    revokeSubject: (i) => inner.revokeSubject(i),
  };
}

/** Counts every store call by method name. */
function counting(inner: TokenStore): { store: TokenStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { store, calls };
}

function setup(options: Partial<AuthOptions> = {}) {
  let now = Date.UTC(2026, 0, 1);
  const events: AuthEvent[] = [];
  const auth = createAuth({
    keys: SECRET,
    checkRevocation: true,
    store: new MemoryTokenStore({ sweepIntervalMs: 0 }),
    clock: () => now,
    onEvent: (event) => {
      events.push(event);
    },
    ...options,
  });
  return {
    auth,
    events,
    advance(ms: number) {
      now += ms;
    },
    now: () => now,
  };
}

function payload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
}

describe('sessions', () => {
  it('puts the session id on access tokens from a login and from a refresh', async () => {
    const { auth, advance } = setup();
    const login = await auth.issueTokens({ sub: 'u1' });
    const claims = await auth.verifyToken(login.accessToken);
    const refreshClaims = await auth.verifyToken(login.refreshToken, { type: 'refresh' });
    expect(claims.sid).toBe(refreshClaims.fam);
    advance(1000);
    const next = await auth.refresh(login.refreshToken);
    expect((await auth.verifyToken(next.accessToken)).sid).toBe(claims.sid);
    // The refresh token itself carries no sid: its family is `fam`.
    expect(payload(next.refreshToken).sid).toBeUndefined();
    // A bare access token belongs to no session.
    expect(payload(await auth.createAccessToken({ sub: 'u1' })).sid).toBeUndefined();
  });

  it('refuses sid as a custom claim', async () => {
    const { auth } = setup();
    expect(await codeOf(auth.issueTokens({ sub: 'u1', sid: 'x' } as never))).toBe('CLAIM_INVALID');
  });

  it('lists live sessions newest first with their times and labels', async () => {
    const { auth, advance, now } = setup({ refreshFamilyTtl: '30d' });
    const first = await auth.issueTokens({ sub: 'u1' }, { session: { label: 'Firefox on Linux' } });
    const createdFirst = now();
    advance(1000);
    const second = await auth.issueTokens({ sub: 'u1' });
    const createdSecond = now();
    await auth.issueTokens({ sub: 'someone-else' }, { session: { label: 'Other' } });
    advance(5000);
    await auth.refresh(first.refreshToken);
    const sessions = await auth.listSessions('u1');
    const firstId = (await auth.verifyToken(first.accessToken)).sid;
    const secondId = (await auth.verifyToken(second.accessToken)).sid;
    expect(sessions.map((s) => s.id)).toEqual([secondId, firstId]);
    expect(sessions[1]).toEqual({
      id: firstId,
      createdAt: createdFirst,
      lastUsedAt: now(),
      expiresAt: now() + 7 * 24 * 3600 * 1000,
      absoluteExpiresAt: createdFirst + 30 * 24 * 3600 * 1000,
      label: 'Firefox on Linux',
    });
    expect(sessions[0]).toEqual({
      id: secondId,
      createdAt: createdSecond,
      lastUsedAt: createdSecond,
      expiresAt: createdSecond + 7 * 24 * 3600 * 1000,
      absoluteExpiresAt: createdSecond + 30 * 24 * 3600 * 1000,
    });
  });

  it('answers null for an unbounded absolute end, and leaves out expired sessions', async () => {
    const { auth, advance } = setup({ refreshTokenTtl: '1h' });
    await auth.issueTokens({ sub: 'u1' });
    expect((await auth.listSessions('u1'))[0]?.absoluteExpiresAt).toBeNull();
    advance(3600 * 1000);
    expect(await auth.listSessions('u1')).toEqual([]);
  });

  it('ends one session: its refresh token and its access tokens fail at once', async () => {
    const { auth, events } = setup();
    const phone = await auth.issueTokens({ sub: 'u1' }, { session: { label: 'Phone' } });
    const laptop = await auth.issueTokens({ sub: 'u1' }, { session: { label: 'Laptop' } });
    const phoneId = (await auth.verifyToken(phone.accessToken)).sid as string;
    events.length = 0;
    await auth.revokeSession('u1', phoneId);
    expect(await codeOf(auth.verifyToken(phone.accessToken))).toBe('TOKEN_REVOKED');
    expect(await codeOf(auth.refresh(phone.refreshToken))).toBe('TOKEN_REVOKED');
    // The other device is untouched.
    await auth.verifyToken(laptop.accessToken);
    expect((await auth.listSessions('u1')).map((s) => s.label)).toEqual(['Laptop']);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'session-revoked',
        subject: 'u1',
        familyId: phoneId,
        reason: 'revokeSession',
      }),
    );
    // Without revocation checks the access token is not looked up (and lives to its expiry).
    expect((await auth.verifyToken(phone.accessToken, { checkRevocation: false })).sub).toBe('u1');
  });

  it("changes nothing for another subject's session id, and answers alike", async () => {
    const { auth } = setup();
    const victim = await auth.issueTokens({ sub: 'victim' });
    const victimId = (await auth.verifyToken(victim.accessToken)).sid as string;
    await expect(auth.revokeSession('attacker', victimId)).resolves.toBeUndefined();
    await expect(auth.revokeSession('attacker', 'never-issued')).resolves.toBeUndefined();
    await auth.verifyToken(victim.accessToken);
    expect(await auth.listSessions('victim')).toHaveLength(1);
    await auth.refresh(victim.refreshToken);
  });

  it('ends every other session and keeps the caller’s', async () => {
    const { auth } = setup();
    const pairs = [];
    for (let i = 0; i < 4; i++) pairs.push(await auth.issueTokens({ sub: 'u1' }));
    const keep = (await auth.verifyToken(pairs[2]!.accessToken)).sid as string;
    expect(await auth.revokeOtherSessions('u1', keep)).toBe(3);
    expect((await auth.listSessions('u1')).map((s) => s.id)).toEqual([keep]);
    for (const [i, pair] of pairs.entries()) {
      if (i === 2) await auth.verifyToken(pair.accessToken);
      else expect(await codeOf(auth.verifyToken(pair.accessToken))).toBe('TOKEN_REVOKED');
    }
  });

  it('ends a session created during revokeOtherSessions, or it was made after the last listing', async () => {
    const { auth } = setup();
    const own = await auth.issueTokens({ sub: 'u1' });
    const keep = (await auth.verifyToken(own.accessToken)).sid as string;
    for (let i = 0; i < 5; i++) await auth.issueTokens({ sub: 'u1' });
    const racing = Array.from({ length: 5 }, () => auth.issueTokens({ sub: 'u1' }));
    await Promise.all([auth.revokeOtherSessions('u1', keep), ...racing]);
    const left = (await auth.listSessions('u1')).map((s) => s.id);
    expect(left).toContain(keep);
    // Every login that finished before the call resolved was either ended or is listed:
    // never a session whose access token works but which is not listed.
    for (const pair of await Promise.all(racing)) {
      const sid = payload(pair.accessToken).sid as string;
      const works = await auth.verifyToken(pair.accessToken).then(
        () => true,
        () => false,
      );
      expect(works).toBe(left.includes(sid));
    }
  });

  it('logout, reuse and subject revocation end sessions, with events', async () => {
    const { auth, events, advance } = setup({ refreshReuseGrace: 0 });
    const a = await auth.issueTokens({ sub: 'u1' });
    const b = await auth.issueTokens({ sub: 'u1' });
    const c = await auth.issueTokens({ sub: 'u1' });
    const [aId, bId] = [payload(a.accessToken).sid, payload(b.accessToken).sid];
    expect(events.filter((e) => e.type === 'session-created')).toHaveLength(3);
    await auth.revoke(a.refreshToken);
    expect(await codeOf(auth.verifyToken(a.accessToken))).toBe('TOKEN_REVOKED');
    advance(1000);
    const b2 = await auth.refresh(b.refreshToken);
    expect(events).toContainEqual(expect.objectContaining({ type: 'session-refreshed', familyId: bId }));
    expect(await codeOf(auth.refresh(b.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
    expect(await codeOf(auth.verifyToken(b2.accessToken))).toBe('TOKEN_REVOKED');
    expect((await auth.listSessions('u1')).map((s) => s.id)).toEqual([payload(c.accessToken).sid]);
    await auth.revokeSubject('u1');
    expect(await auth.listSessions('u1')).toEqual([]);
    const revoked = events.filter((e) => e.type === 'session-revoked');
    expect(revoked.map((e) => [e.familyId, e.reason])).toEqual([
      [aId, 'logout'],
      [bId, 'reuse'],
      [undefined, 'subject-revocation'],
    ]);
    // A login after "log out everywhere" is listed again.
    advance(10);
    await auth.issueTokens({ sub: 'u1' });
    expect(await auth.listSessions('u1')).toHaveLength(1);
  });

  it('checks the session in the one store read the access-token check already makes', async () => {
    const { store, calls } = counting(new MemoryTokenStore({ sweepIntervalMs: 0 }));
    const { auth } = setup({ store });
    const pair = await auth.issueTokens({ sub: 'u1' });
    calls.clear();
    await auth.verifyToken(pair.accessToken);
    expect([...calls]).toEqual([['isAccessTokenRevoked', 1]]);
    calls.clear();
    await auth.listSessions('u1');
    expect([...calls]).toEqual([['listSessions', 1]]);
  });

  it('does not look up the sid of a token from another issuer', async () => {
    const store = new MemoryTokenStore({ sweepIntervalMs: 0 });
    const issuer = createAuth({ keys: SECRET, issuer: 'https://sso.example', store });
    const pair = await issuer.issueTokens({ sub: 'u1' });
    await issuer.revokeSession('u1', payload(pair.accessToken).sid as string);
    // Same key and store, another issuer: its sid is not this instance's session.
    const other = createAuth({ keys: SECRET, issuer: 'https://api.example', store, checkRevocation: true });
    expect(await codeOf(other.verifyToken(pair.accessToken))).toBe('CLAIM_INVALID');
  });

  it("does not look up a sid tokenward did not issue (an OpenID Provider's session id)", async () => {
    const { auth, now } = setup();
    const iat = Math.floor(now() / 1000);
    // Keycloak's shape: its own session id in `sid`, a random (v4) jti.
    const foreign = hs256(
      { alg: 'HS256', typ: 'at+jwt' },
      {
        iss: 'tokenward',
        aud: 'tokenward',
        sub: 'u1',
        iat,
        exp: iat + 60,
        jti: randomUUID(),
        sid: 'a-keycloak-session',
      },
    );
    expect((await auth.verifyToken(foreign)).sid).toBe('a-keycloak-session');
  });

  it('checks the label: bounded, no control characters, never a token', async () => {
    const { auth } = setup();
    for (const label of ['', 'x'.repeat(101), 'a\nb', 'x\u202ey', 42, `eyJhbGciOiJIUzI1NiJ9.${'e30'}.sig`]) {
      expect(
        await codeOf(auth.issueTokens({ sub: 'u1' }, { session: { label } as never })),
        String(label),
      ).toBe('CLAIM_INVALID');
    }
    await auth.issueTokens({ sub: 'u1' }, { session: { label: `  ${'é'.repeat(100)}  ` } });
    expect((await auth.listSessions('u1'))[0]?.label).toBe('é'.repeat(100));
    expect(await auth.listSessions('u1')).toHaveLength(1);
  });

  it('a 0.1 store keeps working for everything but sessions, which fail CONFIG_INVALID naming listSessions', async () => {
    const { auth } = setup({ store: storeFor01() });
    const pair = await auth.issueTokens({ sub: 'u1' }, { session: { label: 'Phone' } });
    await auth.verifyToken(pair.accessToken);
    const next = await auth.refresh(pair.refreshToken);
    await auth.revoke(next.refreshToken);
    await auth.revokeSubject('u1');
    for (const call of [
      () => auth.listSessions('u1'),
      () => auth.revokeSession('u1', 'x'),
      () => auth.revokeOtherSessions('u1', 'x'),
    ]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('listSessions'),
      });
    }
  });

  it('fails closed when the store answers a listing outside the contract', async () => {
    const inner = new MemoryTokenStore({ sweepIntervalMs: 0 });
    const store: TokenStore = Object.assign(Object.create(inner) as TokenStore, {
      listSessions: async () => [
        { id: 'x', createdAt: 1, lastUsedAt: 1, expiresAt: Number.NaN, absoluteExpiresAt: 1 },
      ],
    });
    const { auth } = setup({ store });
    expect(await codeOf(auth.listSessions('u1'))).toBe('STORE_UNAVAILABLE');
  });
});
