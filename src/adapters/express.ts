/**
 * `tokenward/express`: authentication, role checks, token routes and the JWKS route for Express 4 and 5.
 *
 * Only translates between Express and the shared HTTP logic; imports Express for its types only.
 * @packageDocumentation
 */

import { setImmediate } from 'node:timers';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
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
import { createJwksAnswer, JWKS_METHODS, JWKS_PATH, type JwksRouteOptions } from '../lib/http/jwks.js';
import { nodeBodyStream, nodeRequestView } from '../lib/http/node-request.js';
import type { InternalErrorReporter, Outcome } from '../lib/http/outcome.js';
import { createTokenRoutes, type TokenRoutesOptions } from '../lib/http/token-routes.js';
import type { HttpAnswer, RegisteredRole, RequestClaims } from '../lib/http/types.js';
import type { RoleArguments } from '../roles/require-role.js';
import type { ScopeArguments } from '../roles/require-scope.js';

export type { AuthenticateOptions, SendAuthErrorOptions, TokenGetter } from '../lib/http/authenticate.js';
export type { RefreshCookieOptions, SameSite } from '../lib/http/cookies.js';
export type { CsrfOptions } from '../lib/http/csrf.js';
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
export type {
  RegisteredCustomClaims,
  RegisteredRole,
  RequestClaims,
} from '../lib/http/types.js';
export type { RoleArguments, RoleRequirementOptions } from '../roles/require-role.js';
export type { ScopeArguments, ScopeRequirementOptions } from '../roles/require-scope.js';

declare global {
  namespace Express {
    interface Request {
      /**
       * The verified access-token claims, set by `authenticate`; `undefined` on
       * routes without it and for anonymous requests in optional mode. Typed by
       * the `Auth` type the application registers (`Register` in `tokenward`).
       */
      auth?: RequestClaims | undefined;
    }
  }
}

const reportToConsole: InternalErrorReporter = (error) => {
  console.error('tokenward: unexpected error', error);
};

function write(res: Response, answer: HttpAnswer): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(answer.body);
}

/** Writes a failure, hands it to Express (`next(err)`), or goes on. */
function settle(outcome: Outcome<unknown>, res: Response, next: NextFunction): void {
  if (outcome.kind === 'ok') next();
  else if (outcome.kind === 'delegate') next(outcome.error);
  else write(res, outcome.answer);
}

/**
 * Middleware that authenticates the request with its bearer access token
 * (`Authorization: Bearer`, the configured cookie, or `getToken`) and sets `req.auth`.
 * Failures answer with the `AuthError`'s status, the JSON error body and
 * `WWW-Authenticate`, or go to `next(err)` with `delegateErrors`.
 *
 * @example
 * ```ts
 * app.use('/auth', tokenRoutes(auth, { findUser }));
 * app.get('/me', authenticate(auth), (req, res) => res.json(req.auth));
 * app.get('/admin', authenticate(auth), requireRole('admin', { message: 'Admins only' }), handler);
 * ```
 */
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: AuthenticateOptions<Request>,
): RequestHandler {
  const authenticator = createAuthenticator(auth, options);
  return (req, res, next) => {
    attachAuthenticator(req, authenticator);
    // Express's req.secure walks its trust-proxy settings on every read: a measurable
    // share of a request, so it is read only for the cookie transport that needs it.
    authenticator
      .authenticate(req, nodeRequestView(req), () => req.secure, reportToConsole)
      .then((outcome) => {
        if (outcome.kind !== 'ok') return settle(outcome, res, next);
        req.auth = outcome.value;
        // The route's handler runs from the event loop's check phase, as with express-jwt: under
        // load the requests read in one poll are authenticated together, then handled together.
        // Continuing inside the promise job instead cost about 10 % more CPU per request
        // (bench/http-peers.bench.mjs, paired runs); at low load the hop is a few microseconds.
        // The node:timers one, not the global: fake timers in an application's tests replace
        // the global, and a frozen one would hold every request.
        setImmediate(next);
      }, next);
  };
}

function roleMiddleware(args: readonly unknown[], all: boolean): RequestHandler {
  const roles = checkRoleArguments(args);
  return (req, res, next) => settle(authorize(req, req.auth, roles, all, reportToConsole), res, next);
}

/**
 * Middleware that lets through only requests whose claims hold at least one of
 * the roles (with the role hierarchy of the `authenticate` before it): 403
 * FORBIDDEN otherwise, and 401 when no `authenticate` authenticated the request.
 * Options after the roles set the FORBIDDEN message: `requireRole('admin', { message: 'Admins only' })`.
 */
export function requireRole(...roles: RoleArguments<RegisteredRole>): RequestHandler {
  return roleMiddleware(roles, false);
}

/** Like {@link requireRole}, but every listed role is required. */
export function requireAllRoles(...roles: RoleArguments<RegisteredRole>): RequestHandler {
  return roleMiddleware(roles, true);
}

function scopeMiddleware(args: readonly unknown[], any: boolean): RequestHandler {
  const scopes = checkScopeArguments(args);
  return (req, res, next) => settle(authorizeScopes(req, req.auth, scopes, any, reportToConsole), res, next);
}

/**
 * Middleware that lets through only requests whose claims hold every listed scope (read from the
 * claims the `scopeClaims` option of the instance names: `scope`, `scp`, `permissions`): 403
 * FORBIDDEN with `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` otherwise, and
 * 401 when no `authenticate` authenticated the request. A token without scopes holds none.
 * Options after the scopes set the FORBIDDEN message.
 *
 * @example
 * ```ts
 * app.get('/notes', authenticate(auth), requireScope('read:notes'), handler);
 * ```
 */
export function requireScope(...scopes: ScopeArguments): RequestHandler {
  return scopeMiddleware(scopes, false);
}

/** Like {@link requireScope}, but any one of the listed scopes is enough. */
export function requireAnyScope(...scopes: ScopeArguments): RequestHandler {
  return scopeMiddleware(scopes, true);
}

/**
 * Answers an `AuthError` from the application's own route in the shape the middleware
 * gives it: its status, the JSON error body and `WWW-Authenticate` (with the realm of the
 * `authenticate` that ran on the request). A server fault it is given (`CONFIG_INVALID`)
 * is answered, not reported: report it yourself.
 *
 * @example
 * ```ts
 * app.delete('/notes/:id', authenticate(auth), (req, res) => {
 *   if (!canDelete(req.auth, req.params.id)) {
 *     return sendAuthError(res, new AuthError('FORBIDDEN', 'only the author may delete a note'));
 *   }
 *   // ...
 * });
 * ```
 */
export function sendAuthError(res: Response, error: AuthError, options?: SendAuthErrorOptions): void {
  write(res, authErrorAnswer(res.req, error, options));
}

/**
 * Middleware serving `POST /login`, `/refresh`, `/logout` (and `/token` with `oauth2`, the
 * session routes unless `sessions: false`) under where it is mounted (`app.use('/auth', tokenRoutes(auth, { findUser }))`); other requests
 * pass through. It reads its own size-bounded JSON body, or uses `req.body`
 * when a body parser of the application already read it.
 */
export function tokenRoutes<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: NoInfer<TokenRoutesOptions<Role, Claims>>,
): RequestHandler {
  const routes = createTokenRoutes(auth, options);
  return (req: Request, res: Response, next: NextFunction) => {
    const route = routes.routeOf(req.method, req.path);
    if (route === undefined) {
      next();
      return;
    }
    const body = { stream: nodeBodyStream(req), parsed: req.body as unknown, consumed: req.readableEnded };
    routes
      .handle(route, {
        request: nodeRequestView(req),
        secure: req.secure,
        clientAddress: req.ip,
        body,
        defaultReporter: reportToConsole,
        path: req.path,
      })
      .then((outcome) => settle(outcome, res, next), next);
  };
}

/**
 * Middleware serving the instance's public keys at `GET /.well-known/jwks.json` (under where it
 * is mounted), with `Cache-Control: public, max-age=...`; other requests pass through.
 * @throws AuthError CONFIG_INVALID when the instance has no public key (an HMAC secret).
 *
 * @example
 * ```ts
 * app.use(jwksRoute(auth, { maxAge: '10m' }));
 * ```
 */
export function jwksRoute<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: JwksRouteOptions,
): RequestHandler {
  const answer = createJwksAnswer(auth, options);
  return (req, res, next) => {
    if (req.path === JWKS_PATH && JWKS_METHODS.has(req.method)) write(res, answer);
    else next();
  };
}
