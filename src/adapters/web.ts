/**
 * `tokenward/web`: authentication and the token routes for Fetch API `Request`s and `Response`s,
 * as `Bun.serve`, `Deno.serve`, a Cloudflare Workers `fetch` handler or a Next.js route handler
 * hand them over. No framework, and no `node:` module.
 *
 * Only translates between the Fetch API and the shared HTTP logic.
 * @packageDocumentation
 */

import type { Auth } from '../create-auth.js';
import type { AuthError } from '../errors.js';
import {
  type AuthenticateOptions,
  authErrorAnswer,
  checkedOutcome,
  createAuthenticator,
  type SendAuthErrorOptions,
} from '../lib/http/authenticate.js';
import {
  type AccessRequirements,
  accessCheck,
  createFetchTokenRoutes,
  reportToConsole,
  resolveTrustProxy,
} from '../lib/http/fetch-adapter.js';
import {
  answerResponse,
  fetchRequestView,
  isHttpsRequest,
  type ProxyOptions,
} from '../lib/http/fetch-request.js';
import { createJwksAnswer, JWKS_METHODS, JWKS_PATH, type JwksRouteOptions } from '../lib/http/jwks.js';
import { resolveMountPrefix } from '../lib/http/mount-path.js';
import type { TokenRoutesOptions } from '../lib/http/token-routes.js';
import type { AccessTokenClaims, CustomClaims } from '../types.js';

export type { SendAuthErrorOptions, TokenGetter } from '../lib/http/authenticate.js';
export type { RefreshCookieOptions, SameSite } from '../lib/http/cookies.js';
export type { CsrfOptions } from '../lib/http/csrf.js';
export type { AccessRequirements } from '../lib/http/fetch-adapter.js';
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
export type { RoleArguments, RoleRequirementOptions } from '../roles/require-role.js';
export type { ScopeArguments, ScopeRequirementOptions } from '../roles/require-scope.js';

/**
 * Options of {@link authenticate}: those every adapter's `authenticate` takes (`cookie`,
 * `allowedOrigins`, `realm`, `optional`, `getToken`, ...), the roles and scopes the claims must
 * hold, and `trustProxy`. With `delegateErrors`, a failure rejects the returned promise with the
 * `AuthError` instead of being answered.
 */
export interface WebAuthenticateOptions<Role extends string = string>
  extends AuthenticateOptions<Request>,
    AccessRequirements<Role>,
    ProxyOptions {}

/** The result of {@link authenticate}: the verified claims, or the answer to send as is. */
export type AuthenticateResult<Claims> =
  | {
      /** The request is authenticated (or anonymous in optional mode) and passed every check. */
      readonly ok: true;
      /** The verified access-token claims; `undefined` for an anonymous request in optional mode. */
      readonly claims: Claims;
    }
  | {
      /** The request is refused. */
      readonly ok: false;
      /** The answer to return as is: status, JSON error body, `WWW-Authenticate`. */
      readonly response: Response;
    };

/** What {@link authenticate} returns: a check of one request. */
export type RequestAuthenticator<Claims> = (request: Request) => Promise<AuthenticateResult<Claims>>;

/**
 * Builds the check of a request's bearer access token (`Authorization: Bearer`, the configured
 * cookie, or `getToken`) and, when given, of its roles and scopes. A failure comes back as a
 * `Response` to return as is: the `AuthError`'s status, the JSON error body and `WWW-Authenticate`.
 * In `optional` mode a request without credentials passes with `claims: undefined`.
 *
 * @example
 * ```ts
 * const check = authenticate(auth, { roles: ['admin'] });
 * Bun.serve({
 *   async fetch(request) {
 *     const result = await check(request);
 *     if (!result.ok) return result.response;
 *     return Response.json({ sub: result.claims.sub });
 *   },
 * });
 * ```
 */
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: WebAuthenticateOptions<NoInfer<Role>> & { optional: true },
): RequestAuthenticator<AccessTokenClaims<Claims, Role> | undefined>;
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: WebAuthenticateOptions<NoInfer<Role>> & { optional?: false },
): RequestAuthenticator<AccessTokenClaims<Claims, Role>>;
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options?: WebAuthenticateOptions<NoInfer<Role>>,
): RequestAuthenticator<AccessTokenClaims<Claims, Role> | undefined>;
export function authenticate<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: WebAuthenticateOptions<NoInfer<Role>> = {},
): RequestAuthenticator<AccessTokenClaims<Claims, Role> | undefined> {
  const authenticator = createAuthenticator(auth, options);
  const trustProxy = resolveTrustProxy(options);
  const check = accessCheck(options as AccessRequirements);
  return async (request) => {
    let outcome = await authenticator.authenticate(
      request,
      fetchRequestView(request),
      () => isHttpsRequest(request, trustProxy),
      reportToConsole,
    );
    if (outcome.kind === 'ok' && check !== undefined) {
      const claims = outcome.value;
      const checked = checkedOutcome(authenticator, reportToConsole, () => check(authenticator, claims));
      if (checked.kind !== 'ok') outcome = checked;
    }
    if (outcome.kind === 'ok') {
      return { ok: true, claims: outcome.value as AccessTokenClaims<Claims, Role> | undefined };
    }
    if (outcome.kind === 'delegate') throw outcome.error;
    return { ok: false, response: answerResponse(outcome.answer) };
  };
}

/**
 * Options of {@link tokenRoutes}: those every adapter's token routes take, where they are served
 * (`prefix`), `trustProxy`, and where the client address for the login throttle comes from.
 */
export interface WebTokenRoutesOptions<Role extends string = string, Claims extends object = CustomClaims>
  extends TokenRoutesOptions<Role, Claims>,
    ProxyOptions {
  /** The path the routes are served under, e.g. `/auth` for `POST /auth/login`. Default `''`, the root. */
  prefix?: string;
  /**
   * The client's address, for the login throttle's per-address limit: the Fetch API does not
   * carry it (`Bun.serve`: `server.requestIP(request)?.address`; Deno: the handler's
   * `info.remoteAddr.hostname`; Workers: the `CF-Connecting-IP` header). With `trustProxy`, the
   * proxy's `X-Forwarded-For` is used first. Without either, every client shares one address
   * counter: pass `loginThrottle: { address: false }` to count by user name only.
   */
  clientAddress?: (request: Request) => string | undefined;
}

/** What {@link tokenRoutes} returns: the answer of a token route, or `undefined` for any other request. */
export type TokenRoutesHandler = (request: Request) => Promise<Response | undefined>;

/** The path of a URL, without scheme, host, query or fragment. */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  let end = url.length;
  for (let i = start; i < url.length; i += 1) {
    const char = url.charCodeAt(i);
    if (char === 0x3f || char === 0x23) {
      end = i;
      break;
    }
  }
  return url.slice(start, end);
}

/**
 * Serves `POST {prefix}/login`, `/refresh`, `/logout` (and `/token` with `oauth2`, `/logout-all`
 * with `logoutAll`, the session routes unless `sessions: false`) with the same cookie, CSRF, HTTPS, no-store and login-protection rules as every
 * adapter; any other request is answered `undefined`, for the app to route on. With
 * `delegateErrors`, a failure rejects the promise with the `AuthError`.
 *
 * @example
 * ```ts
 * const routes = tokenRoutes(auth, { findUser, prefix: '/auth' });
 * Deno.serve(async (request) => (await routes(request)) ?? app(request));
 * ```
 */
export function tokenRoutes<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: NoInfer<WebTokenRoutesOptions<Role, Claims>>,
): TokenRoutesHandler {
  const { prefix: rawPrefix, clientAddress, ...routeOptions } = options;
  const prefix = resolveMountPrefix(rawPrefix ?? '');
  const fetchRoutes = createFetchTokenRoutes(auth, routeOptions);
  return async (request) => {
    const path = pathOf(request.url);
    if (!path.startsWith(prefix)) return undefined;
    const relative = path.slice(prefix.length);
    const route = fetchRoutes.routes.routeOf(request.method, relative);
    if (route === undefined) return undefined;
    return fetchRoutes.handle(route, request, clientAddress?.(request), relative);
  };
}

/**
 * The answer an application's own code gives an `AuthError`, in the shape `authenticate` gives
 * it: its status, the JSON error body and `WWW-Authenticate` (realm `options.realm`, default
 * `"api"`). Anything that is not an `AuthError` gets the generic 500.
 *
 * @example
 * ```ts
 * if (!canDelete(result.claims, id)) {
 *   return authErrorResponse(new AuthError('FORBIDDEN', 'only the author may delete a note'));
 * }
 * ```
 */
export function authErrorResponse(error: AuthError, options?: SendAuthErrorOptions): Response {
  return answerResponse(authErrorAnswer({}, error, options));
}

/** Options of {@link jwksRoute}: the caching of the key set, and where it is served. */
export interface WebJwksRouteOptions extends JwksRouteOptions {
  /** The path the key set is served under: `{prefix}/.well-known/jwks.json`. Default `''`. */
  prefix?: string;
}

/**
 * Serves the instance's public keys at `GET {prefix}/.well-known/jwks.json` (and HEAD), with
 * `Cache-Control: public, max-age=...`; any other request is answered `undefined`.
 * @throws AuthError CONFIG_INVALID when the instance has no public key (an HMAC secret).
 */
export function jwksRoute<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: WebJwksRouteOptions = {},
): (request: Request) => Response | undefined {
  const { prefix: rawPrefix, ...jwksOptions } = options;
  const path = resolveMountPrefix(rawPrefix ?? '') + JWKS_PATH;
  const answer = createJwksAnswer(auth, jwksOptions);
  return (request) => {
    if (!JWKS_METHODS.has(request.method) || pathOf(request.url) !== path) return undefined;
    const response = answerResponse(answer);
    return request.method === 'HEAD' ? new Response(null, response) : response;
  };
}
