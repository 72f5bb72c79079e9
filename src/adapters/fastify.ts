/**
 * `tokenward/fastify`: the `tokenward` plugin (authentication and role hooks), the
 * `tokenRoutes` and `jwksRoute` plugins, and `sendAuthError`, for Fastify 5.
 *
 * Only translates between Fastify and the shared HTTP logic; imports Fastify for its types only.
 * @packageDocumentation
 */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
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
import { createJwksAnswer, JWKS_PATH, type JwksRouteOptions } from '../lib/http/jwks.js';
import { nodeBodyStream, nodeRequestView } from '../lib/http/node-request.js';
import type { InternalErrorReporter, Outcome } from '../lib/http/outcome.js';
import { createTokenRoutes, type TokenRoutesOptions } from '../lib/http/token-routes.js';
import type { HttpAnswer, RegisteredCustomClaims, RegisteredRole, RequestClaims } from '../lib/http/types.js';
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

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified access-token claims, set by `app.authenticate`; `undefined`
     * on routes without it and for anonymous requests in optional mode. Typed
     * by the `Auth` type the application registers (`Register` in `tokenward`).
     */
    auth: RequestClaims | undefined;
  }
  interface FastifyInstance {
    /** An `onRequest` hook that authenticates the request and sets `request.auth` (the `tokenward` plugin). */
    authenticate: onRequestHookHandler;
    /**
     * An `onRequest` hook that requires one of the roles: 403 without it, 401 when not authenticated.
     * Options after the roles set the FORBIDDEN message: `app.requireRole('admin', { message: 'Admins only' })`.
     */
    requireRole(...roles: RoleArguments<RegisteredRole>): onRequestHookHandler;
    /** Like `requireRole`, but every listed role is required. */
    requireAllRoles(...roles: RoleArguments<RegisteredRole>): onRequestHookHandler;
    /**
     * An `onRequest` hook that requires every listed scope (read from the claims `scopeClaims`
     * names): 403 with `error="insufficient_scope", scope="..."` without them, 401 when not
     * authenticated. Options after the scopes set the FORBIDDEN message.
     */
    requireScope(...scopes: ScopeArguments): onRequestHookHandler;
    /** Like `requireScope`, but any one of the listed scopes is enough. */
    requireAnyScope(...scopes: ScopeArguments): onRequestHookHandler;
  }
}

/** Options of the `tokenward` plugin: the `Auth` instance and the `authenticate` options. */
export interface TokenwardPluginOptions extends AuthenticateOptions<FastifyRequest> {
  /** The instance `createAuth` returned. */
  auth: Auth<object, string>;
}

/**
 * Options of the `tokenRoutes` plugin (register it with a `prefix`, e.g. `/auth`). Fastify's
 * `register` cannot infer types from `auth`, so `findUser`'s claims and roles are typed by
 * the `Auth` type the application registers (`Register` in `tokenward`), as `request.auth` is.
 */
export interface TokenRoutesPluginOptions extends TokenRoutesOptions<RegisteredRole, RegisteredCustomClaims> {
  /** The instance `createAuth` returned. */
  auth: Auth<object, string>;
  /** Where the routes are mounted (Fastify's own register option). */
  prefix?: string;
}

/** Options of the `jwksRoute` plugin. */
export interface JwksRoutePluginOptions extends JwksRouteOptions {
  /** The instance `createAuth` returned, with asymmetric keys. */
  auth: Auth<object, string>;
  /** Fastify's own register option: the route is served at `{prefix}/.well-known/jwks.json`. */
  prefix?: string;
}

function reporterFor(request: FastifyRequest): InternalErrorReporter {
  return (error) => request.log.error({ err: error }, 'tokenward: unexpected error');
}

function send(reply: FastifyReply, answer: HttpAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** Sends a failure answer, throws for Fastify's error handler (the error has a `status`), or goes on. */
function settle(outcome: Outcome<unknown>, reply: FastifyReply): FastifyReply | undefined {
  if (outcome.kind === 'ok') return undefined;
  if (outcome.kind === 'delegate') throw outcome.error;
  return send(reply, outcome.answer);
}

const tokenwardPlugin: FastifyPluginAsync<TokenwardPluginOptions> = async (fastify, options) => {
  const { auth, ...authenticateOptions } = options;
  const authenticator = createAuthenticator(auth, authenticateOptions);
  fastify.decorateRequest('auth', undefined);

  const authenticateHook: onRequestHookHandler = async function authenticateHook(request, reply) {
    attachAuthenticator(request, authenticator);
    const outcome = await authenticator.authenticate(
      request,
      nodeRequestView(request.raw),
      () => request.protocol === 'https',
      reporterFor(request),
    );
    if (outcome.kind === 'ok') request.auth = outcome.value;
    return settle(outcome, reply);
  };

  const roleHook = (args: readonly unknown[], all: boolean): onRequestHookHandler => {
    const roles = checkRoleArguments(args);
    return async function requireRoleHook(request, reply) {
      return settle(authorize(request, request.auth, roles, all, reporterFor(request)), reply);
    };
  };

  fastify.decorate('authenticate', authenticateHook);
  fastify.decorate('requireRole', (...roles: RoleArguments<RegisteredRole>) => roleHook(roles, false));
  fastify.decorate('requireAllRoles', (...roles: RoleArguments<RegisteredRole>) => roleHook(roles, true));

  const scopeHook = (args: readonly unknown[], any: boolean): onRequestHookHandler => {
    const scopes = checkScopeArguments(args);
    return async function requireScopeHook(request, reply) {
      return settle(authorizeScopes(request, request.auth, scopes, any, reporterFor(request)), reply);
    };
  };

  fastify.decorate('requireScope', (...scopes: ScopeArguments) => scopeHook(scopes, false));
  fastify.decorate('requireAnyScope', (...scopes: ScopeArguments) => scopeHook(scopes, true));
};

/**
 * The authentication plugin: decorates `app.authenticate` (an `onRequest`
 * hook setting `request.auth`), `app.requireRole(...roles)`,
 * `app.requireAllRoles(...roles)`, `app.requireScope(...scopes)` and `app.requireAnyScope(...scopes)`. Failures answer with the `AuthError`'s
 * status, the JSON error body and `WWW-Authenticate`, or are thrown to
 * Fastify's error handler with `delegateErrors`.
 *
 * @example
 * ```ts
 * await app.register(tokenward, { auth });
 * await app.register(tokenRoutes, { auth, findUser, prefix: '/auth' });
 * app.get('/admin', { onRequest: [app.authenticate, app.requireRole('admin')] }, handler);
 * ```
 */
export const tokenward = fp(tokenwardPlugin, { fastify: '5.x', name: 'tokenward' });

/**
 * Answers an `AuthError` from the application's own route or error handler in the shape the
 * hooks give it: its status, the JSON error body and `WWW-Authenticate` (with the realm of the
 * `authenticate` that ran on the request). Returns the reply, so that a handler can return it.
 * A server fault it is given (`CONFIG_INVALID`) is answered, not reported: report it yourself.
 *
 * @example
 * ```ts
 * app.delete('/notes/:id', { onRequest: [app.authenticate] }, async (request, reply) => {
 *   if (!canDelete(request.auth, request.params.id)) {
 *     return sendAuthError(reply, new AuthError('FORBIDDEN', 'only the author may delete a note'));
 *   }
 *   // ...
 * });
 * ```
 */
export function sendAuthError(
  reply: FastifyReply,
  error: AuthError,
  options?: SendAuthErrorOptions,
): FastifyReply {
  return send(reply, authErrorAnswer(reply.request, error, options));
}

/**
 * The token routes plugin: `POST {prefix}/login`, `/refresh`, `/logout` (and `/token` with `oauth2`,
 * the session routes unless `sessions: false`).
 * The routes answer from their `onRequest` hook and read their own body (size-bounded): the app's
 * content-type parsers, and its `preParsing`, `preValidation` and `preHandler` hooks, do not apply
 * to them (its `onRequest`, `onSend` and `onResponse` hooks do).
 */
export const tokenRoutes: FastifyPluginAsync<TokenRoutesPluginOptions> = async (fastify, options) => {
  const { auth, prefix: _prefix, ...routeOptions } = options;
  const routes = createTokenRoutes(auth, routeOptions);
  for (const { route, method, path } of routes.endpoints) {
    // The route answers from its onRequest hook, before Fastify judges the Content-Type (it answers
    // 415 to one such as `application/json, text/plain`, which the other adapters refuse with 400
    // REQUEST_INVALID) or parses anything: the body is handed over unread, so that its media type,
    // size and JSON are judged like in every adapter.
    const answer: onRequestHookHandler = async function tokenRoute(request, reply) {
      const input = {
        request: nodeRequestView(request.raw),
        secure: request.protocol === 'https',
        clientAddress: request.ip,
        body: { stream: nodeBodyStream(request.raw) },
        defaultReporter: reporterFor(request),
        // Fastify routed `:id` itself: hand it on encoded, as the other frameworks' paths are.
        path: path.replace(':id', encodeURIComponent((request.params as { id?: string }).id ?? '')),
      };
      return settle(await routes.handle(route, input), reply);
    };
    // The handler is never reached: the hook always answers, or throws to Fastify's error handler.
    // No automatic HEAD for GET /sessions: the other adapters serve none either.
    fastify.route({
      method,
      url: path,
      exposeHeadRoute: false,
      onRequest: answer,
      handler: async () => undefined,
    });
  }
};

/**
 * The JWKS route plugin: the instance's public keys at `GET {prefix}/.well-known/jwks.json`
 * (and HEAD), with `Cache-Control: public, max-age=...`.
 * @throws AuthError CONFIG_INVALID at registration when the instance has no public key (an HMAC secret).
 *
 * @example
 * ```ts
 * await app.register(jwksRoute, { auth, maxAge: '10m' });
 * ```
 */
export const jwksRoute: FastifyPluginAsync<JwksRoutePluginOptions> = async (fastify, options) => {
  const { auth, prefix: _prefix, ...jwksOptions } = options;
  const answer = createJwksAnswer(auth, jwksOptions);
  fastify.get(JWKS_PATH, async (_request, reply) => send(reply, answer));
};
