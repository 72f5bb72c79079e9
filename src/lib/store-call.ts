import { AuthError } from '../errors.js';
import { contractCheckedStore } from '../stores/store-answers.js';
import type { TokenStore } from '../stores/token-store.js';

/** Runs one store operation, turning any failure, a timeout or an answer outside the contract into STORE_UNAVAILABLE. */
export type StoreCall = <T>(operation: (store: TokenStore) => Promise<T>) => Promise<T>;

/**
 * Makes the {@link StoreCall} of one instance: fail closed, bounded in time. The
 * operation sees the store through {@link contractCheckedStore}, so an answer
 * outside the contract (an unknown status, a missing expiry, `undefined` for a
 * boolean) is a failure like a throw, never read as "not revoked".
 */
export function createStoreCall(getStore: () => TokenStore, timeoutMs: number): StoreCall {
  let checked: { store: TokenStore; view: TokenStore } | undefined;
  const checkedStore = (): TokenStore => {
    const store = getStore();
    if (checked?.store !== store) checked = { store, view: contractCheckedStore(store) };
    return checked.view;
  };
  return async (operation) => {
    let timer: NodeJS.Timeout | undefined;
    const pending = Promise.resolve().then(() => operation(checkedStore()));
    // A late rejection after a timeout must not become an unhandled rejection.
    pending.catch(() => {});
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the store did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (error) {
      throw new AuthError('STORE_UNAVAILABLE', 'the token store is unavailable', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };
}
