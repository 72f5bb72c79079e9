/**
 * What `tokenward/web` and `tokenward/hono` share on top of the framework-free steps: serving the
 * token routes for a Fetch API `Request`, and checking roles and scopes after authentication.
 * @packageDocumentation
 */

import type { Auth } from '../../create-auth.js';
import { AuthError } from '../../errors.js';
import type { RoleArguments } from '../../roles/require-role.js';
import type { ScopeArguments } from '../../roles/require-scope.js';
import { type Authenticator, checkRoleArguments, checkScopeArguments } from './authenticate.js';
import {
  answerResponse,
  fetchRequestView,
  forwardedClientAddress,
  isHttpsRequest,
  type ProxyOptions,
} from './fetch-request.js';
import type { InternalErrorReporter } from './outcome.js';
import {
  createTokenRoutes,
  type TokenRoute,
  type TokenRoutes,
  type TokenRoutesOptions,
} from './token-routes.js';
import type { RequestClaims } from './types.js';

/** The default reporter of server faults where the runtime has no logger of its own. */
export const reportToConsole: InternalErrorReporter = (error) => {
  console.error('tokenward: unexpected error', error);
};

/** Checks a `trustProxy` option. */
export function resolveTrustProxy(options: ProxyOptions): boolean {
  const trustProxy = options.trustProxy ?? false;
  if (typeof trustProxy !== 'boolean') throw new AuthError('CONFIG_INVALID', 'trustProxy must be a boolean');
  return trustProxy;
}

/** The token routes of a Fetch-API adapter: the shared ones, and how a `Request` is handed to them. */
export interface FetchTokenRoutes {
  /** The shared token routes. */
  readonly routes: TokenRoutes;
  /**
   * Runs a route for a request and answers it; `clientAddress` is the runtime's, used when the
   * proxy is not trusted; `path` is the request's path under the mount path (for
   * `DELETE /sessions/:id`). With `delegateErrors`, rejects with the failure instead.
   */
  handle(
    route: TokenRoute,
    request: Request,
    clientAddress: string | undefined,
    path?: string,
  ): Promise<Response>;
}

/**
 * Checks the options and binds the token routes to the instance, for `Request`s.
 * @throws AuthError CONFIG_INVALID for invalid options.
 */
export function createFetchTokenRoutes<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: TokenRoutesOptions<Role, Claims> & ProxyOptions,
): FetchTokenRoutes {
  const trustProxy = resolveTrustProxy(options);
  const routes = createTokenRoutes(auth, options);
  return {
    routes,
    async handle(route, request, clientAddress, path) {
      const outcome = await routes.handle(route, {
        request: fetchRequestView(request),
        secure: isHttpsRequest(request, trustProxy),
        // Behind a trusted proxy the runtime's peer is the proxy: the address it reports counts.
        clientAddress: trustProxy ? (forwardedClientAddress(request) ?? clientAddress) : clientAddress,
        body: { stream: request.body, consumed: request.bodyUsed },
        defaultReporter: reportToConsole,
        ...(path === undefined ? {} : { path }),
      });
      if (outcome.kind === 'answer') return answerResponse(outcome.answer);
      // The only other outcome of a token route: a failure the application handles itself.
      throw (outcome as { error: unknown }).error;
    },
  };
}

/** The role and scope requirements `tokenward/web`'s `authenticate` checks after the token. */
export interface AccessRequirements<Role extends string = string> {
  /** Roles, any one of which the claims must hold (with the instance's hierarchy); options last. */
  roles?: RoleArguments<Role>;
  /** Scopes, every one of which the claims must hold; options last. */
  scopes?: ScopeArguments;
  /** Scopes, any one of which the claims must hold; options last. */
  anyScopes?: ScopeArguments;
}

/**
 * Checks the requirements when `authenticate` is built, and returns the check run on the claims.
 * @throws AuthError CONFIG_INVALID for an empty or malformed list.
 */
export function accessCheck(
  requirements: AccessRequirements,
): ((authenticator: Authenticator<never>, claims: RequestClaims | undefined) => void) | undefined {
  const roles = requirements.roles === undefined ? undefined : checkRoleArguments(requirements.roles);
  const scopes = requirements.scopes === undefined ? undefined : checkScopeArguments(requirements.scopes);
  const anyScopes =
    requirements.anyScopes === undefined ? undefined : checkScopeArguments(requirements.anyScopes);
  if (roles === undefined && scopes === undefined && anyScopes === undefined) return undefined;
  return (authenticator, claims) => {
    if (roles !== undefined) authenticator.checkRoles(claims, roles, false);
    if (scopes !== undefined) authenticator.checkScopes(claims, scopes, false);
    if (anyScopes !== undefined) authenticator.checkScopes(claims, anyScopes, true);
  };
}
