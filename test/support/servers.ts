/**
 * Real servers on 127.0.0.1 for the tests: listening on a free port, closing without waiting for idle connections.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server listening on 127.0.0.1. */
export interface RunningServer {
  /** `http://127.0.0.1:PORT` (`https://` for a TLS server). */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Closes it, dropping kept-alive connections. */
  close(): Promise<void>;
}

/** Starts `server` on a free port of 127.0.0.1. */
export function listen(server: Server): Promise<RunningServer> {
  const scheme = 'setSecureContext' in server ? 'https' : 'http';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${scheme}://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
