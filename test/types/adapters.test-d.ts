/** The claims the adapters put on requests carry the application's claims and role types. */

import Router from '@koa/router';
import type { Request, Response } from 'express';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import * as expressAdapter from '../../src/adapters/express.js';
import { tokenward } from '../../src/adapters/fastify.js';
import * as koaAdapter from '../../src/adapters/koa.js';
import { createAuth } from '../../src/create-auth.js';
import type { TokenRoutesUser } from '../../src/lib/http/token-routes.js';
import type { RequestClaims } from '../../src/lib/http/types.js';
import type { AccessTokenClaims } from '../../src/types.js';

declare global {
  namespace Tokenward {
    interface Claims {
      tenant: string;
    }
    interface Roles {
      admin: true;
      user: true;
    }
  }
}

type AppClaims = { tenant: string };
type AppRole = 'admin' | 'user';
const auth = createAuth<AppClaims, AppRole>({ keys: 'a-type-test-secret-of-at-least-32-bytes!!' });

describe('the registered claims', () => {
  it('are the access-token claims with the app claims and roles', () => {
    expectTypeOf<RequestClaims>().toEqualTypeOf<AccessTokenClaims<AppClaims, AppRole>>();
    expectTypeOf<RequestClaims['tenant']>().toEqualTypeOf<string>();
    expectTypeOf<RequestClaims['roles']>().toEqualTypeOf<AppRole[] | undefined>();
  });
});

describe('Express', () => {
  it('types req.auth, possibly undefined, and nothing on the response', () => {
    expectTypeOf<Request['auth']>().toEqualTypeOf<RequestClaims | undefined>();
    expectTypeOf<Response>().not.toHaveProperty('auth');
  });

  it('takes known roles only', () => {
    expressAdapter.requireRole('admin', 'user');
    // @ts-expect-error not a registered role
    expressAdapter.requireRole('root');
    // @ts-expect-error at least one role
    expressAdapter.requireRole();
  });
});

describe('Fastify', () => {
  it('types request.auth and the decorators', async () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<RequestClaims | undefined>();
    expectTypeOf<FastifyReply>().not.toHaveProperty('auth');
    const app = Fastify();
    await app.register(tokenward, { auth });
    app.get('/me', { onRequest: [app.authenticate, app.requireRole('admin')] }, async (request) => {
      expectTypeOf(request.auth?.tenant).toEqualTypeOf<string | undefined>();
      return {};
    });
    // @ts-expect-error not a registered role
    app.requireRole('root');
  });
});

describe('Koa', () => {
  it('types ctx.state.auth from the Auth instance after authenticate', () => {
    const router = new Router();
    router.get('/me', koaAdapter.authenticate(auth), (ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AccessTokenClaims<AppClaims, AppRole>>();
    });
    router.get('/optional', koaAdapter.authenticate(auth, { optional: true }), (ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AccessTokenClaims<AppClaims, AppRole> | undefined>();
    });
  });

  it('takes known roles only', () => {
    koaAdapter.requireRole('user');
    // @ts-expect-error not a registered role
    koaAdapter.requireRole('root');
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
