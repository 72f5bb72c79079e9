/**
 * A small application per framework for the login-protection tests: the token routes at
 * `/auth` (JSON and OAuth2 `/token`, refresh token in the body) with the options under test,
 * and `GET /me` behind `authenticate`. Each trusts a proxy on loopback, so that
 * `X-Forwarded-For` sets the client address the throttle counts.
 */

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import Router from '@koa/router';
import type express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import type Koa from 'koa';
import * as expressAdapter from '../../../src/adapters/express.js';
import * as fastifyAdapter from '../../../src/adapters/fastify.js';
import * as honoAdapter from '../../../src/adapters/hono.js';
import * as koaAdapter from '../../../src/adapters/koa.js';
import * as webAdapter from '../../../src/adapters/web.js';
import type { Auth } from '../../../src/create-auth.js';
import type { TokenRoutesOptions } from '../../../src/lib/http/token-routes.js';
import { listen } from '../../support/servers.js';
import type { FrameworkName, RunningServer } from './apps.js';

const require = createRequire(import.meta.url);

/** The token-route options of a login app; `cookie: false` and `oauth2: true` are added. */
export type LoginAppOptions = TokenRoutesOptions;

function expressLoginApp(createApp: typeof express, auth: Auth, options: LoginAppOptions) {
  const app = createApp();
  app.set('trust proxy', 'loopback');
  app.use('/auth', expressAdapter.tokenRoutes(auth, { ...options, cookie: false, oauth2: true }));
  app.get('/me', expressAdapter.authenticate(auth), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  return app;
}

function koaLoginApp(KoaClass: typeof Koa, auth: Auth, options: LoginAppOptions): Koa {
  const app = new KoaClass();
  app.proxy = true;
  app.silent = true;
  app.use(koaAdapter.tokenRoutes(auth, { ...options, cookie: false, oauth2: true, prefix: '/auth' }));
  const router = new Router();
  router.get('/me', koaAdapter.authenticate(auth), (ctx) => {
    ctx.body = { sub: ctx.state.auth.sub };
  });
  app.use(router.routes());
  return app;
}

/** The login app on `tokenward/web`, trusting its proxy like the others (the client address is X-Forwarded-For's). */
function webLoginApp(auth: Auth, options: LoginAppOptions) {
  const routes = webAdapter.tokenRoutes(auth, {
    ...options,
    cookie: false,
    oauth2: true,
    prefix: '/auth',
    trustProxy: true,
  });
  const check = webAdapter.authenticate(auth);
  return async (request: Request): Promise<Response> => {
    const answer = await routes(request);
    if (answer !== undefined) return answer;
    if (new URL(request.url).pathname !== '/me') return new Response(null, { status: 404 });
    const result = await check(request);
    return result.ok ? Response.json({ sub: result.claims.sub }) : result.response;
  };
}

/** The login app on `tokenward/hono`. */
function honoLoginApp(auth: Auth, options: LoginAppOptions): Hono {
  const app = new Hono();
  app.route(
    '/auth',
    honoAdapter.tokenRoutes(auth, { ...options, cookie: false, oauth2: true, trustProxy: true }),
  );
  app.get('/me', honoAdapter.authenticate(auth), (c) => c.json({ sub: c.get('auth')?.sub }));
  return app;
}

/** Starts the login app on the given framework. */
export async function startLoginApp(
  framework: FrameworkName,
  auth: Auth,
  options: LoginAppOptions,
): Promise<RunningServer> {
  switch (framework) {
    case 'express4':
      return listen(createServer(expressLoginApp(require('express4') as typeof express, auth, options)));
    case 'express5':
      return listen(createServer(expressLoginApp(require('express') as typeof express, auth, options)));
    case 'fastify5': {
      const app = Fastify({ trustProxy: '127.0.0.1' });
      await app.register(fastifyAdapter.tokenRoutes, {
        auth,
        ...options,
        cookie: false,
        oauth2: true,
        prefix: '/auth',
      });
      await app.register(async (scope) => {
        await scope.register(fastifyAdapter.tokenward, { auth });
        scope.get('/me', { onRequest: [scope.authenticate] }, async (request) => ({
          sub: request.auth?.sub,
        }));
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return { url: `http://127.0.0.1:${port}`, port, close: () => app.close() };
    }
    case 'koa2':
      return listen(createServer(koaLoginApp(require('koa2') as typeof Koa, auth, options).callback()));
    case 'koa3':
      return listen(createServer(koaLoginApp(require('koa') as typeof Koa, auth, options).callback()));
    case 'web':
      return listen(createServer(getRequestListener(webLoginApp(auth, options))));
    case 'hono':
      return listen(createServer(getRequestListener(honoLoginApp(auth, options).fetch)));
  }
}
