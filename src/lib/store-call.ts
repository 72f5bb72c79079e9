import { AuthError } from '../errors.js';
import type { TokenStore } from '../stores/token-store.js';

/** Runs one store operation, turning any failure or a timeout into STORE_UNAVAILABLE. */
export type StoreCall = <T>(operation: (store: TokenStore) => Promise<T>) => Promise<T>;

/** Makes the {@link StoreCall} of one instance: fail closed, bounded in time. */
export function createStoreCall(getStore: () => TokenStore, timeoutMs: number): StoreCall {
  return async (operation) => {
    let timer: NodeJS.Timeout | undefined;
    const pending = Promise.resolve().then(() => operation(getStore()));
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
