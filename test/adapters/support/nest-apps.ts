/**
 * The scenario application as a NestJS application, on its Express and Fastify platforms:
 * every route of the shared table, with the module's guard configured per route by the
 * decorators (`@Authenticate()` where the other apps pass options to `authenticate`).
 */

import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  HttpCode,
  type INestApplication,
  Module,
  Post,
  UseFilters,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  AnyScope,
  AuthErrorFilter,
  Authenticate,
  Claims,
  // Aliased: Biome's React rules take any use* call for a hook.
  useJwksRoute as mountJwksRoute,
  useTokenRoutes as mountTokenRoutes,
  Public,
  Roles,
  Scopes,
  TokenwardException,
  TokenwardGuard,
  TokenwardModule,
} from '../../../src/adapters/nestjs.js';
import { AuthError } from '../../../src/errors.js';
import type { RequestClaims } from '../../../src/lib/http/types.js';
import {
  ACCESS_COOKIE,
  ADMINS_ONLY,
  ALLOWED_ORIGIN,
  ANY_NOTES_SCOPES,
  CUSTOM_TOKEN_HEADER,
  type Fixtures,
  faultReporting,
  LOGIN_FIELDS,
  NOTES_SCOPES,
  OWN_ERROR_MESSAGE,
  OWN_REALM,
  READ_ONLY,
  type RunningServer,
  routeOptions,
} from './apps.js';

export type NestPlatform = 'nest-express' | 'nest-fastify';
export const NEST_PLATFORMS: readonly NestPlatform[] = ['nest-express', 'nest-fastify'];

/** What both platforms' requests have that the custom token sources read. */
interface AnyRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
}

function single(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/**
 * The application's own filter: it sees the AuthError the guard failed with, as the other apps'
 * error handlers do, and answers in its own shape, without the challenge the guard set.
 */
@Catch(TokenwardException)
class DelegatedFilter implements ExceptionFilter<TokenwardException> {
  catch(exception: TokenwardException, host: ArgumentsHost) {
    const response = host.switchToHttp().getResponse<{
      removeHeader(name: string): void;
      status?: (code: number) => { json(body: unknown): void };
      code?: (code: number) => { send(body: unknown): void };
    }>();
    response.removeHeader('www-authenticate');
    const body = { delegated: exception.authError?.code ?? 'unknown' };
    if (response.code !== undefined) response.code(exception.getStatus()).send(body);
    else response.status?.(exception.getStatus()).json(body);
  }
}

@Controller('delegated')
@UseFilters(DelegatedFilter)
class DelegatedController {
  @Get()
  delegated(@Claims('sub') sub: string) {
    return { sub };
  }
}

/** The controllers: the per-route options need the fixtures (other instances, fault reporters). */
function controllers(fixtures: Fixtures) {
  const faults = faultReporting(fixtures);

  @Controller()
  class ScenarioController {
    @Get('me')
    me(@Claims() claims: RequestClaims) {
      return claims;
    }

    @Get('admin/dashboard')
    @Roles('admin')
    dashboard() {
      return { dashboard: true };
    }

    @Get('admins-only')
    @Roles('admin', { message: ADMINS_ONLY })
    adminsOnly(@Claims('sub') sub: string) {
      return { sub };
    }

    @Get('optional')
    @Authenticate({ optional: true })
    optional(@Claims() claims: RequestClaims | undefined) {
      return { sub: claims?.sub ?? null };
    }

    // A role check on a route the guard does not authenticate: 401, as requireRole without authenticate.
    @Get('role-only')
    @Public()
    @Roles('admin')
    roleOnly() {
      return { dashboard: true };
    }

    @Get('store-down/me')
    @Authenticate({ auth: fixtures.storeDownAuth })
    storeDown(@Claims('sub') sub: string) {
      return { sub };
    }

    @Get('own-error')
    @Authenticate({ realm: OWN_REALM })
    @UseFilters(AuthErrorFilter)
    ownError(): never {
      throw new AuthError('FORBIDDEN', OWN_ERROR_MESSAGE);
    }
  }

  @Controller('cookie')
  @Authenticate({ cookie: ACCESS_COOKIE, allowedOrigins: [ALLOWED_ORIGIN] })
  class CookieController {
    @Get('me')
    me(@Claims('sub') sub: string) {
      return { sub };
    }

    @Post('action')
    @HttpCode(200)
    action(@Claims('sub') sub: string) {
      return { sub };
    }
  }

  @Controller()
  class GetterController {
    @Get('getter/me')
    @Authenticate({ getToken: (request: AnyRequest) => single(request.headers[CUSTOM_TOKEN_HEADER]) })
    getter(@Claims('sub') sub: string) {
      return { sub };
    }

    @Get('query-getter/me')
    @Authenticate({ getToken: (request: AnyRequest) => single(request.query.access_token) })
    queryGetter(@Claims('sub') sub: string) {
      return { sub };
    }

    @Get('wrong-getter/me')
    @Authenticate({ getToken: () => 42 as unknown as string, ...faults })
    wrongGetter(@Claims('sub') sub: string) {
      return { sub };
    }

    @Get('throwing-getter/me')
    @Authenticate({
      getToken: (): string => {
        throw new Error('token source password=hunter2 down');
      },
      ...faults,
    })
    throwingGetter(@Claims('sub') sub: string) {
      return { sub };
    }
  }

  @Controller('scoped')
  class ScopedController {
    @Get('all')
    @Scopes(...NOTES_SCOPES)
    all(@Claims('sub') sub: string) {
      return { sub };
    }

    @Get('any')
    @AnyScope(...ANY_NOTES_SCOPES)
    any(@Claims('sub') sub: string) {
      return { sub };
    }

    @Get('message')
    @Scopes('write:notes', { message: READ_ONLY })
    message(@Claims('sub') sub: string) {
      return { sub };
    }

    @Get('unauthenticated')
    @Public()
    @Scopes('read:notes')
    unauthenticated(@Claims('sub') sub: string | undefined) {
      return { sub };
    }

    @Get('permissions-only')
    @Authenticate({ auth: fixtures.permissionsOnlyAuth })
    @Scopes('read:notes')
    permissionsOnly(@Claims('sub') sub: string) {
      return { sub };
    }
  }

  return [ScenarioController, CookieController, GetterController, ScopedController, DelegatedController];
}

function appModule(fixtures: Fixtures) {
  @Module({
    imports: [TokenwardModule.forRoot({ auth: fixtures.auth })],
    controllers: controllers(fixtures),
    providers: [{ provide: APP_GUARD, useClass: TokenwardGuard }],
  })
  class ScenarioModule {}
  return ScenarioModule;
}

async function mountRoutes(app: INestApplication, fixtures: Fixtures): Promise<void> {
  const { auth } = fixtures;
  const options = routeOptions(fixtures);
  await mountTokenRoutes(app, auth, { ...options, logoutAll: true, sessions: true, path: '/auth' });
  await mountTokenRoutes(app, auth, { ...options, fields: LOGIN_FIELDS, path: '/fields-auth' });
  await mountTokenRoutes(app, auth, { ...options, cookie: false, sessions: false, path: '/body-auth' });
  await mountTokenRoutes(app, auth, { ...options, requireHttps: true, path: '/https-auth' });
  await mountTokenRoutes(app, auth, {
    ...options,
    findUser: async () => {
      throw new Error('database password=hunter2 unreachable');
    },
    path: '/broken-auth',
  });
  await mountTokenRoutes(app, auth, { ...options, cookie: false, oauth2: true, path: '/oauth' });
  await mountTokenRoutes(app, fixtures.verifyOnlyAuth, {
    ...options,
    cookie: false,
    ...faultReporting(fixtures),
    path: '/verify-only-auth',
  });
  await mountJwksRoute(app, fixtures.jwksAuth, { maxAge: '10m' });
}

/** Starts the scenario application on a Nest platform. */
export async function startNestApp(
  platform: NestPlatform,
  fixtures: Fixtures,
  trustProxy = true,
): Promise<RunningServer> {
  const module = appModule(fixtures);
  let app: INestApplication;
  if (platform === 'nest-express') {
    const express = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), {
      logger: false,
    });
    if (trustProxy) express.set('trust proxy', 'loopback');
    app = express;
  } else {
    app = await NestFactory.create<NestFastifyApplication>(
      module,
      new FastifyAdapter({ trustProxy: trustProxy ? '127.0.0.1' : false }),
      { logger: false },
    );
  }
  await mountRoutes(app, fixtures);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close: () => app.close() };
}
