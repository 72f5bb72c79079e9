import { AuthError } from '../errors.js';

/** The options of the verified-token cache (`createAuth({ verifyCache })`). */
export interface VerifyCacheOptions {
  /** How many verified tokens are kept at most; the least recently used goes first. */
  readonly maxEntries: number;
}

interface Entry {
  readonly kind: string;
  /** Frozen, nested values included: shared by every answer for this token. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Milliseconds: the entry serves from this time on (`max(iat, nbf)` less the clock tolerance). */
  readonly fromMs: number;
  /** Milliseconds: the entry never serves at or after `exp`. */
  readonly untilMs: number;
}

/**
 * A bounded LRU of tokens whose stateless checks (format, signature, `typ`,
 * claims, schema) passed, keyed on the whole token string. It never answers for a
 * token outside the time window in which those checks would pass again, and
 * never past the token's `exp`. It holds no store state: revocation and refresh
 * state are checked on every call by the caller.
 */
export interface VerifyCache {
  /** The claims verified for `token` as a `kind` token, valid at `nowMs`, or `undefined`. */
  get(token: string, kind: string, nowMs: number): Record<string, unknown> | undefined;
  /**
   * Records claims that just passed the stateless checks at `nowMs`, with `tolerance`
   * seconds of clock skew. A token already at or past its `exp` is not recorded.
   */
  set(token: string, kind: string, claims: Record<string, unknown>, tolerance: number, nowMs: number): void;
  /** How many tokens are held. */
  readonly size: number;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}

/** Makes the cache of one instance; CONFIG_INVALID unless `maxEntries` is a positive integer. */
export function createVerifyCache(options: VerifyCacheOptions): VerifyCache {
  const maxEntries = (options as { maxEntries?: unknown } | null)?.maxEntries;
  if (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new AuthError('CONFIG_INVALID', 'verifyCache.maxEntries must be a positive integer');
  }
  // A Map iterates in insertion order: re-inserting on every hit keeps the oldest first.
  const entries = new Map<string, Entry>();
  return {
    get(token, kind, nowMs) {
      const entry = entries.get(token);
      if (entry === undefined) return undefined;
      if (nowMs >= entry.untilMs) {
        entries.delete(token);
        return undefined;
      }
      // A clock that went back before the token's validity: verify in full.
      if (nowMs < entry.fromMs || entry.kind !== kind) return undefined;
      entries.delete(token);
      entries.set(token, entry);
      // The caller owns the top level of its answer, as it would without the cache.
      return { ...entry.claims };
    },
    set(token, kind, claims, tolerance, nowMs) {
      const { iat, nbf, exp } = claims;
      const untilMs = (exp as number) * 1000;
      // Accepted within the clock tolerance after exp: verified, but never cached.
      if (nowMs >= untilMs) return;
      // The claim checks passed, so these are finite numbers (nbf optional).
      const from = Math.max(iat as number, typeof nbf === 'number' ? nbf : Number.NEGATIVE_INFINITY);
      const snapshot = { ...claims };
      deepFreeze(snapshot);
      entries.delete(token);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(token, {
        kind,
        claims: snapshot,
        // Verification compares whole seconds: floor(now) >= from - tolerance holds from this millisecond.
        fromMs: Math.ceil(from - tolerance) * 1000,
        untilMs,
      });
    },
    get size() {
      return entries.size;
    },
  };
}
