/**
 * The scenario application as a NestJS application, on its Express and Fastify platforms:
 * the routes of the shared table that one module-wide guard configuration serves.
 */

import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  type INestApplication,
  Module,
  UseFilters,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  Claims,
  Roles,
  TokenwardException,
  TokenwardGuard,
  TokenwardModule,
  useJwksRoute,
  useTokenRoutes,
} from '../../../src/adapters/nestjs.js';
import type { RequestClaims } from '../../../src/lib/http/types.js';
import {
  ADMINS_ONLY,
  type Fixtures,
  faultReporting,
  LOGIN_FIELDS,
  type RunningServer,
  routeOptions,
} from './apps.js';

export type NestPlatform = 'nest-express' | 'nest-fastify';
export const NEST_PLATFORMS: readonly NestPlatform[] = ['nest-express', 'nest-fastify'];

/** The paths of the table the Nest app serves; the others need per-route authenticate options. */
export const NEST_SERVED_PATHS: readonly string[] = [
  '/auth/',
  '/fields-auth/',
  '/body-auth/',
  '/https-auth/',
  '/broken-auth/',
  '/oauth/',
  '/verify-only-auth/',
  '/.well-known/jwks.json',
  '/me',
  '/admin/dashboard',
  '/admins-only',
  '/delegated',
  '/nowhere',
];

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

function appModule(fixtures: Fixtures) {
  @Module({
    imports: [TokenwardModule.forRoot({ auth: fixtures.auth })],
    controllers: [ScenarioController, DelegatedController],
    providers: [{ provide: APP_GUARD, useClass: TokenwardGuard }],
  })
  class ScenarioModule {}
  return ScenarioModule;
}

async function mountRoutes(app: INestApplication, fixtures: Fixtures): Promise<void> {
  const { auth } = fixtures;
  const options = routeOptions(fixtures);
  await useTokenRoutes(app, auth, { ...options, logoutAll: true, sessions: true, path: '/auth' });
  await useTokenRoutes(app, auth, { ...options, fields: LOGIN_FIELDS, path: '/fields-auth' });
  await useTokenRoutes(app, auth, { ...options, cookie: false, path: '/body-auth' });
  await useTokenRoutes(app, auth, { ...options, requireHttps: true, path: '/https-auth' });
  await useTokenRoutes(app, auth, {
    ...options,
    findUser: async () => {
      throw new Error('database password=hunter2 unreachable');
    },
    path: '/broken-auth',
  });
  await useTokenRoutes(app, auth, { ...options, cookie: false, oauth2: true, path: '/oauth' });
  await useTokenRoutes(app, fixtures.verifyOnlyAuth, {
    ...options,
    cookie: false,
    ...faultReporting(fixtures),
    path: '/verify-only-auth',
  });
  await useJwksRoute(app, fixtures.jwksAuth, { maxAge: '10m' });
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
