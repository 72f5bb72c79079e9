/**
 * `tokenward/testing`: the conformance kit for {@link TokenStore} implementations.
 *
 * The same call works under vitest, jest or mocha and under node:test (`node --test`):
 *
 * ```ts
 * import { describeTokenStore } from 'tokenward/testing';
 * describeTokenStore('MyStore', { create: () => new MyStore(db), cleanup: (store) => store.clear() });
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

/** Options of {@link describeTokenStore}. */
export interface DescribeTokenStoreOptions<Store extends TokenStore = TokenStore>
  extends CheckContextOptions {
  /** Creates the store under test; called before each check. */
  create: () => Store | Promise<Store>;
  /** Releases what `create` made; called after each check, whether it passed or not. */
  cleanup?: (store: Store) => void | Promise<void>;
  /** The timeout of each check in milliseconds; default: the runner's. */
  timeout?: number;
}

/** The two functions of a test runner the kit declares its suite with. */
interface SuiteApi {
  describe(name: string, body: () => void): unknown;
  it(name: string, test: () => Promise<void>, timeout?: number): unknown;
}

/**
 * The runner the kit is called from. Vitest publishes its running instance's API
 * on a global, with or without its `globals` option; jest and mocha define
 * `describe` and `it` globally; otherwise node:test, which Node always has.
 * Importing no runner keeps `tokenward/testing` usable without vitest installed.
 */
function currentRunner(): SuiteApi {
  const scope = globalThis as { __vitest_index__?: Partial<SuiteApi> } & Partial<SuiteApi>;
  const vitest = scope.__vitest_index__;
  if (typeof vitest?.describe === 'function' && typeof vitest.it === 'function') return vitest as SuiteApi;
  if (typeof scope.describe === 'function' && typeof scope.it === 'function') {
    return { describe: scope.describe, it: scope.it };
  }
  return {
    describe: (name, body) => nodeTest.describe(name, body),
    it: (name, test, timeout) => nodeTest.it(name, timeout === undefined ? {} : { timeout }, test),
  };
}

/**
 * Declares a suite named `name` with one test per conformance check
 * ({@link tokenStoreChecks}), each run against a store from `options.create`,
 * in the test runner it is called from (vitest, jest, mocha or node:test).
 *
 * @example
 * ```ts
 * import { describeTokenStore } from 'tokenward/testing';
 * describeTokenStore('PostgresTokenStore', { create: () => new PostgresTokenStore(pool) });
 * ```
 */
export function describeTokenStore<Store extends TokenStore>(
  name: string,
  options: DescribeTokenStoreOptions<Store>,
): void {
  const { describe, it } = currentRunner();
  describe(name, () => {
    for (const check of tokenStoreChecks) {
      it(
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
