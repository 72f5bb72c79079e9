/**
 * Login protection of the token routes: throttling of failed attempts per user name and per
 * client address (counters in `rate-limiter-flexible` limiters), and a cap on concurrent
 * password checks with a bounded queue.
 * @packageDocumentation
 */

// The memory limiter's own module: the package's entry also loads its cluster limiter,
// which needs node:cluster and node:crypto (absent on workerd).
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js';
import { AuthError } from '../../errors.js';
import { bytesToBase64url, utf8ToBytes } from '../../tokens/base64url.js';
import { type Duration, toSeconds } from '../duration.js';
import { cpuCount, envVar } from '../platform.js';
import { sha256 } from '../sha256.js';
import { withTimeout } from '../timeout.js';

/**
 * The part of a `rate-limiter-flexible` limiter the login throttle uses: `RateLimiterMemory`,
 * `RateLimiterRedis` (ioredis or node-redis, Cluster too), `RateLimiterCluster` and the
 * library's other limiters all have it. `points` is the number of failed attempts allowed
 * per `duration` of the limiter.
 */
export interface LoginLimiter {
  /** The attempts allowed per window. */
  readonly points: number;
  /** Counts `points` attempts for the key; rejects with the limiter's result (`msBeforeNext`) when over the limit, or with an `Error` when its store fails. */
  consume(key: string, points?: number): Promise<unknown>;
  /** Gives `points` back to the key. */
  reward(key: string, points?: number): Promise<unknown>;
  /** Forgets the key's count. */
  delete(key: string): Promise<unknown>;
}

/** A limit the token routes keep in a `RateLimiterMemory` of their own. */
export interface LoginLimit {
  /** The failed attempts allowed per window. */
  attempts: number;
  /** The window: seconds, or a duration such as `'15m'`. */
  window: Duration;
}

/** Options of the login throttle (`loginThrottle` of the token routes). */
export interface LoginThrottleOptions {
  /**
   * The limit per user name (as {@link LoginThrottleOptions.normalizeUsername} makes it): a
   * {@link LoginLimit} kept in memory, the application's own limiter (e.g. a `RateLimiterRedis`
   * shared by several processes), or `false` for none. Default 5 failed attempts per 15 minutes.
   */
  username?: false | LoginLimit | LoginLimiter;
  /**
   * The limit per client address (the framework's trust-proxy-aware address): a
   * {@link LoginLimit}, the application's own limiter, or `false` for none.
   * Default 100 failed attempts per hour.
   */
  address?: false | LoginLimit | LoginLimiter;
  /**
   * Turns a user name into the one the application's `findUser` looks up, so that `Alice`
   * and ` alice` share a counter. Default: trimmed and lower-cased.
   */
  normalizeUsername?: (username: string) => string;
  /** How long a limiter may take to answer, in milliseconds, before the attempt fails closed (STORE_UNAVAILABLE). Default 1000. */
  timeoutMs?: number;
}

/** Options of the cap on concurrent password checks (`loginConcurrency` of the token routes). */
export interface LoginConcurrencyOptions {
  /**
   * The password checks (user lookup and bcrypt) run at once. Default: the size of libuv's
   * thread pool, where bcrypt runs (`UV_THREADPOOL_SIZE`, or 4), but at most one less than
   * the CPUs (`os.availableParallelism()`, at least 1), so that bcrypt never takes the CPU
   * the event loop needs (docs/login-protection.md).
   */
  maxConcurrent?: number;
  /** The logins that may wait for a slot; beyond them, 503 LOGIN_BUSY. Default 8 times `maxConcurrent`. */
  maxQueued?: number;
}

/** The default limit per user name: OWASP's "a handful of failures" per 15 minutes. */
export const DEFAULT_USERNAME_LIMIT: Readonly<LoginLimit> = Object.freeze({ attempts: 5, window: '15m' });
/** The default limit per client address: more, since an office or a mobile carrier shares one address. */
export const DEFAULT_ADDRESS_LIMIT: Readonly<LoginLimit> = Object.freeze({ attempts: 100, window: '1h' });
/** The default time a limiter may take to answer, in milliseconds. */
export const DEFAULT_LIMITER_TIMEOUT_MS = 1000;

/** What a throttled or busy login tells the routes' `onEvent`. */
export interface LoginProtectionNotice {
  /** `login-throttled` (429) or `login-busy` (503). */
  type: 'login-throttled' | 'login-busy';
  /** The user name tried, normalised. */
  username: string;
  /** The client address, when the framework knows it. */
  address: string | undefined;
  /** Which limit: `username`, `address`, or `queue-full` for a busy answer. */
  reason: 'username' | 'address' | 'queue-full';
  /** The `Retry-After` answered, in seconds. */
  retryAfter: number;
}

/** The user name trimmed and lower-cased: the default {@link LoginThrottleOptions.normalizeUsername}. */
export function defaultNormalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** An attempt the throttle let through: finish it with `succeeded` or `refund`. */
export interface ThrottledAttempt {
  /** The password was right: the user name's counter is cleared, the address's attempt given back. */
  succeeded(): Promise<void>;
  /** No password was checked (the login was busy): the attempt is given back to both counters. */
  refund(): Promise<void>;
}

/** The login throttle bound to its limiters. */
export interface LoginThrottle {
  /**
   * Counts an attempt before any lookup or hashing.
   * @throws AuthError TOO_MANY_ATTEMPTS (with `retryAfter`) over a limit, STORE_UNAVAILABLE when a limiter fails.
   */
  attempt(username: string, address: string | undefined): Promise<ThrottledAttempt>;
}

function isLoginLimiter(value: unknown): value is LoginLimiter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LoginLimiter).consume === 'function' &&
    typeof (value as LoginLimiter).reward === 'function' &&
    typeof (value as LoginLimiter).delete === 'function'
  );
}

function resolveLimiter(
  option: false | LoginLimit | LoginLimiter | undefined,
  fallback: Readonly<LoginLimit>,
  name: string,
): LoginLimiter | undefined {
  if (option === false) return undefined;
  if (isLoginLimiter(option)) {
    if (!Number.isInteger(option.points) || option.points < 1)
      throw new AuthError('CONFIG_INVALID', `loginThrottle.${name} must be a limiter with positive points`);
    return option;
  }
  const limit = option ?? fallback;
  if (typeof limit !== 'object' || limit === null || !Number.isInteger(limit.attempts) || limit.attempts < 1)
    throw new AuthError('CONFIG_INVALID', `loginThrottle.${name}.attempts must be a positive integer`);
  const duration = toSeconds(limit.window, `loginThrottle.${name}.window`);
  return new RateLimiterMemory({ points: limit.attempts, duration, keyPrefix: `tokenward-login-${name}` });
}

/** A limiter's "over the limit" answer (a `RateLimiterRes`, of whatever installed copy): not an `Error`, with `msBeforeNext`. */
function overLimitWait(reason: unknown): number | undefined {
  if (reason instanceof Error || typeof reason !== 'object' || reason === null) return undefined;
  const wait = (reason as { msBeforeNext?: unknown }).msBeforeNext;
  return typeof wait === 'number' && Number.isFinite(wait) ? Math.max(0, wait) : undefined;
}

function unavailable(cause: unknown): AuthError {
  return new AuthError('STORE_UNAVAILABLE', 'the login attempt store is unavailable', { cause });
}

/**
 * Resolves the throttle options: `undefined` when both limits are off.
 * @throws AuthError CONFIG_INVALID for an invalid option.
 */
export function createLoginThrottle(
  options: false | LoginThrottleOptions | undefined,
  notify: (notice: LoginProtectionNotice) => void,
): LoginThrottle | undefined {
  if (options === false) return undefined;
  const settings = options ?? {};
  const byUsername = resolveLimiter(settings.username, DEFAULT_USERNAME_LIMIT, 'username');
  const byAddress = resolveLimiter(settings.address, DEFAULT_ADDRESS_LIMIT, 'address');
  if (byUsername === undefined && byAddress === undefined) return undefined;
  const normalize = settings.normalizeUsername ?? defaultNormalizeUsername;
  if (typeof normalize !== 'function')
    throw new AuthError('CONFIG_INVALID', 'loginThrottle.normalizeUsername must be a function');
  const timeoutMs = settings.timeoutMs ?? DEFAULT_LIMITER_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new AuthError('CONFIG_INVALID', 'loginThrottle.timeoutMs must be a positive integer');

  const call = <T>(operation: () => Promise<T>): Promise<T> =>
    withTimeout(
      Promise.resolve().then(() => operation()),
      timeoutMs,
      'the limiter',
    );

  return {
    async attempt(username, address) {
      const normalized = String(normalize(username));
      // A digest, not the name: the counter store (Redis) holds no user names, and every key has one length.
      const usernameKey = bytesToBase64url(sha256(utf8ToBytes(normalized)));
      const addressKey = address ?? 'unknown';
      const counted: Array<[LoginLimiter, string, 'username' | 'address']> = [];
      if (byUsername !== undefined) counted.push([byUsername, usernameKey, 'username']);
      if (byAddress !== undefined) counted.push([byAddress, addressKey, 'address']);
      // Counted before the check, atomically in the limiter: a thousand parallel guesses cannot all slip
      // past a read of the counter, so at most `attempts` of them reach bcrypt per window.
      const results = await Promise.allSettled(
        counted.map(([limiter, key]) => call(() => limiter.consume(key))),
      );
      let throttled: { wait: number; reason: 'username' | 'address' } | undefined;
      for (const [index, result] of results.entries()) {
        if (result.status === 'fulfilled') continue;
        const wait = overLimitWait(result.reason);
        // A store that fails fails closed: an unknown count must never let unlimited guesses through.
        if (wait === undefined) throw unavailable(result.reason);
        const reason = counted[index]?.[2] ?? 'username';
        if (throttled === undefined || wait > throttled.wait) throttled = { wait, reason };
      }
      if (throttled !== undefined) {
        const retryAfter = Math.max(1, Math.ceil(throttled.wait / 1000));
        notify({
          type: 'login-throttled',
          username: normalized,
          address,
          reason: throttled.reason,
          retryAfter,
        });
        // One message for every user name, known or not: the answer must not tell which accounts exist.
        throw new AuthError('TOO_MANY_ATTEMPTS', 'too many login attempts, try again later', { retryAfter });
      }
      return {
        async succeeded() {
          try {
            await Promise.all([
              byUsername === undefined ? undefined : call(() => byUsername.delete(usernameKey)),
              byAddress === undefined ? undefined : call(() => byAddress.reward(addressKey, 1)),
            ]);
          } catch {
            // The login succeeded: a counter left too high only throttles earlier, it never lets more through.
          }
        },
        async refund() {
          try {
            await Promise.all(counted.map(([limiter, key]) => call(() => limiter.reward(key, 1))));
          } catch {
            // Same as above: a refund that fails errs on the strict side.
          }
        },
      };
    },
  };
}

/** The thread pool size bcrypt runs on: `UV_THREADPOOL_SIZE` when it is a valid size, else libuv's 4. */
export function threadPoolSize(): number {
  const configured = Number(envVar('UV_THREADPOOL_SIZE'));
  return Number.isInteger(configured) && configured >= 1 && configured <= 1024 ? configured : 4;
}

/**
 * The default cap on concurrent password checks: libuv's thread pool size ({@link threadPoolSize}),
 * but at most one less than the CPUs, at least 1. bcrypt is all CPU: four checks on a machine of
 * two CPUs leave the event loop's thread a third of a CPU, and every other request waits
 * (bench/login-protection.bench.mjs measured GET /me's p99 at 14x to 28x its quiet p99 and
 * event-loop stalls of 57 to 368 ms under a login flood with 4, against 1.7x to 4.7x and 14 to
 * 51 ms with 1, on 2 shared vCPUs).
 */
export function defaultMaxConcurrentPasswordChecks(): number {
  return Math.max(1, Math.min(threadPoolSize(), cpuCount() - 1));
}

/** The cap on concurrent password checks, with its bounded queue. */
export interface LoginGate {
  /**
   * Runs a password check when a slot is free, after waiting in the queue otherwise.
   * @throws AuthError LOGIN_BUSY (with `retryAfter`) when the queue is full.
   */
  run<T>(task: () => Promise<T>, onBusy: (retryAfter: number) => void): Promise<T>;
}

function nonNegativeInteger(value: number | undefined, fallback: number, name: string, min: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min)
    throw new AuthError('CONFIG_INVALID', `${name} must be an integer of at least ${min}`);
  return resolved;
}

/**
 * Resolves the concurrency options: `undefined` when the cap is off.
 * @throws AuthError CONFIG_INVALID for an invalid option.
 */
export function createLoginGate(options: false | LoginConcurrencyOptions | undefined): LoginGate | undefined {
  if (options === false) return undefined;
  const maxConcurrent = nonNegativeInteger(
    options?.maxConcurrent,
    defaultMaxConcurrentPasswordChecks(),
    'loginConcurrency.maxConcurrent',
    1,
  );
  const maxQueued = nonNegativeInteger(
    options?.maxQueued,
    maxConcurrent * 8,
    'loginConcurrency.maxQueued',
    0,
  );
  let active = 0;
  const waiting: Array<() => void> = [];
  // A running average of how long a check holds its slot, for Retry-After; bcrypt at cost 12 to start with.
  let averageMs = 250;

  return {
    async run(task, onBusy) {
      if (active >= maxConcurrent) {
        if (waiting.length >= maxQueued) {
          const ahead = active + waiting.length;
          const retryAfter = Math.max(1, Math.ceil(((ahead / maxConcurrent) * averageMs) / 1000));
          onBusy(retryAfter);
          throw new AuthError('LOGIN_BUSY', 'too many logins at once, try again later', { retryAfter });
        }
        // The slot is handed over by the check that frees it: `active` stays counted.
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        active++;
      }
      const started = performance.now();
      try {
        return await task();
      } finally {
        averageMs = averageMs * 0.8 + (performance.now() - started) * 0.2;
        const next = waiting.shift();
        if (next === undefined) active--;
        else next();
      }
    },
  };
}
