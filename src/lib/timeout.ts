/**
 * Bounding an operation in time.
 * @packageDocumentation
 */

/**
 * The operation's answer, or a rejection after `timeoutMs` milliseconds naming `what`
 * did not answer. The timer never keeps the process alive.
 */
export function withTimeout<T>(operation: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A late rejection after a timeout must not become an unhandled rejection.
  operation.catch(() => {});
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref?.();
  });
  return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
}
