/**
 * The example app on Koa with @koa/router: token routes under /auth, `GET /me`
 * for any signed-in user, `GET /admin/dashboard` for admins only.
 */

import { createServer } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import { authenticate, requireRole, tokenRoutes } from 'tokenward/koa';
import {
  createExampleContext,
  dashboardBody,
  type ExampleContext,
  type ExampleOptions,
  meBody,
} from '../shared/app-config.js';
import { listen, type RunningExample } from '../shared/server.js';

/** Builds the Koa app on an already created context. */
export function createKoaApp({ auth, users, routeOptions }: ExampleContext): Koa {
  const app = new Koa();
  // POST /auth/login, /auth/refresh, /auth/logout; other requests pass through to the router.
  app.use(tokenRoutes(auth, { ...routeOptions, prefix: '/auth' }));
  const router = new Router();
  router.get('/me', authenticate(auth), (ctx) => {
    ctx.body = meBody(ctx.state.auth, users);
  });
  router.get('/admin/dashboard', authenticate(auth), requireRole('admin'), (ctx) => {
    ctx.body = dashboardBody(ctx.state.auth, users);
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/** Starts the Koa example on 127.0.0.1 and `port` (0: any free port). */
export async function startKoaExample(
  options: ExampleOptions & { port?: number } = {},
): Promise<RunningExample> {
  const app = createKoaApp(await createExampleContext(options));
  return listen(createServer(app.callback()), options.port ?? 0);
}
