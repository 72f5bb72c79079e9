import type { createRemoteJWKSet } from 'jose';
import { AuthError } from '../errors.js';
import type { KeyLookup, VerificationKey } from '../tokens/verify-signature.js';
import { documentUrl, fetchDocument } from './fetch-document.js';
import { type KeySet, keySetFromJwks } from './key-set.js';

/** Options of the remote JWKS fetch and cache. */
export interface RemoteJwksOptions {
  /** How long one fetch may take, in milliseconds. Default 5000. */
  timeoutDuration?: number;
  /**
   * The shortest time between two fetches, in milliseconds: an unknown `kid` or a failed fetch
   * triggers at most one fetch per cooldown. It is also the shortest time a fetched JWKS is kept.
   * Default 30000, or `cacheMaxAge` when that is shorter.
   */
  cooldownDuration?: number;
  /**
   * The longest time a fetched JWKS is kept, in milliseconds: its `Cache-Control: max-age` is
   * honoured between `cooldownDuration` and this, and this applies when the answer has none.
   * Default 600000 (10 minutes).
   */
  cacheMaxAge?: number;
}

/** A key as jose's remote JWKS hands it out (kept for the type of verification keys). */
export type RemoteKey = Awaited<ReturnType<ReturnType<typeof createRemoteJWKSet>>>;

/** Finds the verification keys for a token header in a remote JWKS. */
export type RemoteKeyLookup = KeyLookup;

/** Where a remote JWKS is: a fixed URL, or one found anew (OIDC discovery) at each fetch. */
export type JwksLocation = URL | (() => Promise<URL>);

/** The resolved durations of a remote JWKS, in milliseconds. */
export interface RemoteJwksTimings {
  readonly timeout: number;
  readonly cooldown: number;
  readonly maxAge: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_COOLDOWN_MS = 30_000;
const DEFAULT_MAX_AGE_MS = 600_000;

function positiveMs(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new AuthError('CONFIG_INVALID', `jwksOptions.${name} must be a positive number of milliseconds`);
  }
  return value;
}

/** Checks the options of a remote JWKS and resolves their defaults; throws CONFIG_INVALID. */
export function remoteJwksTimings(options: RemoteJwksOptions = {}): RemoteJwksTimings {
  if (typeof options !== 'object' || options === null) {
    throw new AuthError('CONFIG_INVALID', 'jwksOptions must be an object');
  }
  const timeout = positiveMs(options.timeoutDuration, DEFAULT_TIMEOUT_MS, 'timeoutDuration');
  const maxAge = positiveMs(options.cacheMaxAge, DEFAULT_MAX_AGE_MS, 'cacheMaxAge');
  // A cache shorter than the default cooldown (a test, a walkthrough) shortens the cooldown with it.
  const cooldown = positiveMs(
    options.cooldownDuration,
    Math.min(DEFAULT_COOLDOWN_MS, maxAge),
    'cooldownDuration',
  );
  if (maxAge < cooldown) {
    throw new AuthError(
      'CONFIG_INVALID',
      'jwksOptions.cacheMaxAge must not be shorter than cooldownDuration',
    );
  }
  return { timeout, cooldown, maxAge };
}

/** How long a fetched document stays fresh: its `Cache-Control` within the configured bounds. */
export function freshnessMs(maxAgeMs: number | undefined, timings: RemoteJwksTimings): number {
  if (maxAgeMs === undefined) return timings.maxAge;
  return Math.min(timings.maxAge, Math.max(timings.cooldown, maxAgeMs));
}

/**
 * A remote JWKS, fetched on first use and cached for its `Cache-Control` lifetime (within
 * bounds). An unknown `kid` triggers one fetch at most per cooldown; concurrent lookups share
 * one fetch. A failed fetch is JWKS_UNAVAILABLE, never a key, and is not retried before the
 * cooldown ends: an endpoint that fails or hangs costs at most one fetch per cooldown. The keys
 * of the last good fetch go on verifying through a failed refresh, for one more `cacheMaxAge`
 * at most. A JWKS_UNAVAILABLE carries `retryAfter`: the seconds until the next fetch may
 * happen. Only https URLs, or http on loopback for development.
 */
export function remoteJwks(
  location: string | URL | (() => Promise<URL>),
  algorithms: ReadonlySet<string>,
  options: RemoteJwksOptions = {},
): KeyLookup {
  const timings = remoteJwksTimings(options);
  const where: () => Promise<URL> =
    typeof location === 'function'
      ? location
      : (
          (url) => () =>
            Promise.resolve(url)
        )(documentUrl(location, 'jwks'));

  let keys: KeySet | undefined;
  let freshUntil = 0;
  let usableUntil = 0;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  const fetchKeys = async (): Promise<void> => {
    const url = await where();
    const { body, maxAgeMs } = await fetchDocument(url, timings.timeout, 'JWKS');
    let fetched: KeySet;
    try {
      fetched = keySetFromJwks(body as never, algorithms);
    } catch (error) {
      throw new AuthError('JWKS_UNAVAILABLE', 'the JWKS holds no usable key', { cause: error });
    }
    const now = Date.now();
    keys = fetched;
    freshUntil = now + freshnessMs(maxAgeMs, timings);
    usableUntil = freshUntil + timings.maxAge;
  };

  // One fetch at a time, and none before the cooldown after the previous one.
  const refresh = (): Promise<void> | undefined => {
    if (pending !== undefined) return pending;
    const now = Date.now();
    if (now - lastAttempt < timings.cooldown) return undefined;
    lastAttempt = now;
    pending = fetchKeys().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  // The answer tells clients when the next fetch may happen (`Retry-After`): sooner is pointless.
  const unavailable = (cause?: unknown): AuthError => {
    const retryAfter = Math.max(1, Math.ceil((lastAttempt + timings.cooldown - Date.now()) / 1000));
    const message = cause instanceof AuthError ? cause.message : 'the JWKS could not be fetched';
    return new AuthError('JWKS_UNAVAILABLE', message, { cause, retryAfter });
  };

  const candidates = (header: Readonly<Record<string, unknown>>, alg: string): VerificationKey[] => {
    if (keys === undefined || Date.now() >= usableUntil) throw unavailable();
    return keys.candidates(header.kid as string | undefined, alg).map((key) => key.verifyKey);
  };

  return (header, alg) => {
    const now = Date.now();
    if (keys !== undefined && now < freshUntil) {
      const found = candidates(header, alg);
      // A known kid answers at once, without a promise: the common case stays synchronous.
      if (found.length > 0 || header.kid === undefined) return found;
    }
    const fetching = refresh();
    if (fetching === undefined) return candidates(header, alg);
    return fetching.then(
      () => candidates(header, alg),
      (error: unknown) => {
        // A failed refresh falls back on the keys already held, while they remain usable.
        if (keys !== undefined && Date.now() < usableUntil) return candidates(header, alg);
        throw unavailable(error);
      },
    );
  };
}
