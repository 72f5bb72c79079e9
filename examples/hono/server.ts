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
import { HOST, portFromEnv } from '../shared/server.js';
import { createHonoApp } from './app.js';

/** What this file uses of `Bun` and `Deno`, declared here: the project has neither's types. */
interface Runtimes {
  Bun?: { serve(options: { fetch: typeof app.fetch; port: number; hostname: string }): { port: number } };
  Deno?: {
    serve(
      options: { port: number; hostname: string; onListen?: () => void },
      handler: typeof app.fetch,
    ): { addr: { port: number } };
  };
}

const app = createHonoApp(await createExampleContext(), { page: true });
const port = portFromEnv(3000);
const { Bun, Deno } = globalThis as Runtimes;

let listening: number;
if (Bun !== undefined) {
  listening = Bun.serve({ fetch: app.fetch, port, hostname: HOST }).port;
} else if (Deno !== undefined) {
  listening = Deno.serve({ port, hostname: HOST, onListen: () => {} }, app.fetch).addr.port;
} else {
  const { serve } = await import('@hono/node-server');
  listening = await new Promise<number>((resolve) => {
    serve({ fetch: app.fetch, port, hostname: HOST }, (info) => resolve(info.port));
  });
}
const runtime = Bun !== undefined ? 'Bun' : Deno !== undefined ? 'Deno' : 'Node';
console.log(`hono example listening on http://${HOST}:${listening} (${runtime})`);
console.log(`  open http://${HOST}:${listening}/ in a browser (alice / wonderland, bob / builder)`);
