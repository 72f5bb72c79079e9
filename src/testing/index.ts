/**
 * `tokenward/testing`: the conformance kit for {@link TokenStore} implementations.
 *
 * The same call works under jest, mocha, vitest with `globals: true` and node:test
 * (`node --test`); under vitest without globals, give it vitest's `describe` and `it`:
 *
 * ```ts
 * import { describe, it } from 'vitest';
 * import { describeTokenStore } from 'tokenward/testing';
 * describeTokenStore('MyStore', {
 *   create: () => new MyStore(db),
 *   cleanup: (store) => store.clear(),
 *   runner: { describe, it },
 * });
 * ```
 *
 * Or run the checks with any runner, one test each:
 *
 * ```js
 * import { test } from 'node:test';
 * import { tokenStoreChecks } from 'tokenward/testing';
 *
 * for (const check of tokenStoreChecks) test(check.name, () => check.run(new MyStore(db)));
 * ```
 *
 * Every check drives the store with a fake clock (the `now` of each call), so
 * expiry is tested without waiting. Each check uses its own random subjects and
 * family ids, so the checks may share one database.
 * @packageDocumentation
 */

import * as nodeTest from 'node:test';
import type { TokenStore } from '../stores/token-store.js';
import { type CheckContextOptions, createCheckContext, tokenStoreChecks } from './checks.js';

export type { CheckClock, CheckContext, CheckContextOptions, TokenStoreCheck } from './checks.js';
export { CONCURRENT_ROTATIONS, createCheckContext, tokenStoreChecks } from './checks.js';

/** The functions of a test runner the kit declares its suite with: vitest's, jest's, mocha's or node:test's. */
export interface TestRunner {
  /** Declares a suite. */
  describe(name: string, body: () => void): unknown;
  /** Declares a test; `timeout` in milliseconds when given. */
  it(name: string, test: () => Promise<void>, timeout?: number): unknown;
}

/** Options of {@link describeTokenStore}. */
export interface DescribeTokenStoreOptions<Store extends TokenStore = TokenStore>
  extends CheckContextOptions {
  /** Creates the store under test; called before each check. */
  create: () => Store | Promise<Store>;
  /** Releases what `create` made; called after each check, whether it passed or not. */
  cleanup?: (store: Store) => void | Promise<void>;
  /** The timeout of each check in milliseconds; default: the runner's. */
  timeout?: number;
  /**
   * The test runner to declare the suite in, e.g. `{ describe, it }` imported
   * from `vitest`. Default: the global `describe` and `it` (jest, mocha, vitest
   * with `globals: true`), else node:test. Under vitest without its globals,
   * pass it: the kit says so rather than guess.
   */
  runner?: TestRunner;
  /**
   * Checks this store opts out of, by name, each with the reason. An opted-out
   * check is declared as skipped with its reason in the title (and through the
   * runner's `it.skip` when it has one), so the report shows it: never a silent
   * pass. A name that is not a check is an error.
   */
  skip?: Readonly<Record<string, string>>;
}

type SkippableIt = TestRunner['it'] & { skip?: (name: string, test: () => Promise<void>) => unknown };

function nodeTestRunner(): TestRunner & { skipIt(name: string, reason: string): void } {
  return {
    describe: (name, body) => nodeTest.describe(name, body),
    it: (name, test, timeout) => nodeTest.it(name, timeout === undefined ? {} : { timeout }, test),
    skipIt: (name, reason) => nodeTest.it(name, { skip: reason }, () => {}),
  };
}

/**
 * The runner the kit is called from: the one given, else the public globals
 * `describe` and `it` (jest, mocha, vitest with globals), else node:test, which
 * Node always has. Importing no runner keeps `tokenward/testing` usable without
 * vitest installed. Under vitest without globals (`VITEST` set in the
 * environment) node:test would declare tests vitest never runs, so that is an
 * error that says what to pass.
 */
function currentRunner(given: TestRunner | undefined): TestRunner & {
  skipIt(name: string, reason: string): void;
} {
  const scope = globalThis as Partial<TestRunner>;
  const runner: TestRunner | undefined =
    given ??
    (typeof scope.describe === 'function' && typeof scope.it === 'function'
      ? { describe: scope.describe, it: scope.it }
      : undefined);
  if (runner === undefined) {
    if (process.env.VITEST !== undefined) {
      throw new TypeError(
        "describeTokenStore: under vitest without globals, pass the runner: import { describe, it } from 'vitest' and give { runner: { describe, it } }",
      );
    }
    return nodeTestRunner();
  }
  const it = runner.it as SkippableIt;
  return {
    describe: (name, body) => runner.describe(name, body),
    it: (name, test, timeout) => runner.it(name, test, timeout),
    skipIt(name, reason) {
      const noop = async () => {};
      if (typeof it.skip === 'function') it.skip.call(it, name, noop);
      // A runner without `it.skip`: the check is still listed, titled as skipped, never run.
      else runner.it(`${name} [not run: ${reason}]`, noop);
    },
  };
}

/**
 * Declares a suite named `name` with one test per conformance check
 * ({@link tokenStoreChecks}), each run against a store from `options.create`,
 * in the test runner it is called from (vitest, jest, mocha or node:test), or
 * the one `options.runner` gives.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { describeTokenStore } from 'tokenward/testing';
 * describeTokenStore('PostgresTokenStore', {
 *   create: () => new PostgresTokenStore(pool),
 *   runner: { describe, it },
 * });
 * ```
 */
export function describeTokenStore<Store extends TokenStore>(
  name: string,
  options: DescribeTokenStoreOptions<Store>,
): void {
  const skip = options.skip ?? {};
  const checkNames = new Set(tokenStoreChecks.map((check) => check.name));
  for (const [skipped, reason] of Object.entries(skip)) {
    if (!checkNames.has(skipped)) {
      throw new TypeError(`describeTokenStore: skip names no check: "${skipped}" (see tokenStoreChecks)`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new TypeError(`describeTokenStore: skipping "${skipped}" needs a reason`);
    }
  }
  const runner = currentRunner(options.runner);
  runner.describe(name, () => {
    for (const check of tokenStoreChecks) {
      const reason = skip[check.name];
      if (reason !== undefined) {
        runner.skipIt(`${check.name} (skipped: ${reason})`, reason);
        continue;
      }
      runner.it(
        check.name,
        async () => {
          const store = await options.create();
          try {
            await check.run(store, createCheckContext(options));
          } finally {
            await options.cleanup?.(store);
          }
        },
        options.timeout,
      );
    }
  });
}
