/**
 * The Web adapter's scenario app served by Bun (`Bun.serve`) or Deno (`Deno.serve`), for
 * runtime-scenarios.test.ts: `bun test/adapters/support/runtime-server.ts` or
 * `deno run -A --config test/adapters/support/deno.json test/adapters/support/runtime-server.ts`.
 * Serves the app trusting its proxy and not trusting it, on two free ports of 127.0.0.1, prints
 * one JSON line `{ url, untrustedUrl, runtime }`, then serves until killed. `GET /__reported`
 * answers what the app reported: the server faults' codes and the count of internal errors.
 */

import { isAuthError } from '../../../src/errors.js';
import { createFixtures } from './fixtures.js';
import { webApp } from './web-app.js';

type Handler = (request: Request, address: string | undefined) => Promise<Response>;

/** What this file uses of `Bun` and `Deno`: the project has neither's types. */
interface Runtimes {
  Bun?: {
    serve(options: {
      port: number;
      hostname: string;
      fetch(
        request: Request,
        server: { requestIP(request: Request): { address: string } | null },
      ): Promise<Response>;
    }): { port: number };
  };
  Deno?: {
    serve(
      options: { port: number; hostname: string; onListen?: () => void },
      handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Promise<Response>,
    ): { addr: { port: number } };
  };
}

const { Bun, Deno } = globalThis as Runtimes;
const fixtures = await createFixtures();

function handler(trustProxy: boolean): Handler {
  const addresses = new WeakMap<Request, string>();
  const app = webApp(fixtures, trustProxy, addresses);
  return async (request, address) => {
    if (new URL(request.url).pathname === '/__reported') {
      const serverFaults = fixtures.serverFaults.map((error) =>
        isAuthError(error) ? error.code : 'not an AuthError',
      );
      return Response.json({ serverFaults, internalErrors: fixtures.internalErrors.length });
    }
    if (address !== undefined) addresses.set(request, address);
    return (await app(request)) ?? new Response('Not Found', { status: 404 });
  };
}

/** Serves on a free port of 127.0.0.1 with the runtime's server; answers the URL. */
function serve(handle: Handler): string {
  if (Bun !== undefined) {
    const server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: (request, bun) => handle(request, bun.requestIP(request)?.address),
    });
    return `http://127.0.0.1:${server.port}`;
  }
  if (Deno !== undefined) {
    const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, (request, info) =>
      handle(request, info.remoteAddr.hostname),
    );
    return `http://127.0.0.1:${server.addr.port}`;
  }
  throw new Error('run this file with Bun or Deno');
}

const url = serve(handler(true));
const untrustedUrl = serve(handler(false));
console.log(JSON.stringify({ url, untrustedUrl, runtime: Bun !== undefined ? 'Bun' : 'Deno' }));
