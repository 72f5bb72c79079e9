/**
 * `tokenward/fastify`: the `tokenward` plugin (authentication and role hooks)
 * and the `tokenRoutes` plugin, for Fastify 5.
 *
 * Only translates between Fastify and the shared HTTP logic; imports Fastify for its types only.
 * @packageDocumentation
 */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
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
import type { RegisteredRole, RequestClaims } from '../lib/http/types.js';

export type { AuthenticateOptions } from '../lib/http/authenticate.js';
export type { RefreshCookieOptions, SameSite } from '../lib/http/cookies.js';
export type { InternalErrorReporter } from '../lib/http/outcome.js';
export type { TokenRoutesOptions, TokenRoutesUser } from '../lib/http/token-routes.js';
export type { RegisteredRole, RequestClaims } from '../lib/http/types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified access-token claims, set by `app.authenticate`; `undefined`
     * on routes without it and for anonymous requests in optional mode. Typed
     * by the `Tokenward.Claims` and `Tokenward.Roles` interfaces the application augments.
     */
    auth: RequestClaims | undefined;
  }
  interface FastifyInstance {
    /** An `onRequest` hook that authenticates the request and sets `request.auth` (the `tokenward` plugin). */
    authenticate: onRequestHookHandler;
    /** An `onRequest` hook that requires one of the roles: 403 without it, 401 when not authenticated. */
    requireRole(role: RegisteredRole, ...moreRoles: RegisteredRole[]): onRequestHookHandler;
    /** Like `requireRole`, but every listed role is required. */
    requireAllRoles(role: RegisteredRole, ...moreRoles: RegisteredRole[]): onRequestHookHandler;
  }
}

/** Options of the `tokenward` plugin: the `Auth` instance and the `authenticate` options. */
export interface TokenwardPluginOptions extends AuthenticateOptions {
  /** The instance `createAuth` returned. */
  auth: Auth<object, string>;
}

/** Options of the `tokenRoutes` plugin (register it with a `prefix`, e.g. `/auth`). */
export interface TokenRoutesPluginOptions extends TokenRoutesOptions {
  /** The instance `createAuth` returned. */
  auth: Auth<object, string>;
  /** Where the routes are mounted (Fastify's own register option). */
  prefix?: string;
}

function reporterFor(
  request: FastifyRequest,
  custom: InternalErrorReporter | undefined,
): InternalErrorReporter {
  return custom ?? ((error) => request.log.error({ err: error }, 'tokenward: unexpected error'));
}

/** Sends a failure answer, throws for Fastify's error handler (the error has a `status`), or goes on. */
function settle(outcome: Outcome<unknown>, reply: FastifyReply): FastifyReply | undefined {
  if (outcome.kind === 'ok') return undefined;
  if (outcome.kind === 'delegate') throw outcome.error;
  const { status, headers, body } = outcome.answer;
  return reply.code(status).headers(headers).send(body);
}

const tokenwardPlugin: FastifyPluginAsync<TokenwardPluginOptions> = async (fastify, options) => {
  const { auth, ...authenticateOptions } = options;
  const authenticator = createAuthenticator(auth, authenticateOptions);
  fastify.decorateRequest('auth', undefined);

  const authenticateHook: onRequestHookHandler = async function authenticateHook(request, reply) {
    attachAuthenticator(request, authenticator);
    const outcome = await authenticator.authenticate(
      request.raw,
      () => request.protocol === 'https',
      reporterFor(request, options.onInternalError),
    );
    if (outcome.kind === 'ok') request.auth = outcome.value;
    return settle(outcome, reply);
  };

  const roleHook = (roles: readonly string[], all: boolean): onRequestHookHandler => {
    checkRoleList(roles);
    return async function requireRoleHook(request, reply) {
      return settle(
        authorize(request, request.auth, roles, all, reporterFor(request, options.onInternalError)),
        reply,
      );
    };
  };

  fastify.decorate('authenticate', authenticateHook);
  fastify.decorate('requireRole', (role: RegisteredRole, ...moreRoles: RegisteredRole[]) =>
    roleHook([role, ...moreRoles], false),
  );
  fastify.decorate('requireAllRoles', (role: RegisteredRole, ...moreRoles: RegisteredRole[]) =>
    roleHook([role, ...moreRoles], true),
  );
};

/**
 * The authentication plugin: decorates `app.authenticate` (an `onRequest`
 * hook setting `request.auth`), `app.requireRole(...roles)` and
 * `app.requireAllRoles(...roles)`. Failures answer with the `AuthError`'s
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
 * The token routes plugin: `POST {prefix}/login`, `/refresh`, `/logout` (and `/token` with `oauth2`).
 * The routes answer from their `onRequest` hook and read their own body (size-bounded): the app's
 * content-type parsers, and its `preParsing`, `preValidation` and `preHandler` hooks, do not apply
 * to them (its `onRequest`, `onSend` and `onResponse` hooks do).
 */
export const tokenRoutes: FastifyPluginAsync<TokenRoutesPluginOptions> = async (fastify, options) => {
  const { auth, prefix: _prefix, ...routeOptions } = options;
  const routes = createTokenRoutes(auth, routeOptions);
  for (const route of routes.routes) {
    // The route answers from its onRequest hook, before Fastify judges the Content-Type (it answers
    // 415 to one such as `application/json, text/plain`, which the other adapters refuse with 400
    // REQUEST_INVALID) or parses anything: the body is handed over unread, so that its media type,
    // size and JSON are judged like in every adapter.
    const answer: onRequestHookHandler = async function tokenRoute(request, reply) {
      const input = {
        request: request.raw,
        secure: request.protocol === 'https',
        body: { stream: request.raw },
        defaultReporter: reporterFor(request, options.onInternalError),
      };
      return settle(await routes.handle(route, input), reply);
    };
    // The handler is never reached: the hook always answers, or throws to Fastify's error handler.
    fastify.post(`/${route}`, { onRequest: answer }, async () => undefined);
  }
};
