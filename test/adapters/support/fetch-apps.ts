/**
 * The scenario application for the Fetch API adapters: `tokenward/web` behind a small router of
 * its own, and `tokenward/hono`, both served on Node through `@hono/node-server`, which turns each
 * Node request into a `Request` and writes the `Response` back.
 */

import { createServer } from 'node:http';
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import * as honoAdapter from '../../../src/adapters/hono.js';
import { isAuthError } from '../../../src/errors.js';
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
  OWN_REALM,
  READ_ONLY,
  routeOptions,
} from './fixtures.js';

import {
  delegated,
  failingFindUser,
  json,
  ownError,
  scopedOAuth,
  throwingGetter,
  WEB_UNSERVED_PATHS,
  webApp,
  wrongTypeGetter,
} from './web-app.js';

export { WEB_UNSERVED_PATHS };

type HonoEnv = { Bindings: HttpBindings };

/** The scenario app on `tokenward/hono`. */
function honoApp(fixtures: Fixtures, trustProxy: boolean): Hono<HonoEnv> {
  const { authenticate, jwksRoute, requireAnyScope, requireRole, requireScope, sendAuthError, tokenRoutes } =
    honoAdapter;
  const { auth } = fixtures;
  const app = new Hono<HonoEnv>();
  const options = { ...routeOptions(fixtures), trustProxy };
  const faults = faultReporting(fixtures);
  app.route('/auth', tokenRoutes(auth, { ...options, logoutAll: true, sessions: true }));
  app.route('/fields-auth', tokenRoutes(auth, { ...options, fields: LOGIN_FIELDS }));
  app.route('/body-auth', tokenRoutes(auth, { ...options, cookie: false, sessions: false }));
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
