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
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AllRoles,
  AnyScope,
  AuthErrorFilter,
  Authenticate,
  Claims,
  // Aliased: Biome's React rules take any use* call for a hook.
  useTokenRoutes as mountTokenRoutes,
  Public,
  Roles,
  Scopes,
  TOKENWARD_OPTIONS,
  TokenwardException,
  TokenwardGuard,
  TokenwardModule,
  type TokenwardModuleOptions,
} from '../../src/adapters/nestjs.js';
import { type Auth, createAuth } from '../../src/create-auth.js';
import { AuthError } from '../../src/errors.js';
import type { RequestClaims } from '../../src/lib/http/types.js';
import { hashPassword } from '../../src/password/index.js';

const SECRET = 'a-nest-test-secret-of-at-least-32-bytes!!';
const auth = createAuth<object, string>({
  keys: SECRET,
  roleHierarchy: { admin: ['editor'], editor: ['user'] },
});
const token = (roles: string[], claims: Record<string, unknown> = {}) =>
  auth.createAccessToken({ sub: 'u1', roles, ...claims });
const otherAuth = createAuth<object, string>({
  keys: 'another-nest-secret-of-at-least-32-bytes',
  issuer: 'other',
});

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

/** Scope checks: the route's over the controller's, with the role check first. */
@Controller('notes')
@Scopes('read:notes')
class NotesController {
  @Get()
  list(@Claims('sub') sub: string) {
    return { sub };
  }

  @Get('write')
  @Scopes('read:notes', 'write:notes', { message: 'read-only token' })
  write() {
    return { ok: true };
  }

  @Get('any')
  @AnyScope('notes:admin', 'write:notes')
  any() {
    return { ok: true };
  }

  @Get('admin')
  @Roles('admin')
  @Scopes('notes:admin')
  admin() {
    return { ok: true };
  }

  // The route's own @Public() opens it, though its controller requires a scope.
  @Get('public')
  @Public()
  open(@Claims() claims: RequestClaims | undefined) {
    return { claims: claims ?? null };
  }
}

/** A @Public() controller whose route still requires a role: never dropped, it fails closed. */
@Controller('open-with-requirement')
@Public()
class OpenWithRequirementController {
  @Get()
  @Roles('user')
  route() {
    return { ok: true };
  }
}

/** Per-route authentication options over the module's. */
@Controller('per-route')
class PerRouteController {
  @Get('optional')
  @Authenticate({ optional: true })
  optional(@Claims() claims: RequestClaims | undefined) {
    return { sub: claims?.sub ?? null };
  }

  @Get('optional-editor')
  @Authenticate({ optional: true })
  @Roles('editor')
  optionalEditor() {
    return { ok: true };
  }

  @Get('other-issuer')
  @Authenticate({ auth: otherAuth, realm: 'other' })
  otherIssuer(@Claims('sub') sub: string) {
    return { sub };
  }

  @Get('own-error')
  @UseFilters(AuthErrorFilter)
  ownError(@Claims('sub') sub: string): never {
    throw new AuthError('FORBIDDEN', `${sub} may not do this`);
  }

  @Get('own-fault')
  @UseFilters(AuthErrorFilter)
  ownFault(): never {
    throw new AuthError('CONFIG_INVALID', 'a bug of the application');
  }
}

/** The module's options apply where the route sets none; its own replace them one by one. */
@Controller('cookie-module')
class CookieModuleController {
  @Get()
  me(@Claims('sub') sub: string) {
    return { sub };
  }

  @Get('realm')
  @Authenticate({ realm: 'route' })
  realm(@Claims('sub') sub: string) {
    return { sub };
  }
}

/** Nest's own route under the token routes' path. */
@Controller('auth')
class ProfileController {
  @Get('profile')
  profile(@Claims('sub') sub: string) {
    return { sub };
  }
}

type Platform = 'express' | 'fastify';
const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(
  platform: Platform,
  metadata: Parameters<typeof Test.createTestingModule>[0],
  before: (app: INestApplication) => Promise<void> = async () => {},
) {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  app = moduleRef.createNestApplication(
    platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
    {
      logger: false,
    },
  );
  await before(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const get = async (path: string, accessToken?: string, extraHeaders: Record<string, string> = {}) => {
    const headers: Record<string, string> = accessToken
      ? { authorization: `Bearer ${accessToken}`, ...extraHeaders }
      : extraHeaders;
    const response = await fetch(base + path, { headers });
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  return Object.assign(get, { base });
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

  it("@Scopes() is all-of and @AnyScope() any-of, after the roles, the route's over the controller's", async () => {
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth })],
      controllers: [NotesController],
      providers: [globalGuard],
    });
    const reader = await token(['user'], { scope: ['read:notes'] });
    const writer = await token(['user'], { scp: ['read:notes', 'write:notes'] });
    expect(await get('/notes', reader)).toMatchObject({ status: 200, body: { sub: 'u1' } });
    const none = await get('/notes', await token(['user']));
    expect(none).toEqual({
      status: 403,
      challenge:
        'Bearer realm="api", error="insufficient_scope", scope="read:notes", error_description="this requires the scope: read:notes"',
      contentType: 'application/json; charset=utf-8',
      body: { error: { code: 'FORBIDDEN', message: 'this requires the scope: read:notes' } },
    });
    expect(await get('/notes/write', reader)).toMatchObject({
      status: 403,
      challenge:
        'Bearer realm="api", error="insufficient_scope", scope="read:notes write:notes", error_description="read-only token"',
      body: { error: { code: 'FORBIDDEN', message: 'read-only token' } },
    });
    expect((await get('/notes/write', writer)).status).toBe(200);
    // The route's @AnyScope() replaces the controller's @Scopes(): write:notes alone passes.
    expect((await get('/notes/any', await token([], { scope: ['write:notes'] }))).status).toBe(200);
    expect((await get('/notes/any', reader)).challenge).toContain('scope="notes:admin write:notes"');
    // Roles are checked first: an admin without the scope is refused the scope, a user the role.
    const adminWithout = await get('/notes/admin', await token(['admin'], { scope: ['read:notes'] }));
    expect(adminWithout.challenge).toContain('scope="notes:admin"');
    const userWith = await get('/notes/admin', await token(['user'], { scope: ['notes:admin'] }));
    expect(userWith.status).toBe(403);
    expect(userWith.challenge).not.toContain('scope=');
    expect((await get('/notes/admin', await token(['admin'], { scope: ['notes:admin'] }))).status).toBe(200);
    expect((await get('/notes')).status).toBe(401);
    expect(await get('/notes/public')).toMatchObject({ status: 200, body: { claims: null } });
  });

  it('a requirement on a @Public() route fails closed: 401, as a role check without authentication', async () => {
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth, realm: 'module' })],
      controllers: [OpenWithRequirementController],
      providers: [globalGuard],
    });
    expect(await get('/open-with-requirement', await token(['user']))).toEqual({
      status: 401,
      challenge: 'Bearer realm="api"',
      contentType: 'application/json; charset=utf-8',
      body: { error: { code: 'TOKEN_MISSING', message: expect.any(String) } },
    });
  });

  it("@Authenticate() sets one route's options: optional, another instance and realm", async () => {
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth })],
      controllers: [PerRouteController],
      providers: [globalGuard],
    });
    expect(await get('/per-route/optional')).toMatchObject({ status: 200, body: { sub: null } });
    expect(await get('/per-route/optional', await token([]))).toMatchObject({ body: { sub: 'u1' } });
    expect((await get('/per-route/optional', 'not.a.jwt')).status).toBe(401);
    // Optional authentication, then a role: the anonymous request has none.
    expect((await get('/per-route/optional-editor')).status).toBe(401);
    expect((await get('/per-route/optional-editor', await token(['admin']))).status).toBe(200);
    const other = await otherAuth.createAccessToken({ sub: 'u2' });
    expect(await get('/per-route/other-issuer', other)).toMatchObject({ status: 200, body: { sub: 'u2' } });
    const mine = await get('/per-route/other-issuer', await token([]));
    expect(mine.status).toBe(401);
    expect(mine.challenge).toMatch(/^Bearer realm="other", error="invalid_token"/);
  });

  it('module options apply where a route sets none, and a route replaces them one by one', async () => {
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth, cookie: 'at', realm: 'module' })],
      controllers: [CookieModuleController],
      providers: [globalGuard],
    });
    const cookie = { cookie: `at=${await token([])}` };
    expect(await get('/cookie-module', undefined, cookie)).toMatchObject({
      status: 200,
      body: { sub: 'u1' },
    });
    expect((await get('/cookie-module')).challenge).toBe('Bearer realm="module"');
    // The route's realm replaces the module's; its cookie stays.
    expect(await get('/cookie-module/realm', undefined, cookie)).toMatchObject({ status: 200 });
    expect((await get('/cookie-module/realm')).challenge).toBe('Bearer realm="route"');
  });

  it('AuthErrorFilter answers an AuthError a handler throws as the guard answers, a fault logged as 500', async () => {
    const get = await serve(platform, {
      imports: [TokenwardModule.forRoot({ auth, realm: 'notes' })],
      controllers: [PerRouteController],
      providers: [globalGuard],
    });
    expect(await get('/per-route/own-error', await token([]))).toEqual({
      status: 403,
      challenge: 'Bearer realm="notes", error="insufficient_scope", error_description="u1 may not do this"',
      contentType: 'application/json; charset=utf-8',
      body: { error: { code: 'FORBIDDEN', message: 'u1 may not do this' } },
    });
    expect(await get('/per-route/own-fault', await token([]))).toMatchObject({
      status: 500,
      challenge: null,
      body: { error: { code: 'CONFIG_INVALID' } },
    });
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
  it("useTokenRoutes serves the token routes under its path, and leaves the path's other requests to Nest", async () => {
    const passwordHash = await hashPassword('u1-password', { cost: 10 });
    const findUser = async (name: string) => (name === 'u1' ? { sub: 'u1', passwordHash, roles: [] } : null);
    const get = await serve(
      platform,
      {
        imports: [TokenwardModule.forRoot({ auth })],
        controllers: [ProfileController],
        providers: [globalGuard],
      },
      (app) => mountTokenRoutes(app, auth, { path: '/auth', findUser, passwordHashCost: 10, oauth2: true }),
    );
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(get.base + path, { method: 'POST', headers: { 'content-type': type }, body });
    const login = await post('/auth/login', JSON.stringify({ username: 'u1', password: 'u1-password' }));
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    expect(await get('/auth/profile', accessToken)).toMatchObject({ status: 200, body: { sub: 'u1' } });
    const token = await post(
      '/auth/token',
      'grant_type=password&username=u1&password=u1-password',
      'application/x-www-form-urlencoded',
    );
    expect(token.status).toBe(200);
    // Not a token route: Nest's router answers (no route there).
    expect((await post('/auth/elsewhere', '{}')).status).toBe(404);
    expect((await get('/auth/login', accessToken)).status).toBe(404);
  });

  it("forRootAsync builds the Auth instance from @nestjs/config's ConfigService", async () => {
    const get = await serve(platform, {
      imports: [
        TokenwardModule.forRootAsync({
          imports: [
            ConfigModule.forRoot({
              ignoreEnvFile: true,
              load: [() => ({ JWT_SECRET: SECRET, JWT_REALM: 'configured' })],
            }),
          ],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            auth: createAuth({ keys: config.getOrThrow<string>('JWT_SECRET') }),
            realm: config.getOrThrow<string>('JWT_REALM'),
          }),
        }),
      ],
      controllers: [RolesController],
      providers: [globalGuard],
    });
    expect(await get('/roles/me', await token([]))).toMatchObject({ status: 200, body: { sub: 'u1' } });
    expect((await get('/roles/me')).challenge).toBe('Bearer realm="configured"');
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

  it("refuses a route's @Authenticate() options of the wrong type when the application starts", async () => {
    @Controller('wrong')
    class WrongOptions {
      @Get()
      @Authenticate({ cookie: '' })
      route() {
        return {};
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [TokenwardModule.forRoot({ auth })],
      controllers: [WrongOptions],
    }).compile();
    const wrong = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    await expect(wrong.init()).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'cookie must be a cookie name',
    });
    await wrong.close();
    expect(() => Authenticate(null as unknown as object)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('@Scopes() and @AnyScope() without a valid scope are refused where they are written', () => {
    expect(() => (Scopes as (...scopes: unknown[]) => unknown)()).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => AnyScope('a "quoted" scope')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('@Roles() without a role is refused where it is written', () => {
    expect(() => (Roles as (...roles: unknown[]) => unknown)()).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
