/**
 * The example app on Fastify: token routes under /auth (with the OAuth2
 * `/auth/token` endpoint), `GET /me` for any signed-in user,
 * `GET /admin/dashboard` for admins only, and Swagger UI at `/docs` (the
 * OpenAPI document at `/docs/json`).
 */

import fastifySwagger, { type SwaggerOptions } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { tokenRoutes, tokenward } from 'tokenward/fastify';
import {
  createExampleContext,
  dashboardBody,
  type ExampleContext,
  type ExampleOptions,
  meBody,
} from '../shared/app-config.js';
import { AUTH_PREFIX, exampleOpenApiDocument } from '../shared/openapi.js';
import { HOST, type RunningExample } from '../shared/server.js';

/** Builds the Fastify app on an already created context. */
export async function createFastifyApp({
  auth,
  users,
  routeOptions,
}: ExampleContext): Promise<FastifyInstance> {
  const app = Fastify();
  // oauth2 adds POST /auth/token (RFC 6749 password grant), which Swagger UI's "Authorize" dialog logs in with.
  const options = { ...routeOptions, oauth2: true };
  // The document the Express example serves too; it describes the routes with the options they are given.
  const document = exampleOpenApiDocument(options);
  // The URLs the document describes, listed now: the plugin writes every route it documents into the
  // `paths` it is given, so asking `url in paths` later would also hide the second method of a new URL.
  const documented = new Set(Object.keys(document.paths));
  const swaggerOptions: SwaggerOptions = {
    // A copy of `paths` for the plugin to write into, so `document` stays as built.
    openapi: { ...document, paths: { ...document.paths } },
    // The document already describes the token routes, /me and /admin/dashboard: keep the plugin
    // from replacing those path items with bare ones built from the (schema-less) routes.
    transform: ({ schema, url }) => ({
      schema: documented.has(url) ? { ...schema, hide: true } : schema,
      url,
    }),
  };
  // Registered before the routes, so that it sees them.
  await app.register(fastifySwagger, swaggerOptions);
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  // Decorates app.authenticate and app.requireRole() for the routes below.
  await app.register(tokenward, { auth });
  // An encapsulated plugin: its raw-body handling stays inside /auth.
  await app.register(tokenRoutes, { auth, ...options, prefix: AUTH_PREFIX });
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
