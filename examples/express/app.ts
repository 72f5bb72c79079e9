/**
 * The example app on Express: token routes under /auth (with the OAuth2
 * `/auth/token` endpoint), `GET /me` for any signed-in user,
 * `GET /admin/dashboard` for admins only, and the OpenAPI document at
 * `/openapi.json` with Swagger UI at `/docs`.
 */

import { createServer } from 'node:http';
import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
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
import { AUTH_PREFIX, exampleOpenApiDocument } from '../shared/openapi.js';
import { listen, type RunningExample } from '../shared/server.js';

/** Builds the Express app on an already created context (the Redis and browser examples reuse it). */
export function createExpressApp({ auth, users, routeOptions }: ExampleContext): Express {
  const app = express();
  // oauth2 adds POST /auth/token (RFC 6749 password grant), which Swagger UI's "Authorize" dialog logs in with.
  const options = { ...routeOptions, oauth2: true };
  // POST /auth/login, /auth/refresh, /auth/logout, /auth/token; they read their own body, no body parser needed.
  app.use(AUTH_PREFIX, tokenRoutes(auth, options));
  app.get('/me', authenticate(auth), (req, res) => {
    res.json(meBody(req.auth, users));
  });
  app.get('/admin/dashboard', authenticate(auth), requireRole('admin'), (req, res) => {
    res.json(dashboardBody(req.auth, users));
  });
  // The document describes the routes with the options they were given.
  const document = exampleOpenApiDocument(options);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));
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
