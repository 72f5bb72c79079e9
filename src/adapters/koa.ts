/**
 * `tokenward/koa`: authentication, role checks, token routes and the JWKS route for Koa 2 and 3.
 *
 * Only translates between Koa and the shared HTTP logic; imports Koa for its types only.
 * @packageDocumentation
 */

import type { Context, Middleware } from 'koa';
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
import { resolveMountPrefix } from '../lib/http/mount-path.js';
import { nodeBodyStream, nodeRequestView } from '../lib/http/node-request.js';
import type { InternalErrorReporter, Outcome } from '../lib/http/outcome.js';
import { createTokenRoutes, type TokenRoutesOptions } from '../lib/http/token-routes.js';
import type { HttpAnswer, RegisteredCustomClaims, RegisteredRole, RequestClaims } from '../lib/http/types.js';
import type { RoleArguments } from '../roles/require-role.js';
import type { ScopeArguments } from '../roles/require-scope.js';
import type { AccessTokenClaims, CustomClaims } from '../types.js';

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

/**
 * The state `authenticate` provides: `ctx.state.auth`, the verified claims. Without type
 * arguments, typed by the `Auth` type the application registers (`Register` in `tokenward`).
 */
export interface AuthState<
  Claims extends object = RegisteredCustomClaims,
  Role extends string = RegisteredRole,
> {
  /** The verified access-token claims. */
  auth: AccessTokenClaims<Claims, Role>;
}

/** The state `authenticate` provides in optional mode: `ctx.state.auth`, `undefined` for anonymous requests. */
export interface OptionalAuthState<
  Claims extends object = RegisteredCustomClaims,
  Role extends string = RegisteredRole,
> {
  /** The verified access-token claims, or `undefined` for an anonymous request. */
  auth?: AccessTokenClaims<Claims, Role> | undefined;
}

/** Options of the Koa `tokenRoutes`. */
export interface KoaTokenRoutesOptions<Role extends string = string, Claims extends object = CustomClaims>
  extends TokenRoutesOptions<Role, Claims> {
  /** Where the routes are mounted, e.g. `/auth` (a trailing slash is ignored). Default: the root. */
  prefix?: string;
}

function reporterFor(ctx: Context): InternalErrorReporter {
  return (error) => ctx.app.emit('error', error, ctx);
}

function write(ctx: Context, answer: HttpAnswer): void {
  ctx.status = answer.status;
  ctx.set(answer.headers);
  ctx.body = answer.body ?? null;
}

/** Writes a failure answer or throws for Koa's error handling (the error has a `status`); `true` to go on. */
function settle(outcome: Outcome<unknown>, ctx: Context): boolean {
  if (outcome.kind === 'ok') return true;
  if (outcome.kind === 'delegate') throw outcome.error;
  write(ctx, outcome.answer);
  return false;
}

/**
 * Middleware that authenticates the request with its bearer access token
 * (`Authorization: Bearer`, the configured cookie, or `getToken`) and sets
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
 * router.get('/admin', authenticate(auth), requireRole('admin', { message: 'Admins only' }), handler);
 * ```
 */
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: AuthenticateOptions<Context> & { optional: true },
): Middleware<OptionalAuthState<Claims, Role>>;
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: AuthenticateOptions<Context> & { optional?: false },
): Middleware<AuthState<Claims, Role>>;
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: AuthenticateOptions<Context>,
): Middleware<OptionalAuthState<Claims, Role>> {
  const authenticator = createAuthenticator(auth, options);
  return async (ctx, next) => {
    attachAuthenticator(ctx, authenticator);
    const outcome = await authenticator.authenticate(
      ctx,
      nodeRequestView(ctx.req),
      () => ctx.secure,
      reporterFor(ctx),
    );
    if (outcome.kind === 'ok') ctx.state.auth = outcome.value as AccessTokenClaims<Claims, Role> | undefined;
    if (settle(outcome, ctx)) await next();
  };
}

// The role middlewares read only `ctx.state.auth.roles`: they fit after any authenticate, whatever its claims type.
function roleMiddleware(args: readonly unknown[], all: boolean): Middleware {
  const roles = checkRoleArguments(args);
  return async (ctx, next) => {
    const claims = (ctx.state as { auth?: unknown }).auth as RequestClaims | undefined;
    if (settle(authorize(ctx, claims, roles, all, reporterFor(ctx)), ctx)) await next();
  };
}

/**
 * Middleware that lets through only requests whose claims hold at least one of
 * the roles (with the role hierarchy of the `authenticate` before it): 403
 * FORBIDDEN otherwise, and 401 when no `authenticate` authenticated the request.
 * Options after the roles set the FORBIDDEN message: `requireRole('admin', { message: 'Admins only' })`.
 */
export function requireRole(...roles: RoleArguments<RegisteredRole>): Middleware {
  return roleMiddleware(roles, false);
}

/** Like {@link requireRole}, but every listed role is required. */
export function requireAllRoles(...roles: RoleArguments<RegisteredRole>): Middleware {
  return roleMiddleware(roles, true);
}

// Like the role middlewares, the scope middlewares read only the scope claims of `ctx.state.auth`.
function scopeMiddleware(args: readonly unknown[], any: boolean): Middleware {
  const scopes = checkScopeArguments(args);
  return async (ctx, next) => {
    const claims = (ctx.state as { auth?: unknown }).auth as RequestClaims | undefined;
    if (settle(authorizeScopes(ctx, claims, scopes, any, reporterFor(ctx)), ctx)) await next();
  };
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
 * router.get('/notes', authenticate(auth), requireScope('read:notes'), handler);
 * ```
 */
export function requireScope(...scopes: ScopeArguments): Middleware {
  return scopeMiddleware(scopes, false);
}

/** Like {@link requireScope}, but any one of the listed scopes is enough. */
export function requireAnyScope(...scopes: ScopeArguments): Middleware {
  return scopeMiddleware(scopes, true);
}

/**
 * Answers an `AuthError` from the application's own middleware in the shape `authenticate`
 * gives it: its status, the JSON error body and `WWW-Authenticate` (with the realm of the
 * `authenticate` that ran on the request). A server fault it is given (`CONFIG_INVALID`) is
 * answered, not reported: report it yourself.
 *
 * @example
 * ```ts
 * router.delete('/notes/:id', authenticate(auth), (ctx) => {
 *   if (!canDelete(ctx.state.auth, ctx.params.id)) {
 *     return sendAuthError(ctx, new AuthError('FORBIDDEN', 'only the author may delete a note'));
 *   }
 *   // ...
 * });
 * ```
 */
export function sendAuthError(ctx: Context, error: AuthError, options?: SendAuthErrorOptions): void {
  write(ctx, authErrorAnswer(ctx, error, options));
}

/**
 * Middleware serving `POST {prefix}/login`, `/refresh`, `/logout` (and `/token` with `oauth2`, the
 * session routes unless `sessions: false`); other
 * requests pass through. It reads its own size-bounded JSON body, or uses
 * `ctx.request.body` when a body parser of the application already read it.
 */
export function tokenRoutes<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: NoInfer<KoaTokenRoutesOptions<Role, Claims>>,
): Middleware {
  const { prefix: configuredPrefix = '', ...routeOptions } = options;
  const prefix = resolveMountPrefix(configuredPrefix);
  const routes = createTokenRoutes(auth, routeOptions);
  return async (ctx, next) => {
    const path = ctx.path;
    const relative = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
    const route = relative === undefined ? undefined : routes.routeOf(ctx.method, relative);
    if (route === undefined) {
      await next();
      return;
    }
    const parsed = (ctx.request as { body?: unknown }).body;
    const body = { stream: nodeBodyStream(ctx.req), parsed, consumed: ctx.req.readableEnded };
    const input = {
      request: nodeRequestView(ctx.req),
      secure: ctx.secure,
      clientAddress: ctx.ip,
      body,
      defaultReporter: reporterFor(ctx),
      path: relative,
    };
    settle(await routes.handle(route, input), ctx);
  };
}

/**
 * Middleware serving the instance's public keys at `GET /.well-known/jwks.json`, with
 * `Cache-Control: public, max-age=...`; other requests pass through.
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
): Middleware {
  const answer = createJwksAnswer(auth, options);
  return async (ctx, next) => {
    if (ctx.path === JWKS_PATH && JWKS_METHODS.has(ctx.method)) write(ctx, answer);
    else await next();
  };
}
