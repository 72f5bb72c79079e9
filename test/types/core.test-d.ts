import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  type AccessTokenClaims,
  AuthError,
  type AuthErrorCode,
  createAuth,
  type Duration,
  InsufficientScopeError,
  isAuthError,
  type JwsAlgorithm,
  type RefreshTokenClaims,
  requireAnyScope,
  requireRole,
  requireScope,
  type Session,
  type TokenPair,
} from '../../src/index.js';

const keys = 'test-secret-that-is-at-least-32-bytes-long';

describe('createAuth generics', () => {
  it('types verified claims with the custom claims and role names', async () => {
    const auth = createAuth<{ tenant: string }, 'admin' | 'user'>({ keys });
    const claims = await auth.verifyToken('t');
    expectTypeOf(claims).toEqualTypeOf<AccessTokenClaims<{ tenant: string }, 'admin' | 'user'>>();
    expectTypeOf(claims.tenant).toEqualTypeOf<string>();
    expectTypeOf(claims.sub).toEqualTypeOf<string>();
    expectTypeOf(claims.roles).toEqualTypeOf<('admin' | 'user')[] | undefined>();
    const refresh = await auth.verifyToken('t', { type: 'refresh' });
    expectTypeOf(refresh).toEqualTypeOf<RefreshTokenClaims<{ tenant: string }, 'admin' | 'user'>>();
    expectTypeOf(refresh.fam).toEqualTypeOf<string>();
    expectTypeOf(
      await auth.issueTokens({ sub: 'u', tenant: 't', roles: ['admin'] }),
    ).toEqualTypeOf<TokenPair>();
  });

  it('requireRole only takes known roles', async () => {
    const auth = createAuth<{ tenant: string }, 'admin' | 'user'>({ keys });
    const claims = await auth.verifyToken('t');
    requireRole(claims, 'admin');
    requireRole(claims, 'admin', 'user');
    auth.requireRole(claims, 'user');
    // @ts-expect-error 'root' is not a role of this app
    requireRole(claims, 'root');
    // @ts-expect-error 'root' is not a role of this app
    auth.requireRole(claims, 'root');
    // @ts-expect-error at least one role
    requireRole(claims);
  });

  it('refuses unknown roles and missing custom claims when issuing', () => {
    const auth = createAuth<{ tenant: string }, 'admin' | 'user'>({ keys });
    // @ts-expect-error 'root' is not a role of this app
    void auth.issueTokens({ sub: 'u', tenant: 't', roles: ['root'] });
    // @ts-expect-error tenant is required
    void auth.issueTokens({ sub: 'u' });
    // @ts-expect-error exp is reserved
    void auth.createAccessToken({ sub: 'u', tenant: 't', exp: 1 });
  });

  it('infers claims from a Standard Schema and roles from the roles list', async () => {
    const auth = createAuth({
      keys,
      claimsSchema: z.object({ plan: z.enum(['free', 'pro']) }),
      roles: ['reader', 'writer'] as const,
    });
    const claims = await auth.verifyToken('t');
    expectTypeOf(claims.plan).toEqualTypeOf<'free' | 'pro'>();
    expectTypeOf(claims.roles).toEqualTypeOf<('reader' | 'writer')[] | undefined>();
    // @ts-expect-error not a known role
    requireRole(claims, 'admin');
  });
});

describe('errors', () => {
  it('AuthError has a typed code, status and bearer error', () => {
    const error: unknown = new AuthError('TOKEN_EXPIRED', 'expired');
    if (isAuthError(error)) {
      expectTypeOf(error.code).toEqualTypeOf<AuthErrorCode>();
      expectTypeOf(error.status).toEqualTypeOf<number>();
    }
    // @ts-expect-error not a code
    new AuthError('NOPE', 'x');
  });
});

describe('durations', () => {
  it('take a plain string, such as a value read from process.env, checked at start-up', () => {
    const fromEnv: string = process.env.ACCESS_TOKEN_TTL ?? '15m';
    createAuth({
      keys,
      accessTokenTtl: fromEnv,
      refreshTokenTtl: process.env.REFRESH_TOKEN_TTL,
      refreshFamilyTtl: fromEnv,
      clockTolerance: fromEnv,
      refreshReuseGrace: fromEnv,
    });
    expectTypeOf<string>().toExtend<Duration>();
    expectTypeOf<number>().toExtend<Duration>();
    // @ts-expect-error a duration is a number or a string
    createAuth({ keys, accessTokenTtl: true });
  });
});

describe('algorithms', () => {
  it('JwsAlgorithm is derived from the algorithm table, without none', () => {
    expectTypeOf<JwsAlgorithm>().toEqualTypeOf<'HS256' | 'HS384' | 'HS512' | 'EdDSA' | 'ES256' | 'RS256'>();
    // @ts-expect-error none is never an algorithm
    createAuth({ keys, algorithms: ['none'] });
  });
});

describe('loadSubject', () => {
  it("is typed with the instance's claims and roles", () => {
    createAuth<{ tenant: string }, 'admin' | 'user'>({
      keys,
      loadSubject: async (sub) => {
        expectTypeOf(sub).toEqualTypeOf<string>();
        return sub === 'gone' ? null : { roles: ['user'], claims: { tenant: 't1' } };
      },
    });
    // A synchronous lookup is accepted too.
    createAuth<{ tenant: string }, 'admin' | 'user'>({ keys, loadSubject: () => null });
    createAuth<{ tenant: string }, 'admin' | 'user'>({
      keys,
      // @ts-expect-error 'root' is not a role of this app
      loadSubject: async () => ({ roles: ['root'], claims: { tenant: 't1' } }),
    });
    createAuth<{ tenant: string }, 'admin' | 'user'>({
      keys,
      // @ts-expect-error tenantID is not tenantId: a claims typo does not compile
      loadSubject: async () => ({ roles: ['user'], claims: { tenantID: 't1' } }),
    });
    createAuth<{ tenant: string }, 'admin' | 'user'>({
      keys,
      // @ts-expect-error tenant is required, so claims are too
      loadSubject: async () => ({ roles: ['user'] }),
    });
    // With no required claims, claims may be left out.
    createAuth({ keys, loadSubject: async () => ({ roles: ['any'] }) });
  });

  it('takes roles from the roles list and claims from a schema without changing their inference', async () => {
    const planOf = (_sub: string): 'free' | 'pro' => 'pro';
    const auth = createAuth({
      keys,
      claimsSchema: z.object({ plan: z.enum(['free', 'pro']) }),
      roles: ['reader', 'writer'] as const,
      // A value as a user store types it: an inline literal would widen to string here, since the
      // claims type is still being inferred from the schema when this function is checked.
      loadSubject: async () => ({ roles: ['reader'], claims: { plan: planOf('u1') } }),
    });
    const claims = await auth.verifyToken('t');
    expectTypeOf(claims.plan).toEqualTypeOf<'free' | 'pro'>();
    expectTypeOf(claims.roles).toEqualTypeOf<('reader' | 'writer')[] | undefined>();
    createAuth({
      keys,
      claimsSchema: z.object({ plan: z.enum(['free', 'pro']) }),
      roles: ['reader', 'writer'] as const,
      // @ts-expect-error 'gold' is not a plan
      loadSubject: async () => ({ roles: ['reader'], claims: { plan: 'gold' } }),
    });
  });
});

describe('scopes', () => {
  it('requireScope and requireAnyScope take verified claims, at least one scope, then options', async () => {
    const auth = createAuth<{ tenant: string }, 'admin' | 'user'>({
      keys,
      scopeClaims: ['scope', 'permissions'],
    });
    const claims = await auth.verifyToken('t');
    expectTypeOf(claims.scope).toEqualTypeOf<string | undefined>();
    requireScope(claims, 'read:notes');
    requireAnyScope(claims, 'read:notes', 'write:notes', { message: 'Read or write' });
    auth.requireScope(claims, 'read:notes', 'write:notes');
    auth.requireAnyScope(claims, 'read:notes');
    expectTypeOf(auth.hasScope(claims, 'read:notes')).toEqualTypeOf<boolean>();
    requireScope({ scp: ['a'], permissions: ['b'] }, 'a');
    // @ts-expect-error at least one scope
    requireScope(claims);
    // @ts-expect-error options without a scope
    requireAnyScope(claims, { message: 'x' });
    // @ts-expect-error a scope is a string
    auth.requireScope(claims, 42);
    // @ts-expect-error not a scope claim tokenward reads
    createAuth({ keys, scopeClaims: ['roles'] });
    const error = new InsufficientScopeError(['a'], 'no');
    expectTypeOf(error.requiredScopes).toEqualTypeOf<readonly string[]>();
    expectTypeOf(error).toMatchTypeOf<AuthError>();
  });

  it('issues scopes as a list on the subject, never as a custom scope claim', () => {
    const auth = createAuth<{ tenant: string }>({ keys });
    void auth.issueTokens({ sub: 'u', tenant: 't', scope: ['read:notes'] });
    // @ts-expect-error a list of scopes, not the space-separated claim
    void auth.createAccessToken({ sub: 'u', tenant: 't', scope: 'read:notes' });
  });
});

describe('sessions', () => {
  const sessionsAuth = createAuth({ keys: 'a-type-test-secret-of-at-least-32-bytes!!' });
  it('labels a login, lists and ends sessions, and types sid on the claims', async () => {
    expectTypeOf(sessionsAuth.issueTokens).toBeCallableWith({ sub: 'u1' }, { session: { label: 'Phone' } });
    // @ts-expect-error: the label is a string
    sessionsAuth.issueTokens({ sub: 'u1' }, { session: { label: 42 } });
    expectTypeOf(sessionsAuth.listSessions('u1')).resolves.toEqualTypeOf<Session[]>();
    expectTypeOf<Session['absoluteExpiresAt']>().toEqualTypeOf<number | null>();
    expectTypeOf(sessionsAuth.revokeSession('u1', 's')).resolves.toEqualTypeOf<void>();
    expectTypeOf(sessionsAuth.revokeOtherSessions('u1', 's')).resolves.toEqualTypeOf<number>();
    const claims = await sessionsAuth.verifyToken('token');
    expectTypeOf(claims.sid).toEqualTypeOf<string | undefined>();
  });
});
