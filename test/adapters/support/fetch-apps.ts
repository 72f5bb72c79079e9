/**
 * The scenario application for the Fetch API adapters: `tokenward/web` behind a small router of
 * its own, and `tokenward/hono`, both served on Node through `@hono/node-server`, which turns each
 * Node request into a `Request` and writes the `Response` back.
 */

import { createServer } from 'node:http';
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import * as honoAdapter from '../../../src/adapters/hono.js';
import * as webAdapter from '../../../src/adapters/web.js';
import { AuthError, isAuthError } from '../../../src/errors.js';
import { listen, type RunningServer } from '../../support/servers.js';
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
} from './apps.js';

/** The paths of routes `tokenward/web` has no counterpart for: a role or scope check without authentication. */
export const WEB_UNSERVED_PATHS: readonly string[] = ['/role-only', '/scoped/unauthenticated'];

/** A JSON answer as the Node frameworks' own helpers write it. */
function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** What the test apps' own error handler answers a delegated failure. */
function delegated(error: unknown): Response {
  const failure = error as { status?: number; code?: string };
  return json({ delegated: failure.code ?? 'unknown' }, failure.status ?? 500);
}

const failingFindUser = async (): Promise<null> => {
  throw new Error('database password=hunter2 unreachable');
};
const wrongTypeGetter = () => 42 as unknown as string;
const throwingGetter = (): string => {
  throw new Error('token source password=hunter2 down');
};
const ownError = () => new AuthError('FORBIDDEN', OWN_ERROR_MESSAGE);

/** An OAuth2 token endpoint granting scopes, as `scopedOAuth` in apps.ts. */
function scopedOAuth(fixtures: Fixtures) {
  return {
    ...routeOptions(fixtures),
    cookie: false as const,
    oauth2: true,
    grantScopes: async (user: { sub: string }, requested: readonly string[]) => [
      ...(USER_SCOPES[user.sub] ?? []),
      ...requested.filter((scope) => scope.startsWith('self:')),
    ],
  };
}

type Handler = (request: Request) => Promise<Response | undefined> | Response | undefined;

/** The scenario app on `tokenward/web`: the token routes first, then the app's own routes by method and path. */
function webApp(fixtures: Fixtures, trustProxy: boolean, addresses: WeakMap<Request, string>): Handler {
  const { authenticate, authErrorResponse, jwksRoute, tokenRoutes } = webAdapter;
  const { auth } = fixtures;
  const options = {
    ...routeOptions(fixtures),
    trustProxy,
    clientAddress: (request: Request) => addresses.get(request),
  };
  const faults = faultReporting(fixtures);
  const tokenHandlers = [
    tokenRoutes(auth, { ...options, logoutAll: true, prefix: '/auth' }),
    tokenRoutes(auth, { ...options, fields: LOGIN_FIELDS, prefix: '/fields-auth' }),
    tokenRoutes(auth, { ...options, cookie: false, prefix: '/body-auth' }),
    tokenRoutes(auth, { ...options, requireHttps: true, prefix: '/https-auth' }),
    tokenRoutes(auth, { ...options, findUser: failingFindUser, prefix: '/broken-auth' }),
    tokenRoutes(auth, { ...options, cookie: false, oauth2: true, prefix: '/oauth' }),
    tokenRoutes(fixtures.verifyOnlyAuth, {
      ...options,
      cookie: false,
      ...faults,
      prefix: '/verify-only-auth',
    }),
    tokenRoutes(auth, { ...scopedOAuth(fixtures), trustProxy, prefix: '/scoped-oauth' }),
    jwksRoute(fixtures.jwksAuth, { maxAge: '10m' }),
  ];
  /** A route answering the claims' subject after `check`. */
  const sub =
    (check: webAdapter.RequestAuthenticator<{ sub: string } | undefined>): Handler =>
    async (request) => {
      const result = await check(request);
      return result.ok ? json({ sub: result.claims?.sub }) : result.response;
    };
  const withTrust = { trustProxy };
  const byCookie = authenticate(auth, {
    cookie: ACCESS_COOKIE,
    allowedOrigins: [ALLOWED_ORIGIN],
    ...withTrust,
  });
  const me = authenticate(auth, withTrust);
  const optional = authenticate(auth, { optional: true, ...withTrust });
  const delegating = authenticate(auth, { delegateErrors: true });
  const ownRealm = authenticate(auth, { realm: OWN_REALM });
  const get = new Map<string, Handler>([
    [
      '/me',
      async (request) => {
        const result = await me(request);
        return result.ok ? json(result.claims) : result.response;
      },
    ],
    [
      '/admin/dashboard',
      async (request) => {
        const result = await authenticate(auth, { roles: ['admin'] })(request);
        return result.ok ? json({ dashboard: true }) : result.response;
      },
    ],
    [
      '/optional',
      async (request) => {
        const result = await optional(request);
        return result.ok ? json({ sub: result.claims?.sub ?? null }) : result.response;
      },
    ],
    ['/cookie/me', sub(byCookie)],
    ['/store-down/me', sub(authenticate(fixtures.storeDownAuth))],
    [
      '/delegated',
      async (request) => {
        try {
          const result = await delegating(request);
          return result.ok ? json({ sub: result.claims.sub }) : result.response;
        } catch (error) {
          return delegated(error);
        }
      },
    ],
    ['/admins-only', sub(authenticate(auth, { roles: ['admin', { message: ADMINS_ONLY }] }))],
    [
      '/own-error',
      async (request) => {
        const result = await ownRealm(request);
        return result.ok ? authErrorResponse(ownError(), { realm: OWN_REALM }) : result.response;
      },
    ],
    [
      '/getter/me',
      sub(authenticate(auth, { getToken: (request) => request.headers.get(CUSTOM_TOKEN_HEADER) })),
    ],
    [
      '/query-getter/me',
      sub(
        authenticate(auth, {
          getToken: (request) => new URL(request.url).searchParams.get('access_token'),
        }),
      ),
    ],
    ['/wrong-getter/me', sub(authenticate(auth, { getToken: wrongTypeGetter, ...faults }))],
    ['/throwing-getter/me', sub(authenticate(auth, { getToken: throwingGetter, ...faults }))],
    ['/scoped/all', sub(authenticate(auth, { scopes: [...NOTES_SCOPES] }))],
    ['/scoped/any', sub(authenticate(auth, { anyScopes: [...ANY_NOTES_SCOPES] }))],
    ['/scoped/message', sub(authenticate(auth, { scopes: ['write:notes', { message: READ_ONLY }] }))],
    ['/scoped/permissions-only', sub(authenticate(fixtures.permissionsOnlyAuth, { scopes: ['read:notes'] }))],
  ]);
  const post = new Map<string, Handler>([['/cookie/action', sub(byCookie)]]);
  return async (request) => {
    for (const handler of tokenHandlers) {
      const answer = await handler(request);
      if (answer !== undefined) return answer;
    }
    const { pathname } = new URL(request.url);
    const handler = (request.method === 'POST' ? post : get).get(pathname);
    return handler === undefined ? new Response('Not Found', { status: 404 }) : handler(request);
  };
}

type HonoEnv = { Bindings: HttpBindings };

/** The scenario app on `tokenward/hono`. */
function honoApp(fixtures: Fixtures, trustProxy: boolean): Hono<HonoEnv> {
  const { authenticate, jwksRoute, requireAnyScope, requireRole, requireScope, sendAuthError, tokenRoutes } =
    honoAdapter;
  const { auth } = fixtures;
  const app = new Hono<HonoEnv>();
  const options = { ...routeOptions(fixtures), trustProxy };
  const faults = faultReporting(fixtures);
  app.route('/auth', tokenRoutes(auth, { ...options, logoutAll: true }));
  app.route('/fields-auth', tokenRoutes(auth, { ...options, fields: LOGIN_FIELDS }));
  app.route('/body-auth', tokenRoutes(auth, { ...options, cookie: false }));
  app.route('/https-auth', tokenRoutes(auth, { ...options, requireHttps: true }));
  app.route('/broken-auth', tokenRoutes(auth, { ...options, findUser: failingFindUser }));
  app.route('/oauth', tokenRoutes(auth, { ...options, cookie: false, oauth2: true }));
  app.route(
    '/verify-only-auth',
    tokenRoutes(fixtures.verifyOnlyAuth, { ...options, cookie: false, ...faults }),
  );
  app.route('/scoped-oauth', tokenRoutes(auth, { ...scopedOAuth(fixtures), trustProxy }));
  app.route('/', jwksRoute(fixtures.jwksAuth, { maxAge: '10m' }));
  const sub = (c: Context) => json({ sub: c.get('auth')?.sub });
  const withTrust = { trustProxy };
  app.get('/me', authenticate(auth, withTrust), (c) => json(c.get('auth')));
  app.get('/admin/dashboard', authenticate(auth), requireRole('admin'), () => json({ dashboard: true }));
  app.get('/optional', authenticate(auth, { optional: true }), (c) =>
    json({ sub: c.get('auth')?.sub ?? null }),
  );
  app.get('/role-only', requireRole('admin'), () => json({ dashboard: true }));
  const byCookie = authenticate(auth, {
    cookie: ACCESS_COOKIE,
    allowedOrigins: [ALLOWED_ORIGIN],
    ...withTrust,
  });
  app.get('/cookie/me', byCookie, sub);
  app.post('/cookie/action', byCookie, sub);
  app.get('/store-down/me', authenticate(fixtures.storeDownAuth), sub);
  app.get('/delegated', authenticate(auth, { delegateErrors: true }), sub);
  app.get('/admins-only', authenticate(auth), requireRole('admin', { message: ADMINS_ONLY }), sub);
  app.get('/own-error', authenticate(auth, { realm: OWN_REALM }), (c) => sendAuthError(c, ownError()));
  app.get('/getter/me', authenticate(auth, { getToken: (c) => c.req.header(CUSTOM_TOKEN_HEADER) }), sub);
  app.get('/query-getter/me', authenticate(auth, { getToken: (c) => c.req.query('access_token') }), sub);
  app.get('/wrong-getter/me', authenticate(auth, { getToken: wrongTypeGetter, ...faults }), sub);
  app.get('/throwing-getter/me', authenticate(auth, { getToken: throwingGetter, ...faults }), sub);
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
  app.onError((error) => (isAuthError(error) ? delegated(error) : json({ delegated: 'unknown' }, 500)));
  return app;
}

/** Starts the scenario app on `tokenward/web` (`web`) or `tokenward/hono` (`hono`), on Node. */
export function startFetchApp(
  kind: 'web' | 'hono',
  fixtures: Fixtures,
  trustProxy: boolean,
): Promise<RunningServer> {
  if (kind === 'hono') return listen(createServer(getRequestListener(honoApp(fixtures, trustProxy).fetch)));
  // The Fetch API carries no client address: the bridge hands over the socket's, as a runtime would.
  const addresses = new WeakMap<Request, string>();
  const app = webApp(fixtures, trustProxy, addresses);
  return listen(
    createServer(
      getRequestListener(async (request, env: HttpBindings | Http2Bindings) => {
        const address = env.incoming.socket.remoteAddress;
        if (address !== undefined) addresses.set(request, address);
        return (await app(request)) ?? new Response('Not Found', { status: 404 });
      }),
    ),
  );
}
