import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '../../src/stores/memory.js';
import type { TokenStore } from '../../src/stores/token-store.js';
import { CONCURRENT_ROTATIONS, describeTokenStore, tokenStoreChecks } from '../../src/testing/index.js';
import {
  IdOnlyStore,
  ListsRevokedStore,
  NeverExpiringStore,
  type Nonsense,
  NonsenseStore,
  OwnClockStore,
  ReadThenWriteStore,
  SessionBlindStore,
} from '../support/broken-stores.js';

const execFileAsync = promisify(execFile);

/** The names of the checks `store()` fails, with each failure's message. */
async function failedChecks(store: () => TokenStore): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  for (const check of tokenStoreChecks) {
    try {
      await check.run(store());
    } catch (error) {
      failed.set(check.name, error instanceof Error ? error.message : String(error));
    }
  }
  return failed;
}

const concurrencyCheck = `${CONCURRENT_ROTATIONS} concurrent rotations of one token: one wins, no two successors live`;
const expiryChecks = [
  'a family expires with its live token',
  'a revoked family stays revoked until it expires, then is forgotten',
  'a subject revocation never moves backwards and expires',
  'a denied access token is revoked until it expires',
  'sessions: expired, revoked, reused and subject-revoked families are not listed',
];

describe('the conformance kit', () => {
  it('has distinct check names', () => {
    const names = tokenStoreChecks.map((check) => check.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(concurrencyCheck);
    for (const name of expiryChecks) expect(names).toContain(name);
  });

  it('passes a correct store', async () => {
    expect([...(await failedChecks(() => new MemoryTokenStore({ sweepIntervalMs: 0 })))]).toEqual([]);
  });

  it('fails a store whose rotation reads, awaits, then writes', async () => {
    const failed = await failedChecks(
      () => new ReadThenWriteStore(new MemoryTokenStore({ sweepIntervalMs: 0 })),
    );
    expect(failed.get(concurrencyCheck)).toMatch(/exactly one rotation succeeds/);
    // Taken one at a time its rotations are right: it is the race the kit catches.
    expect(failed.has('rotating the live token makes the successor live and consumes it')).toBe(false);
    expect(failed.has('presenting a consumed token is reuse and revokes the whole family')).toBe(false);
  });

  it('fails a store that never expires its records', async () => {
    const failed = await failedChecks(
      () => new NeverExpiringStore(new MemoryTokenStore({ sweepIntervalMs: 0 })),
    );
    for (const name of expiryChecks) expect(failed.has(name), name).toBe(true);
    // Its rotations answer an expiry later than the one asked for: outside the contract.
    expect(failed.get(concurrencyCheck)).toMatch(
      /rotateRefreshToken answered .* no later than nextExpiresAt/,
    );
  });

  it('fails a store that judges expiry by its own clock instead of the given one', async () => {
    const failed = await failedChecks(() => new OwnClockStore(new MemoryTokenStore({ sweepIntervalMs: 0 })));
    expect(failed.has('a family expires with its live token')).toBe(true);
    expect(failed.has('a denied access token is revoked until it expires')).toBe(true);
  });

  it('fails a store that keys records by id alone, ignoring the subject', async () => {
    const failed = await failedChecks(() => new IdOnlyStore(new MemoryTokenStore({ sweepIntervalMs: 0 })));
    // Every other check uses distinct ids, so it passes them all: only the ones that share
    // an id between subjects catch it.
    expect([...failed.keys()].sort()).toEqual(
      [
        'one family id under two subjects is two families',
        'an access-token denial applies to its subject only',
        'sessions: listing and revoking are isolated between subjects',
        'sessions: an access token of a revoked or reused session is refused',
        // Its subject revocations live beside the families, so its listing misses them.
        'sessions: expired, revoked, reused and subject-revoked families are not listed',
      ].sort(),
    );
    expect(failed.get('sessions: listing and revoking are isolated between subjects')).toMatch(
      /its own sessions only, keyed by \(subject, family id\)/,
    );
    expect(failed.get('one family id under two subjects is two families')).toMatch(
      /keyed by \(subject, family id\)/,
    );
    expect(failed.get('an access-token denial applies to its subject only')).toMatch(
      /keyed by \(subject, jti\)/,
    );
  });

  it('fails a store whose access-token check ignores the session', async () => {
    const failed = await failedChecks(
      () => new SessionBlindStore(new MemoryTokenStore({ sweepIntervalMs: 0 })),
    );
    expect([...failed.keys()]).toEqual([
      'sessions: an access token of a revoked or reused session is refused',
    ]);
    expect(failed.get('sessions: an access token of a revoked or reused session is refused')).toMatch(
      /a revoked session refuses its access tokens/,
    );
  });

  it('fails a store that lists revoked sessions', async () => {
    const failed = await failedChecks(
      () => new ListsRevokedStore(new MemoryTokenStore({ sweepIntervalMs: 0 })),
    );
    expect([...failed.keys()].sort()).toEqual(
      [
        'sessions: expired, revoked, reused and subject-revoked families are not listed',
        'sessions: listing and revoking are isolated between subjects',
        'sessions: revoking one session among many ends it alone',
      ].sort(),
    );
  });

  it('fails a store written for 0.1 (no listSessions) on the session checks only, saying what is missing', async () => {
    const failed = await failedChecks(() => {
      const inner = new MemoryTokenStore({ sweepIntervalMs: 0 });
      return {
        createFamily: (f) => inner.createFamily(f),
        rotateRefreshToken: (i) => inner.rotateRefreshToken(i),
        getRefreshTokenState: (t) => inner.getRefreshTokenState(t),
        revokeFamily: (f) => inner.revokeFamily(f),
        revokeAccessToken: (t) => inner.revokeAccessToken(t),
        isAccessTokenRevoked: ({ sessionId: _ignored, ...t }) => inner.isAccessTokenRevoked(t),
        revokeSubject: (i) => inner.revokeSubject(i),
      } satisfies TokenStore;
    });
    const sessionChecks = tokenStoreChecks.map((c) => c.name).filter((name) => name.startsWith('sessions: '));
    expect([...failed.keys()].sort()).toEqual(sessionChecks.sort());
    expect(failed.get(sessionChecks[0]!)).toMatch(/no listSessions method/);
  });

  const nonsense: Array<[Nonsense, RegExp]> = [
    ['rotated-without-expiry', /rotateRefreshToken answered \{"status":"rotated"\}.*finite expiresAt/],
    ['rotated-with-nan-expiry', /rotateRefreshToken answered .*"NaN".*finite expiresAt/],
    ['rotated-with-infinite-expiry', /rotateRefreshToken answered .*"Infinity".*finite expiresAt/],
    ['unknown-status', /rotateRefreshToken answered \{"status":"ok"\}.*status must be/],
    ['unknown-state', /getRefreshTokenState answered "valid".*the state must be/],
    ['revoked-undefined', /isAccessTokenRevoked answered undefined.*true or false/],
    ['revoked-as-string', /isAccessTokenRevoked answered "(true|false)".*true or false/],
  ];
  for (const [kind, message] of nonsense) {
    it(`fails a store that answers outside the contract (${kind}) and says what it answered`, async () => {
      const failed = await failedChecks(
        () => new NonsenseStore(new MemoryTokenStore({ sweepIntervalMs: 0 }), kind),
      );
      expect(failed.size).toBeGreaterThan(0);
      for (const [name, text] of failed) {
        expect(text, name).toMatch(message);
        expect(text, name).toContain('STORE_UNAVAILABLE');
      }
    });
  }

  describe('under node:test', () => {
    const fixture = fileURLToPath(new URL('./fixtures/node-test-usage.mjs', import.meta.url));

    async function runNodeTest(kitStore: string, usage: 'describe' | 'checks' = 'describe', kitSkip = '') {
      try {
        const { stdout } = await execFileAsync(
          process.execPath,
          ['--import', 'tsx', '--test', '--test-reporter=tap', fixture],
          // VITEST* variables removed: the child is a plain node:test run.
          {
            env: {
              ...Object.fromEntries(
                Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')),
              ),
              KIT_STORE: kitStore,
              KIT_USAGE: usage,
              KIT_SKIP: kitSkip,
            },
            timeout: 60_000,
          },
        );
        return { code: 0, stdout };
      } catch (error) {
        const failure = error as { code?: number; stdout?: string };
        return { code: failure.code ?? -1, stdout: failure.stdout ?? '' };
      }
    }

    for (const usage of ['describe', 'checks'] as const) {
      it(`runs every check through the documented ${usage} usage and passes a correct store`, async () => {
        const { code, stdout } = await runNodeTest('memory', usage);
        expect(stdout).toContain(`# pass ${tokenStoreChecks.length}`);
        expect(stdout).toContain('# fail 0');
        expect(code).toBe(0);
      });
    }

    it('reports an opted-out check as skipped, with its reason', async () => {
      const skipped = tokenStoreChecks[0]!.name;
      const { code, stdout } = await runNodeTest('memory', 'describe', skipped);
      expect(stdout).toContain(`# pass ${tokenStoreChecks.length - 1}`);
      expect(stdout).toContain('# skipped 1');
      expect(stdout).toMatch(/# SKIP opted out in the fixture/);
      expect(code).toBe(0);
    });

    it('fails the run for a broken store', async () => {
      const { code, stdout } = await runNodeTest('never-expiring');
      expect(code).not.toBe(0);
      expect(stdout).toMatch(/# fail [1-9]/);
      expect(stdout).toContain('not ok');
    });
  });
});

describe('describeTokenStore', () => {
  /** A runner that records what the kit declares instead of running it. */
  function recordingRunner(withSkip: boolean) {
    const declared: Array<{ name: string; skipped: boolean }> = [];
    const it = (name: string) => void declared.push({ name, skipped: false });
    if (withSkip) it.skip = (name: string) => void declared.push({ name, skipped: true });
    return { declared, runner: { describe: (_name: string, body: () => void) => body(), it } };
  }
  const create = () => new MemoryTokenStore({ sweepIntervalMs: 0 });
  const firstCheck = tokenStoreChecks[0]!.name;

  it('declares one test per check in the runner it is given', () => {
    const { declared, runner } = recordingRunner(true);
    describeTokenStore('given runner', { create, runner });
    expect(declared.map((d) => d.name)).toEqual(tokenStoreChecks.map((check) => check.name));
  });

  it('reports an opted-out check as skipped, with its reason, through it.skip', () => {
    const { declared, runner } = recordingRunner(true);
    describeTokenStore('opt-out', { create, runner, skip: { [firstCheck]: 'no expiry in this backend' } });
    expect(declared).toHaveLength(tokenStoreChecks.length);
    expect(declared[0]).toEqual({
      name: `${firstCheck} (skipped: no expiry in this backend)`,
      skipped: true,
    });
    expect(declared.filter((d) => d.skipped)).toHaveLength(1);
  });

  it('without it.skip, still lists an opted-out check by a title that says it was not run', () => {
    const { declared, runner } = recordingRunner(false);
    describeTokenStore('opt-out', { create, runner, skip: { [firstCheck]: 'reason' } });
    expect(declared[0]?.name).toMatch(/\(skipped: reason\) \[not run: reason\]$/);
  });

  it('refuses an opt-out of a check that does not exist, or without a reason', () => {
    const { runner } = recordingRunner(true);
    expect(() => describeTokenStore('x', { create, runner, skip: { 'no such check': 'r' } })).toThrow(
      /names no check/,
    );
    expect(() => describeTokenStore('x', { create, runner, skip: { [firstCheck]: ' ' } })).toThrow(
      /needs a reason/,
    );
  });

  it('under vitest without globals and without a runner, says what to pass instead of guessing', () => {
    expect(process.env.VITEST).toBeDefined();
    expect(() => describeTokenStore('x', { create })).toThrow(/runner: \{ describe, it \}/);
  });
});
