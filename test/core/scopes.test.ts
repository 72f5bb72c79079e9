import { describe, expect, it } from 'vitest';
import {
  AuthError,
  createAuth,
  hasScope,
  InsufficientScopeError,
  isAuthError,
  requireAnyScope,
  requireScope,
} from '../../src/index.js';
import { errorAnswer } from '../../src/lib/http/error-response.js';
import { codeOfSync, SECRET } from '../support/tokens.js';

/** The error a call throws, or `undefined`. */
function thrown(run: () => void): unknown {
  try {
    run();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('requireScope (all of) and requireAnyScope (any of)', () => {
  it('reads scope as a space-separated string', () => {
    const claims = { scope: 'read:notes  write:notes' };
    expect(codeOfSync(() => requireScope(claims, 'read:notes', 'write:notes'))).toBe(undefined);
    expect(codeOfSync(() => requireScope(claims, 'read:notes', 'notes:admin'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => requireAnyScope(claims, 'notes:admin', 'write:notes'))).toBe(undefined);
    expect(codeOfSync(() => requireAnyScope(claims, 'notes:admin'))).toBe('FORBIDDEN');
  });

  it('reads scp as a string or an array, and permissions as an array', () => {
    for (const claims of [
      { scp: 'read:notes write:notes' },
      { scp: ['read:notes', 'write:notes'] },
      { permissions: ['read:notes', 'write:notes'] },
      { scope: 'read:notes', permissions: ['write:notes'] },
    ]) {
      expect(codeOfSync(() => requireScope(claims, 'read:notes', 'write:notes'))).toBe(undefined);
    }
  });

  it('a token without any scope claim is a miss, never a pass', () => {
    expect(codeOfSync(() => requireScope({}, 'read:notes'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => requireAnyScope({ roles: ['read:notes'] } as never, 'read:notes'))).toBe(
      'FORBIDDEN',
    );
    expect(codeOfSync(() => requireScope({ scope: '' }, 'read:notes'))).toBe('FORBIDDEN');
    expect(hasScope({}, [])).toBe(false);
    expect(hasScope({ scope: 'a' }, [])).toBe(false);
  });

  it('without claims it is TOKEN_MISSING (401)', () => {
    expect(codeOfSync(() => requireScope(undefined, 'read:notes'))).toBe('TOKEN_MISSING');
    expect(codeOfSync(() => requireAnyScope(null, 'read:notes'))).toBe('TOKEN_MISSING');
  });

  it('counts only the forms each claim has: hostile shapes grant nothing', () => {
    const refused = [
      { scope: ['read:notes'] }, // scope is a string (RFC 9068), never an array
      { permissions: 'read:notes' }, // permissions is an array, never a string
      { permissions: [1, null, ['read:notes'], { 'read:notes': true }, 'READ:NOTES', 'read:notes '] },
      { permissions: ['read:notes write:notes'] }, // an entry is one permission, not a list
      { scp: { 0: 'read:notes', length: 1 } },
      { scope: 42 },
      { scope: 'read:notesX' },
      { scope: 'read:note' },
    ];
    for (const claims of refused) {
      expect(codeOfSync(() => requireScope(claims as never, 'read:notes'))).toBe('FORBIDDEN');
    }
  });

  it('never reads inherited properties: __proto__ and prototype names grant nothing', () => {
    const parsed = JSON.parse('{"__proto__": {"scope": "read:notes"}, "sub": "u"}') as object;
    expect(codeOfSync(() => requireScope(parsed, 'read:notes'))).toBe('FORBIDDEN');
    const inherited = Object.create({ scope: 'read:notes' }) as object;
    expect(codeOfSync(() => requireScope(inherited, 'read:notes'))).toBe('FORBIDDEN');
    const names = { scp: ['__proto__', 'constructor', 'hasOwnProperty'] };
    expect(codeOfSync(() => requireScope(names, 'toString'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => requireScope(names, '__proto__', 'constructor'))).toBe(undefined);
  });

  it('handles a huge scope string without a pass and in one linear read', () => {
    const huge = `${'x'.repeat(2_000_000)} ${'read:notes '.repeat(10_000)}`;
    expect(codeOfSync(() => requireScope({ scope: huge }, 'read:notes'))).toBe(undefined);
    expect(codeOfSync(() => requireScope({ scope: huge }, 'write:notes'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => requireScope({ scope: ' '.repeat(1_000_000) }, 'read:notes'))).toBe('FORBIDDEN');
  });

  it('a miss is an InsufficientScopeError (FORBIDDEN) carrying the required scopes', () => {
    const error = thrown(() => requireScope({ scope: 'read:notes' }, 'read:notes', 'write:notes'));
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toBeInstanceOf(AuthError);
    expect(isAuthError(error)).toBe(true);
    const miss = error as InsufficientScopeError;
    expect(miss.code).toBe('FORBIDDEN');
    expect(miss.status).toBe(403);
    expect(miss.bearerError).toBe('insufficient_scope');
    expect(miss.requiredScopes).toEqual(['read:notes', 'write:notes']);
    expect(miss.message).toBe('this requires the scopes: read:notes write:notes');
    const anyMiss = thrown(() => requireAnyScope({}, 'a', 'b')) as InsufficientScopeError;
    expect(anyMiss.message).toBe('this requires one of the scopes: a b');
    const custom = thrown(() =>
      requireScope({}, 'a', { message: 'Read-only token' }),
    ) as InsufficientScopeError;
    expect(custom.message).toBe('Read-only token');
    expect(custom.requiredScopes).toEqual(['a']);
  });

  it('the HTTP answer names the scopes in WWW-Authenticate (RFC 6750 3.1)', () => {
    const error = thrown(() => requireScope({}, 'read:notes', 'write:notes'));
    const answer = errorAnswer(error, 'api');
    expect(answer.status).toBe(403);
    expect(answer.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="read:notes write:notes", ' +
        'error_description="this requires the scopes: read:notes write:notes"',
    );
    // A plain FORBIDDEN (a role miss, the app's own) names no scope.
    expect(errorAnswer(new AuthError('FORBIDDEN', 'no'), 'api').headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="no"',
    );
  });

  it('rejects requirements that are not scope-tokens (RFC 6749 3.3) as CONFIG_INVALID', () => {
    const bad: unknown[][] = [
      [],
      [''],
      ['read notes'],
      ['say"hi'],
      ['back\\slash'],
      ['line\r\nbreak'],
      ['é'],
      [42],
      ['a', { message: '' }],
      ['a', { message: 42 }],
      [{ message: 'only options' }],
    ];
    for (const args of bad) {
      expect(codeOfSync(() => requireScope({ scope: 'a' }, ...(args as [string])))).toBe('CONFIG_INVALID');
      expect(codeOfSync(() => requireAnyScope({ scope: 'a' }, ...(args as [string])))).toBe('CONFIG_INVALID');
    }
  });
});

describe('Auth: scopeClaims and issuing scopes', () => {
  const base = { keys: SECRET, issuer: 'https://scopes.test', audience: 'api' };

  it('reads only the claims scopeClaims names', () => {
    const auth = createAuth({ ...base, scopeClaims: ['permissions'] });
    expect(codeOfSync(() => auth.requireScope({ scope: 'a' }, 'a'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => auth.requireScope({ scp: ['a'] }, 'a'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => auth.requireScope({ permissions: ['a'] }, 'a'))).toBe(undefined);
    expect(codeOfSync(() => auth.requireAnyScope({ permissions: ['b'] }, 'a', 'b'))).toBe(undefined);
    expect(auth.hasScope({ permissions: ['a'] }, 'a')).toBe(true);
    expect(auth.hasScope({ scope: 'a' }, 'a')).toBe(false);
    const all = createAuth(base);
    expect(all.hasScope({ scope: 'a', scp: 'b', permissions: ['c'] }, 'a', 'b', 'c')).toBe(true);
  });

  it('rejects a scopeClaims that is not a non-empty list of the three names', () => {
    for (const scopeClaims of [[], ['roles'], 'scope', ['scope', 'SCP'], [null]]) {
      expect(codeOfSync(() => createAuth({ ...base, scopeClaims: scopeClaims as never }))).toBe(
        'CONFIG_INVALID',
      );
    }
  });

  it('issues scopes as the space-separated scope claim, each once', async () => {
    const auth = createAuth(base);
    const token = await auth.createAccessToken({
      sub: 'u1',
      scope: ['read:notes', 'write:notes', 'read:notes'],
    });
    const claims = await auth.verifyToken(token);
    expect(claims.scope).toBe('read:notes write:notes');
    auth.requireScope(claims, 'read:notes', 'write:notes');
    const pair = await auth.issueTokens({ sub: 'u1', scope: ['read:notes'] });
    expect((await auth.verifyToken(pair.accessToken)).scope).toBe('read:notes');
    const refreshed = await auth.refresh(pair.refreshToken);
    expect((await auth.verifyToken(refreshed.accessToken)).scope).toBe('read:notes');
    const none = await auth.verifyToken(await auth.createAccessToken({ sub: 'u1', scope: [] }));
    expect(Object.hasOwn(none, 'scope')).toBe(false);
  });

  it('keeps the granted scope across a refresh with loadSubject, which may not set it', async () => {
    const auth = createAuth({ ...base, loadSubject: async () => ({ roles: ['user'] }) });
    const pair = await auth.issueTokens({ sub: 'u1', scope: ['read:notes'] });
    const next = await auth.refresh(pair.refreshToken);
    expect((await auth.verifyToken(next.accessToken)).scope).toBe('read:notes');
    const widening = createAuth({
      ...base,
      loadSubject: async () => ({ claims: { scope: 'notes:admin' } }) as never,
    });
    const other = await widening.issueTokens({ sub: 'u1', scope: ['read:notes'] });
    await expect(widening.refresh(other.refreshToken)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('refuses scopes that are not scope-tokens, and scope as a custom claim', async () => {
    const auth = createAuth(base);
    for (const scope of ['read:notes', ['read notes'], ['a"b'], [1], [''], ['x\n']]) {
      await expect(auth.createAccessToken({ sub: 'u1', scope: scope as never })).rejects.toMatchObject({
        code: 'CLAIM_INVALID',
      });
    }
  });
});
