/**
 * `tokenward/testing`: the conformance kit for {@link TokenStore} implementations.
 *
 * Under vitest:
 *
 * ```ts
 * import { describeTokenStore } from 'tokenward/testing';
 * describeTokenStore('MyStore', { create: () => new MyStore(db), cleanup: (store) => store.clear() });
 * ```
 *
 * Under node:test (`node --test`), run the same checks directly:
 *
 * ```js
 * import { test } from 'node:test';
 * import { tokenStoreChecks } from 'tokenward/testing';
 * import { MyStore } from './my-store.js';
 *
 * for (const check of tokenStoreChecks) test(check.name, () => check.run(new MyStore(db)));
 * ```
 *
 * Every check drives the store with a fake clock (the `now` of each call), so
 * expiry is tested without waiting. Each check uses its own random subjects and
 * family ids, so the checks may share one database.
 * @packageDocumentation
 */

import { describe, it } from 'vitest';
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

/**
 * Declares a vitest suite named `name` with one test per conformance check
 * ({@link tokenStoreChecks}), each run against a store from `options.create`.
 */
export function describeTokenStore<Store extends TokenStore>(
  name: string,
  options: DescribeTokenStoreOptions<Store>,
): void {
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
