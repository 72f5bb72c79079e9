/**
 * The same application, written once per framework and version: the routes the
 * shared scenario table exercises. Every server listens on 127.0.0.1, port 0.
 */

import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import type express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import type Koa from 'koa';
import * as expressAdapter from '../../../src/adapters/express.js';
import * as fastifyAdapter from '../../../src/adapters/fastify.js';
import * as koaAdapter from '../../../src/adapters/koa.js';
import { AuthError } from '../../../src/errors.js';
import { listen, type RunningServer } from '../../support/servers.js';
import { startFetchApp } from './fetch-apps.js';
import {
  ACCESS_COOKIE,
  ADMINS_ONLY,
  ALLOWED_ORIGIN,
  ANY_NOTES_SCOPES,
  CUSTOM_TOKEN_HEADER,
  type Fixtures,
  faultReporting,
  LOGIN_FIELDS,
  NOTES_SCOPES,
  OWN_ERROR_MESSAGE,
  OWN_REALM,
  READ_ONLY,
  routeOptions,
  USER_SCOPES,
} from './fixtures.js';

export * from './fixtures.js';

export { listen, type RunningServer };

const require = createRequire(import.meta.url);

export type FrameworkName = 'express4' | 'express5' | 'fastify5' | 'koa2' | 'koa3' | 'web' | 'hono';
export const FRAMEWORKS: readonly FrameworkName[] = [
  'express4',
  'express5',
  'fastify5',
  'koa2',
  'koa3',
  'web',
  'hono',
];

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The custom token source of the `getToken` routes: a header of the app's own. */
const fromCustomHeader = (headers: IncomingHttpHeaders) => single(headers[CUSTOM_TOKEN_HEADER]);
/** A getToken that breaks its contract (a number), and one that throws. */
const wrongTypeGetter = () => 42 as unknown as string;
const throwingGetter = (): string => {
  throw new Error('token source password=hunter2 down');
};
const ownError = () => new AuthError('FORBIDDEN', OWN_ERROR_MESSAGE);

const failingFindUser = async (): Promise<null> => {
  throw new Error('database password=hunter2 unreachable');
};

function expressApp(createApp: typeof express, fixtures: Fixtures, trustProxy: boolean) {
  const { authenticate, requireRole, tokenRoutes } = expressAdapter;
  const { auth } = fixtures;
  const app = createApp();
  if (trustProxy) app.set('trust proxy', 'loopback');
  const options = routeOptions(fixtures);
  app.use('/auth', tokenRoutes(auth, { ...options, logoutAll: true, sessions: true }));
  app.use('/fields-auth', tokenRoutes(auth, { ...options, fields: LOGIN_FIELDS }));
  app.use('/body-auth', tokenRoutes(auth, { ...options, cookie: false, sessions: false }));
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
  expressExtensions(app, fixtures);
  expressScopes(app, fixtures);
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

/** The extension points: role message, sendAuthError, getToken, the JWKS route, server faults. */
function expressExtensions(app: express.Express, fixtures: Fixtures): void {
  const { authenticate, jwksRoute, requireRole, sendAuthError, tokenRoutes } = expressAdapter;
  const { auth } = fixtures;
  const faults = faultReporting(fixtures);
  const sub = (req: express.Request, res: express.Response) => {
    res.json({ sub: req.auth?.sub });
  };
  app.get('/admins-only', authenticate(auth), requireRole('admin', { message: ADMINS_ONLY }), sub);
  app.get('/own-error', authenticate(auth, { realm: OWN_REALM }), (_req, res) => {
    sendAuthError(res, ownError());
  });
  app.get('/getter/me', authenticate(auth, { getToken: (req) => fromCustomHeader(req.headers) }), sub);
  app.get(
    '/query-getter/me',
    authenticate(auth, { getToken: (req) => single(req.query.access_token as string | undefined) }),
    sub,
  );
  app.get('/wrong-getter/me', authenticate(auth, { getToken: wrongTypeGetter, ...faults }), sub);
  app.get('/throwing-getter/me', authenticate(auth, { getToken: throwingGetter, ...faults }), sub);
  app.use(
    '/verify-only-auth',
    tokenRoutes(fixtures.verifyOnlyAuth, { ...routeOptions(fixtures), cookie: false, ...faults }),
  );
  app.use(jwksRoute(fixtures.jwksAuth, { maxAge: '10m' }));
}

async function fastifyApp(fixtures: Fixtures, trustProxy: boolean): Promise<FastifyInstance> {
  const { tokenward, tokenRoutes } = fastifyAdapter;
  const { auth } = fixtures;
  const app = Fastify({ trustProxy: trustProxy ? '127.0.0.1' : false });
  const options = { auth, ...routeOptions(fixtures) };
  await app.register(tokenRoutes, { ...options, logoutAll: true, sessions: true, prefix: '/auth' });
  await app.register(tokenRoutes, { ...options, fields: LOGIN_FIELDS, prefix: '/fields-auth' });
  await app.register(tokenRoutes, { ...options, cookie: false, sessions: false, prefix: '/body-auth' });
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
  await fastifyExtensions(app, fixtures);
  await fastifyScopes(app, fixtures);
  return app;
}

/** The extension points: role message, sendAuthError, getToken, the JWKS route, server faults. */
async function fastifyExtensions(app: FastifyInstance, fixtures: Fixtures): Promise<void> {
  const { jwksRoute, sendAuthError, tokenRoutes, tokenward } = fastifyAdapter;
  const { auth } = fixtures;
  const faults = faultReporting(fixtures);
  const sub = async (request: { auth?: { sub: string } | undefined }) => ({ sub: request.auth?.sub });
  const scoped = async (
    options: Omit<fastifyAdapter.TokenwardPluginOptions, 'auth'>,
    path: string,
    extra: (scope: FastifyInstance) => void = (scope) => {
      scope.get(path, { onRequest: [scope.authenticate] }, sub);
    },
  ) => {
    await app.register(async (scope) => {
      await scope.register(tokenward, { auth, ...options });
      extra(scope);
    });
  };
  await scoped({}, '/admins-only', (scope) => {
    scope.get(
      '/admins-only',
      { onRequest: [scope.authenticate, scope.requireRole('admin', { message: ADMINS_ONLY })] },
      sub,
    );
  });
  await scoped({ realm: OWN_REALM }, '/own-error', (scope) => {
    scope.get('/own-error', { onRequest: [scope.authenticate] }, async (_request, reply) =>
      sendAuthError(reply, ownError()),
    );
  });
  await scoped({ getToken: (request) => fromCustomHeader(request.headers) }, '/getter/me');
  await scoped(
    { getToken: (request) => single((request.query as Record<string, string>).access_token) },
    '/query-getter/me',
  );
  await scoped({ getToken: wrongTypeGetter, ...faults }, '/wrong-getter/me');
  await scoped({ getToken: throwingGetter, ...faults }, '/throwing-getter/me');
  await app.register(tokenRoutes, {
    auth: fixtures.verifyOnlyAuth,
    ...routeOptions(fixtures),
    cookie: false,
    ...faults,
    prefix: '/verify-only-auth',
  });
  await app.register(jwksRoute, { auth: fixtures.jwksAuth, maxAge: '10m' });
}

function koaApp(KoaClass: typeof Koa, fixtures: Fixtures, trustProxy: boolean): Koa {
  const { authenticate, requireRole, tokenRoutes } = koaAdapter;
  const { auth } = fixtures;
  const app = new KoaClass();
  app.proxy = trustProxy;
  app.silent = true;
  const options = routeOptions(fixtures);
  app.use(tokenRoutes(auth, { ...options, logoutAll: true, sessions: true, prefix: '/auth' }));
  app.use(tokenRoutes(auth, { ...options, fields: LOGIN_FIELDS, prefix: '/fields-auth' }));
  app.use(tokenRoutes(auth, { ...options, cookie: false, sessions: false, prefix: '/body-auth' }));
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
  koaExtensions(app, router, fixtures);
  koaScopes(app, router, fixtures);
  app.use(router.routes());
  return app;
}

/** The extension points: role message, sendAuthError, getToken, the JWKS route, server faults. */
function koaExtensions(app: Koa, router: Router, fixtures: Fixtures): void {
  const { authenticate, jwksRoute, requireRole, sendAuthError, tokenRoutes } = koaAdapter;
  const { auth } = fixtures;
  const faults = faultReporting(fixtures);
  const sub = (ctx: Koa.Context) => {
    ctx.body = { sub: (ctx.state as { auth?: { sub: string } }).auth?.sub };
  };
  router.get('/admins-only', authenticate(auth), requireRole('admin', { message: ADMINS_ONLY }), sub);
  router.get('/own-error', authenticate(auth, { realm: OWN_REALM }), (ctx) => {
    sendAuthError(ctx, ownError());
  });
  router.get('/getter/me', authenticate(auth, { getToken: (ctx) => fromCustomHeader(ctx.headers) }), sub);
  router.get(
    '/query-getter/me',
    authenticate(auth, { getToken: (ctx) => single(ctx.query.access_token) }),
    sub,
  );
  router.get('/wrong-getter/me', authenticate(auth, { getToken: wrongTypeGetter, ...faults }), sub);
  router.get('/throwing-getter/me', authenticate(auth, { getToken: throwingGetter, ...faults }), sub);
  app.use(
    tokenRoutes(fixtures.verifyOnlyAuth, {
      ...routeOptions(fixtures),
      cookie: false,
      ...faults,
      prefix: '/verify-only-auth',
    }),
  );
  app.use(jwksRoute(fixtures.jwksAuth, { maxAge: '10m' }));
}

/** An OAuth2 token endpoint granting scopes: the user's, within the request. */
function scopedOAuth(fixtures: Fixtures) {
  return {
    ...routeOptions(fixtures),
    cookie: false as const,
    oauth2: true,
    // Answers more than was asked (the core narrows it to the request), and any requested `self:` scope.
    grantScopes: async (user: { sub: string }, requested: readonly string[]) => [
      ...(USER_SCOPES[user.sub] ?? []),
      ...requested.filter((scope) => scope.startsWith('self:')),
    ],
  };
}

/** The scope routes: all of, any of, without authenticate, and an instance reading `permissions` only. */
function expressScopes(app: express.Express, fixtures: Fixtures): void {
  const { authenticate, requireAnyScope, requireScope, tokenRoutes } = expressAdapter;
  app.use('/scoped-oauth', tokenRoutes(fixtures.auth, scopedOAuth(fixtures)));
  const { auth } = fixtures;
  const sub = (req: express.Request, res: express.Response) => {
    res.json({ sub: req.auth?.sub });
  };
  app.get('/scoped/all', authenticate(auth), requireScope(...NOTES_SCOPES), sub);
  app.get('/scoped/any', authenticate(auth), requireAnyScope(...ANY_NOTES_SCOPES), sub);
  app.get('/scoped/message', authenticate(auth), requireScope('write:notes', { message: READ_ONLY }), sub);
  app.get('/scoped/unauthenticated', requireScope('read:notes'), sub);
  app.get(
    '/scoped/permissions-only',
    authenticate(fixtures.permissionsOnlyAuth),
    requireScope('read:notes'),
    sub,
  );
}

/** The scope routes of {@link expressScopes}, as Fastify decorators. */
async function fastifyScopes(app: FastifyInstance, fixtures: Fixtures): Promise<void> {
  const { tokenward, tokenRoutes } = fastifyAdapter;
  await app.register(tokenRoutes, { auth: fixtures.auth, ...scopedOAuth(fixtures), prefix: '/scoped-oauth' });
  const sub = async (request: { auth?: { sub: string } | undefined }) => ({ sub: request.auth?.sub });
  await app.register(async (scope) => {
    await scope.register(tokenward, { auth: fixtures.auth });
    scope.get('/scoped/all', { onRequest: [scope.authenticate, scope.requireScope(...NOTES_SCOPES)] }, sub);
    scope.get(
      '/scoped/any',
      { onRequest: [scope.authenticate, scope.requireAnyScope(...ANY_NOTES_SCOPES)] },
      sub,
    );
    scope.get(
      '/scoped/message',
      { onRequest: [scope.authenticate, scope.requireScope('write:notes', { message: READ_ONLY })] },
      sub,
    );
    scope.get('/scoped/unauthenticated', { onRequest: [scope.requireScope('read:notes')] }, sub);
  });
  await app.register(async (scope) => {
    await scope.register(tokenward, { auth: fixtures.permissionsOnlyAuth });
    scope.get(
      '/scoped/permissions-only',
      { onRequest: [scope.authenticate, scope.requireScope('read:notes')] },
      sub,
    );
  });
}

/** The scope routes of {@link expressScopes}, for Koa. */
function koaScopes(app: Koa, router: Router, fixtures: Fixtures): void {
  const { authenticate, requireAnyScope, requireScope, tokenRoutes } = koaAdapter;
  app.use(tokenRoutes(fixtures.auth, { ...scopedOAuth(fixtures), prefix: '/scoped-oauth' }));
  const { auth } = fixtures;
  const sub = (ctx: Koa.Context) => {
    ctx.body = { sub: (ctx.state as { auth?: { sub: string } }).auth?.sub };
  };
  router.get('/scoped/all', authenticate(auth), requireScope(...NOTES_SCOPES), sub);
  router.get('/scoped/any', authenticate(auth), requireAnyScope(...ANY_NOTES_SCOPES), sub);
  router.get('/scoped/message', authenticate(auth), requireScope('write:notes', { message: READ_ONLY }), sub);
  router.get('/scoped/unauthenticated', requireScope('read:notes'), sub);
  router.get(
    '/scoped/permissions-only',
    authenticate(fixtures.permissionsOnlyAuth),
    requireScope('read:notes'),
    sub,
  );
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
      return { url: `http://127.0.0.1:${port}`, port, close: () => app.close() };
    }
    case 'koa2':
      return koaListen(koaApp(require('koa2') as typeof Koa, fixtures, trustProxy));
    case 'koa3':
      return koaListen(koaApp(require('koa') as typeof Koa, fixtures, trustProxy));
    case 'web':
    case 'hono':
      return startFetchApp(framework, fixtures, trustProxy);
  }
}

function koaListen(app: Koa): Promise<RunningServer> {
  return listen(createServer(app.callback()));
}
