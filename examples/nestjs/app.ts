/**
 * The example app on NestJS (its Express platform): token routes under /auth (with the OAuth2
 * `/auth/token` endpoint), `GET /me` for any signed-in user, `GET /admin/dashboard` for admins
 * only, and Swagger UI at `/docs` (the OpenAPI document at `/docs-json`) through `@nestjs/swagger`.
 *
 * `TokenwardGuard` guards every route (APP_GUARD); `@Public()` opens one, `@Roles()` narrows one.
 */

import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Controller, Get, type INestApplication, Inject, Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import {
  Claims,
  Public,
  type RequestClaims,
  Roles,
  TokenwardGuard,
  TokenwardModule,
  useTokenRoutes,
} from 'tokenward/nestjs';
import {
  createExampleContext,
  dashboardBody,
  type ExampleContext,
  type ExampleOptions,
  meBody,
} from '../shared/app-config.js';
import { AUTH_PREFIX, exampleOpenApiDocument } from '../shared/openapi.js';
import { HOST, type RunningExample } from '../shared/server.js';

/** The injection token of the example's context (users, auth). */
const CONTEXT = Symbol('example context');

@Controller()
class ExampleController {
  // An explicit @Inject: tsx (esbuild) emits no decorator metadata for Nest to read the type from.
  constructor(@Inject(CONTEXT) private readonly context: ExampleContext) {}

  @Get('me')
  me(@Claims() claims: RequestClaims) {
    return meBody(claims, this.context.users);
  }

  @Get('admin/dashboard')
  @Roles('admin')
  dashboard(@Claims() claims: RequestClaims) {
    return dashboardBody(claims, this.context.users);
  }

  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }
}

/** The root module, built on an already created context. */
function appModule(context: ExampleContext) {
  @Module({
    imports: [TokenwardModule.forRoot({ auth: context.auth })],
    controllers: [ExampleController],
    providers: [
      { provide: CONTEXT, useValue: context },
      // Every route needs a valid access token unless it is @Public().
      { provide: APP_GUARD, useClass: TokenwardGuard },
    ],
  })
  class AppModule {}
  return AppModule;
}

/** Builds the Nest application on an already created context, not yet listening. */
export async function createNestApp(context: ExampleContext): Promise<INestApplication> {
  const app = await NestFactory.create(appModule(context), new ExpressAdapter(), {
    logger: ['error', 'warn'],
  });
  // oauth2 adds POST /auth/token (RFC 6749 password grant), which Swagger UI's "Authorize" dialog logs in with.
  const options = { ...context.routeOptions, oauth2: true };
  // POST /auth/login, /auth/refresh, /auth/logout, /auth/token, before Nest's own routes and body parser.
  // biome-ignore lint/correctness/useHookAtTopLevel: useTokenRoutes mounts routes; it is not a React hook.
  await useTokenRoutes(app, context.auth, { ...options, path: AUTH_PREFIX });
  // The document the other examples serve: tokenward's schemes, so "Authorize" logs in through /auth/token.
  SwaggerModule.setup('docs', app, exampleOpenApiDocument(options) as unknown as OpenAPIObject);
  return app;
}

/** Starts the NestJS example on 127.0.0.1 and `port` (0: any free port). */
export async function startNestExample(
  options: ExampleOptions & { port?: number } = {},
): Promise<RunningExample> {
  const app = await createNestApp(await createExampleContext(options));
  await app.listen(options.port ?? 0, HOST);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://${HOST}:${port}`, close: () => app.close() };
}
