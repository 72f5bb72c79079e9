/**
 * Where the runtime cannot load the native bcrypt module (workerd), every password
 * function fails with one AuthError CONFIG_INVALID naming the runtime, and loading
 * tokenward/password itself does not fail. The module load is made to fail here
 * as a runtime without napi fails it; test/runtimes/workerd.test.ts sees the same
 * answer from workerd itself.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('@node-rs/bcrypt', () => {
  throw new Error('Cannot find module @node-rs/bcrypt-linux-x64-gnu');
});

const password = await import('../../src/password/index.js');
const { isAuthError } = await import('../../src/errors.js');

async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; cause: unknown }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAuthError(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return { code: error.code, message: error.message, cause: error.cause };
}

describe('tokenward/password where bcrypt cannot load', () => {
  it('loads, and each function rejects with CONFIG_INVALID naming the runtime', async () => {
    for (const call of [
      () => password.hashPassword('correct horse'),
      () => password.verifyPassword('correct horse', `$2b$10$${'a'.repeat(53)}`),
      () => password.verifyPasswordOrDummy('correct horse', null),
    ]) {
      const { code, message, cause } = await failure(call());
      expect(code).toBe('CONFIG_INVALID');
      expect(message).toContain('Node.js cannot load');
      expect(message).toContain('@node-rs/bcrypt');
      // The loader's own error stays reachable for diagnosis.
      expect(cause).toBeInstanceOf(Error);
    }
  });

  it('still refuses a bad password before it needs bcrypt', async () => {
    expect((await failure(password.hashPassword(''))).code).toBe('PASSWORD_REJECTED');
    expect(await password.verifyPassword('', 'not a hash')).toBe(false);
  });
});
