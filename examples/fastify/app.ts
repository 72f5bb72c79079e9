/**
 * The example app on Fastify: token routes under /auth, `GET /me` for any
 * signed-in user, `GET /admin/dashboard` for admins only.
 */

import Fastify, { type FastifyInstance } from 'fastify';
import { tokenRoutes, tokenward } from 'tokenward/fastify';
import {
  createExampleContext,
  dashboardBody,
  type ExampleContext,
  type ExampleOptions,
  meBody,
} from '../shared/app-config.js';
import { HOST, type RunningExample } from '../shared/server.js';

/** Builds the Fastify app on an already created context. */
export async function createFastifyApp({
  auth,
  users,
  routeOptions,
}: ExampleContext): Promise<FastifyInstance> {
  const app = Fastify();
  // Decorates app.authenticate and app.requireRole() for the routes below.
  await app.register(tokenward, { auth });
  // An encapsulated plugin: its raw-body handling stays inside /auth.
  await app.register(tokenRoutes, { auth, ...routeOptions, prefix: '/auth' });
  app.get('/me', { onRequest: [app.authenticate] }, async (request) => meBody(request.auth, users));
  app.get('/admin/dashboard', { onRequest: [app.authenticate, app.requireRole('admin')] }, async (request) =>
    dashboardBody(request.auth, users),
  );
  return app;
}

/** Starts the Fastify example on 127.0.0.1 and `port` (0: any free port). */
export async function startFastifyExample(
  options: ExampleOptions & { port?: number } = {},
): Promise<RunningExample> {
  const app = await createFastifyApp(await createExampleContext(options));
  await app.listen({ host: HOST, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://${HOST}:${port}`, close: () => app.close() };
}
