/**
 * The in-process token store: the default when no store is configured.
 * @packageDocumentation
 */

import type {
  AccessTokenRef,
  NewRefreshFamily,
  RefreshFamilyRef,
  RefreshTokenRef,
  RefreshTokenState,
  RevokeAccessTokenInput,
  RevokeSubjectInput,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
  TokenStore,
} from './token-store.js';

/** Options of a {@link MemoryTokenStore}. */
export interface MemoryTokenStoreOptions {
  /**
   * The most records (families, access-token denials and subject revocations
   * together) the store holds. Default 100 000.
   */
  maxEntries?: number;
  /**
   * How often expired records are removed in the background, in milliseconds;
   * 0 turns the background sweep off (expired records are then removed when
   * they are next looked up or when the store is full). Default 60 000.
   */
  sweepIntervalMs?: number;
}

interface FamilyRecord {
  liveTokenId: string;
  /** The live token's expiry, which is also when the whole record may go. */
  expiresAt: number;
  absoluteExpiresAt: number;
  previousTokenId: string | undefined;
  rotatedAt: number;
  revoked: boolean;
}

interface SubjectRevocation {
  revokedAt: number;
  expiresAt: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

let warnedAboutProduction = false;

/**
 * A {@link TokenStore} kept in this process's memory.
 *
 * Suited to a single process and to tests: its records vanish on restart (every
 * refresh token then fails and users log in again) and are not shared between
 * processes, so it is the wrong choice for a service with several instances.
 * Constructing one while `NODE_ENV` is `production` emits a process warning once.
 *
 * Every operation decides and writes synchronously, so concurrent calls are
 * atomic with respect to each other. Expired records are removed when they are
 * looked up, by a background sweep that never keeps the process alive, and when
 * the store is full.
 *
 * When full (`maxEntries`) and nothing has expired, an operation that must add
 * a record throws instead: tokenward answers `STORE_UNAVAILABLE` and fails
 * closed. The store never makes room by dropping a record, since dropping a
 * revocation would make a revoked token valid again.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #maxEntries: number;
  readonly #families = new Map<string, FamilyRecord>();
  readonly #subjectRevocations = new Map<string, SubjectRevocation>();
  readonly #deniedAccessTokens = new Map<string, number>();
  readonly #sweepTimer: ReturnType<typeof setInterval> | undefined;
  /** The latest `now` a caller passed, and the wall-clock time it was seen at. */
  #latestCallerNow = Number.NEGATIVE_INFINITY;
  #latestCallerNowSeenAt = 0;
  #lastFullSweepNow = Number.NEGATIVE_INFINITY;

  /** Creates an empty store. */
  constructor(options: MemoryTokenStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('MemoryTokenStore: maxEntries must be a positive integer');
    }
    const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw new RangeError('MemoryTokenStore: sweepIntervalMs must be a non-negative number');
    }
    this.#maxEntries = maxEntries;
    if (sweepIntervalMs > 0) {
      this.#sweepTimer = setInterval(() => this.#sweepOnTimer(), sweepIntervalMs);
      this.#sweepTimer.unref();
    }
    if (!warnedAboutProduction && process.env.NODE_ENV === 'production') {
      warnedAboutProduction = true;
      process.emitWarning(
        'MemoryTokenStore keeps refresh-token state and revocations in this process only: they are lost on restart and not shared between instances. Configure a shared store (for example RedisTokenStore from tokenward/redis) in production.',
        { type: 'TokenwardWarning', code: 'TOKENWARD_MEMORY_STORE_IN_PRODUCTION' },
      );
    }
  }

  /** How many records the store holds, expired ones not yet removed included. */
  get size(): number {
    return this.#families.size + this.#subjectRevocations.size + this.#deniedAccessTokens.size;
  }

  /** Removes every record that has expired at `now` (Unix ms) and returns how many were removed. */
  sweep(now: number): number {
    this.#lastFullSweepNow = Math.max(this.#lastFullSweepNow, now);
    let removed = 0;
    for (const [key, family] of this.#families) {
      if (family.expiresAt <= now) {
        this.#families.delete(key);
        removed++;
      }
    }
    for (const [key, revocation] of this.#subjectRevocations) {
      if (revocation.expiresAt <= now) {
        this.#subjectRevocations.delete(key);
        removed++;
      }
    }
    for (const [key, expiresAt] of this.#deniedAccessTokens) {
      if (expiresAt <= now) {
        this.#deniedAccessTokens.delete(key);
        removed++;
      }
    }
    return removed;
  }

  /** Stops the background sweep. The store keeps working; only lazy removal remains. */
  close(): void {
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
  }

  async createFamily(family: NewRefreshFamily): Promise<void> {
    this.#observe(family.now);
    requireFiniteTime(family.expiresAt, 'expiresAt');
    const key = recordKey(family.subject, family.familyId);
    if (family.expiresAt <= family.now) {
      this.#families.delete(key);
      return;
    }
    if (!this.#families.has(key)) this.#makeRoom(family.now);
    this.#families.set(key, {
      liveTokenId: family.tokenId,
      expiresAt: family.expiresAt,
      absoluteExpiresAt: family.absoluteExpiresAt,
      previousTokenId: undefined,
      rotatedAt: family.now,
      revoked: false,
    });
  }

  async rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    this.#observe(input.now);
    requireFiniteTime(input.nextExpiresAt, 'nextExpiresAt');
    const family = this.#liveFamily(input.subject, input.familyId, input.now);
    if (family === undefined || family.revoked) return { status: 'revoked' };
    if (this.#subjectRevokedFor(input.subject, input.issuedAt, input.now)) return { status: 'revoked' };
    if (input.now >= family.absoluteExpiresAt) return { status: 'expired' };

    const isLive = input.tokenId === family.liveTokenId;
    const isRetryWithinGrace =
      input.reuseGraceMs > 0 &&
      family.previousTokenId !== undefined &&
      input.tokenId === family.previousTokenId &&
      input.now < family.rotatedAt + input.reuseGraceMs;
    if (!isLive && !isRetryWithinGrace) {
      family.revoked = true;
      return { status: 'reused' };
    }

    const expiresAt = Math.min(input.nextExpiresAt, family.absoluteExpiresAt);
    if (isLive) {
      family.previousTokenId = family.liveTokenId;
      // A retry keeps the original rotation time, so retries cannot stretch the window.
      family.rotatedAt = input.now;
    }
    family.liveTokenId = input.nextTokenId;
    family.expiresAt = expiresAt;
    if (expiresAt <= input.now) this.#families.delete(recordKey(input.subject, input.familyId));
    return { status: 'rotated', expiresAt };
  }

  async getRefreshTokenState(token: RefreshTokenRef): Promise<RefreshTokenState> {
    this.#observe(token.now);
    const family = this.#liveFamily(token.subject, token.familyId, token.now);
    if (family === undefined) return 'unknown';
    if (family.revoked) return 'revoked';
    if (this.#subjectRevokedFor(token.subject, token.issuedAt, token.now)) return 'revoked';
    return token.tokenId === family.liveTokenId ? 'active' : 'consumed';
  }

  async revokeFamily(family: RefreshFamilyRef): Promise<void> {
    this.#observe(family.now);
    const record = this.#liveFamily(family.subject, family.familyId, family.now);
    if (record !== undefined) record.revoked = true;
  }

  async revokeAccessToken(token: RevokeAccessTokenInput): Promise<void> {
    this.#observe(token.now);
    requireFiniteTime(token.expiresAt, 'expiresAt');
    const key = recordKey(token.subject, token.tokenId);
    const existing = this.#deniedAccessTokens.get(key);
    if (existing !== undefined && existing > token.now) {
      if (token.expiresAt > existing) this.#deniedAccessTokens.set(key, token.expiresAt);
      return;
    }
    this.#deniedAccessTokens.delete(key);
    if (token.expiresAt <= token.now) return;
    this.#makeRoom(token.now);
    this.#deniedAccessTokens.set(key, token.expiresAt);
  }

  async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    this.#observe(token.now);
    const key = recordKey(token.subject, token.tokenId);
    const deniedUntil = this.#deniedAccessTokens.get(key);
    if (deniedUntil !== undefined) {
      if (deniedUntil > token.now) return true;
      this.#deniedAccessTokens.delete(key);
    }
    return this.#subjectRevokedFor(token.subject, token.issuedAt, token.now);
  }

  async revokeSubject(input: RevokeSubjectInput): Promise<void> {
    this.#observe(input.now);
    requireFiniteTime(input.revokedAt, 'revokedAt');
    requireFiniteTime(input.expiresAt, 'expiresAt');
    const existing = this.#liveSubjectRevocation(input.subject, input.now);
    if (existing !== undefined) {
      // Never move backwards: a later call may only extend what is revoked.
      existing.revokedAt = Math.max(existing.revokedAt, input.revokedAt);
      existing.expiresAt = Math.max(existing.expiresAt, input.expiresAt);
      return;
    }
    if (input.expiresAt <= input.now) return;
    this.#makeRoom(input.now);
    this.#subjectRevocations.set(input.subject, { revokedAt: input.revokedAt, expiresAt: input.expiresAt });
  }

  #liveFamily(subject: string, familyId: string, now: number): FamilyRecord | undefined {
    const key = recordKey(subject, familyId);
    const family = this.#families.get(key);
    if (family === undefined) return undefined;
    if (family.expiresAt <= now) {
      this.#families.delete(key);
      return undefined;
    }
    return family;
  }

  #liveSubjectRevocation(subject: string, now: number): SubjectRevocation | undefined {
    const revocation = this.#subjectRevocations.get(subject);
    if (revocation === undefined) return undefined;
    if (revocation.expiresAt <= now) {
      this.#subjectRevocations.delete(subject);
      return undefined;
    }
    return revocation;
  }

  #subjectRevokedFor(subject: string, issuedAt: number, now: number): boolean {
    const revocation = this.#liveSubjectRevocation(subject, now);
    return revocation !== undefined && issuedAt < revocation.revokedAt;
  }

  /** Ensures one more record fits, sweeping first; throws when the store stays full. */
  #makeRoom(now: number): void {
    if (this.size < this.#maxEntries) return;
    // Nothing new can have expired since a full sweep at the same or a later time.
    if (now > this.#lastFullSweepNow) this.sweep(now);
    if (this.size >= this.#maxEntries) {
      throw new Error(
        `MemoryTokenStore is full (${this.#maxEntries} unexpired records); raise maxEntries or use a shared store`,
      );
    }
  }

  #observe(now: number): void {
    if (now >= this.#latestCallerNow) {
      this.#latestCallerNow = now;
      this.#latestCallerNowSeenAt = Date.now();
    }
  }

  #sweepOnTimer(): void {
    if (this.#latestCallerNow === Number.NEGATIVE_INFINITY) return;
    // Expiry follows the callers' clock (which tests may fake), so extrapolate it
    // from the latest `now` a caller passed rather than reading the wall clock alone.
    this.sweep(this.#latestCallerNow + (Date.now() - this.#latestCallerNowSeenAt));
  }
}

/** A map key for an id scoped to a subject; the length prefix keeps ("ab","c") and ("a","bc") apart. */
function recordKey(subject: string, id: string): string {
  return `${subject.length}:${subject}:${id}`;
}

function requireFiniteTime(value: number, name: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`MemoryTokenStore: ${name} must be a finite time`);
}
