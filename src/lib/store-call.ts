import { AuthError } from '../errors.js';
import { contractCheckedStore, MissingStoreMethodError } from '../stores/store-answers.js';
import type { TokenStore } from '../stores/token-store.js';
import { withTimeout } from './timeout.js';

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
    try {
      return await withTimeout(
        Promise.resolve().then(() => operation(checkedStore())),
        timeoutMs,
        'the store',
      );
    } catch (error) {
      // A method the store lacks is the app's set-up to fix, not an outage to retry.
      if (error instanceof MissingStoreMethodError) throw new AuthError('CONFIG_INVALID', error.message);
      throw new AuthError('STORE_UNAVAILABLE', 'the token store is unavailable', { cause: error });
    }
  };
}
