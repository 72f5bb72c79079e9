/**
 * `tokenward/nestjs` types: `@Claims()` and the role decorators follow the `Auth` type the
 * application registers. The registration is the one test/types/adapters.test-d.ts declares
 * for the whole type-test program: claims `{ tenant: string }`, roles `'admin' | 'user'`.
 */

import type { Request } from 'express';
import type { FastifyRequest } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import {
  AllRoles,
  AnyScope,
  AuthErrorFilter,
  Authenticate,
  Claims,
  Public,
  type RequestClaims,
  Roles,
  Scopes,
  TokenwardModule,
} from '../../src/adapters/nestjs.js';
import { createAuth } from '../../src/create-auth.js';
import type { AuthError } from '../../src/errors.js';

const auth = createAuth({ keys: 'a-type-test-secret-of-at-least-32-bytes!!' });

describe('@Claims()', () => {
  it('takes the name of a registered claim, a reserved one included, and nothing else', () => {
    expectTypeOf(Claims()).toEqualTypeOf<ParameterDecorator>();
    Claims('tenant');
    Claims('sub');
    Claims('roles');
    // @ts-expect-error not a claim of the registered Auth type
    Claims('tenat');
  });

  it('is a parameter decorator for a handler parameter typed by the registered claims', () => {
    class Controller {
      me(claims: RequestClaims, tenant: RequestClaims['tenant']) {
        return { sub: claims.sub, tenant };
      }
    }
    // Applied as calls: Vitest's type-test collector does not parse parameter decorators.
    Claims()(Controller.prototype, 'me', 0);
    Claims('tenant')(Controller.prototype, 'me', 1);
    expectTypeOf<ReturnType<Controller['me']>>().toEqualTypeOf<{ sub: string; tenant: string }>();
  });
});

describe('@Roles() and @AllRoles()', () => {
  it('take the registered role names, and a message last', () => {
    Roles('admin');
    Roles('admin', 'user', { message: 'Admins only' });
    AllRoles('admin', 'user');
    // @ts-expect-error not a registered role
    Roles('superuser');
    // @ts-expect-error at least one role
    AllRoles();
  });

  it('decorate a route or a controller', () => {
    @Roles('admin')
    @Public()
    class Controller {
      @AllRoles('admin', 'user')
      @Public()
      route() {}
    }
    expectTypeOf<Controller>().toHaveProperty('route');
  });
});

describe('TokenwardModule', () => {
  it("types getToken's request by the platform the application names", () => {
    TokenwardModule.forRoot({ auth, getToken: (req: Request) => req.get('x-token') });
    TokenwardModule.forRoot({
      auth,
      getToken: (request: FastifyRequest) => request.headers['x-token'] as string,
    });
    // @ts-expect-error delegateErrors has no meaning in Nest: failures always go through its exception layer
    TokenwardModule.forRoot({ auth, delegateErrors: true });
  });
});

describe('@Scopes() and @AnyScope()', () => {
  it('take at least one scope, and a message last', () => {
    expectTypeOf(Scopes('read:notes')).toEqualTypeOf<MethodDecorator & ClassDecorator>();
    Scopes('read:notes', 'write:notes', { message: 'Read-only token' });
    AnyScope('read:notes', 'notes:admin');
    // @ts-expect-error at least one scope
    Scopes();
    // @ts-expect-error the options come last
    AnyScope({ message: 'x' }, 'read:notes');
    // @ts-expect-error a scope is a string
    Scopes(42);
  });

  it('decorate a route or a controller, beside the role decorators', () => {
    @Scopes('read:notes')
    class Controller {
      @AnyScope('write:notes', 'notes:admin')
      @Roles('admin')
      route() {}
    }
    expectTypeOf<Controller>().toHaveProperty('route');
  });
});

describe('@Authenticate()', () => {
  it("takes the authenticate options but delegateErrors, another instance, and types getToken's request", () => {
    expectTypeOf(Authenticate({ optional: true })).toEqualTypeOf<MethodDecorator & ClassDecorator>();
    Authenticate({ cookie: 'access_token', allowedOrigins: ['https://app.example'], realm: 'notes' });
    Authenticate({ auth, onInternalError: (error: unknown) => console.error(error) });
    Authenticate({ getToken: (req: Request) => req.get('x-token') });
    Authenticate({ getToken: (request: FastifyRequest) => request.headers['x-token'] as string });
    // @ts-expect-error delegateErrors has no meaning in Nest: failures always go through its exception layer
    Authenticate({ delegateErrors: true });
    // @ts-expect-error getToken answers a string (or nothing)
    Authenticate({ getToken: () => 42 });
    // @ts-expect-error not an option
    Authenticate({ optinal: true });
  });

  it('AuthErrorFilter is an exception filter class for @UseFilters() or APP_FILTER', () => {
    expectTypeOf(new AuthErrorFilter().catch).parameter(0).toEqualTypeOf<AuthError>();
  });
});
