/**
 * The Workers example on Hono (`tokenward/hono`), in workerd without `nodejs_compat`: the same
 * routes and users as worker.ts, with the token routes as a Hono sub-app.
 *
 * The Hono app is built on an isolate's first request: `createAuth` and the token routes use
 * timers and random numbers, which workerd refuses at global scope (see setup.ts).
 */
import { Hono } from 'hono';
import { authenticate, requireRole, tokenRoutes } from 'tokenward/hono';
import { clientAddress, createWorkerAuth, type Env, routeOptions } from './setup.js';

let app: Hono | undefined;

function appOf(env: Env): Hono {
  if (app === undefined) {
    const auth = createWorkerAuth(env);
    app = new Hono();
    app.route(
      '/auth',
      tokenRoutes(auth, { ...routeOptions, clientAddress: (c) => clientAddress(c.req.raw) }),
    );
    // `c.get('auth')` is typed `| undefined` for routes without `authenticate`; these have it.
    app.get('/me', authenticate(auth), (c) => {
      const claims = c.get('auth');
      return c.json({ sub: claims?.sub, roles: claims?.roles ?? [] });
    });
    app.get('/admin/dashboard', authenticate(auth), requireRole('admin'), (c) =>
      c.json({ message: `welcome, ${c.get('auth')?.sub}` }),
    );
  }
  return app;
}

export default {
  fetch(request: Request, env: Env, context: Parameters<Hono['fetch']>[2]): Response | Promise<Response> {
    return appOf(env).fetch(request, env, context);
  },
};
