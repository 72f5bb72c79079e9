/**
 * Listening and running from the command line, the same way for every example.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The host every example listens on: loopback only, these are development servers. */
export const HOST = '127.0.0.1';

/** A started example. */
export interface RunningExample {
  /** Its base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops it: closes the listener, open connections and whatever else it holds (a Redis client). */
  close(): Promise<void>;
}

/** Starts `server` on 127.0.0.1 and `port` (0: any free port). */
export function listen(server: Server, port: number): Promise<RunningExample> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${HOST}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            // Keep-alive connections would hold close() open for seconds.
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * The port from the environment variable `name` (0 picks a free one), or the fallback.
 * @throws Error when the variable is not a port number.
 */
export function portFromEnv(fallback: number, name = 'PORT'): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`${name} must be 0..65535, not ${raw}`);
  return port;
}

/** Calls `close` once on SIGINT/SIGTERM, then exits. */
export function closeOnSignal(close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`failed to close on ${signal}:`, error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** The default hint printed at start-up: how to log in with curl. */
function loginHint(url: string): string {
  return `  try: curl -s -H 'content-type: application/json' \\
         -d '{"username":"alice","password":"wonderland"}' ${url}/auth/login`;
}

/**
 * Runs an example as a program: starts it on `PORT` (default 3000), prints
 * `<name> listening on <url>` (the smoke test waits for that line) and `hint`,
 * and closes it on Ctrl-C or SIGTERM.
 */
export async function runExample(
  name: string,
  start: (port: number) => Promise<RunningExample>,
  hint: (url: string) => string = loginHint,
): Promise<void> {
  try {
    const running = await start(portFromEnv(3000));
    console.log(`${name} listening on ${running.url}`);
    console.log(hint(running.url));
    closeOnSignal(() => running.close());
  } catch (error) {
    console.error(`${name} could not start:`, error);
    process.exitCode = 1;
  }
}
