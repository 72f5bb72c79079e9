/**
 * Authenticating a request and checking its roles, for every adapter.
 * @packageDocumentation
 */

import type { Auth } from '../../create-auth.js';
import { AuthError } from '../../errors.js';
import { type RoleBearer, requireAllRoles, requireRole } from '../../roles/require-role.js';
import { presentedToken } from './bearer.js';
import { type CsrfPolicy, checkCsrf, resolveCsrfPolicy } from './csrf.js';
import { DEFAULT_REALM } from './error-response.js';
import { type FailureHandling, failure, type InternalErrorReporter, type Outcome } from './outcome.js';
import type { HttpRequestView, RequestClaims } from './types.js';

/** Options every adapter's `authenticate` takes. */
export interface AuthenticateOptions {
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
  /** Origins whose pages may send cookie-authenticated unsafe requests. Default: the server's own only. */
  allowedOrigins?: readonly string[];
  /** `true` to accept cookie-authenticated unsafe requests from sibling subdomains (`Sec-Fetch-Site: same-site`). */
  allowSameSite?: boolean;
  /** The `realm` of `WWW-Authenticate`. Default `"api"`. */
  realm?: string;
  /**
   * `true` to hand failures (the `AuthError`, with its `status`) to the
   * framework's own error handling instead of answering them. Default `false`.
   */
  delegateErrors?: boolean;
  /** Receives unexpected (non-`AuthError`) failures before the generic 500 answer. Default: the framework's logger. */
  onInternalError?: InternalErrorReporter;
}

/** Authentication bound to one `Auth` instance and its options: what an adapter keeps per middleware. */
export interface Authenticator extends FailureHandling {
  /**
   * The claims of the request's access token, `undefined` for an anonymous
   * request in optional mode, or the failure.
   * @param isSecure tells whether the request came over HTTPS as the framework judges it;
   * asked only for a cookie-carried token, whose CSRF check needs the server's own origin.
   */
  authenticate(
    request: HttpRequestView,
    isSecure: () => boolean,
    defaultReporter: InternalErrorReporter,
  ): Promise<Outcome<RequestClaims | undefined>>;
  /** Checks roles with the instance's role hierarchy; throws AuthError TOKEN_MISSING or FORBIDDEN. */
  checkRoles(claims: RequestClaims | undefined, roles: readonly string[], all: boolean): void;
}

// A registry symbol: an authenticate from the ESM build and a requireRole from the CJS build still meet.
const AUTHENTICATOR = Symbol.for('tokenward.authenticator');

/** Leaves the authenticator on the request so that a later `requireRole` uses its hierarchy and settings. */
export function attachAuthenticator(request: object, authenticator: Authenticator): void {
  (request as Record<symbol, Authenticator>)[AUTHENTICATOR] = authenticator;
}

/** The authenticator an earlier `authenticate` left on the request, if any. */
export function attachedAuthenticator(request: object): Authenticator | undefined {
  return (request as Record<symbol, Authenticator | undefined>)[AUTHENTICATOR];
}

/** The failure handling of a `requireRole` mounted without `authenticate` before it. */
export const UNAUTHENTICATED_HANDLING: FailureHandling = {
  realm: DEFAULT_REALM,
  delegateErrors: false,
  onInternalError: undefined,
};

/**
 * Checks the options and binds them to the `Auth` instance.
 * @throws AuthError CONFIG_INVALID for options of the wrong type.
 */
export function createAuthenticator<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: AuthenticateOptions = {},
): Authenticator {
  if (typeof auth?.verifyToken !== 'function')
    throw new AuthError('CONFIG_INVALID', 'authenticate needs the instance createAuth returned');
  const realm = options.realm ?? DEFAULT_REALM;
  if (typeof realm !== 'string') throw new AuthError('CONFIG_INVALID', 'realm must be a string');
  const cookie = options.cookie;
  if (cookie !== undefined && (typeof cookie !== 'string' || cookie === '')) {
    throw new AuthError('CONFIG_INVALID', 'cookie must be a cookie name');
  }
  const csrf: CsrfPolicy = resolveCsrfPolicy(options);
  const optional = options.optional === true;
  const handling: FailureHandling = {
    realm,
    delegateErrors: options.delegateErrors === true,
    onInternalError: options.onInternalError,
  };
  const source = { cookie };
  return {
    ...handling,
    async authenticate(request, isSecure, defaultReporter) {
      try {
        const presented = presentedToken(request, source);
        if (presented === undefined) {
          if (optional) return { kind: 'ok', value: undefined };
          throw new AuthError('TOKEN_MISSING', 'authentication is required');
        }
        // Only a credential the browser attaches by itself can be forged cross-site.
        if (presented.fromCookie) checkCsrf(request, isSecure(), csrf);
        const claims = await auth.verifyToken(presented.token);
        return { kind: 'ok', value: claims as unknown as RequestClaims };
      } catch (error) {
        return failure(error, handling, defaultReporter);
      }
    },
    checkRoles(claims, roles, all) {
      const [first, ...rest] = roles as readonly Role[];
      if (first === undefined) throw new AuthError('CONFIG_INVALID', 'requireRole: name at least one role');
      const bearer = claims as { roles?: readonly Role[] } | undefined;
      if (all) auth.requireAllRoles(bearer, first, ...rest);
      else auth.requireRole(bearer, first, ...rest);
    },
  };
}

/**
 * Checks the roles of a request: with the hierarchy of the `authenticate` that
 * ran before, else with the core's exact comparison. Never lets a request
 * without claims through.
 */
export function authorize(
  request: object,
  claims: RequestClaims | undefined,
  roles: readonly string[],
  all: boolean,
  defaultReporter: InternalErrorReporter,
): Outcome<undefined> {
  const authenticator = attachedAuthenticator(request);
  try {
    if (authenticator !== undefined) {
      authenticator.checkRoles(claims, roles, all);
    } else {
      const [first, ...rest] = roles;
      if (first === undefined) throw new AuthError('CONFIG_INVALID', 'requireRole: name at least one role');
      const bearer = claims as RoleBearer | undefined;
      if (all) requireAllRoles(bearer, first, ...rest);
      else requireRole(bearer, first, ...rest);
    }
    return { kind: 'ok', value: undefined };
  } catch (error) {
    return failure(error, authenticator ?? UNAUTHENTICATED_HANDLING, defaultReporter);
  }
}

/**
 * Checks, when a role middleware is built, that it names at least one role.
 * @throws AuthError CONFIG_INVALID
 */
export function checkRoleList(roles: readonly unknown[]): void {
  if (roles.length === 0 || !roles.every((role) => typeof role === 'string' && role !== '')) {
    throw new AuthError('CONFIG_INVALID', 'requireRole: name at least one role, as non-empty strings');
  }
}
