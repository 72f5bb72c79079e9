/**
 * Authenticating a request and checking its roles, for every adapter.
 * @packageDocumentation
 */

import type { Auth } from '../../create-auth.js';
import { AuthError } from '../../errors.js';
import {
  type RoleArguments,
  type RoleBearer,
  requireAllRoles,
  requireRole,
  roleRequirement,
} from '../../roles/require-role.js';
import {
  assertScopes,
  type ScopeArguments,
  type ScopeBearer,
  scopeRequirement,
} from '../../roles/require-scope.js';
import { presentedToken } from './bearer.js';
import { type CsrfOptions, type CsrfPolicy, checkCsrf, resolveCsrfPolicy } from './csrf.js';
import { errorAnswer } from './error-response.js';
import {
  DEFAULT_FAILURE_HANDLING,
  type FailureHandling,
  type FailureOptions,
  failure,
  type InternalErrorReporter,
  type Outcome,
  resolveFailureHandling,
} from './outcome.js';
import type { HttpAnswer, HttpRequestView, RequestClaims } from './types.js';

/**
 * A custom token source: the access token of the request, or `undefined` (also `null` or `''`)
 * when it carries none there, so that the `Authorization` header and the cookie are read as usual.
 */
export type TokenGetter<Request> = (
  request: Request,
) => string | null | undefined | Promise<string | null | undefined>;

/**
 * Options every adapter's `authenticate` takes. `Request` is the framework's request
 * that `getToken` receives: Express's `req`, Fastify's `request`, Koa's `ctx`.
 */
export interface AuthenticateOptions<Request = unknown> extends CsrfOptions, FailureOptions {
  /**
   * `true` to let requests without any credentials through, with no `auth` on
   * the request. A credential that is present but invalid is still refused.
   * Default `false`.
   */
  optional?: boolean;
  /**
   * The name of a cookie that may carry the access token instead of the
   * `Authorization` header. Unsafe requests authenticated by it are checked
   * against CSRF (see `allowedOrigins`). Default: none, header only.
   */
  cookie?: string;
  /**
   * A custom token source, asked first on every request, for a place the header and the
   * `cookie` option do not cover (another header, a WebSocket upgrade's protocol list, ...):
   * the token it returns is verified as a bearer token, and the header and cookie are then not
   * read. When it returns `undefined` (or `null`, or `''`), they are read as usual. A `getToken`
   * that throws an `AuthError` is answered with it; any other exception is a 500, reported
   * through `onInternalError`. A token from `getToken` is not checked against CSRF: do not read
   * a cookie with it, use `cookie`.
   *
   * The query string is never read unless a `getToken` reads it: a token in a URL ends up in
   * access logs, proxy logs, the browser history and the `Referer` sent to other sites
   * (RFC 6750 2.3 and 5.3), so only read it where nothing else is possible, for short-lived tokens.
   * Default: none.
   */
  getToken?: TokenGetter<Request>;
}

/** Authentication bound to one `Auth` instance and its options: what an adapter keeps per middleware. */
export interface Authenticator<Request = unknown> extends FailureHandling {
  /**
   * The claims of the request's access token, `undefined` for an anonymous
   * request in optional mode, or the failure.
   * @param request the framework's request, for `getToken`.
   * @param view the Node request the header, cookie and CSRF rules read.
   * @param isSecure tells whether the request came over HTTPS as the framework judges it;
   * asked only for a cookie-carried token, whose CSRF check needs the server's own origin.
   */
  authenticate(
    request: Request,
    view: HttpRequestView,
    isSecure: () => boolean,
    defaultReporter: InternalErrorReporter,
  ): Promise<Outcome<RequestClaims | undefined>>;
  /** Checks roles with the instance's role hierarchy; throws AuthError TOKEN_MISSING or FORBIDDEN. */
  checkRoles(claims: RequestClaims | undefined, roles: RoleArguments, all: boolean): void;
  /**
   * Checks scopes in the claims the instance's `scopeClaims` names: every one, or with `any` one
   * of them; throws AuthError TOKEN_MISSING or FORBIDDEN (`InsufficientScopeError`).
   */
  checkScopes(claims: RequestClaims | undefined, scopes: ScopeArguments, any: boolean): void;
}

/** What checks the roles of a request, and how its failures are answered. */
type RoleChecker = Pick<Authenticator, 'checkRoles'> & FailureHandling;

/** The role checks of a `requireRole` mounted without `authenticate` before it: exact comparison, default answers. */
const UNAUTHENTICATED_ROLE_CHECKER: RoleChecker = {
  ...DEFAULT_FAILURE_HANDLING,
  checkRoles(claims, roles, all) {
    const bearer = claims as RoleBearer | undefined;
    if (all) requireAllRoles(bearer, ...roles);
    else requireRole(bearer, ...roles);
  },
};

// A registry symbol: an authenticate from the ESM build and a requireRole from the CJS build still meet.
const AUTHENTICATOR = Symbol.for('tokenward.authenticator');

/** Leaves the authenticator on the request so that a later `requireRole` or `sendAuthError` uses its settings. */
export function attachAuthenticator(request: object, authenticator: Authenticator<never>): void {
  (request as Record<symbol, Authenticator<never>>)[AUTHENTICATOR] = authenticator;
}

/** The authenticator an earlier `authenticate` left on the request, if any. */
function attachedAuthenticator(request: object): Authenticator<never> | undefined {
  return (request as Record<symbol, Authenticator<never> | undefined>)[AUTHENTICATOR];
}

/**
 * Checks the options and binds them to the `Auth` instance.
 * @throws AuthError CONFIG_INVALID for options of the wrong type.
 */
export function createAuthenticator<Claims extends object, Role extends string, Request>(
  auth: Auth<Claims, Role>,
  options: AuthenticateOptions<Request> = {},
): Authenticator<Request> {
  if (typeof auth?.verifyToken !== 'function')
    throw new AuthError('CONFIG_INVALID', 'authenticate needs the instance createAuth returned');
  const handling = resolveFailureHandling(options);
  const cookie = options.cookie;
  if (cookie !== undefined && (typeof cookie !== 'string' || cookie === '')) {
    throw new AuthError('CONFIG_INVALID', 'cookie must be a cookie name');
  }
  const getToken = options.getToken;
  if (getToken !== undefined && typeof getToken !== 'function') {
    throw new AuthError('CONFIG_INVALID', 'getToken must be a function');
  }
  const csrf: CsrfPolicy = resolveCsrfPolicy(options);
  const optional = options.optional === true;
  const source = { cookie };

  /** The token `getToken` found, or `undefined` to read the usual places. */
  const customToken =
    getToken === undefined
      ? undefined
      : async (request: Request): Promise<string | undefined> => {
          const token = await getToken(request);
          if (token === undefined || token === null || token === '') return undefined;
          // A number or an object is the app's bug, not the client's: a 500 that is reported.
          if (typeof token !== 'string')
            throw new AuthError('CONFIG_INVALID', 'getToken must return a string');
          return token;
        };

  return {
    ...handling,
    async authenticate(request, view, isSecure, defaultReporter) {
      try {
        let token = customToken === undefined ? undefined : await customToken(request);
        if (token === undefined) {
          const presented = presentedToken(view, source);
          if (presented === undefined) {
            if (optional) return { kind: 'ok', value: undefined };
            throw new AuthError('TOKEN_MISSING', 'authentication is required');
          }
          // Only a credential the browser attaches by itself can be forged cross-site.
          if (presented.fromCookie) checkCsrf(view, isSecure(), csrf);
          token = presented.token;
        }
        const claims = await auth.verifyToken(token);
        return { kind: 'ok', value: claims as unknown as RequestClaims };
      } catch (error) {
        return failure(error, handling, defaultReporter);
      }
    },
    checkRoles(claims, roles, all) {
      const bearer = claims as RoleBearer<Role> | undefined;
      const checked = roles as RoleArguments<Role>;
      if (all) auth.requireAllRoles(bearer, ...checked);
      else auth.requireRole(bearer, ...checked);
    },
    checkScopes(claims, scopes, any) {
      const bearer = claims as ScopeBearer | undefined;
      if (any) auth.requireAnyScope(bearer, ...scopes);
      else auth.requireScope(bearer, ...scopes);
    },
  };
}

/**
 * Checks, when a role middleware is built, that it names at least one role (the core's rule),
 * and keeps its arguments for {@link authorize}.
 * @throws AuthError CONFIG_INVALID
 */
export function checkRoleArguments(args: readonly unknown[]): RoleArguments {
  roleRequirement(args);
  return args as RoleArguments;
}

/**
 * Checks the roles of a request: with the hierarchy and failure handling of the
 * `authenticate` that ran before, else with the core's exact comparison. Never
 * lets a request without claims through.
 */
export function authorize(
  request: object,
  claims: RequestClaims | undefined,
  roles: RoleArguments,
  all: boolean,
  defaultReporter: InternalErrorReporter,
): Outcome<undefined> {
  const checker: RoleChecker = attachedAuthenticator(request) ?? UNAUTHENTICATED_ROLE_CHECKER;
  return checkedOutcome(checker, defaultReporter, () => checker.checkRoles(claims, roles, all));
}

/** The outcome of a check that throws AuthError: go on, or the failure answered with the checker's handling. */
export function checkedOutcome(
  handling: FailureHandling,
  defaultReporter: InternalErrorReporter,
  check: () => void,
): Outcome<undefined> {
  try {
    check();
    return { kind: 'ok', value: undefined };
  } catch (error) {
    return failure(error, handling, defaultReporter);
  }
}

/** Options of the adapters' `sendAuthError`. */
export interface SendAuthErrorOptions {
  /** The `realm` of `WWW-Authenticate`. Default: that of the `authenticate` that ran on the request, else `"api"`. */
  realm?: string;
}

/**
 * The answer an application's own route gives an `AuthError`, in the shape the middleware
 * gives it: its status, the JSON error body and `WWW-Authenticate`, with the realm of the
 * `authenticate` that ran on the request (else `realm`, else `"api"`). Anything that is not an
 * `AuthError` gets the generic 500.
 */
export function authErrorAnswer(
  request: object,
  error: unknown,
  options: SendAuthErrorOptions = {},
): HttpAnswer {
  const resolved = options.realm ?? attachedAuthenticator(request)?.realm ?? DEFAULT_FAILURE_HANDLING.realm;
  return errorAnswer(error, resolved);
}

/** What checks the scopes of a request, and how its failures are answered. */
type ScopeChecker = Pick<Authenticator, 'checkScopes'> & FailureHandling;

/** The scope checks of a scope middleware mounted without `authenticate` before it: never a pass, default answers. */
const UNAUTHENTICATED_SCOPE_CHECKER: ScopeChecker = {
  ...DEFAULT_FAILURE_HANDLING,
  checkScopes(claims, scopes, any) {
    assertScopes(claims as ScopeBearer | undefined, scopeRequirement(scopes), { any });
  },
};

/**
 * Checks, when a scope middleware is built, that it names at least one scope (the core's rule),
 * and keeps its arguments for {@link authorizeScopes}.
 * @throws AuthError CONFIG_INVALID
 */
export function checkScopeArguments(args: readonly unknown[]): ScopeArguments {
  scopeRequirement(args);
  return args as ScopeArguments;
}

/**
 * Checks the scopes of a request: with the `scopeClaims` and failure handling of the
 * `authenticate` that ran before, else with the default claims. Never lets a request without
 * claims through.
 */
export function authorizeScopes(
  request: object,
  claims: RequestClaims | undefined,
  scopes: ScopeArguments,
  any: boolean,
  defaultReporter: InternalErrorReporter,
): Outcome<undefined> {
  const checker: ScopeChecker = attachedAuthenticator(request) ?? UNAUTHENTICATED_SCOPE_CHECKER;
  return checkedOutcome(checker, defaultReporter, () => checker.checkScopes(claims, scopes, any));
}
