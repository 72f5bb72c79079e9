/**
 * The login-protection options: checked at start-up, the defaults as documented, and the
 * `retryAfter` a delegated TOO_MANY_ATTEMPTS carries for the application's error handler.
 */

import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuth } from '../../src/create-auth.js';
import { type AuthError, isAuthError } from '../../src/errors.js';
import { defaultMaxConcurrentPasswordChecks, threadPoolSize } from '../../src/lib/http/login-protection.js';
import { nodeBodyStream, nodeRequestView } from '../../src/lib/http/node-request.js';
import { createTokenRoutes, type TokenRoutesOptions } from '../../src/lib/http/token-routes.js';
import { AUDIENCE, ISSUER, SECRET } from './support/apps.js';

const auth = createAuth({ keys: SECRET, issuer: ISSUER, audience: AUDIENCE });
const findUser = async () => null;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function routes(extra: Partial<TokenRoutesOptions>) {
  return createTokenRoutes(auth, { findUser, passwordHashCost: 10, cookie: false, ...extra });
}

describe('login-protection options', () => {
  it.each([
    ['loginThrottle.username.attempts', { loginThrottle: { username: { attempts: 0, window: 60 } } }],
    ['loginThrottle.username.window', { loginThrottle: { username: { attempts: 5, window: 'soon' } } }],
    ['loginThrottle.address.attempts', { loginThrottle: { address: { attempts: 1.5, window: 60 } } }],
    [
      'loginThrottle.username',
      {
        loginThrottle: {
          username: { points: 0, consume: async () => 0, reward: async () => 0, delete: async () => 0 },
        },
      },
    ],
    ['loginThrottle.normalizeUsername', { loginThrottle: { normalizeUsername: 'lower' as never } }],
    ['loginThrottle.timeoutMs', { loginThrottle: { timeoutMs: 0 } }],
    ['loginConcurrency.maxConcurrent', { loginConcurrency: { maxConcurrent: 0 } }],
    ['loginConcurrency.maxQueued', { loginConcurrency: { maxQueued: -1 } }],
    ['onEvent', { onEvent: 'log' as never }],
  ] as const)('refuses a bad %s at start-up (CONFIG_INVALID)', (name, options) => {
    let thrown: unknown;
    try {
      routes(options as Partial<TokenRoutesOptions>);
    } catch (error) {
      thrown = error;
    }
    expect(isAuthError(thrown) && thrown.code).toBe('CONFIG_INVALID');
    expect((thrown as AuthError).message).toContain(name);
  });

  it('caps password checks at the thread pool size, at most one less than the CPUs', () => {
    vi.stubEnv('UV_THREADPOOL_SIZE', '16');
    expect(threadPoolSize()).toBe(16);
    vi.stubEnv('UV_THREADPOOL_SIZE', 'many');
    expect(threadPoolSize()).toBe(4);
    const cpus = availableParallelism();
    vi.stubEnv('UV_THREADPOOL_SIZE', '2');
    expect(defaultMaxConcurrentPasswordChecks()).toBe(Math.max(1, Math.min(2, cpus - 1)));
    vi.stubEnv('UV_THREADPOOL_SIZE', '1024');
    expect(defaultMaxConcurrentPasswordChecks()).toBe(Math.max(1, cpus - 1));
  });

  it('hands a throttled login to the framework with its retryAfter when errors are delegated', async () => {
    const tokenRoutes = routes({
      delegateErrors: true,
      loginThrottle: { username: { attempts: 1, window: 120 }, address: false },
    });
    const request = () => {
      const body = JSON.stringify({ username: 'alice', password: 'wrong' });
      return {
        request: nodeRequestView({
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
          rawHeaders: ['content-type', 'application/json', 'content-length', String(body.length)],
        }),
        secure: false,
        clientAddress: '192.0.2.1',
        body: { stream: nodeBodyStream(Readable.from([Buffer.from(body)])) },
        defaultReporter: () => {},
      };
    };
    const first = await tokenRoutes.handle('login', request());
    expect(first.kind === 'delegate' && isAuthError(first.error) && first.error.code).toBe(
      'INVALID_CREDENTIALS',
    );
    const second = await tokenRoutes.handle('login', request());
    expect(second.kind).toBe('delegate');
    const error = (second as { error: AuthError }).error;
    expect(error).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', status: 429, retryAfter: 120 });
  });
});
