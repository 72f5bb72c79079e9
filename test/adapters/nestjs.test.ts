/**
 * The NestJS module, guard and decorators, built with `@nestjs/testing` and served over real
 * HTTP on both of Nest's platforms. The cross-adapter answers are in nestjs-scenarios.test.ts.
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
  Inject,
  Module,
  UseGuards,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AllRoles,
  Claims,
  Public,
  Roles,
  TOKENWARD_OPTIONS,
  TokenwardException,
  TokenwardGuard,
  TokenwardModule,
  type TokenwardModuleOptions,
} from '../../src/adapters/nestjs.js';
import { type Auth, createAuth } from '../../src/create-auth.js';
import { AuthError } from '../../src/errors.js';
import type { RequestClaims } from '../../src/lib/http/types.js';

const SECRET = 'a-nest-test-secret-of-at-least-32-bytes!!';
const auth = createAuth<object, string>({
  keys: SECRET,
  roleHierarchy: { admin: ['editor'], editor: ['user'] },
});
const token = (roles: string[]) => auth.createAccessToken({ sub: 'u1', roles });

@Controller('open')
@Public()
class OpenController {
  @Get()
  open(@Claims() claims: RequestClaims | undefined) {
    return { open: true, claims: claims ?? null };
  }
}

@Controller('roles')
class RolesController {
  @Get('me')
  me(@Claims() claims: RequestClaims, @Claims('sub') sub: string) {
    return { sub, same: claims.sub === sub };
  }

  @Get('editor')
  @Roles('editor')
  editor() {
    return { ok: true };
  }

  @Get('all')
  @AllRoles('editor', 'auditor', { message: 'editors who audit' })
  all() {
    return { ok: true };
  }

  @Get('public')
  @Public()
  open() {
    return { ok: true };
  }
}

@Controller('admin')
@Roles('admin')
class AdminController {
  @Get()
  admin() {
    return { ok: true };
  }

  @Get('editors-too')
  @Roles('editor')
  editorsToo() {
    return { ok: true };
  }
}

/** Guarded per controller, without a global guard. */
@Controller('guarded')
@UseGuards(TokenwardGuard)
class GuardedController {
  @Get()
  guarded(@Claims('sub') sub: string) {
    return { sub };
  }
}

@Controller('unguarded')
class UnguardedController {
  @Get()
  unguarded(@Claims() claims: RequestClaims | undefined) {
    return { claims: claims ?? null };
  }
}

type Platform = 'express' | 'fastify';
const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(platform: Platform, metadata: Parameters<typeof Test.createTestingModule>[0]) {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  app = moduleRef.createNestApplication(
    platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
    {
      logger: false,
    },
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return async (path: string, accessToken?: string) => {
    const headers: Record<string, string> = accessToken ? { authorization: `Bearer ${accessToken}` } : {};
    const response = await fetch(base + path, { headers });
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };
}

const globalGuard = { provide: APP_GUARD, useClass: TokenwardGuard };

describe.each(PLATFORMS)('on Nest %s', (platform) => {
  it('the global guard authenticates, @Claims() hands the claims, @Public() opens a controller', async () => {
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth })],
      controllers: [RolesController, OpenController],
      providers: [globalGuard],
    });
    expect(await get('/roles/me', await token(['user']))).toMatchObject({
      status: 200,
      body: { sub: 'u1', same: true },
    });
    expect(await get('/roles/me')).toEqual({
      status: 401,
      challenge: 'Bearer realm="api"',
      contentType: 'application/json; charset=utf-8',
      body: { error: { code: 'TOKEN_MISSING', message: 'authentication is required' } },
    });
    const invalid = await get('/roles/me', 'not.a.jwt');
    expect(invalid.status).toBe(401);
    expect(invalid.challenge).toMatch(/^Bearer realm="api", error="invalid_token", error_description="/);
    // A public route is not authenticated, even with a token: no claims.
    expect(await get('/open', await token(['user']))).toMatchObject({
      status: 200,
      body: { open: true, claims: null },
    });
    expect(await get('/roles/public')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('@Roles() is any-of with the role hierarchy, @AllRoles() all-of with its message', async () => {
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth })],
      controllers: [RolesController, AdminController],
      providers: [globalGuard],
    });
    expect((await get('/roles/editor', await token(['admin']))).status).toBe(200);
    const user = await get('/roles/editor', await token(['user']));
    expect(user.status).toBe(403);
    expect(user.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(user.challenge).toMatch(/^Bearer realm="api", error="insufficient_scope"/);
    expect((await get('/roles/all', await token(['editor']))).body).toEqual({
      error: { code: 'FORBIDDEN', message: 'editors who audit' },
    });
    expect((await get('/roles/all', await token(['editor', 'auditor']))).status).toBe(200);
    // The controller's role applies to its routes; a route's own replaces it.
    expect((await get('/admin', await token(['editor']))).status).toBe(403);
    expect((await get('/admin', await token(['admin']))).status).toBe(200);
    expect((await get('/admin/editors-too', await token(['editor']))).status).toBe(200);
  });

  it('works per controller with @UseGuards, and leaves other controllers alone', async () => {
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth })],
      controllers: [GuardedController, UnguardedController],
    });
    expect(await get('/guarded', await token([]))).toMatchObject({ status: 200, body: { sub: 'u1' } });
    expect((await get('/guarded')).status).toBe(401);
    expect(await get('/unguarded', await token([]))).toMatchObject({ status: 200, body: { claims: null } });
  });

  it('takes the authenticate options: realm in the challenge', async () => {
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth, realm: 'notes' })],
      controllers: [RolesController],
      providers: [globalGuard],
    });
    expect((await get('/roles/me')).challenge).toBe('Bearer realm="notes"');
  });

  it("an application's own filter sees the AuthError the guard failed with", async () => {
    const seen: unknown[] = [];
    @Catch(TokenwardException)
    class OwnFilter implements ExceptionFilter<TokenwardException> {
      catch(exception: TokenwardException, host: ArgumentsHost) {
        seen.push(exception.authError);
        const response = host.switchToHttp().getResponse<{
          status?: (code: number) => { json(body: unknown): void };
          code?: (code: number) => { send(body: unknown): void };
        }>();
        const body = { mine: exception.authError?.code };
        if (response.code !== undefined) response.code(418).send(body);
        else response.status?.(418).json(body);
      }
    }
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth })],
      controllers: [RolesController],
      providers: [globalGuard, { provide: APP_FILTER, useClass: OwnFilter }],
    });
    expect(await get('/roles/editor', await token(['user']))).toMatchObject({
      status: 418,
      body: { mine: 'FORBIDDEN' },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(AuthError);
  });

  it('a server fault is reported through onInternalError and answered as the generic 500', async () => {
    const reported: unknown[] = [];
    const get = await serve(platform, {
      imports: [
        TokenwardModule.forRoot({
          auth,
          getToken: () => {
            throw new Error('token source down');
          },
          onInternalError: (error) => reported.push(error),
        }),
      ],
      controllers: [RolesController],
      providers: [globalGuard],
    });
    expect(await get('/roles/me')).toMatchObject({
      status: 500,
      body: { error: { code: 'INTERNAL_ERROR', message: 'internal error' } },
    });
    expect((reported[0] as Error).message).toBe('token source down');
  });

  it('forRootAsync builds the options from injected providers', async () => {
    const CONFIG = Symbol('config');
    @Module({
      providers: [{ provide: CONFIG, useValue: { secret: SECRET, realm: 'from-config' } }],
      exports: [CONFIG],
    })
    class ConfigModule {}
    const get = await serve(platform, {
      imports: [
        TokenwardModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: async (config: { secret: string; realm: string }) => ({
            auth: createAuth({ keys: config.secret }),
            realm: config.realm,
          }),
        }),
      ],
      controllers: [RolesController],
      providers: [globalGuard],
    });
    expect(await get('/roles/me', await token([]))).toMatchObject({ status: 200, body: { sub: 'u1' } });
    expect((await get('/roles/me')).challenge).toBe('Bearer realm="from-config"');
  });
});

describe('TokenwardModule', () => {
  it('exposes its options for injection', async () => {
    @Controller()
    class Reader {
      constructor(@Inject(TOKENWARD_OPTIONS) readonly options: TokenwardModuleOptions) {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [TokenwardModule.forRoot({ auth, realm: 'x' })],
      controllers: [Reader],
    }).compile();
    expect(moduleRef.get(Reader).options.realm).toBe('x');
  });

  it('refuses options of the wrong type when the application starts', async () => {
    const compiling = Test.createTestingModule({
      imports: [TokenwardModule.forRoot({ auth: {} as Auth })],
    }).compile();
    await expect(compiling).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(
      Test.createTestingModule({
        imports: [TokenwardModule.forRoot({ auth, cookie: '' })],
      }).compile(),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('@Roles() without a role is refused where it is written', () => {
    expect(() => (Roles as (...roles: unknown[]) => unknown)()).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
