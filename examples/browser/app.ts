/**
 * The browser example: the Express example app, plus the static page in
 * `public/` served from the same origin, so that the page's calls to /auth
 * carry the refresh cookie with no CORS involved.
 */

import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Auth } from 'tokenward';
import { createExpressApp } from '../express/app.js';
import { createExampleContext, type ExampleOptions, type ExampleRole } from '../shared/app-config.js';
import { listen, type RunningExample } from '../shared/server.js';

/** The page's directory. */
export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** A running browser example, with its `Auth` instance. */
export interface RunningBrowserExample extends RunningExample {
  readonly auth: Auth<object, ExampleRole>;
}

/** Starts the page and the API on 127.0.0.1 and `port` (0: any free port). */
export async function startBrowserExample(
  options: ExampleOptions & { port?: number } = {},
): Promise<RunningBrowserExample> {
  const context = await createExampleContext(options);
  const app = express();
  app.use(
    express.static(PUBLIC_DIR, {
      setHeaders(res) {
        // Only this origin's scripts run, and no other site may frame the page
        // (an injected script would see the access token in memory).
        res.setHeader('content-security-policy', "default-src 'self'; frame-ancestors 'none'");
      },
    }),
  );
  app.use(createExpressApp(context));
  const running = await listen(createServer(app), options.port ?? 0);
  return { ...running, auth: context.auth };
}
