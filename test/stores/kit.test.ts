import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '../../src/stores/memory.js';
import type { TokenStore } from '../../src/stores/token-store.js';
import { CONCURRENT_ROTATIONS, tokenStoreChecks } from '../../src/testing/index.js';
import { NeverExpiringStore, OwnClockStore, ReadThenWriteStore } from '../support/broken-stores.js';

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
    expect(failed.has(concurrencyCheck)).toBe(false);
  });

  it('fails a store that judges expiry by its own clock instead of the given one', async () => {
    const failed = await failedChecks(() => new OwnClockStore(new MemoryTokenStore({ sweepIntervalMs: 0 })));
    expect(failed.has('a family expires with its live token')).toBe(true);
    expect(failed.has('a denied access token is revoked until it expires')).toBe(true);
  });

  describe('under node:test', () => {
    const fixture = fileURLToPath(new URL('./fixtures/node-test-usage.mjs', import.meta.url));

    async function runNodeTest(kitStore: string, usage: 'describe' | 'checks' = 'describe') {
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

    it('fails the run for a broken store', async () => {
      const { code, stdout } = await runNodeTest('never-expiring');
      expect(code).not.toBe(0);
      expect(stdout).toMatch(/# fail [1-9]/);
      expect(stdout).toContain('not ok');
    });
  });
});
