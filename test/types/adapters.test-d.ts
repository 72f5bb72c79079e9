/**
 * One registration types every adapter: the app registers its `Auth` type once
 * (`declare module 'tokenward' { interface Register { auth: typeof auth } }`) and Express,
 * Fastify and Koa derive the request claims and the role names from it. The deprecated
 * `Tokenward` namespace is still read while nothing is registered.
 */

import Router from '@koa/router';
import type { Request, Response } from 'express';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import type { Context } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';
import * as expressAdapter from '../../src/adapters/express.js';
import { tokenRoutes as fastifyTokenRoutes, tokenward } from '../../src/adapters/fastify.js';
import * as koaAdapter from '../../src/adapters/koa.js';
import { createAuth } from '../../src/create-auth.js';
import { requireRole } from '../../src/index.js';
import type { TokenRoutesUser } from '../../src/lib/http/token-routes.js';
import type { RegisteredTypes, RequestClaims } from '../../src/lib/http/types.js';
import type { AccessTokenClaims } from '../../src/types.js';

type AppClaims = { tenant: string };
type AppRole = 'admin' | 'user';
const auth = createAuth<AppClaims, AppRole>({ keys: 'a-type-test-secret-of-at-least-32-bytes!!' });

// The one declaration an application writes.
declare module 'tokenward' {
  interface Register {
    auth: typeof auth;
  }
}

// The deprecated channel, declared differently on purpose: the registration must win over it.
declare global {
  namespace Tokenward {
    interface Claims {
      legacyTenant: number;
    }
    interface Roles {
      legacyAdmin: true;
    }
  }
}

describe('the registered Auth type', () => {
  it('gives the request claims: its custom claims and role names', () => {
    expectTypeOf<RequestClaims>().toEqualTypeOf<AccessTokenClaims<AppClaims, AppRole>>();
    expectTypeOf<RequestClaims['tenant']>().toEqualTypeOf<string>();
    expectTypeOf<RequestClaims['roles']>().toEqualTypeOf<AppRole[] | undefined>();
    expectTypeOf<RequestClaims>().not.toHaveProperty('legacyTenant');
  });

  it('leaves the deprecated Tokenward namespace in force while nothing is registered', () => {
    // What `Register` is before an application augments it.
    type NothingRegistered = Record<never, never>;
    expectTypeOf<RegisteredTypes<NothingRegistered>>().toEqualTypeOf<{
      claims: Tokenward.Claims;
      role: 'legacyAdmin';
    }>();
    expectTypeOf<RegisteredTypes<NothingRegistered>['claims']['legacyTenant']>().toEqualTypeOf<number>();
  });
});

describe('Express', () => {
  it('types req.auth, possibly undefined, and nothing on the response', () => {
    expectTypeOf<Request['auth']>().toEqualTypeOf<RequestClaims | undefined>();
    expectTypeOf<Request['auth']>().toEqualTypeOf<AccessTokenClaims<AppClaims, AppRole> | undefined>();
    expectTypeOf<Response>().not.toHaveProperty('auth');
  });

  it('takes registered roles only, then optionally the options', () => {
    expressAdapter.requireRole('admin', 'user');
    expressAdapter.requireAllRoles('admin', 'user', { message: 'Admins who are users only' });
    expressAdapter.requireRole('admin', { message: 'Admins only' });
    // @ts-expect-error not a registered role
    expressAdapter.requireRole('root');
    // @ts-expect-error a role of the deprecated namespace, which the registration replaces
    expressAdapter.requireRole('legacyAdmin');
    // @ts-expect-error at least one role
    expressAdapter.requireRole();
    // @ts-expect-error options without a role
    expressAdapter.requireRole({ message: 'Admins only' });
    // @ts-expect-error the options come last
    expressAdapter.requireRole({ message: 'Admins only' }, 'admin');
  });

  it('takes scopes (any strings, at least one), then optionally the options', () => {
    expressAdapter.requireScope('read:notes', 'write:notes');
    expressAdapter.requireAnyScope('read:notes', { message: 'Readers only' });
    koaAdapter.requireScope('read:notes');
    koaAdapter.requireAnyScope('read:notes', 'write:notes', { message: 'Readers or writers' });
    // @ts-expect-error at least one scope
    expressAdapter.requireScope();
    // @ts-expect-error options without a scope
    koaAdapter.requireAnyScope({ message: 'x' });
    // @ts-expect-error the options come last
    expressAdapter.requireScope({ message: 'x' }, 'read:notes');
    const app = Fastify();
    app.get('/notes', { onRequest: [app.authenticate, app.requireScope('read:notes')] }, async () => ({}));
    app.get(
      '/any',
      { onRequest: [app.requireAnyScope('read:notes', 'write:notes', { message: 'x' })] },
      async () => ({}),
    );
    // @ts-expect-error at least one scope
    app.requireScope();
  });

  it("hands getToken Express's request, and sendAuthError takes an AuthError", () => {
    expressAdapter.authenticate(auth, {
      getToken: (req) => {
        expectTypeOf(req).toEqualTypeOf<Request>();
        return req.get('x-access-token');
      },
    });
    expectTypeOf(expressAdapter.sendAuthError).parameter(0).toEqualTypeOf<Response>();
    // @ts-expect-error an AuthError, not any error
    expressAdapter.sendAuthError({} as Response, new Error('x'));
  });
});

describe('Fastify', () => {
  it('types request.auth, the decorators and getToken', async () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<RequestClaims | undefined>();
    expectTypeOf<FastifyReply>().not.toHaveProperty('auth');
    const app = Fastify();
    await app.register(tokenward, {
      auth,
      getToken: (request) => {
        expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
        return undefined;
      },
    });
    app.get('/me', { onRequest: [app.authenticate, app.requireRole('admin')] }, async (request) => {
      expectTypeOf(request.auth?.tenant).toEqualTypeOf<string | undefined>();
      expectTypeOf(request.auth?.roles).toEqualTypeOf<AppRole[] | undefined>();
      return {};
    });
    app.requireRole('user', { message: 'Users only' });
    // @ts-expect-error not a registered role
    app.requireRole('root');
    // @ts-expect-error at least one role
    app.requireAllRoles();
  });

  it("types findUser's claims and roles by the registered Auth type", async () => {
    const app = Fastify();
    const user = { sub: 'u-1', passwordHash: 'hash' };
    await app.register(fastifyTokenRoutes, {
      auth,
      findUser: async () => ({ ...user, roles: ['admin' as const], claims: { tenant: 't-1' } }),
    });
    await app.register(fastifyTokenRoutes, {
      auth,
      // @ts-expect-error tenantId is not a registered claim, and tenant is missing
      findUser: async () => ({ ...user, claims: { tenantId: 't-1' } }),
    });
    await app.register(fastifyTokenRoutes, {
      auth,
      // @ts-expect-error root is not a registered role
      findUser: async () => ({ ...user, roles: ['root'], claims: { tenant: 't-1' } }),
    });
  });
});

describe('Koa', () => {
  it('types ctx.state.auth after authenticate, the registered type by default', () => {
    const router = new Router();
    router.get('/me', koaAdapter.authenticate(auth), (ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AccessTokenClaims<AppClaims, AppRole>>();
      expectTypeOf(ctx.state.auth.tenant).toEqualTypeOf<string>();
    });
    router.get('/optional', koaAdapter.authenticate(auth, { optional: true }), (ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AccessTokenClaims<AppClaims, AppRole> | undefined>();
    });
    expectTypeOf<koaAdapter.AuthState['auth']>().toEqualTypeOf<RequestClaims>();
    expectTypeOf<koaAdapter.OptionalAuthState['auth']>().toEqualTypeOf<RequestClaims | undefined>();
  });

  it('takes registered roles only, and hands getToken the context', () => {
    koaAdapter.requireRole('user');
    koaAdapter.requireRole('admin', { message: 'Admins only' });
    // @ts-expect-error not a registered role
    koaAdapter.requireRole('root');
    koaAdapter.authenticate(auth, {
      getToken: (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<Context>();
        return ctx.get('x-access-token');
      },
    });
  });
});

describe('the core role checks', () => {
  it('take the options after the roles', async () => {
    const claims = await auth.verifyToken('token');
    requireRole(claims, 'admin', { message: 'Admins only' });
    auth.requireRole(claims, 'admin', 'user', { message: 'Staff only' });
    auth.requireAllRoles(claims, 'admin', { message: 'Admins only' });
    // @ts-expect-error not a role of the instance
    auth.requireRole(claims, 'root', { message: 'x' });
    // @ts-expect-error options without a role
    auth.requireRole(claims, { message: 'x' });
  });
});

describe('token routes: the user findUser returns', () => {
  type TenantClaims = { tenantId: string; plan?: 'free' | 'pro' };
  const tenantAuth = createAuth<TenantClaims, AppRole>({ keys: 'a-type-test-secret-of-at-least-32-bytes!!' });
  const user = { sub: 'u-1', passwordHash: 'hash', roles: ['admin' as const] };

  it('types claims with the Auth instance claims, on Express and Koa', () => {
    expressAdapter.tokenRoutes(tenantAuth, {
      findUser: async () => ({ ...user, claims: { tenantId: 't-1', plan: 'pro' } }),
    });
    koaAdapter.tokenRoutes(tenantAuth, {
      findUser: () => ({ ...user, claims: { tenantId: 't-1' } }),
      prefix: '/auth',
    });
    expectTypeOf<TokenRoutesUser<AppRole, TenantClaims>['claims']>().toEqualTypeOf<
      Readonly<{ tenantId: string; plan?: 'free' | 'pro' }>
    >();
  });

  it('refuses a misspelt claim, a missing required one, a wrong type and a role of no instance', () => {
    expressAdapter.tokenRoutes(tenantAuth, {
      // @ts-expect-error tenantID is not a claim of the instance (tenantId is, and is missing)
      findUser: async () => ({ ...user, claims: { tenantID: 't-1' } }),
    });
    expressAdapter.tokenRoutes(tenantAuth, {
      // @ts-expect-error tenantId is required by the instance's claims
      findUser: async () => ({ ...user }),
    });
    koaAdapter.tokenRoutes(tenantAuth, {
      // @ts-expect-error plan is 'free' | 'pro'
      findUser: () => ({ ...user, claims: { tenantId: 't-1', plan: 'gold' } }),
    });
    expressAdapter.tokenRoutes(tenantAuth, {
      // @ts-expect-error root is not a role of the instance
      findUser: async () => ({ ...user, roles: ['root'], claims: { tenantId: 't-1' } }),
    });
  });

  it('keeps claims optional and open for an instance without a claims type', () => {
    const plainAuth = createAuth({ keys: 'a-type-test-secret-of-at-least-32-bytes!!' });
    expressAdapter.tokenRoutes(plainAuth, { findUser: async () => ({ sub: 'u-1', passwordHash: 'hash' }) });
    expressAdapter.tokenRoutes(plainAuth, {
      findUser: async () => ({ sub: 'u-1', passwordHash: 'hash', claims: { anything: 1 } }),
    });
  });
});
