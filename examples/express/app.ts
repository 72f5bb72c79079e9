/**
 * The example app on Express: token routes under /auth, `GET /me` for any
 * signed-in user, `GET /admin/dashboard` for admins only.
 */

import { createServer } from 'node:http';
import express, { type Express } from 'express';
import type { Auth } from 'tokenward';
import { authenticate, requireRole, tokenRoutes } from 'tokenward/express';
import {
  createExampleContext,
  dashboardBody,
  type ExampleContext,
  type ExampleOptions,
  type ExampleRole,
  meBody,
} from '../shared/app-config.js';
import { listen, type RunningExample } from '../shared/server.js';

/** Builds the Express app on an already created context (the Redis and browser examples reuse it). */
export function createExpressApp({ auth, users, routeOptions }: ExampleContext): Express {
  const app = express();
  // POST /auth/login, /auth/refresh, /auth/logout; they read their own JSON body, no body parser needed.
  app.use('/auth', tokenRoutes(auth, routeOptions));
  app.get('/me', authenticate(auth), (req, res) => {
    res.json(meBody(req.auth, users));
  });
  app.get('/admin/dashboard', authenticate(auth), requireRole('admin'), (req, res) => {
    res.json(dashboardBody(req.auth, users));
  });
  return app;
}

/** A running Express example, with its `Auth` instance for callers that want to look inside. */
export interface RunningExpressExample extends RunningExample {
  readonly auth: Auth<object, ExampleRole>;
}

/** Starts the Express example on 127.0.0.1 and `port` (0: any free port). */
export async function startExpressExample(
  options: ExampleOptions & { port?: number } = {},
): Promise<RunningExpressExample> {
  const context = await createExampleContext(options);
  const running = await listen(createServer(createExpressApp(context)), options.port ?? 0);
  return { ...running, auth: context.auth };
}
