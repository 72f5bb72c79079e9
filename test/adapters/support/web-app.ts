/**
 * The scenario application on `tokenward/web`, behind a small router of its own: the routes of
 * apps.ts, with the Fetch API only, so that Node, Bun and Deno can all serve it.
 */

import * as webAdapter from '../../../src/adapters/web.js';
import { AuthError } from '../../../src/errors.js';
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

/** The paths of routes `tokenward/web` has no counterpart for: a role or scope check without authentication. */
export const WEB_UNSERVED_PATHS: readonly string[] = ['/role-only', '/scoped/unauthenticated'];

/** A JSON answer as the Node frameworks' own helpers write it. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** What the test apps' own error handler answers a delegated failure. */
export function delegated(error: unknown): Response {
  const failure = error as { status?: number; code?: string };
  return json({ delegated: failure.code ?? 'unknown' }, failure.status ?? 500);
}

export const failingFindUser = async (): Promise<null> => {
  throw new Error('database password=hunter2 unreachable');
};
export const wrongTypeGetter = () => 42 as unknown as string;
export const throwingGetter = (): string => {
  throw new Error('token source password=hunter2 down');
};
export const ownError = () => new AuthError('FORBIDDEN', OWN_ERROR_MESSAGE);

/** An OAuth2 token endpoint granting scopes, as `scopedOAuth` in apps.ts. */
export function scopedOAuth(fixtures: Fixtures) {
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

export type Handler = (request: Request) => Promise<Response | undefined> | Response | undefined;

/** The scenario app on `tokenward/web`: the token routes first, then the app's own routes by method and path. */
export function webApp(
  fixtures: Fixtures,
  trustProxy: boolean,
  addresses: WeakMap<Request, string>,
): Handler {
  const { authenticate, authErrorResponse, jwksRoute, tokenRoutes } = webAdapter;
  const { auth } = fixtures;
  const options = {
    ...routeOptions(fixtures),
    trustProxy,
    clientAddress: (request: Request) => addresses.get(request),
  };
  const faults = faultReporting(fixtures);
  const tokenHandlers = [
    tokenRoutes(auth, { ...options, logoutAll: true, sessions: true, prefix: '/auth' }),
    tokenRoutes(auth, { ...options, fields: LOGIN_FIELDS, prefix: '/fields-auth' }),
    tokenRoutes(auth, { ...options, cookie: false, sessions: false, prefix: '/body-auth' }),
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
