/**
 * The TokenStore conformance checks, free of any test runner.
 * @packageDocumentation
 */

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { contractCheckedStore, StoreAnswerError } from '../stores/store-answers.js';
import type {
  RefreshTokenState,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
  TokenStore,
} from '../stores/token-store.js';

/** A clock the checks control: every store call receives `now()` as its `now`. */
export interface CheckClock {
  /** The current fake time, in Unix milliseconds. */
  now(): number;
  /** Moves the fake time forward by `ms` milliseconds. */
  advance(ms: number): void;
}

/** What a check receives besides the store under test. */
export interface CheckContext {
  /** The fake clock of this check. */
  readonly clock: CheckClock;
  /** A new id, unique across checks and runs, that starts with `label`. */
  uniqueId(label: string): string;
}

/** One conformance check: it resolves when the store conforms and rejects with an assertion error when not. */
export interface TokenStoreCheck {
  /** What the check proves, as a test title. */
  readonly name: string;
  /** Runs the check against a store; `context` defaults to {@link createCheckContext}(). */
  run(store: TokenStore, context?: CheckContext): Promise<void>;
}

/** Options of {@link createCheckContext}. */
export interface CheckContextOptions {
  /** Where the fake clock starts, in Unix milliseconds. Default: the real time when the context is created. */
  startTime?: number;
}

/** Creates a fresh fake clock and id source for one check. */
export function createCheckContext(options: CheckContextOptions = {}): CheckContext {
  let time = options.startTime ?? Date.now();
  return {
    clock: {
      now: () => time,
      advance(ms) {
        if (!(ms >= 0)) throw new RangeError('the check clock only moves forward');
        time += ms;
      },
    },
    uniqueId: (label) => `${label}-${randomUUID()}`,
  };
}

/** How many rotations of one token the concurrency checks start at once. */
export const CONCURRENT_ROTATIONS = 50;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface FamilyFixture {
  subject: string;
  familyId: string;
  tokenId: string;
  issuedAt: number;
  expiresAt: number;
}

interface FamilyOptions {
  subject?: string;
  familyId?: string;
  ttl?: number;
  absoluteExpiresAt?: number;
  label?: string;
}

async function createFamily(store: TokenStore, ctx: CheckContext, options: FamilyOptions = {}) {
  const now = ctx.clock.now();
  const family: FamilyFixture = {
    subject: options.subject ?? ctx.uniqueId('user'),
    familyId: options.familyId ?? ctx.uniqueId('fam'),
    tokenId: ctx.uniqueId('rt'),
    issuedAt: now,
    expiresAt: now + (options.ttl ?? DAY),
  };
  await store.createFamily({
    subject: family.subject,
    familyId: family.familyId,
    tokenId: family.tokenId,
    expiresAt: family.expiresAt,
    absoluteExpiresAt: options.absoluteExpiresAt ?? Number.POSITIVE_INFINITY,
    now,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
  return family;
}

interface RotateOptions {
  tokenId?: string;
  issuedAt?: number;
  nextTokenId?: string;
  ttl?: number;
  reuseGraceMs?: number;
}

function rotationInput(family: FamilyFixture, ctx: CheckContext, options: RotateOptions = {}) {
  const now = ctx.clock.now();
  return {
    subject: family.subject,
    familyId: family.familyId,
    tokenId: options.tokenId ?? family.tokenId,
    issuedAt: options.issuedAt ?? family.issuedAt,
    now,
    nextTokenId: options.nextTokenId ?? ctx.uniqueId('rt'),
    nextExpiresAt: now + (options.ttl ?? DAY),
    reuseGraceMs: options.reuseGraceMs ?? 0,
  } satisfies RotateRefreshTokenInput;
}

/** Rotates the family's live token and returns the family with its successor live. */
async function rotateLive(
  store: TokenStore,
  ctx: CheckContext,
  family: FamilyFixture,
  options: RotateOptions = {},
): Promise<FamilyFixture> {
  const input = rotationInput(family, ctx, options);
  const result = await store.rotateRefreshToken(input);
  assert.equal(result.status, 'rotated', 'rotating the live refresh token must succeed');
  return {
    ...family,
    tokenId: input.nextTokenId,
    issuedAt: input.now,
    expiresAt: result.status === 'rotated' ? result.expiresAt : input.nextExpiresAt,
  };
}

function stateOf(store: TokenStore, ctx: CheckContext, family: FamilyFixture, tokenId = family.tokenId) {
  return store.getRefreshTokenState({
    subject: family.subject,
    familyId: family.familyId,
    tokenId,
    issuedAt: family.issuedAt,
    now: ctx.clock.now(),
  });
}

async function expectState(
  store: TokenStore,
  ctx: CheckContext,
  family: FamilyFixture,
  expected: RefreshTokenState,
  message: string,
  tokenId = family.tokenId,
) {
  assert.equal(await stateOf(store, ctx, family, tokenId), expected, message);
}

function accessRevoked(
  store: TokenStore,
  ctx: CheckContext,
  subject: string,
  tokenId: string,
  issuedAt: number,
) {
  return store.isAccessTokenRevoked({ subject, tokenId, issuedAt, now: ctx.clock.now() });
}

function revokeSubject(store: TokenStore, ctx: CheckContext, subject: string, revokedAt: number, ttl = DAY) {
  return store.revokeSubject({ subject, revokedAt, expiresAt: revokedAt + ttl, now: ctx.clock.now() });
}

/** The subject's sessions as the store lists them (through the contract-checked view, which always has the method). */
function sessionsOf(store: TokenStore, ctx: CheckContext, subject: string) {
  return (store.listSessions as NonNullable<TokenStore['listSessions']>)({ subject, now: ctx.clock.now() });
}

async function sessionIds(store: TokenStore, ctx: CheckContext, subject: string): Promise<string[]> {
  return (await sessionsOf(store, ctx, subject)).map((session) => session.id);
}

/** Whether the store refuses an access token of `family`'s session (the token's own jti is not denied). */
function sessionTokenRevoked(
  store: TokenStore,
  ctx: CheckContext,
  family: FamilyFixture,
  subject = family.subject,
) {
  return store.isAccessTokenRevoked({
    subject,
    tokenId: ctx.uniqueId('at'),
    issuedAt: ctx.clock.now(),
    now: ctx.clock.now(),
    sessionId: family.familyId,
  });
}

function countStatuses(results: readonly RotateRefreshTokenResult[]) {
  const counts = { rotated: 0, reused: 0, revoked: 0, expired: 0 };
  for (const result of results) counts[result.status]++;
  return counts;
}

/**
 * Concurrent reads before a race, so that a store with a connection pool has its
 * connections open and the racing calls really overlap instead of queueing on connects.
 */
async function warmUp(store: TokenStore, ctx: CheckContext, family: FamilyFixture): Promise<void> {
  await Promise.all(Array.from({ length: CONCURRENT_ROTATIONS }, () => stateOf(store, ctx, family)));
}

/**
 * A check whose store answers are held to the contract first: an answer outside
 * it (an unknown status, a missing expiry, `undefined` for a boolean) fails the
 * check with a message that names the method and the answer, the same rule that
 * makes tokenward answer STORE_UNAVAILABLE to it.
 */
function check(name: string, body: (store: TokenStore, ctx: CheckContext) => Promise<void>): TokenStoreCheck {
  return Object.freeze({
    name,
    async run(store: TokenStore, context: CheckContext = createCheckContext()) {
      try {
        await body(contractCheckedStore(store), context);
      } catch (error) {
        if (error instanceof StoreAnswerError) {
          throw new assert.AssertionError({
            message: `${error.message} (tokenward refuses it: STORE_UNAVAILABLE)`,
          });
        }
        throw error;
      }
    },
  });
}

/**
 * Every check a {@link TokenStore} must pass, in a fixed order. Each check uses
 * its own subjects and families, so all of them may run against one store.
 */
export const tokenStoreChecks: readonly TokenStoreCheck[] = Object.freeze([
  check('a new family has its first token active', async (store, ctx) => {
    const family = await createFamily(store, ctx);
    await expectState(store, ctx, family, 'active', 'the first token of a new family is active');
    await expectState(
      store,
      ctx,
      family,
      'consumed',
      'a token of the family that is not its live token is not active',
      ctx.uniqueId('rt'),
    );
  }),

  check('an unknown family is revoked for rotation and unknown for reads', async (store, ctx) => {
    const family: FamilyFixture = {
      subject: ctx.uniqueId('user'),
      familyId: ctx.uniqueId('fam'),
      tokenId: ctx.uniqueId('rt'),
      issuedAt: ctx.clock.now(),
      expiresAt: ctx.clock.now() + DAY,
    };
    await expectState(store, ctx, family, 'unknown', 'a family never recorded is unknown');
    const result = await store.rotateRefreshToken(rotationInput(family, ctx));
    assert.deepEqual(result, { status: 'revoked' }, 'rotating a token of an unknown family is refused');
    await expectState(store, ctx, family, 'unknown', 'a refused rotation records nothing');
  }),

  check('rotating the live token makes the successor live and consumes it', async (store, ctx) => {
    const first = await createFamily(store, ctx);
    ctx.clock.advance(MINUTE);
    const input = rotationInput(first, ctx, { ttl: 2 * DAY });
    const result = await store.rotateRefreshToken(input);
    assert.deepEqual(
      result,
      { status: 'rotated', expiresAt: input.nextExpiresAt },
      'rotation returns the successor expiry when no absolute end caps it',
    );
    const second: FamilyFixture = { ...first, tokenId: input.nextTokenId, issuedAt: input.now };
    await expectState(store, ctx, second, 'active', 'the successor is live after rotation');
    await expectState(store, ctx, first, 'consumed', 'the rotated token is consumed');
    ctx.clock.advance(MINUTE);
    const third = await rotateLive(store, ctx, second);
    await rotateLive(store, ctx, third);
  }),

  check('reading a state changes nothing', async (store, ctx) => {
    const first = await createFamily(store, ctx);
    const second = await rotateLive(store, ctx, first);
    for (let i = 0; i < 3; i++) {
      await expectState(store, ctx, first, 'consumed', 'reading a consumed token does not revoke its family');
    }
    await expectState(store, ctx, second, 'active', 'reads of a consumed token leave the live token active');
    await rotateLive(store, ctx, second);
  }),

  check('presenting a consumed token is reuse and revokes the whole family', async (store, ctx) => {
    const first = await createFamily(store, ctx);
    const second = await rotateLive(store, ctx, first);
    ctx.clock.advance(SECOND);
    const reuse = await store.rotateRefreshToken(rotationInput(first, ctx));
    assert.deepEqual(reuse, { status: 'reused' }, 'a consumed token is reported as reused');
    await expectState(store, ctx, second, 'revoked', 'after reuse the live successor is revoked');
    await expectState(store, ctx, first, 'revoked', 'after reuse the consumed token reads as revoked');
    const successor = await store.rotateRefreshToken(rotationInput(second, ctx));
    assert.deepEqual(successor, { status: 'revoked' }, 'after reuse the successor cannot rotate');
    const again = await store.rotateRefreshToken(rotationInput(first, ctx));
    assert.deepEqual(
      again,
      { status: 'revoked' },
      'a revoked family answers revoked, even to the reused token',
    );
  }),

  check('a token id the family never had is reuse', async (store, ctx) => {
    const family = await createFamily(store, ctx);
    const stranger = await store.rotateRefreshToken(
      rotationInput(family, ctx, { tokenId: ctx.uniqueId('rt') }),
    );
    assert.deepEqual(stranger, { status: 'reused' }, 'a token that is not the live one is reused');
    await expectState(store, ctx, family, 'revoked', 'the family is revoked after it');
  }),

  check('revoking a family revokes its live token; unknown families are ignored', async (store, ctx) => {
    const first = await createFamily(store, ctx);
    const second = await rotateLive(store, ctx, first);
    await store.revokeFamily({ subject: second.subject, familyId: second.familyId, now: ctx.clock.now() });
    await expectState(store, ctx, second, 'revoked', 'the live token of a revoked family is revoked');
    const result = await store.rotateRefreshToken(rotationInput(second, ctx));
    assert.deepEqual(result, { status: 'revoked' }, 'a revoked family cannot rotate');
    await store.revokeFamily({ subject: second.subject, familyId: second.familyId, now: ctx.clock.now() });
    const unknown = { subject: ctx.uniqueId('user'), familyId: ctx.uniqueId('fam'), now: ctx.clock.now() };
    await store.revokeFamily(unknown);
    await expectState(
      store,
      ctx,
      { ...unknown, tokenId: ctx.uniqueId('rt'), issuedAt: unknown.now, expiresAt: unknown.now + DAY },
      'unknown',
      'revoking an unknown family records nothing',
    );
  }),

  check('a family expires with its live token', async (store, ctx) => {
    const family = await createFamily(store, ctx, { ttl: HOUR });
    ctx.clock.advance(HOUR - 1);
    await expectState(store, ctx, family, 'active', 'the family is active until its token expires');
    ctx.clock.advance(1);
    await expectState(store, ctx, family, 'unknown', 'at its expiry the family is forgotten');
    const result = await store.rotateRefreshToken(rotationInput(family, ctx));
    assert.deepEqual(result, { status: 'revoked' }, 'an expired family cannot rotate');
  }),

  check('rotation moves the family expiry to the successor', async (store, ctx) => {
    const first = await createFamily(store, ctx, { ttl: HOUR });
    ctx.clock.advance(30 * MINUTE);
    const second = await rotateLive(store, ctx, first, { ttl: HOUR });
    ctx.clock.advance(45 * MINUTE);
    await expectState(store, ctx, second, 'active', 'the successor outlives the first token expiry');
    const reuse = await store.rotateRefreshToken(rotationInput(first, ctx));
    assert.deepEqual(reuse, { status: 'reused' }, 'the family remembers consumed tokens while it lives');
  }),

  check('a revoked family stays revoked until it expires, then is forgotten', async (store, ctx) => {
    const family = await createFamily(store, ctx, { ttl: HOUR });
    await store.revokeFamily({ subject: family.subject, familyId: family.familyId, now: ctx.clock.now() });
    ctx.clock.advance(HOUR - 1);
    await expectState(store, ctx, family, 'revoked', 'the revocation lasts as long as the family');
    ctx.clock.advance(1);
    await expectState(store, ctx, family, 'unknown', 'an expired revoked family is forgotten');
  }),

  check('the absolute lifetime caps successors and ends rotation', async (store, ctx) => {
    const start = ctx.clock.now();
    const absoluteExpiresAt = start + 3 * HOUR;
    const first = await createFamily(store, ctx, { ttl: DAY, absoluteExpiresAt });
    ctx.clock.advance(HOUR);
    const early = rotationInput(first, ctx, { ttl: HOUR });
    assert.deepEqual(
      await store.rotateRefreshToken(early),
      { status: 'rotated', expiresAt: early.nextExpiresAt },
      'a successor ending before the absolute end keeps its own expiry',
    );
    const second: FamilyFixture = { ...first, tokenId: early.nextTokenId, issuedAt: early.now };
    ctx.clock.advance(30 * MINUTE);
    const late = rotationInput(second, ctx, { ttl: DAY });
    assert.deepEqual(
      await store.rotateRefreshToken(late),
      { status: 'rotated', expiresAt: absoluteExpiresAt },
      'a successor is capped at the absolute end',
    );

    const other = await createFamily(store, ctx, { ttl: DAY, absoluteExpiresAt: ctx.clock.now() + HOUR });
    ctx.clock.advance(HOUR - 1);
    const lastMoment = await rotateLive(store, ctx, other, { ttl: MINUTE });
    assert.equal(lastMoment.expiresAt, ctx.clock.now() + 1, 'the cap applies at the last millisecond too');
    const fresh = await createFamily(store, ctx, { ttl: DAY, absoluteExpiresAt: ctx.clock.now() + HOUR });
    ctx.clock.advance(HOUR);
    assert.deepEqual(
      await store.rotateRefreshToken(rotationInput(fresh, ctx)),
      { status: 'expired' },
      'no rotation succeeds at the absolute end',
    );
    ctx.clock.advance(DAY);
    const afterAll = await store.rotateRefreshToken(rotationInput(fresh, ctx));
    assert.ok(
      afterAll.status === 'expired' || afterAll.status === 'revoked',
      `after the family expired too, rotation is refused (got ${afterAll.status})`,
    );
  }),

  check(
    'a grace-window retry of the previous token rotates again and replaces the live token',
    async (store, ctx) => {
      const grace = 10 * SECOND;
      const first = await createFamily(store, ctx);
      const second = await rotateLive(store, ctx, first, { reuseGraceMs: grace });
      ctx.clock.advance(grace - 1);
      const retry = rotationInput(first, ctx, { reuseGraceMs: grace });
      const result = await store.rotateRefreshToken(retry);
      assert.deepEqual(
        result,
        { status: 'rotated', expiresAt: retry.nextExpiresAt },
        'the previous token may rotate again within the grace window',
      );
      const third: FamilyFixture = { ...first, tokenId: retry.nextTokenId, issuedAt: retry.now };
      await expectState(store, ctx, third, 'active', 'the retry successor is the live token');
      await expectState(store, ctx, second, 'consumed', 'the replaced successor is no longer live');
      await expectState(store, ctx, first, 'consumed', 'the retried token stays consumed');
      const replaced = await store.rotateRefreshToken(rotationInput(second, ctx, { reuseGraceMs: grace }));
      assert.deepEqual(
        replaced,
        { status: 'reused' },
        'the replaced successor is not live: presenting it is reuse',
      );
      await expectState(store, ctx, third, 'revoked', 'that reuse revokes the family');
    },
  ),

  check('the grace window is measured from the rotation and ends on time', async (store, ctx) => {
    const grace = 10 * SECOND;
    const first = await createFamily(store, ctx);
    await rotateLive(store, ctx, first, { reuseGraceMs: grace });
    ctx.clock.advance(grace / 2);
    await rotateLive(store, ctx, first, { reuseGraceMs: grace });
    ctx.clock.advance(grace / 2 - 1);
    const last = await rotateLive(store, ctx, first, { reuseGraceMs: grace });
    ctx.clock.advance(1);
    const late = await store.rotateRefreshToken(rotationInput(first, ctx, { reuseGraceMs: grace }));
    assert.deepEqual(
      late,
      { status: 'reused' },
      'retries do not extend the window: at its end the retry is reuse',
    );
    await expectState(store, ctx, last, 'revoked', 'a late retry revokes the family');
  }),

  check('only the immediately previous token gets the grace window', async (store, ctx) => {
    const grace = MINUTE;
    const first = await createFamily(store, ctx);
    const second = await rotateLive(store, ctx, first, { reuseGraceMs: grace });
    const third = await rotateLive(store, ctx, second, { reuseGraceMs: grace });
    const old = await store.rotateRefreshToken(rotationInput(first, ctx, { reuseGraceMs: grace }));
    assert.deepEqual(old, { status: 'reused' }, 'a token two rotations back is reuse even within the window');
    await expectState(store, ctx, third, 'revoked', 'and it revokes the family');
  }),

  check('without a grace window an immediate retry is reuse', async (store, ctx) => {
    const first = await createFamily(store, ctx);
    const second = await rotateLive(store, ctx, first, { reuseGraceMs: 0 });
    const retry = await store.rotateRefreshToken(rotationInput(first, ctx, { reuseGraceMs: 0 }));
    assert.deepEqual(retry, { status: 'reused' }, 'with reuseGraceMs 0 no retry is allowed');
    await expectState(store, ctx, second, 'revoked', 'the successor is revoked');
  }),

  check('a subject revocation rejects tokens issued before it, not after', async (store, ctx) => {
    const subject = ctx.uniqueId('user');
    const before = await createFamily(store, ctx, { subject });
    const accessBefore = ctx.uniqueId('at');
    const issuedBefore = ctx.clock.now();
    ctx.clock.advance(SECOND);
    const revokedAt = ctx.clock.now();
    await revokeSubject(store, ctx, subject, revokedAt);
    await expectState(
      store,
      ctx,
      before,
      'revoked',
      'a refresh token issued before the revocation is revoked',
    );
    assert.deepEqual(
      await store.rotateRefreshToken(rotationInput(before, ctx)),
      { status: 'revoked' },
      'it cannot rotate',
    );
    assert.equal(
      await accessRevoked(store, ctx, subject, accessBefore, issuedBefore),
      true,
      'an access token issued before the revocation is revoked',
    );
    assert.equal(
      await accessRevoked(store, ctx, subject, accessBefore, revokedAt - 1),
      true,
      'one millisecond before the revocation still counts as before',
    );
    assert.equal(
      await accessRevoked(store, ctx, subject, ctx.uniqueId('at'), revokedAt),
      false,
      'an access token issued at the revocation time is valid',
    );
    const after = await createFamily(store, ctx, { subject });
    await expectState(store, ctx, after, 'active', 'a family created after the revocation is active');
    await rotateLive(store, ctx, after);
  }),

  check('a subject revocation never moves backwards and expires', async (store, ctx) => {
    const subject = ctx.uniqueId('user');
    const t0 = ctx.clock.now();
    await revokeSubject(store, ctx, subject, t0 + 10 * SECOND, HOUR);
    ctx.clock.advance(20 * SECOND);
    await revokeSubject(store, ctx, subject, t0 + 5 * SECOND, 2 * HOUR);
    assert.equal(
      await accessRevoked(store, ctx, subject, ctx.uniqueId('at'), t0 + 7 * SECOND),
      true,
      'an earlier revocation time does not replace a later one',
    );
    ctx.clock.advance(HOUR);
    assert.equal(
      await accessRevoked(store, ctx, subject, ctx.uniqueId('at'), t0 + 7 * SECOND),
      true,
      'the record lives as long as the longest expiry it was given',
    );
    ctx.clock.advance(HOUR);
    assert.equal(
      await accessRevoked(store, ctx, subject, ctx.uniqueId('at'), t0 + 7 * SECOND),
      false,
      'after its expiry the subject revocation is forgotten',
    );
  }),

  check('a denied access token is revoked until it expires', async (store, ctx) => {
    const subject = ctx.uniqueId('user');
    const tokenId = ctx.uniqueId('at');
    const issuedAt = ctx.clock.now();
    assert.equal(
      await accessRevoked(store, ctx, subject, tokenId, issuedAt),
      false,
      'a fresh token is not revoked',
    );
    await store.revokeAccessToken({
      subject,
      tokenId,
      expiresAt: issuedAt + 15 * MINUTE,
      now: ctx.clock.now(),
    });
    assert.equal(
      await accessRevoked(store, ctx, subject, tokenId, issuedAt),
      true,
      'a denied token is revoked',
    );
    assert.equal(
      await accessRevoked(store, ctx, subject, ctx.uniqueId('at'), issuedAt),
      false,
      'other tokens of the subject are not',
    );
    ctx.clock.advance(15 * MINUTE - 1);
    assert.equal(
      await accessRevoked(store, ctx, subject, tokenId, issuedAt),
      true,
      'denied up to its expiry',
    );
    ctx.clock.advance(1);
    assert.equal(
      await accessRevoked(store, ctx, subject, tokenId, issuedAt),
      false,
      'forgotten at its expiry',
    );
  }),

  check('subjects and families are isolated from each other', async (store, ctx) => {
    const base = ctx.uniqueId('user');
    const unique = ctx.uniqueId('');
    // Pairs that collide under naive key building (subject + id concatenated, a
    // shared separator, hash-tag braces): "<base>a"+"bc…" and "<base>ab"+"c…".
    const pairs: Array<[subject: string, id: string]> = [
      [`${base}a`, `bc${unique}`],
      [`${base}ab`, `c${unique}`],
      [`${base}a:b`, `:c${unique}`],
      [`${base}a{b}`, `}c${unique}`],
      [`{${base}}`, `{c}${unique}`],
      [`${base}ü`, `ü${unique}`],
    ];
    const families: FamilyFixture[] = [];
    for (const [subject, familyId] of pairs)
      families.push(await createFamily(store, ctx, { subject, familyId }));
    const [victim, ...others] = families;
    assert.ok(victim);
    await store.rotateRefreshToken(rotationInput(victim, ctx, { tokenId: ctx.uniqueId('rt') }));
    await expectState(store, ctx, victim, 'revoked', 'the reused family is revoked');
    await revokeSubject(store, ctx, victim.subject, ctx.clock.now() + 1);
    // The victim's denied access token id is the victim's family id: "<base>a"+"bc…".
    await store.revokeAccessToken({
      subject: victim.subject,
      tokenId: victim.familyId,
      expiresAt: ctx.clock.now() + HOUR,
      now: ctx.clock.now(),
    });
    assert.equal(await accessRevoked(store, ctx, victim.subject, victim.familyId, ctx.clock.now() + 1), true);
    for (const family of others) {
      await expectState(store, ctx, family, 'active', `the family of "${family.subject}" is untouched`);
      assert.equal(
        await accessRevoked(store, ctx, family.subject, family.familyId, ctx.clock.now() - 1),
        false,
        `access tokens of "${family.subject}" are untouched`,
      );
    }
    for (const family of others) await rotateLive(store, ctx, family);
  }),

  check('one family id under two subjects is two families', async (store, ctx) => {
    const familyId = ctx.uniqueId('fam');
    const alice = await createFamily(store, ctx, { subject: ctx.uniqueId('alice'), familyId });
    const bob = await createFamily(store, ctx, { subject: ctx.uniqueId('bob'), familyId });
    const keyed = 'records are keyed by (subject, family id), not by the id alone';
    await expectState(
      store,
      ctx,
      alice,
      'active',
      `a family stays active when another subject records its id: ${keyed}`,
    );
    await expectState(
      store,
      ctx,
      bob,
      'active',
      `the second subject's family with the same id is active: ${keyed}`,
    );
    const aliceNext = await rotateLive(store, ctx, alice);
    await expectState(store, ctx, bob, 'active', "rotating one subject's family leaves the other's alone");
    const aliceReuse = await store.rotateRefreshToken(rotationInput(alice, ctx));
    assert.deepEqual(aliceReuse, { status: 'reused' }, 'a consumed token of the first subject is reuse');
    await expectState(store, ctx, aliceNext, 'revoked', "the reuse revokes the first subject's family");
    await expectState(store, ctx, bob, 'active', "a reuse under one subject never revokes another's family");
    const bobNext = await rotateLive(store, ctx, bob);
    await store.revokeFamily({ subject: bob.subject, familyId, now: ctx.clock.now() });
    await expectState(store, ctx, bobNext, 'revoked', 'revokeFamily revokes the family of its subject');
  }),

  check("revoking one subject leaves another subject's tokens alone", async (store, ctx) => {
    const familyId = ctx.uniqueId('fam');
    const tokenId = ctx.uniqueId('at');
    const alice = await createFamily(store, ctx, { subject: ctx.uniqueId('alice'), familyId });
    const bob = await createFamily(store, ctx, { subject: ctx.uniqueId('bob'), familyId });
    const issuedAt = ctx.clock.now();
    ctx.clock.advance(SECOND);
    await revokeSubject(store, ctx, alice.subject, ctx.clock.now());
    await expectState(store, ctx, alice, 'revoked', "the revoked subject's family is revoked");
    assert.equal(
      await accessRevoked(store, ctx, alice.subject, tokenId, issuedAt),
      true,
      "the revoked subject's access token is revoked",
    );
    await expectState(store, ctx, bob, 'active', "another subject's family with the same id stays active");
    assert.equal(
      await accessRevoked(store, ctx, bob.subject, tokenId, issuedAt),
      false,
      "another subject's access token with the same id and time stays valid",
    );
    await rotateLive(store, ctx, bob);
  }),

  check('an access-token denial applies to its subject only', async (store, ctx) => {
    const tokenId = ctx.uniqueId('at');
    const alice = ctx.uniqueId('alice');
    const bob = ctx.uniqueId('bob');
    const issuedAt = ctx.clock.now();
    await store.revokeAccessToken({ subject: alice, tokenId, expiresAt: issuedAt + HOUR, now: issuedAt });
    assert.equal(
      await accessRevoked(store, ctx, alice, tokenId, issuedAt),
      true,
      'the denied token is revoked',
    );
    assert.equal(
      await accessRevoked(store, ctx, bob, tokenId, issuedAt),
      false,
      'the same jti under another subject is not denied: denials are keyed by (subject, jti), not by the jti alone',
    );
  }),

  check(
    `${CONCURRENT_ROTATIONS} concurrent rotations of one token: one wins, no two successors live`,
    async (store, ctx) => {
      const family = await createFamily(store, ctx);
      const inputs = Array.from({ length: CONCURRENT_ROTATIONS }, () => rotationInput(family, ctx));
      await warmUp(store, ctx, family);
      const results = await Promise.all(inputs.map((input) => store.rotateRefreshToken(input)));
      const counts = countStatuses(results);
      // The first rotation wins; the next presentation is reuse and revokes the family;
      // any later one sees either the reuse or the revoked family.
      assert.equal(counts.rotated, 1, `exactly one rotation succeeds (${JSON.stringify(counts)})`);
      assert.ok(counts.reused >= 1, `the losers are detected as reuse (${JSON.stringify(counts)})`);
      assert.equal(counts.expired, 0, 'no rotation is expired');
      assert.equal(counts.rotated + counts.reused + counts.revoked, CONCURRENT_ROTATIONS);
      for (const input of inputs) {
        await expectState(
          store,
          ctx,
          family,
          'revoked',
          'after the reuse no successor is live, the winner included',
          input.nextTokenId,
        );
      }
      const winner = inputs[results.findIndex((r) => r.status === 'rotated')];
      assert.ok(winner);
      const winnerNext = await store.rotateRefreshToken(
        rotationInput({ ...family, tokenId: winner.nextTokenId, issuedAt: winner.now }, ctx),
      );
      assert.deepEqual(winnerNext, { status: 'revoked' }, "the winner's successor cannot rotate");
    },
  ),

  check(
    `${CONCURRENT_ROTATIONS} concurrent retries within the grace window leave one live token`,
    async (store, ctx) => {
      const family = await createFamily(store, ctx);
      const inputs = Array.from({ length: CONCURRENT_ROTATIONS }, () =>
        rotationInput(family, ctx, { reuseGraceMs: MINUTE }),
      );
      await warmUp(store, ctx, family);
      const results = await Promise.all(inputs.map((input) => store.rotateRefreshToken(input)));
      assert.deepEqual(
        countStatuses(results).rotated,
        CONCURRENT_ROTATIONS,
        'every retry within the window rotates',
      );
      const states = await Promise.all(inputs.map((input) => stateOf(store, ctx, family, input.nextTokenId)));
      assert.equal(states.filter((s) => s === 'active').length, 1, 'exactly one successor is live');
      assert.equal(
        states.filter((s) => s === 'consumed').length,
        CONCURRENT_ROTATIONS - 1,
        'the others are not',
      );
    },
  ),

  check('concurrent rotations of different families of one subject all succeed', async (store, ctx) => {
    const subject = ctx.uniqueId('user');
    const families = await Promise.all(
      Array.from({ length: 20 }, () => createFamily(store, ctx, { subject })),
    );
    const results = await Promise.all(families.map((f) => store.rotateRefreshToken(rotationInput(f, ctx))));
    assert.equal(countStatuses(results).rotated, families.length, 'no family disturbs another');
  }),

  // Sessions (tokenward 0.2): a store that lists sessions. A store written for 0.1 fails these
  // until it implements listSessions; opt out by name with `skip` while it has not.

  check('sessions: a new family is listed with its times and label', async (store, ctx) => {
    const subject = ctx.uniqueId('user');
    const start = ctx.clock.now();
    const labelled = await createFamily(store, ctx, {
      subject,
      label: 'Firefox on Linux',
      absoluteExpiresAt: start + 30 * DAY,
    });
    const sessions = await sessionsOf(store, ctx, subject);
    assert.deepEqual(
      sessions,
      [
        {
          id: labelled.familyId,
          createdAt: start,
          lastUsedAt: start,
          expiresAt: labelled.expiresAt,
          absoluteExpiresAt: start + 30 * DAY,
          label: 'Firefox on Linux',
        },
      ],
      'a new family is listed with createdAt, lastUsedAt, expiresAt, absoluteExpiresAt and its label',
    );
    ctx.clock.advance(SECOND);
    const bare = await createFamily(store, ctx, { subject });
    const [newest] = await sessionsOf(store, ctx, subject);
    assert.equal(newest?.id, bare.familyId, 'the newest session is listed first');
    assert.equal(newest?.label, undefined, 'a family created without a label lists none');
    assert.equal(newest?.absoluteExpiresAt, Number.POSITIVE_INFINITY, 'an unbounded family lists Infinity');
  }),

  check(
    'sessions: a rotation updates lastUsedAt and expiresAt, newest first stays by creation',
    async (store, ctx) => {
      const subject = ctx.uniqueId('user');
      const older = await createFamily(store, ctx, { subject });
      ctx.clock.advance(MINUTE);
      const newer = await createFamily(store, ctx, { subject });
      ctx.clock.advance(MINUTE);
      const rotated = await rotateLive(store, ctx, older);
      const sessions = await sessionsOf(store, ctx, subject);
      assert.deepEqual(
        sessions.map((s) => s.id),
        [newer.familyId, older.familyId],
        'sessions are listed newest first by creation time, whatever was refreshed last',
      );
      assert.equal(sessions[1]?.createdAt, older.issuedAt, 'a rotation keeps createdAt');
      assert.equal(sessions[1]?.lastUsedAt, ctx.clock.now(), 'a rotation moves lastUsedAt to its time');
      assert.equal(sessions[1]?.expiresAt, rotated.expiresAt, 'a rotation moves expiresAt to the successor');
    },
  ),

  check(
    'sessions: expired, revoked, reused and subject-revoked families are not listed',
    async (store, ctx) => {
      const subject = ctx.uniqueId('user');
      const short = await createFamily(store, ctx, { subject, ttl: MINUTE });
      const revoked = await createFamily(store, ctx, { subject });
      const reused = await createFamily(store, ctx, { subject });
      const live = await createFamily(store, ctx, { subject });
      await store.revokeFamily({ subject, familyId: revoked.familyId, now: ctx.clock.now() });
      await rotateLive(store, ctx, reused);
      assert.equal((await store.rotateRefreshToken(rotationInput(reused, ctx))).status, 'reused');
      ctx.clock.advance(MINUTE);
      assert.deepEqual(
        await sessionIds(store, ctx, subject),
        [live.familyId],
        'an expired (pruned), revoked or reused family is not listed',
      );
      assert.equal(short.expiresAt, ctx.clock.now(), 'the short family expired at this very time');
      await revokeSubject(store, ctx, subject, ctx.clock.now() + 1);
      ctx.clock.advance(SECOND);
      assert.deepEqual(
        await sessionIds(store, ctx, subject),
        [],
        'a subject revocation ends every session listed',
      );
      const after = await createFamily(store, ctx, { subject });
      assert.deepEqual(await sessionIds(store, ctx, subject), [after.familyId], 'a login after it is listed');
    },
  ),

  check('sessions: listing and revoking are isolated between subjects', async (store, ctx) => {
    const familyId = ctx.uniqueId('fam');
    const alice = await createFamily(store, ctx, { familyId, label: 'alice' });
    const bob = await createFamily(store, ctx, { familyId, label: 'bob' });
    const other = await createFamily(store, ctx, { subject: bob.subject });
    assert.deepEqual(
      (await sessionsOf(store, ctx, alice.subject)).map((s) => s.label),
      ['alice'],
      "a subject's listing holds its own sessions only, keyed by (subject, family id)",
    );
    // Bob names Alice's session id (and his own of the same id) under his subject: only his ends.
    await store.revokeFamily({ subject: bob.subject, familyId, now: ctx.clock.now() });
    assert.deepEqual(
      await sessionIds(store, ctx, alice.subject),
      [familyId],
      "another subject's revocation leaves the session listed",
    );
    assert.equal(
      await sessionTokenRevoked(store, ctx, alice),
      false,
      "another subject's revocation leaves its access tokens valid",
    );
    assert.deepEqual(await sessionIds(store, ctx, bob.subject), [other.familyId]);
    assert.deepEqual(
      await sessionIds(store, ctx, ctx.uniqueId('nobody')),
      [],
      'a subject without sessions lists none',
    );
  }),

  check('sessions: revoking one session among many ends it alone', async (store, ctx) => {
    const subject = ctx.uniqueId('user');
    const families: FamilyFixture[] = [];
    for (let i = 0; i < 10; i++) {
      families.push(await createFamily(store, ctx, { subject }));
      ctx.clock.advance(1);
    }
    const target = families[4] as FamilyFixture;
    await store.revokeFamily({ subject, familyId: target.familyId, now: ctx.clock.now() });
    const listed = await sessionIds(store, ctx, subject);
    assert.deepEqual(
      listed,
      families
        .filter((f) => f !== target)
        .map((f) => f.familyId)
        .reverse(),
      'the other nine stay listed, newest first',
    );
    await expectState(store, ctx, target, 'revoked', "the revoked session's refresh token is revoked");
    for (const family of families) {
      if (family !== target) await rotateLive(store, ctx, family);
    }
  }),

  check('sessions: listing during concurrent rotations sees every session', async (store, ctx) => {
    const subject = ctx.uniqueId('user');
    const families = await Promise.all(
      Array.from({ length: 20 }, () => createFamily(store, ctx, { subject })),
    );
    const ids = families.map((f) => f.familyId).sort();
    ctx.clock.advance(SECOND);
    const rotations = families.map((family) => store.rotateRefreshToken(rotationInput(family, ctx)));
    const listings = Array.from({ length: 10 }, () => sessionIds(store, ctx, subject));
    const [results, lists] = await Promise.all([Promise.all(rotations), Promise.all(listings)]);
    assert.equal(countStatuses(results).rotated, families.length, 'every rotation succeeds');
    for (const list of lists) {
      assert.deepEqual([...list].sort(), ids, 'a listing during rotations holds every live session once');
    }
    const after = await sessionsOf(store, ctx, subject);
    assert.ok(
      after.every((s) => s.lastUsedAt === ctx.clock.now()),
      'after the rotations every session was last used at their time',
    );
  }),

  check('sessions: an access token of a revoked or reused session is refused', async (store, ctx) => {
    const subject = ctx.uniqueId('user');
    const revoked = await createFamily(store, ctx, { subject });
    const reused = await createFamily(store, ctx, { subject });
    const live = await createFamily(store, ctx, { subject });
    for (const family of [revoked, reused, live]) {
      assert.equal(
        await sessionTokenRevoked(store, ctx, family),
        false,
        'an access token of a live session is valid',
      );
    }
    assert.equal(
      await store.isAccessTokenRevoked({
        subject,
        tokenId: ctx.uniqueId('at'),
        issuedAt: ctx.clock.now(),
        now: ctx.clock.now(),
      }),
      false,
      'an access token without a session is not looked up by session',
    );
    await store.revokeFamily({ subject, familyId: revoked.familyId, now: ctx.clock.now() });
    await rotateLive(store, ctx, reused);
    await store.rotateRefreshToken(rotationInput(reused, ctx));
    assert.equal(
      await sessionTokenRevoked(store, ctx, revoked),
      true,
      'a revoked session refuses its access tokens',
    );
    assert.equal(
      await sessionTokenRevoked(store, ctx, reused),
      true,
      'a reused session refuses its access tokens',
    );
    ctx.clock.advance(HOUR);
    assert.equal(
      await sessionTokenRevoked(store, ctx, revoked),
      true,
      'a revoked session keeps refusing its access tokens while its record lives',
    );
    assert.equal(await sessionTokenRevoked(store, ctx, live), false, 'the live session is untouched');
    // A session this store never recorded (another instance's store) revokes nothing.
    assert.equal(
      await sessionTokenRevoked(store, ctx, { ...live, familyId: ctx.uniqueId('fam') }),
      false,
      'a session the store does not know does not refuse its access tokens',
    );
    assert.equal(
      await sessionTokenRevoked(store, ctx, revoked, ctx.uniqueId('user')),
      false,
      "a revoked session of one subject says nothing about another subject's session of that id",
    );
  }),
]);
