/**
 * Runs the Hono example, with the browser page at `/`, from this one file on any of three runtimes
 * (PORT, default 3000):
 *
 * - Node: `npx tsx --tsconfig examples/tsconfig.json examples/hono/server.ts` (through `@hono/node-server`)
 * - Bun: `bun --tsconfig-override examples/tsconfig.json examples/hono/server.ts` (`Bun.serve`)
 * - Deno: `deno run -A --config examples/hono/deno.json examples/hono/server.ts` (`Deno.serve`; the
 *   config maps the `tokenward` imports to src/, as examples/tsconfig.json does for the others)
 */

import { createExampleContext } from '../shared/app-config.js';
import { closeOnSignal, HOST, portFromEnv } from '../shared/server.js';
import { createHonoApp } from './app.js';

/** What this file uses of `Bun` and `Deno`, declared here: the project has neither's types. */
interface Runtimes {
  Bun?: {
    serve(options: { fetch: typeof app.fetch; port: number; hostname: string }): {
      port: number;
      stop(): Promise<void>;
    };
  };
  Deno?: {
    serve(
      options: { port: number; hostname: string; onListen?: () => void },
      handler: typeof app.fetch,
    ): { addr: { port: number }; shutdown(): Promise<void> };
  };
}

const app = createHonoApp(await createExampleContext(), { page: true });
const port = portFromEnv(3000);
const { Bun, Deno } = globalThis as Runtimes;

/** Serves the app with the runtime's own server: its port and how to stop it. */
async function serveOnRuntime(): Promise<{ runtime: string; port: number; close(): Promise<void> }> {
  if (Bun !== undefined) {
    const server = Bun.serve({ fetch: app.fetch, port, hostname: HOST });
    return { runtime: 'Bun', port: server.port, close: () => server.stop() };
  }
  if (Deno !== undefined) {
    const server = Deno.serve({ port, hostname: HOST, onListen: () => {} }, app.fetch);
    return { runtime: 'Deno', port: server.addr.port, close: () => server.shutdown() };
  }
  const { serve } = await import('@hono/node-server');
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: HOST }, (info) =>
      resolve({
        runtime: 'Node',
        port: info.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}

const server = await serveOnRuntime();
const url = `http://${HOST}:${server.port}`;
console.log(`hono example listening on ${url} (${server.runtime})`);
console.log(`  open ${url}/ in a browser (alice / wonderland, bob / builder)`);
closeOnSignal(() => server.close());
