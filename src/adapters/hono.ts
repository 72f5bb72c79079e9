/**
 * `tokenward/hono`: authentication, role and scope checks, the token routes and the JWKS route for
 * Hono 4, on any runtime Hono runs on. Built on the same Fetch API steps as `tokenward/web`.
 *
 * Only translates between Hono and the shared HTTP logic.
 * @packageDocumentation
 */

import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { Auth } from '../create-auth.js';
import type { AuthError } from '../errors.js';
import {
  type AuthenticateOptions,
  attachAuthenticator,
  authErrorAnswer,
  authorize,
  authorizeScopes,
  checkRoleArguments,
  checkScopeArguments,
  createAuthenticator,
  type SendAuthErrorOptions,
} from '../lib/http/authenticate.js';
import { createFetchTokenRoutes, reportToConsole, resolveTrustProxy } from '../lib/http/fetch-adapter.js';
import {
  answerResponse,
  fetchRequestView,
  isHttpsRequest,
  type ProxyOptions,
} from '../lib/http/fetch-request.js';
import { createJwksAnswer, JWKS_PATH, type JwksRouteOptions } from '../lib/http/jwks.js';
import type { Outcome } from '../lib/http/outcome.js';
import type { TokenRoutesOptions } from '../lib/http/token-routes.js';
import type { RegisteredCustomClaims, RegisteredRole, RequestClaims } from '../lib/http/types.js';
import type { RoleArguments } from '../roles/require-role.js';
import type { ScopeArguments } from '../roles/require-scope.js';

export type { AuthenticateOptions, SendAuthErrorOptions, TokenGetter } from '../lib/http/authenticate.js';
export type { RefreshCookieOptions, SameSite } from '../lib/http/cookies.js';
export type { CsrfOptions } from '../lib/http/csrf.js';
export type { ProxyOptions } from '../lib/http/fetch-request.js';
export type { JwksRouteOptions } from '../lib/http/jwks.js';
export type {
  LoginConcurrencyOptions,
  LoginLimit,
  LoginLimiter,
  LoginThrottleOptions,
} from '../lib/http/login-protection.js';
export type { FailureOptions, InternalErrorReporter } from '../lib/http/outcome.js';
export type { PasswordCheck } from '../lib/http/password-check.js';
export type {
  LoginFieldNames,
  TokenRoutesClaims,
  TokenRoutesOptions,
  TokenRoutesUser,
} from '../lib/http/token-routes.js';
export type { RegisteredCustomClaims, RegisteredRole, RequestClaims } from '../lib/http/types.js';
export type { RoleArguments, RoleRequirementOptions } from '../roles/require-role.js';
export type { ScopeArguments, ScopeRequirementOptions } from '../roles/require-scope.js';

declare module 'hono' {
  interface ContextVariableMap {
    /**
     * The verified access-token claims, set by `authenticate`; `undefined` on routes without it
     * and for anonymous requests in optional mode. Typed by the `Auth` type the application
     * registers (`Register` in `tokenward`).
     */
    auth: RequestClaims | undefined;
  }
}

/** Options of {@link authenticate}: those every adapter's `authenticate` takes, and `trustProxy`. */
export interface HonoAuthenticateOptions extends AuthenticateOptions<Context>, ProxyOptions {}

/** Answers a failure, hands it to Hono's `onError` (with `delegateErrors`), or goes on. */
function settle(outcome: Outcome<unknown>): Response | undefined {
  if (outcome.kind === 'ok') return undefined;
  if (outcome.kind === 'delegate') throw outcome.error;
  return answerResponse(outcome.answer);
}

/**
 * Middleware that authenticates the request with its bearer access token
 * (`Authorization: Bearer`, the configured cookie, or `getToken`) and sets `c.get('auth')`.
 * Failures answer with the `AuthError`'s status, the JSON error body and `WWW-Authenticate`, or
 * are thrown to `app.onError` with `delegateErrors`.
 *
 * @example
 * ```ts
 * app.route('/auth', tokenRoutes(auth, { findUser }));
 * app.get('/me', authenticate(auth), (c) => c.json(c.get('auth')));
 * app.get('/admin', authenticate(auth), requireRole('admin'), handler);
 * ```
 */
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: HonoAuthenticateOptions,
): MiddlewareHandler {
  const authenticator = createAuthenticator(auth, options);
  const trustProxy = resolveTrustProxy(options ?? {});
  return async (c, next) => {
    attachAuthenticator(c, authenticator);
    const request = c.req.raw;
    const outcome = await authenticator.authenticate(
      c,
      fetchRequestView(request),
      () => isHttpsRequest(request, trustProxy),
      reportToConsole,
    );
    const answer = settle(outcome);
    if (answer !== undefined) return answer;
    c.set('auth', (outcome as { value: RequestClaims | undefined }).value);
    await next();
    return undefined;
  };
}

function roleMiddleware(args: readonly unknown[], all: boolean): MiddlewareHandler {
  const roles = checkRoleArguments(args);
  return async (c, next) => {
    const answer = settle(authorize(c, c.get('auth'), roles, all, reportToConsole));
    if (answer !== undefined) return answer;
    await next();
    return undefined;
  };
}

/**
 * Middleware that lets through only requests whose claims hold at least one of the roles (with
 * the role hierarchy of the `authenticate` before it): 403 FORBIDDEN otherwise, and 401 when no
 * `authenticate` authenticated the request. Options after the roles set the FORBIDDEN message.
 */
export function requireRole(...roles: RoleArguments<RegisteredRole>): MiddlewareHandler {
  return roleMiddleware(roles, false);
}

/** Like {@link requireRole}, but every listed role is required. */
export function requireAllRoles(...roles: RoleArguments<RegisteredRole>): MiddlewareHandler {
  return roleMiddleware(roles, true);
}

function scopeMiddleware(args: readonly unknown[], any: boolean): MiddlewareHandler {
  const scopes = checkScopeArguments(args);
  return async (c, next) => {
    const answer = settle(authorizeScopes(c, c.get('auth'), scopes, any, reportToConsole));
    if (answer !== undefined) return answer;
    await next();
    return undefined;
  };
}

/**
 * Middleware that lets through only requests whose claims hold every listed scope (read from the
 * claims the instance's `scopeClaims` names): 403 FORBIDDEN with `error="insufficient_scope"` and
 * `scope="..."` otherwise, and 401 when no `authenticate` authenticated the request.
 */
export function requireScope(...scopes: ScopeArguments): MiddlewareHandler {
  return scopeMiddleware(scopes, false);
}

/** Like {@link requireScope}, but any one of the listed scopes is enough. */
export function requireAnyScope(...scopes: ScopeArguments): MiddlewareHandler {
  return scopeMiddleware(scopes, true);
}

/**
 * The answer to an `AuthError` from the application's own route, in the shape the middleware
 * gives it (with the realm of the `authenticate` that ran on the request): return it.
 *
 * @example
 * ```ts
 * app.delete('/notes/:id', authenticate(auth), (c) => {
 *   if (!canDelete(c.get('auth'), c.req.param('id'))) {
 *     return sendAuthError(c, new AuthError('FORBIDDEN', 'only the author may delete a note'));
 *   }
 *   // ...
 * });
 * ```
 */
export function sendAuthError(c: Context, error: AuthError, options?: SendAuthErrorOptions): Response {
  return answerResponse(authErrorAnswer(c, error, options));
}

/** Options of {@link tokenRoutes}: those every adapter's token routes take, `trustProxy`, and the client address. */
export interface HonoTokenRoutesOptions<
  Role extends string = RegisteredRole,
  Claims extends object = RegisteredCustomClaims,
> extends TokenRoutesOptions<Role, Claims>,
    ProxyOptions {
  /**
   * The client's address, for the login throttle's per-address limit. Default: the runtime's
   * peer address where Hono's Node server, Bun or Deno hand it over (`c.env`); with `trustProxy`,
   * the proxy's `X-Forwarded-For` first. Elsewhere (Workers: read `CF-Connecting-IP`) pass it,
   * or every client shares one address counter.
   */
  clientAddress?: (c: Context) => string | undefined;
}

/** The peer address the runtime hands Hono in `c.env`: Hono's Node server, `Bun.serve` or `Deno.serve`. */
function runtimeAddress(c: Context): string | undefined {
  const env = c.env as
    | {
        incoming?: { socket?: { remoteAddress?: string } };
        requestIP?: (request: Request) => { address?: string } | null;
        remoteAddr?: { hostname?: string };
      }
    | undefined;
  if (env === undefined || env === null) return undefined;
  if (env.incoming?.socket !== undefined) return env.incoming.socket.remoteAddress;
  if (typeof env.requestIP === 'function') return env.requestIP(c.req.raw)?.address;
  return env.remoteAddr?.hostname;
}

/**
 * A Hono sub-app serving `POST /login`, `/refresh`, `/logout` (and `/token` with `oauth2`,
 * `/logout-all` with `logoutAll`, the session routes unless `sessions: false`), mounted with `app.route('/auth', tokenRoutes(auth, { findUser }))`.
 * It reads its own size-bounded body.
 */
export function tokenRoutes<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: NoInfer<HonoTokenRoutesOptions<Role, Claims>>,
): Hono {
  const { clientAddress = runtimeAddress, ...routeOptions } = options;
  const fetchRoutes = createFetchTokenRoutes(auth, routeOptions);
  const app = new Hono();
  for (const { route, method, path } of fetchRoutes.routes.endpoints) {
    app.on(method, path, async (c) => {
      // Hono answers HEAD with the GET route: the other adapters serve no HEAD here.
      if (c.req.method !== method) return c.notFound();
      // Hono routed `:id` itself: hand it on encoded, as the other frameworks' paths are.
      const relative = path.replace(':id', encodeURIComponent(c.req.param('id') ?? ''));
      return fetchRoutes.handle(route, c.req.raw, clientAddress(c), relative);
    });
  }
  return app;
}

/**
 * A Hono sub-app serving the instance's public keys at `GET /.well-known/jwks.json` (HEAD too),
 * with `Cache-Control: public, max-age=...`: `app.route('/', jwksRoute(auth))`.
 * @throws AuthError CONFIG_INVALID when the instance has no public key (an HMAC secret).
 */
export function jwksRoute<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: JwksRouteOptions,
): Hono {
  const answer = createJwksAnswer(auth, options);
  const app = new Hono();
  app.get(JWKS_PATH, () => answerResponse(answer));
  return app;
}
