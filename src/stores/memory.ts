/**
 * The in-process token store: the default when no store is configured.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';
import { emitWarning, envVar } from '../lib/platform.js';
import type {
  AccessTokenRef,
  ListSessionsInput,
  NewRefreshFamily,
  RefreshFamilyRef,
  RefreshTokenRef,
  RefreshTokenState,
  RevokeAccessTokenInput,
  RevokeSubjectInput,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
  SessionRecord,
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
  /**
   * The most families and access-token denials one subject may hold, so that one
   * account cannot fill the store for everyone. Default 1000. At the cap, a new
   * family (a login) makes the store forget the subject's oldest family (that
   * session ends: its refresh token is refused), and a new access-token denial
   * becomes a revocation of the whole subject (every token of the subject issued
   * until then is revoked, in one record). Neither ever makes a revoked token valid.
   */
  maxEntriesPerSubject?: number;
}

interface FamilyRecord {
  subject: string;
  familyId: string;
  liveTokenId: string;
  /** The live token's expiry, which is also when the whole record may go. */
  expiresAt: number;
  absoluteExpiresAt: number;
  previousTokenId: string | undefined;
  rotatedAt: number;
  revoked: boolean;
  /** When the family was created. */
  createdAt: number;
  /** When the live token was issued (a retry within the grace window included). */
  lastUsedAt: number;
  label: string | undefined;
}

interface SubjectRevocation {
  revokedAt: number;
  expiresAt: number;
}

interface AccessTokenDenial {
  subject: string;
  expiresAt: number;
}

/**
 * What one subject holds: its family keys, oldest first, and how many access-token
 * denials. An array and a count rather than sets: most subjects hold one or two
 * records, and this index must cost little next to the records themselves.
 */
interface SubjectRecords {
  families: string[];
  denials: number;
}

/** A subject's entry in the index: the key of its only family (the usual case, and the cheapest), or its records. */
type SubjectEntry = string | SubjectRecords;

const DEFAULT_MAX_ENTRIES = 100_000;
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
const DEFAULT_MAX_ENTRIES_PER_SUBJECT = 1000;
/**
 * The least time, by the callers' clock, between two sweeps a full store runs to
 * make room. Each is a pass over every record: unlimited, a flood of writes into
 * a full store would run one per write and stall the process.
 */
const FULL_SWEEP_MIN_INTERVAL_MS = 1000;

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
 * a family or an access-token denial throws instead: tokenward answers
 * `STORE_UNAVAILABLE` and fails closed. The store never makes room by dropping
 * a revocation, since that would make a revoked token valid again. A subject
 * revocation (`revokeSubject`) is recorded even in a full store: there is at
 * most one per subject, and refusing it would keep a leaked session alive.
 * A full store sweeps at most once a second (by the callers' clock) to make room.
 *
 * One subject holds at most `maxEntriesPerSubject` families and denials; see
 * {@link MemoryTokenStoreOptions.maxEntriesPerSubject} for what happens at the cap.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #maxEntries: number;
  readonly #maxEntriesPerSubject: number;
  readonly #families = new Map<string, FamilyRecord>();
  readonly #subjectRevocations = new Map<string, SubjectRevocation>();
  readonly #deniedAccessTokens = new Map<string, AccessTokenDenial>();
  readonly #bySubject = new Map<string, SubjectEntry>();
  readonly #sweepTimer: ReturnType<typeof setInterval> | undefined;
  /** The latest `now` a caller passed, and the wall-clock time it was seen at. */
  #latestCallerNow = Number.NEGATIVE_INFINITY;
  #latestCallerNowSeenAt = 0;
  #lastFullSweepNow = Number.NEGATIVE_INFINITY;

  /** Creates an empty store. */
  constructor(options: MemoryTokenStoreOptions = {}) {
    const maxEntries = positiveInteger(options.maxEntries ?? DEFAULT_MAX_ENTRIES, 'maxEntries');
    const maxEntriesPerSubject = positiveInteger(
      options.maxEntriesPerSubject ?? DEFAULT_MAX_ENTRIES_PER_SUBJECT,
      'maxEntriesPerSubject',
    );
    const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (typeof sweepIntervalMs !== 'number' || !Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw new AuthError(
        'CONFIG_INVALID',
        'MemoryTokenStore: sweepIntervalMs must be a non-negative number',
      );
    }
    this.#maxEntries = maxEntries;
    this.#maxEntriesPerSubject = maxEntriesPerSubject;
    if (sweepIntervalMs > 0) {
      this.#sweepTimer = setInterval(() => this.#sweepOnTimer(), sweepIntervalMs);
      // Node's timers can be unref'd; a runtime whose timers are numbers (workerd) has nothing to unref.
      (this.#sweepTimer as { unref?: () => void }).unref?.();
    }
    if (!warnedAboutProduction && envVar('NODE_ENV') === 'production') {
      warnedAboutProduction = true;
      emitWarning(
        'MemoryTokenStore keeps refresh-token state and revocations in this process only: they are lost on restart and not shared between instances. Configure a shared store (for example RedisTokenStore from tokenward/redis) in production.',
        'TOKENWARD_MEMORY_STORE_IN_PRODUCTION',
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
        this.#deleteFamily(key, family.subject);
        removed++;
      }
    }
    for (const [key, revocation] of this.#subjectRevocations) {
      if (revocation.expiresAt <= now) {
        this.#subjectRevocations.delete(key);
        removed++;
      }
    }
    for (const [key, denial] of this.#deniedAccessTokens) {
      if (denial.expiresAt <= now) {
        this.#deleteDenial(key, denial.subject);
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
    const existing = this.#families.get(key);
    if (family.expiresAt <= family.now) {
      if (existing !== undefined) this.#deleteFamily(key, existing.subject);
      return;
    }
    if (existing === undefined) {
      this.#makeRoomForSubject(family.subject, family.now);
      this.#makeRoom(family.now);
    }
    this.#families.set(key, {
      subject: family.subject,
      familyId: family.familyId,
      liveTokenId: family.tokenId,
      expiresAt: family.expiresAt,
      absoluteExpiresAt: family.absoluteExpiresAt,
      previousTokenId: undefined,
      rotatedAt: family.now,
      revoked: false,
      createdAt: family.now,
      lastUsedAt: family.now,
      label: typeof family.label === 'string' ? family.label : undefined,
    });
    if (this.#bySubject.has(family.subject)) this.#recordsOf(family.subject).families.push(key);
    else this.#bySubject.set(family.subject, key);
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
    family.lastUsedAt = input.now;
    if (expiresAt <= input.now) this.#deleteFamily(recordKey(input.subject, input.familyId), input.subject);
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
    if (existing !== undefined && existing.expiresAt > token.now) {
      if (token.expiresAt > existing.expiresAt) existing.expiresAt = token.expiresAt;
      return;
    }
    if (existing !== undefined) this.#deleteDenial(key, existing.subject);
    if (token.expiresAt <= token.now) return;
    if (this.#atSubjectCap(token.subject)) {
      this.#revokeWholeSubject(token.subject, token.now, token.expiresAt);
      return;
    }
    this.#makeRoom(token.now);
    this.#deniedAccessTokens.set(key, { subject: token.subject, expiresAt: token.expiresAt });
    this.#recordsOf(token.subject).denials++;
  }

  async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    this.#observe(token.now);
    const key = recordKey(token.subject, token.tokenId);
    const denial = this.#deniedAccessTokens.get(key);
    if (denial !== undefined) {
      if (denial.expiresAt > token.now) return true;
      this.#deleteDenial(key, denial.subject);
    }
    if (token.sessionId !== undefined) {
      // The session's family, read in the same step: revoked, its access tokens end too. A family
      // this store does not know (another instance's store, one forgotten) revokes nothing.
      const family = this.#liveFamily(token.subject, token.sessionId, token.now);
      if (family?.revoked === true) return true;
    }
    return this.#subjectRevokedFor(token.subject, token.issuedAt, token.now);
  }

  async listSessions(input: ListSessionsInput): Promise<SessionRecord[]> {
    this.#observe(input.now);
    const entry = this.#bySubject.get(input.subject);
    if (entry === undefined) return [];
    // A copy: #liveFamily removes expired families from the subject's list while it is walked.
    const keys = typeof entry === 'string' ? [entry] : [...entry.families];
    const revocation = this.#liveSubjectRevocation(input.subject, input.now);
    const sessions: SessionRecord[] = [];
    for (const key of keys) {
      const family = this.#families.get(key);
      if (family === undefined) continue;
      if (family.expiresAt <= input.now) {
        this.#deleteFamily(key, family.subject);
        continue;
      }
      if (family.revoked || (revocation !== undefined && family.lastUsedAt < revocation.revokedAt)) continue;
      const session: SessionRecord = {
        id: family.familyId,
        createdAt: family.createdAt,
        lastUsedAt: family.lastUsedAt,
        expiresAt: family.expiresAt,
        absoluteExpiresAt: family.absoluteExpiresAt,
      };
      if (family.label !== undefined) session.label = family.label;
      sessions.push(session);
    }
    // Families are kept oldest first; the newest session leads the list.
    return sessions.reverse().sort((a, b) => b.createdAt - a.createdAt);
  }

  async revokeSubject(input: RevokeSubjectInput): Promise<void> {
    this.#observe(input.now);
    requireFiniteTime(input.revokedAt, 'revokedAt');
    requireFiniteTime(input.expiresAt, 'expiresAt');
    // Never refused for lack of room: see the class documentation.
    this.#upsertSubjectRevocation(input.subject, input.revokedAt, input.expiresAt, input.now);
  }

  #upsertSubjectRevocation(subject: string, revokedAt: number, expiresAt: number, now: number): void {
    const existing = this.#liveSubjectRevocation(subject, now);
    if (existing !== undefined) {
      // Never move backwards: a later call may only extend what is revoked.
      existing.revokedAt = Math.max(existing.revokedAt, revokedAt);
      existing.expiresAt = Math.max(existing.expiresAt, expiresAt);
      return;
    }
    if (expiresAt <= now) return;
    this.#subjectRevocations.set(subject, { revokedAt, expiresAt });
  }

  /**
   * What an access-token denial becomes at the subject's cap: one subject
   * revocation covering every token of the subject issued until `now` (the
   * denied one included), kept as long as the longest of the subject's records,
   * which it replaces. It revokes more than was asked, never less.
   */
  #revokeWholeSubject(subject: string, now: number, expiresAt: number): void {
    let longest = expiresAt;
    const records = this.#recordsOf(subject);
    for (const key of records.families) longest = Math.max(longest, this.#families.get(key)?.expiresAt ?? 0);
    // The denials are found by a pass over all of them: it runs once per
    // `maxEntriesPerSubject` denials of one subject, since the subject then starts again from none.
    const denials: string[] = [];
    for (const [key, denial] of this.#deniedAccessTokens) {
      if (denial.subject !== subject) continue;
      denials.push(key);
      longest = Math.max(longest, denial.expiresAt);
    }
    // `now + 1`: a token issued in this very millisecond is covered too.
    this.#upsertSubjectRevocation(subject, now + 1, longest, now);
    // Every family and denial of the subject is now covered by the revocation, for
    // at least as long as it would have lived: forgetting them changes no answer
    // but "revoked" into "unknown", which is refused just the same.
    for (const key of records.families) this.#families.delete(key);
    for (const key of denials) this.#deniedAccessTokens.delete(key);
    this.#bySubject.delete(subject);
  }

  #liveFamily(subject: string, familyId: string, now: number): FamilyRecord | undefined {
    const key = recordKey(subject, familyId);
    const family = this.#families.get(key);
    if (family === undefined) return undefined;
    if (family.expiresAt <= now) {
      this.#deleteFamily(key, family.subject);
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

  /** The subject's records, turning a lone family key into records. */
  #recordsOf(subject: string): SubjectRecords {
    const entry = this.#bySubject.get(subject);
    if (entry !== undefined && typeof entry !== 'string') return entry;
    const records: SubjectRecords = { families: entry === undefined ? [] : [entry], denials: 0 };
    this.#bySubject.set(subject, records);
    return records;
  }

  #atSubjectCap(subject: string): boolean {
    const entry = this.#bySubject.get(subject);
    if (entry === undefined) return false;
    const count = typeof entry === 'string' ? 1 : entry.families.length + entry.denials;
    return count >= this.#maxEntriesPerSubject;
  }

  #deleteFamily(key: string, subject: string): void {
    if (!this.#families.delete(key)) return;
    const entry = this.#bySubject.get(subject);
    if (entry === undefined) return;
    if (typeof entry === 'string') {
      if (entry === key) this.#bySubject.delete(subject);
      return;
    }
    // At most `maxEntriesPerSubject` keys to look through, usually one.
    const index = entry.families.indexOf(key);
    if (index !== -1) entry.families.splice(index, 1);
    this.#forgetIfEmpty(subject, entry);
  }

  #deleteDenial(key: string, subject: string): void {
    if (!this.#deniedAccessTokens.delete(key)) return;
    const entry = this.#bySubject.get(subject);
    if (entry === undefined || typeof entry === 'string') return;
    entry.denials--;
    this.#forgetIfEmpty(subject, entry);
  }

  #forgetIfEmpty(subject: string, records: SubjectRecords): void {
    if (records.families.length === 0 && records.denials <= 0) this.#bySubject.delete(subject);
  }

  /**
   * Keeps a subject under its cap before it gains a family: the subject's oldest
   * family goes (its session ends; an unknown family is refused, so nothing
   * becomes valid). A subject whose records are all denials cannot log in until
   * some expire: the store throws.
   */
  #makeRoomForSubject(subject: string, now: number): void {
    if (!this.#atSubjectCap(subject)) return;
    const oldest = this.#recordsOf(subject).families[0];
    if (oldest !== undefined) {
      this.#deleteFamily(oldest, subject);
      return;
    }
    // Every record is a denial: some may have expired. The sweep that finds them is
    // rate-limited like a full store's.
    if (now >= this.#lastFullSweepNow + FULL_SWEEP_MIN_INTERVAL_MS) this.sweep(now);
    if (this.#atSubjectCap(subject)) {
      throw new Error(
        `MemoryTokenStore: this subject already holds ${this.#maxEntriesPerSubject} unexpired records (maxEntriesPerSubject)`,
      );
    }
  }

  /** Ensures one more record fits, sweeping first (at most once a second); throws when the store stays full. */
  #makeRoom(now: number): void {
    if (this.size < this.#maxEntries) return;
    // Nothing new can have expired since a full sweep at the same or a later time,
    // and a flood of writes must not buy one O(size) pass per write.
    if (now >= this.#lastFullSweepNow + FULL_SWEEP_MIN_INTERVAL_MS) this.sweep(now);
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

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new AuthError('CONFIG_INVALID', `MemoryTokenStore: ${name} must be a positive integer`);
  }
  return value;
}

function requireFiniteTime(value: number, name: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`MemoryTokenStore: ${name} must be a finite time`);
}
