/**
 * `tokenward/koa`: authentication, role checks and token routes for Koa 2 and 3.
 *
 * Only translates between Koa and the shared HTTP logic; imports Koa for its types only.
 * @packageDocumentation
 */

import type { Context, Middleware } from 'koa';
import type { Auth } from '../create-auth.js';
import { AuthError } from '../errors.js';
import {
  type AuthenticateOptions,
  attachAuthenticator,
  authorize,
  checkRoleList,
  createAuthenticator,
} from '../lib/http/authenticate.js';
import type { InternalErrorReporter, Outcome } from '../lib/http/outcome.js';
import { createTokenRoutes, type TokenRoutesOptions } from '../lib/http/token-routes.js';
import type { RegisteredRole, RequestClaims } from '../lib/http/types.js';
import type { AccessTokenClaims, CustomClaims } from '../types.js';

export type { AuthenticateOptions } from '../lib/http/authenticate.js';
export type { RefreshCookieOptions, SameSite } from '../lib/http/cookies.js';
export type { InternalErrorReporter } from '../lib/http/outcome.js';
export type { TokenRoutesOptions, TokenRoutesUser } from '../lib/http/token-routes.js';
export type { RegisteredRole, RequestClaims } from '../lib/http/types.js';

/** The state `authenticate` provides: `ctx.state.auth`, the verified claims. */
export interface AuthState<Claims extends object = Tokenward.Claims, Role extends string = RegisteredRole> {
  /** The verified access-token claims. */
  auth: AccessTokenClaims<Claims, Role>;
}

/** The state `authenticate` provides in optional mode: `ctx.state.auth`, `undefined` for anonymous requests. */
export interface OptionalAuthState<
  Claims extends object = Tokenward.Claims,
  Role extends string = RegisteredRole,
> {
  /** The verified access-token claims, or `undefined` for an anonymous request. */
  auth?: AccessTokenClaims<Claims, Role> | undefined;
}

/** Options of the Koa `tokenRoutes`. */
export interface KoaTokenRoutesOptions<Role extends string = string, Claims extends object = CustomClaims>
  extends TokenRoutesOptions<Role, Claims> {
  /** Where the routes are mounted, e.g. `/auth`. Default: the root. */
  prefix?: string;
}

function reporterFor(ctx: Context): InternalErrorReporter {
  return (error) => ctx.app.emit('error', error, ctx);
}

/** Writes a failure answer or throws for Koa's error handling (the error has a `status`); `true` to go on. */
function settle(outcome: Outcome<unknown>, ctx: Context): boolean {
  if (outcome.kind === 'ok') return true;
  if (outcome.kind === 'delegate') throw outcome.error;
  const { status, headers, body } = outcome.answer;
  ctx.status = status;
  ctx.set(headers);
  ctx.body = body ?? null;
  return false;
}

/**
 * Middleware that authenticates the request with its bearer access token
 * (`Authorization: Bearer`, or the configured cookie) and sets
 * `ctx.state.auth`, typed by the `Auth` instance's claims. Failures answer with
 * the `AuthError`'s status, the JSON error body and `WWW-Authenticate`, or are
 * thrown to Koa's error handling with `delegateErrors`.
 *
 * @example
 * ```ts
 * app.use(tokenRoutes(auth, { findUser, prefix: '/auth' }));
 * router.get('/me', authenticate(auth), (ctx) => {
 *   ctx.body = ctx.state.auth;
 * });
 * router.get('/admin', authenticate(auth), requireRole('admin'), handler);
 * ```
 */
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: AuthenticateOptions & { optional: true },
): Middleware<OptionalAuthState<Claims, Role>>;
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: AuthenticateOptions & { optional?: false },
): Middleware<AuthState<Claims, Role>>;
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: AuthenticateOptions,
): Middleware<OptionalAuthState<Claims, Role>> {
  const authenticator = createAuthenticator(auth, options);
  return async (ctx, next) => {
    attachAuthenticator(ctx, authenticator);
    const outcome = await authenticator.authenticate(
      ctx.req,
      () => ctx.secure,
      options?.onInternalError ?? reporterFor(ctx),
    );
    if (outcome.kind === 'ok') ctx.state.auth = outcome.value as AccessTokenClaims<Claims, Role> | undefined;
    if (settle(outcome, ctx)) await next();
  };
}

// The role middlewares read only `ctx.state.auth.roles`: they fit after any authenticate, whatever its claims type.
function roleMiddleware(roles: readonly string[], all: boolean): Middleware {
  checkRoleList(roles);
  return async (ctx, next) => {
    const claims = (ctx.state as { auth?: unknown }).auth as RequestClaims | undefined;
    if (settle(authorize(ctx, claims, roles, all, reporterFor(ctx)), ctx)) await next();
  };
}

/**
 * Middleware that lets through only requests whose claims hold at least one of
 * the roles (with the role hierarchy of the `authenticate` before it): 403
 * FORBIDDEN otherwise, and 401 when no `authenticate` authenticated the request.
 */
export function requireRole(role: RegisteredRole, ...moreRoles: RegisteredRole[]): Middleware {
  return roleMiddleware([role, ...moreRoles], false);
}

/** Like {@link requireRole}, but every listed role is required. */
export function requireAllRoles(role: RegisteredRole, ...moreRoles: RegisteredRole[]): Middleware {
  return roleMiddleware([role, ...moreRoles], true);
}

/**
 * Middleware serving `POST {prefix}/login`, `/refresh`, `/logout` (and `/token` with `oauth2`); other
 * requests pass through. It reads its own size-bounded JSON body, or uses
 * `ctx.request.body` when a body parser of the application already read it.
 */
export function tokenRoutes<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: NoInfer<KoaTokenRoutesOptions<Role, Claims>>,
): Middleware {
  const { prefix = '', ...routeOptions } = options;
  if (typeof prefix !== 'string' || (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/')))) {
    throw new AuthError('CONFIG_INVALID', 'prefix must start with / and not end with /');
  }
  const routes = createTokenRoutes(auth, routeOptions);
  return async (ctx, next) => {
    const path = ctx.path;
    const route = path.startsWith(prefix) ? routes.routeOf(ctx.method, path.slice(prefix.length)) : undefined;
    if (route === undefined) {
      await next();
      return;
    }
    const parsed = (ctx.request as { body?: unknown }).body;
    const body = { stream: ctx.req, parsed, consumed: ctx.req.readableEnded };
    const input = {
      request: ctx.req,
      secure: ctx.secure,
      body,
      defaultReporter: options.onInternalError ?? reporterFor(ctx),
    };
    settle(await routes.handle(route, input), ctx);
  };
}
