/**
 * `tokenward/express`: authentication, role checks and token routes for Express 4 and 5.
 *
 * Only translates between Express and the shared HTTP logic; imports Express for its types only.
 * @packageDocumentation
 */

import { setImmediate } from 'node:timers';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Auth } from '../create-auth.js';
import {
  type AuthenticateOptions,
  attachAuthenticator,
  authorize,
  checkRoleList,
  createAuthenticator,
} from '../lib/http/authenticate.js';
import type { InternalErrorReporter, Outcome } from '../lib/http/outcome.js';
import { createTokenRoutes, type TokenRoutesOptions } from '../lib/http/token-routes.js';
import type { HttpAnswer, RegisteredRole, RequestClaims } from '../lib/http/types.js';

export type { AuthenticateOptions } from '../lib/http/authenticate.js';
export type { RefreshCookieOptions, SameSite } from '../lib/http/cookies.js';
export type { InternalErrorReporter } from '../lib/http/outcome.js';
export type { TokenRoutesOptions, TokenRoutesUser } from '../lib/http/token-routes.js';
export type { RegisteredRole, RequestClaims } from '../lib/http/types.js';

declare global {
  namespace Express {
    interface Request {
      /**
       * The verified access-token claims, set by `authenticate`; `undefined` on
       * routes without it and for anonymous requests in optional mode. Typed by
       * the `Tokenward.Claims` and `Tokenward.Roles` interfaces the application augments.
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
 * (`Authorization: Bearer`, or the configured cookie) and sets `req.auth`.
 * Failures answer with the `AuthError`'s status, the JSON error body and
 * `WWW-Authenticate`, or go to `next(err)` with `delegateErrors`.
 *
 * @example
 * ```ts
 * app.use('/auth', tokenRoutes(auth, { findUser }));
 * app.get('/me', authenticate(auth), (req, res) => res.json(req.auth));
 * app.get('/admin', authenticate(auth), requireRole('admin'), handler);
 * ```
 */
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: AuthenticateOptions,
): RequestHandler {
  const authenticator = createAuthenticator(auth, options);
  const reporter = options?.onInternalError ?? reportToConsole;
  return (req, res, next) => {
    attachAuthenticator(req, authenticator);
    // Express's req.secure walks its trust-proxy settings on every read: a measurable
    // share of a request, so it is read only for the cookie transport that needs it.
    authenticator
      .authenticate(req, () => req.secure, reporter)
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

function roleMiddleware(roles: readonly string[], all: boolean): RequestHandler {
  checkRoleList(roles);
  return (req, res, next) => settle(authorize(req, req.auth, roles, all, reportToConsole), res, next);
}

/**
 * Middleware that lets through only requests whose claims hold at least one of
 * the roles (with the role hierarchy of the `authenticate` before it): 403
 * FORBIDDEN otherwise, and 401 when no `authenticate` authenticated the request.
 */
export function requireRole(role: RegisteredRole, ...moreRoles: RegisteredRole[]): RequestHandler {
  return roleMiddleware([role, ...moreRoles], false);
}

/** Like {@link requireRole}, but every listed role is required. */
export function requireAllRoles(role: RegisteredRole, ...moreRoles: RegisteredRole[]): RequestHandler {
  return roleMiddleware([role, ...moreRoles], true);
}

/**
 * Middleware serving `POST /login`, `/refresh`, `/logout` (and `/token` with `oauth2`) under where it is
 * mounted (`app.use('/auth', tokenRoutes(auth, { findUser }))`); other requests
 * pass through. It reads its own size-bounded JSON body, or uses `req.body`
 * when a body parser of the application already read it.
 */
export function tokenRoutes<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: NoInfer<TokenRoutesOptions<Role, Claims>>,
): RequestHandler {
  const routes = createTokenRoutes(auth, options);
  const reporter = options.onInternalError ?? reportToConsole;
  return (req: Request, res: Response, next: NextFunction) => {
    const route = routes.routeOf(req.method, req.path);
    if (route === undefined) {
      next();
      return;
    }
    const body = { stream: req, parsed: req.body as unknown, consumed: req.readableEnded };
    routes
      .handle(route, {
        request: req,
        secure: req.secure,
        body,
        defaultReporter: reporter,
      })
      .then((outcome) => settle(outcome, res, next), next);
  };
}
