/**
 * The same application, written once per framework and version: the routes the
 * shared scenario table exercises. Every server listens on 127.0.0.1, port 0.
 */

import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import type express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import type Koa from 'koa';
import * as expressAdapter from '../../../src/adapters/express.js';
import * as fastifyAdapter from '../../../src/adapters/fastify.js';
import * as koaAdapter from '../../../src/adapters/koa.js';
import { type Auth, createAuth } from '../../../src/create-auth.js';
import { hashPassword } from '../../../src/password/index.js';
import { unreachableStore } from '../../support/broken-stores.js';

const require = createRequire(import.meta.url);

export const SECRET = 'an-adapter-test-secret-of-at-least-32-bytes!';
export const ISSUER = 'https://tokenward.test';
export const AUDIENCE = 'api';
export const ALLOWED_ORIGIN = 'https://app.example';
export const ACCESS_COOKIE = 'access_token';

export type FrameworkName = 'express4' | 'express5' | 'fastify5' | 'koa2' | 'koa3';
export const FRAMEWORKS: readonly FrameworkName[] = ['express4', 'express5', 'fastify5', 'koa2', 'koa3'];

/** What the apps need besides the framework: the auth instances and the users. */
export interface Fixtures {
  auth: Auth;
  /** Same keys and claims rules, but its store is down. */
  storeDownAuth: Auth;
  findUser(username: string): Promise<{ sub: string; passwordHash: string; roles: string[] } | null>;
  /** Unexpected errors the adapters reported instead of leaking them. */
  internalErrors: unknown[];
}

export async function createFixtures(): Promise<Fixtures> {
  // The scenarios replay a spent refresh token at once to prove reuse detection: no grace
  // window for that retry here (the default window is tested in test/core/refresh.test.ts).
  const options = {
    keys: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    checkRevocation: true,
    refreshReuseGrace: 0,
  };
  const users = new Map([
    [
      'alice',
      { sub: 'u-alice', passwordHash: await hashPassword('alice-password', { cost: 10 }), roles: ['admin'] },
    ],
    [
      'bob',
      { sub: 'u-bob', passwordHash: await hashPassword('bob-password', { cost: 10 }), roles: ['user'] },
    ],
  ]);
  return {
    auth: createAuth(options),
    storeDownAuth: createAuth({ ...options, store: unreachableStore(), storeTimeoutMs: 1000 }),
    findUser: async (username) => users.get(username) ?? null,
    internalErrors: [],
  };
}

function routeOptions(fixtures: Fixtures) {
  return {
    findUser: fixtures.findUser,
    passwordHashCost: 10,
    allowedOrigins: [ALLOWED_ORIGIN],
    onInternalError: (error: unknown) => fixtures.internalErrors.push(error),
  };
}

const failingFindUser = async (): Promise<null> => {
  throw new Error('database password=hunter2 unreachable');
};

/** A running server. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function expressApp(createApp: typeof express, fixtures: Fixtures, trustProxy: boolean) {
  const { authenticate, requireRole, tokenRoutes } = expressAdapter;
  const { auth } = fixtures;
  const app = createApp();
  if (trustProxy) app.set('trust proxy', 'loopback');
  const options = routeOptions(fixtures);
  app.use('/auth', tokenRoutes(auth, options));
  app.use('/body-auth', tokenRoutes(auth, { ...options, cookie: false }));
  app.use('/https-auth', tokenRoutes(auth, { ...options, requireHttps: true }));
  app.use('/broken-auth', tokenRoutes(auth, { ...options, findUser: failingFindUser }));
  app.use('/oauth', tokenRoutes(auth, { ...options, cookie: false, oauth2: true }));
  app.get('/me', authenticate(auth), (req, res) => {
    res.json(req.auth);
  });
  app.get('/admin/dashboard', authenticate(auth), requireRole('admin'), (_req, res) => {
    res.json({ dashboard: true });
  });
  app.get('/optional', authenticate(auth, { optional: true }), (req, res) => {
    res.json({ sub: req.auth?.sub ?? null });
  });
  app.get('/role-only', requireRole('admin'), (_req, res) => {
    res.json({ dashboard: true });
  });
  const byCookie = authenticate(auth, { cookie: ACCESS_COOKIE, allowedOrigins: [ALLOWED_ORIGIN] });
  app.get('/cookie/me', byCookie, (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  app.post('/cookie/action', byCookie, (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  app.get('/store-down/me', authenticate(fixtures.storeDownAuth), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  app.get('/delegated', authenticate(auth, { delegateErrors: true }), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  app.use(
    (
      error: { status?: number; code?: string },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res.status(error.status ?? 500).json({ delegated: error.code ?? 'unknown' });
    },
  );
  return app;
}

async function fastifyApp(fixtures: Fixtures, trustProxy: boolean): Promise<FastifyInstance> {
  const { tokenward, tokenRoutes } = fastifyAdapter;
  const { auth } = fixtures;
  const app = Fastify({ trustProxy: trustProxy ? '127.0.0.1' : false });
  const options = { auth, ...routeOptions(fixtures) };
  await app.register(tokenRoutes, { ...options, prefix: '/auth' });
  await app.register(tokenRoutes, { ...options, cookie: false, prefix: '/body-auth' });
  await app.register(tokenRoutes, { ...options, requireHttps: true, prefix: '/https-auth' });
  await app.register(tokenRoutes, { ...options, findUser: failingFindUser, prefix: '/broken-auth' });
  await app.register(tokenRoutes, { ...options, cookie: false, oauth2: true, prefix: '/oauth' });
  await app.register(async (scope) => {
    await scope.register(tokenward, { auth });
    scope.get('/me', { onRequest: [scope.authenticate] }, async (request) => request.auth);
    scope.get(
      '/admin/dashboard',
      { onRequest: [scope.authenticate, scope.requireRole('admin')] },
      async () => ({
        dashboard: true,
      }),
    );
    scope.get('/role-only', { onRequest: [scope.requireRole('admin')] }, async () => ({ dashboard: true }));
  });
  await app.register(async (scope) => {
    await scope.register(tokenward, { auth, optional: true });
    scope.get('/optional', { onRequest: [scope.authenticate] }, async (request) => ({
      sub: request.auth?.sub ?? null,
    }));
  });
  await app.register(async (scope) => {
    await scope.register(tokenward, { auth, cookie: ACCESS_COOKIE, allowedOrigins: [ALLOWED_ORIGIN] });
    scope.get('/cookie/me', { onRequest: [scope.authenticate] }, async (request) => ({
      sub: request.auth?.sub,
    }));
    scope.post('/cookie/action', { onRequest: [scope.authenticate] }, async (request) => ({
      sub: request.auth?.sub,
    }));
  });
  await app.register(async (scope) => {
    await scope.register(tokenward, { auth: fixtures.storeDownAuth });
    scope.get('/store-down/me', { onRequest: [scope.authenticate] }, async (request) => ({
      sub: request.auth?.sub,
    }));
  });
  await app.register(async (scope) => {
    await scope.register(tokenward, { auth, delegateErrors: true });
    scope.setErrorHandler((error: { status?: number; code?: string }, _request, reply) => {
      reply.code(error.status ?? 500).send({ delegated: error.code ?? 'unknown' });
    });
    scope.get('/delegated', { onRequest: [scope.authenticate] }, async (request) => ({
      sub: request.auth?.sub,
    }));
  });
  return app;
}

function koaApp(KoaClass: typeof Koa, fixtures: Fixtures, trustProxy: boolean): Koa {
  const { authenticate, requireRole, tokenRoutes } = koaAdapter;
  const { auth } = fixtures;
  const app = new KoaClass();
  app.proxy = trustProxy;
  app.silent = true;
  const options = routeOptions(fixtures);
  app.use(tokenRoutes(auth, { ...options, prefix: '/auth' }));
  app.use(tokenRoutes(auth, { ...options, cookie: false, prefix: '/body-auth' }));
  app.use(tokenRoutes(auth, { ...options, requireHttps: true, prefix: '/https-auth' }));
  app.use(tokenRoutes(auth, { ...options, findUser: failingFindUser, prefix: '/broken-auth' }));
  app.use(tokenRoutes(auth, { ...options, cookie: false, oauth2: true, prefix: '/oauth' }));
  const router = new Router();
  router.get('/me', authenticate(auth), (ctx) => {
    ctx.body = ctx.state.auth;
  });
  router.get('/admin/dashboard', authenticate(auth), requireRole('admin'), (ctx) => {
    ctx.body = { dashboard: true };
  });
  router.get('/optional', authenticate(auth, { optional: true }), (ctx) => {
    ctx.body = { sub: ctx.state.auth?.sub ?? null };
  });
  router.get('/role-only', requireRole('admin'), (ctx) => {
    ctx.body = { dashboard: true };
  });
  const byCookie = authenticate(auth, { cookie: ACCESS_COOKIE, allowedOrigins: [ALLOWED_ORIGIN] });
  router.get('/cookie/me', byCookie, (ctx) => {
    ctx.body = { sub: ctx.state.auth.sub };
  });
  router.post('/cookie/action', byCookie, (ctx) => {
    ctx.body = { sub: ctx.state.auth.sub };
  });
  router.get('/store-down/me', authenticate(fixtures.storeDownAuth), (ctx) => {
    ctx.body = { sub: ctx.state.auth.sub };
  });
  router.get(
    '/delegated',
    async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        const failure = error as { status?: number; code?: string };
        ctx.status = failure.status ?? 500;
        ctx.body = { delegated: failure.code ?? 'unknown' };
      }
    },
    authenticate(auth, { delegateErrors: true }),
    (ctx) => {
      ctx.body = { sub: ctx.state.auth.sub };
    },
  );
  app.use(router.routes());
  return app;
}

/** Starts the test application on the given framework. */
export async function startApp(
  framework: FrameworkName,
  fixtures: Fixtures,
  trustProxy = true,
): Promise<RunningServer> {
  switch (framework) {
    case 'express4':
      return listen(createServer(expressApp(require('express4') as typeof express, fixtures, trustProxy)));
    case 'express5':
      return listen(createServer(expressApp(require('express') as typeof express, fixtures, trustProxy)));
    case 'fastify5': {
      const app = await fastifyApp(fixtures, trustProxy);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
    }
    case 'koa2':
      return koaListen(koaApp(require('koa2') as typeof Koa, fixtures, trustProxy));
    case 'koa3':
      return koaListen(koaApp(require('koa') as typeof Koa, fixtures, trustProxy));
  }
}

function koaListen(app: Koa): Promise<RunningServer> {
  return listen(createServer(app.callback()));
}
