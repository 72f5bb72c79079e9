/**
 * A small application per framework for the login-protection tests: the token routes at
 * `/auth` (JSON and OAuth2 `/token`, refresh token in the body) with the options under test,
 * and `GET /me` behind `authenticate`. Each trusts a proxy on loopback, so that
 * `X-Forwarded-For` sets the client address the throttle counts.
 */

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import type express from 'express';
import Fastify from 'fastify';
import type Koa from 'koa';
import * as expressAdapter from '../../../src/adapters/express.js';
import * as fastifyAdapter from '../../../src/adapters/fastify.js';
import * as koaAdapter from '../../../src/adapters/koa.js';
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
  }
}
