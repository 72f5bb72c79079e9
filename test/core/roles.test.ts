import { describe, expect, it } from 'vitest';
import { createAuth, hasRole, requireAllRoles, requireRole } from '../../src/index.js';
import { codeOfSync, SECRET } from '../support/tokens.js';

describe('requireRole', () => {
  it('passes when the claims hold any of the roles, FORBIDDEN otherwise', () => {
    const claims = { roles: ['editor', 'user'] };
    expect(codeOfSync(() => requireRole(claims, 'editor'))).toBe(undefined);
    expect(codeOfSync(() => requireRole(claims, 'admin', 'user'))).toBe(undefined);
    expect(codeOfSync(() => requireRole(claims, 'admin'))).toBe('FORBIDDEN');
  });

  it('the all form needs every role', () => {
    const claims = { roles: ['editor', 'user'] };
    expect(codeOfSync(() => requireAllRoles(claims, 'editor', 'user'))).toBe(undefined);
    expect(codeOfSync(() => requireAllRoles(claims, 'editor', 'admin'))).toBe('FORBIDDEN');
  });

  it('compares exactly and counts only a real array of strings', () => {
    expect(codeOfSync(() => requireRole<string>({ roles: ['Admin'] }, 'admin'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => requireRole<string>({ roles: ['admin '] }, 'admin'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => requireRole({ roles: 'admin' } as never, 'admin'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => requireRole({ roles: { 0: 'admin', length: 1 } } as never, 'admin'))).toBe(
      'FORBIDDEN',
    );
    expect(codeOfSync(() => requireRole({ roles: [['admin']] } as never, 'admin'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => requireRole({ role: 'admin' } as never, 'admin'))).toBe('FORBIDDEN');
    expect(codeOfSync(() => requireRole({}, 'admin'))).toBe('FORBIDDEN');
  });

  it('without claims it is TOKEN_MISSING (401), never a pass', () => {
    expect(codeOfSync(() => requireRole(undefined, 'admin'))).toBe('TOKEN_MISSING');
    expect(codeOfSync(() => requireRole(null, 'admin'))).toBe('TOKEN_MISSING');
  });

  it('hasRole answers without throwing', () => {
    expect(hasRole({ roles: ['a'] }, ['a'])).toBe(true);
    expect(hasRole({ roles: ['a'] }, [])).toBe(false);
    expect(hasRole(undefined, ['a'])).toBe(false);
  });
});

describe('role hierarchy', () => {
  const auth = createAuth({
    keys: SECRET,
    roles: ['admin', 'editor', 'viewer', 'guest'],
    roleHierarchy: { admin: ['editor'], editor: ['viewer'] },
  });

  it('implied roles pass, transitively, and nothing else', async () => {
    const admin = await auth.verifyToken(await auth.createAccessToken({ sub: 'a', roles: ['admin'] }));
    expect(codeOfSync(() => auth.requireRole(admin, 'viewer'))).toBe(undefined);
    expect(codeOfSync(() => auth.requireAllRoles(admin, 'admin', 'editor', 'viewer'))).toBe(undefined);
    expect(codeOfSync(() => auth.requireRole(admin, 'guest'))).toBe('FORBIDDEN');
    const viewer = await auth.verifyToken(await auth.createAccessToken({ sub: 'v', roles: ['viewer'] }));
    expect(codeOfSync(() => auth.requireRole(viewer, 'editor'))).toBe('FORBIDDEN');
    expect(auth.hasRole(viewer, 'viewer')).toBe(true);
  });

  it('survives cycles and prototype names', () => {
    const cyclic = createAuth({ keys: SECRET, roleHierarchy: { a: ['b'], b: ['a'] } });
    expect(cyclic.hasRole({ roles: ['a'] }, 'b')).toBe(true);
    expect(cyclic.hasRole({ roles: ['__proto__', 'constructor'] as never[] }, 'a')).toBe(false);
  });
});

describe('the role options', () => {
  it('give the FORBIDDEN error its message, in the core and on the instance', () => {
    const claims = { roles: ['user'] };
    const messageOf = (run: () => void) => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      return 'passed';
    };
    expect(messageOf(() => requireRole(claims, 'admin', { message: 'Admins only' }))).toBe('Admins only');
    const auth = createAuth({ keys: SECRET });
    expect(messageOf(() => auth.requireAllRoles(claims, 'user', 'admin', { message: 'Both' }))).toBe('Both');
    expect(messageOf(() => auth.requireRole(claims, 'user', { message: 'unused' }))).toBe('passed');
  });

  it('are one rule with the adapters: an empty role name is a programming error', () => {
    expect(codeOfSync(() => requireRole({ roles: [''] }, ''))).toBe('CONFIG_INVALID');
  });
});
