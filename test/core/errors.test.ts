import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES, AuthError, type AuthErrorCode, isAuthError } from '../../src/index.js';

describe('AuthError', () => {
  it('carries the code, status and RFC 6750 error value of the table', () => {
    const expected: Record<AuthErrorCode, [number, string | undefined]> = {
      TOKEN_MISSING: [401, undefined],
      TOKEN_MALFORMED: [401, 'invalid_token'],
      REQUEST_INVALID: [400, 'invalid_request'],
      TOKEN_INVALID: [401, 'invalid_token'],
      TOKEN_EXPIRED: [401, 'invalid_token'],
      TOKEN_NOT_YET_VALID: [401, 'invalid_token'],
      CLAIM_INVALID: [401, 'invalid_token'],
      TOKEN_TYPE_MISMATCH: [401, 'invalid_token'],
      TOKEN_REVOKED: [401, 'invalid_token'],
      REFRESH_TOKEN_REUSED: [401, 'invalid_token'],
      FORBIDDEN: [403, 'insufficient_scope'],
      CSRF_REJECTED: [403, 'invalid_request'],
      HTTPS_REQUIRED: [403, 'invalid_request'],
      STORE_UNAVAILABLE: [503, undefined],
      JWKS_UNAVAILABLE: [503, undefined],
      INVALID_CREDENTIALS: [401, 'invalid_token'],
      PASSWORD_REJECTED: [400, 'invalid_request'],
      TOO_MANY_ATTEMPTS: [429, undefined],
      LOGIN_BUSY: [503, undefined],
      CONFIG_INVALID: [500, undefined],
    };
    expect(Object.keys(AUTH_ERROR_CODES).sort()).toEqual(Object.keys(expected).sort());
    for (const [code, [status, bearerError]] of Object.entries(expected)) {
      const error = new AuthError(code as AuthErrorCode, 'message');
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ name: 'AuthError', code, status, bearerError, message: 'message' });
      expect(isAuthError(error)).toBe(true);
    }
  });

  it('keeps a cause for logs', () => {
    const cause = new Error('redis down');
    expect(new AuthError('STORE_UNAVAILABLE', 'unavailable', { cause }).cause).toBe(cause);
  });

  it('isAuthError recognises an error of another copy of the package, and nothing else', () => {
    // The built CommonJS bundle is a second copy with its own AuthError class.
    let other: { AuthError: typeof AuthError } | undefined;
    try {
      other = createRequire(import.meta.url)('../../dist/index.cjs');
    } catch {
      // Without a build, a second class of the same shape stands in for the other copy.
      other = undefined;
    }
    const foreign = other
      ? new other.AuthError('TOKEN_EXPIRED', 'x')
      : Object.assign(new Error('x'), { code: 'TOKEN_EXPIRED', [Symbol.for('tokenward.AuthError')]: true });
    expect(foreign instanceof AuthError).toBe(false);
    expect(isAuthError(foreign)).toBe(true);
    for (const value of [new Error('x'), { code: 'TOKEN_EXPIRED' }, null, undefined, 'TOKEN_EXPIRED', 42]) {
      expect(isAuthError(value)).toBe(false);
    }
  });
});

describe('the error module as shipped', () => {
  it('refers to no file the package does not contain (its comments reach the built .d.ts)', () => {
    const source = readFileSync(new URL('../../src/errors.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/DESIGN\.md/);
  });
});
