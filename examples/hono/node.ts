/**
 * The Hono example started inside a Node process, for the tests and the browser run:
 * the same app as server.ts, served through `@hono/node-server` on 127.0.0.1.
 */

import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Auth } from 'tokenward';
import { createExampleContext, type ExampleOptions, type ExampleRole } from '../shared/app-config.js';
import { listen, type RunningExample } from '../shared/server.js';
import { createHonoApp } from './app.js';

/** A running Hono example, with its `Auth` instance. */
export interface RunningHonoExample extends RunningExample {
  readonly auth: Auth<object, ExampleRole>;
}

/** Starts the Hono example (with the browser page) on 127.0.0.1 and `port` (0: any free port). */
export async function startHonoExample(
  options: ExampleOptions & { port?: number } = {},
): Promise<RunningHonoExample> {
  const context = await createExampleContext(options);
  const app = createHonoApp(context, { page: true });
  const running = await listen(createServer(getRequestListener(app.fetch)), options.port ?? 0);
  return { ...running, auth: context.auth };
}
