/**
 * `tokenward/nestjs`: `TokenwardModule`, `TokenwardGuard`, the `@Public()`, `@Roles()`,
 * `@AllRoles()` and `@Claims()` decorators, and the token and JWKS routes, for NestJS on its
 * Express and Fastify platforms.
 *
 * Only translates between Nest and the shared HTTP logic: the token and JWKS routes are the
 * Express and Fastify adapters' own, mounted on the platform's instance. The library itself
 * uses no decorator syntax, so it builds without `experimentalDecorators`.
 * @packageDocumentation
 */

import {
  type CanActivate,
  createParamDecorator,
  type DynamicModule,
  type ExecutionContext,
  HttpException,
  type INestApplication,
  Inject,
  Injectable,
  type InjectionToken,
  Logger,
  Module,
  type ModuleMetadata,
  type OptionalFactoryDependency,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Auth } from '../create-auth.js';
import { AuthError, isAuthError } from '../errors.js';
import {
  type AuthenticateOptions,
  type Authenticator,
  attachAuthenticator,
  authorize,
  checkRoleArguments,
  createAuthenticator,
} from '../lib/http/authenticate.js';
import type { JwksRouteOptions } from '../lib/http/jwks.js';
import { type NodeRequestLike, nodeRequestView } from '../lib/http/node-request.js';
import {
  type FailureHandling,
  failure,
  type InternalErrorReporter,
  type Outcome,
} from '../lib/http/outcome.js';
import type { TokenRoutesOptions } from '../lib/http/token-routes.js';
import type { HttpAnswer, HttpRequestView, RegisteredRole, RequestClaims } from '../lib/http/types.js';
import type { RoleArguments } from '../roles/require-role.js';
import * as expressAdapter from './express.js';
import * as fastifyAdapter from './fastify.js';

export type { TokenGetter } from '../lib/http/authenticate.js';
export type { RefreshCookieOptions, SameSite } from '../lib/http/cookies.js';
export type { CsrfOptions } from '../lib/http/csrf.js';
export type { JwksRouteOptions } from '../lib/http/jwks.js';
export type { InternalErrorReporter } from '../lib/http/outcome.js';
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

/**
 * Options of {@link TokenwardModule.forRoot}: the `Auth` instance and the options every adapter's
 * `authenticate` takes, but `delegateErrors`: in Nest every failure goes through the exception
 * layer as a {@link TokenwardException}. `Request` is the platform's request `getToken` receives
 * (Express's `Request` or Fastify's `FastifyRequest`).
 */
export interface TokenwardModuleOptions<Request = unknown>
  extends Omit<AuthenticateOptions<Request>, 'delegateErrors'> {
  /** The instance `createAuth` returned. */
  auth: Auth<object, string>;
}

/** Options of {@link TokenwardModule.forRootAsync}: the options built by a factory, with Nest's injection. */
export interface TokenwardModuleAsyncOptions<Request = unknown> extends Pick<ModuleMetadata, 'imports'> {
  /** Builds the options, e.g. the `Auth` instance from `ConfigService`. */
  useFactory(...args: never[]): TokenwardModuleOptions<Request> | Promise<TokenwardModuleOptions<Request>>;
  /** The providers handed to `useFactory`, in order. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
}

/** The injection token of the module's options. */
export const TOKENWARD_OPTIONS = Symbol.for('tokenward.nestjs.options');
/** The injection token of the authenticator the module builds from its options (what the guard uses). */
const TOKENWARD_AUTHENTICATOR = Symbol.for('tokenward.nestjs.authenticator');
const PUBLIC_KEY = 'tokenward:public';
const ROLES_KEY = 'tokenward:roles';

/** What `@Roles()` and `@AllRoles()` leave on a handler or controller. */
interface RoleMetadata {
  roles: RoleArguments;
  all: boolean;
}

const logger = new Logger('Tokenward');
const reportToLogger: InternalErrorReporter = (error) => {
  logger.error('unexpected error', error instanceof Error ? error.stack : String(error));
};

/**
 * The exception every tokenward failure in Nest is thrown as: an `HttpException` whose
 * response is the JSON error body (`{ error: { code, message } }`) and whose status is the
 * `AuthError`'s, so Nest's exception layer answers it and an application's own exception
 * filters see it. `authError` is the `AuthError` (`undefined` for an unexpected error, which
 * is answered as the generic 500 after being reported); `headers` are the headers the other
 * adapters send with the answer (`WWW-Authenticate`, `Content-Type`), which the guard has
 * already set on the response when it throws: Nest's own exception filter then answers exactly
 * what the other adapters answer, and a filter of the application's sees the exception first.
 */
export class TokenwardException extends HttpException {
  /** The `AuthError` this failure is, or `undefined` for an unexpected error (the cause). */
  readonly authError: AuthError | undefined;
  /** The headers of the answer, lower-case names. */
  readonly headers: Readonly<Record<string, string | string[]>>;

  /**
   * Builds the exception from the answer the shared HTTP logic gave for `error`.
   * @internal the guard builds it; applications catch it.
   */
  constructor(answer: HttpAnswer, error: unknown) {
    super(JSON.parse(answer.body ?? 'null') as Record<string, unknown>, answer.status, { cause: error });
    this.authError = isAuthError(error) ? error : undefined;
    this.headers = answer.headers;
  }
}

/** The part of the platform's response the guard writes headers with: Express's `res` and Fastify's `reply` alike. */
interface PlatformResponse {
  header(name: string, value: string | string[]): unknown;
}

/** The parts of the platform's request the shared logic reads (Express's `req`, or Fastify's `request.raw`). */
interface PlatformRequest {
  /** Set by the guard: the verified claims. */
  auth?: RequestClaims | undefined;
  /** Fastify's Node request; absent on Express, whose request is the Node request. */
  raw?: NodeRequestLike;
  /** Fastify: `http` or `https`, as its trust-proxy setting judges it. */
  protocol?: string;
  /** Express: whether the request came over HTTPS, as its trust-proxy setting judges it. */
  secure?: boolean;
}

/** The Node request and the HTTPS judgement of the platform's request. */
function platformParts(request: PlatformRequest): { view: HttpRequestView; isSecure: () => boolean } {
  if (request.raw !== undefined)
    return { view: nodeRequestView(request.raw), isSecure: () => request.protocol === 'https' };
  return {
    view: nodeRequestView(request as unknown as NodeRequestLike),
    isSecure: () => request.secure === true,
  };
}

/**
 * Throws a failure through Nest's exception layer. The authenticator hands every failure over
 * unanswered (it is built with `delegateErrors`), so that the exception carries the error itself;
 * it is answered here as every adapter answers it, a server fault reported first.
 */
function throwFailure(
  outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>,
  handling: FailureHandling,
  response: PlatformResponse,
): never {
  const error = outcome.kind === 'delegate' ? outcome.error : undefined;
  const answered =
    outcome.kind === 'delegate'
      ? failure(error, { ...handling, delegateErrors: false }, reportToLogger)
      : outcome;
  if (answered.kind !== 'answer') throw error;
  // Nest's exception layer writes a status and a body, never headers: the challenge is set here.
  for (const [name, value] of Object.entries(answered.answer.headers)) response.header(name, value);
  throw new TokenwardException(answered.answer, error);
}

/**
 * The guard: authenticates the request with its bearer access token (`Authorization: Bearer`,
 * the module's `cookie`, or `getToken`), puts the claims on the request for `@Claims()`, then
 * checks the `@Roles()` or `@AllRoles()` of the route (the route's own over its controller's).
 * A route or controller marked `@Public()` is let through untouched. Failures are thrown as a
 * {@link TokenwardException}. Use it globally (`{ provide: APP_GUARD, useClass: TokenwardGuard }`)
 * or per controller or route (`@UseGuards(TokenwardGuard)`).
 */
export class TokenwardGuard implements CanActivate {
  private readonly reflector = new Reflector();

  /** @internal Nest builds the guard, with the module's authenticator. */
  constructor(private readonly authenticator: Authenticator<unknown>) {}

  /** Lets the request through, or throws a {@link TokenwardException}. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    const { view, isSecure } = platformParts(request);
    attachAuthenticator(request, this.authenticator);
    const outcome = await this.authenticator.authenticate(request, view, isSecure, reportToLogger);
    if (outcome.kind !== 'ok') throwFailure(outcome, this.authenticator, http.getResponse());
    request.auth = outcome.value;
    const required = this.reflector.getAllAndOverride<RoleMetadata | undefined>(ROLES_KEY, targets);
    if (required !== undefined) {
      const checked = authorize(request, outcome.value, required.roles, required.all, reportToLogger);
      if (checked.kind !== 'ok') throwFailure(checked, this.authenticator, http.getResponse());
    }
    return true;
  }
}
Injectable()(TokenwardGuard);
Inject(TOKENWARD_AUTHENTICATOR)(TokenwardGuard, undefined, 0);

/** Builds the authenticator from the options: a configuration error stops the application's bootstrap. */
function authenticatorOf(options: TokenwardModuleOptions<unknown>): Authenticator<unknown> {
  const { auth, ...authenticateOptions } = options;
  // Failures come back unanswered so that the guard's exception carries the error (see throwFailure).
  return createAuthenticator(auth, { ...authenticateOptions, delegateErrors: true });
}

/**
 * The module: registers the options and the authenticator {@link TokenwardGuard} uses. Global: import it once, in the root module.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [TokenwardModule.forRoot({ auth })],
 *   providers: [{ provide: APP_GUARD, useClass: TokenwardGuard }],
 * })
 * export class AppModule {}
 * ```
 */
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module is a class, configured through its static forRoot methods.
export class TokenwardModule {
  /** The module with options known at import time. */
  static forRoot<Request = unknown>(options: TokenwardModuleOptions<Request>): DynamicModule {
    return moduleOf([{ provide: TOKENWARD_OPTIONS, useValue: options }]);
  }

  /**
   * The module with options a factory builds, with Nest's injection.
   *
   * @example
   * ```ts
   * TokenwardModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ auth: createAuth({ keys: config.getOrThrow('JWT_SECRET') }) }),
   * })
   * ```
   */
  static forRootAsync<Request = unknown>(options: TokenwardModuleAsyncOptions<Request>): DynamicModule {
    const provider = {
      provide: TOKENWARD_OPTIONS,
      useFactory: options.useFactory as (...args: unknown[]) => unknown,
      inject: options.inject ?? [],
    };
    return { ...moduleOf([provider]), imports: options.imports ?? [] };
  }
}
Module({})(TokenwardModule);

function moduleOf(optionsProviders: NonNullable<ModuleMetadata['providers']>): DynamicModule {
  return {
    module: TokenwardModule,
    global: true,
    providers: [
      ...optionsProviders,
      { provide: TOKENWARD_AUTHENTICATOR, useFactory: authenticatorOf, inject: [TOKENWARD_OPTIONS] },
    ],
    exports: [TOKENWARD_OPTIONS, TOKENWARD_AUTHENTICATOR],
  };
}

/** Marks a route or controller as open: {@link TokenwardGuard} lets its requests through without a token. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_KEY, true);
}

/**
 * Lets through only requests whose claims hold at least one of the roles (with the instance's
 * role hierarchy): 403 FORBIDDEN otherwise. Options after the roles set the FORBIDDEN message:
 * `@Roles('admin', { message: 'Admins only' })`. On a route it replaces its controller's.
 * @throws AuthError CONFIG_INVALID when no role is named.
 */
export function Roles(...roles: RoleArguments<RegisteredRole>): MethodDecorator & ClassDecorator {
  return SetMetadata<string, RoleMetadata>(ROLES_KEY, { roles: checkRoleArguments(roles), all: false });
}

/** Like {@link Roles}, but every listed role is required. */
export function AllRoles(...roles: RoleArguments<RegisteredRole>): MethodDecorator & ClassDecorator {
  return SetMetadata<string, RoleMetadata>(ROLES_KEY, { roles: checkRoleArguments(roles), all: true });
}

const claimsParameter = createParamDecorator((key: string | undefined, context: ExecutionContext) => {
  const claims = context.switchToHttp().getRequest<PlatformRequest>().auth;
  return key === undefined ? claims : (claims as Record<string, unknown> | undefined)?.[key];
});

/**
 * A handler parameter receiving the verified claims {@link TokenwardGuard} put on the request
 * (`undefined` on a `@Public()` route), typed by the registered `Auth` type as `RequestClaims`;
 * with a claim name, that claim only: `@Claims('sub') sub: string`.
 *
 * @example
 * ```ts
 * @Get('me')
 * me(@Claims() claims: RequestClaims) { return claims; }
 * ```
 */
export function Claims(): ParameterDecorator;
export function Claims<Name extends keyof RequestClaims & string>(name: Name): ParameterDecorator;
export function Claims(name?: string): ParameterDecorator {
  return claimsParameter(name);
}

/** Options of {@link useTokenRoutes}: the `Auth` instance, the mount path and the token routes' options. */
export type NestTokenRoutesOptions<
  Role extends string = string,
  Claims extends object = object,
> = TokenRoutesOptions<Role, Claims> & {
  /** Where the routes are served, e.g. `/auth` for `POST /auth/login`. Nest's global prefix does not apply. */
  path: string;
};

/** The part of the Fastify instance the routes are registered with. */
interface FastifyRegistrar {
  register(plugin: unknown, options: unknown): PromiseLike<unknown>;
}

/** The Nest application's platform, `express` or `fastify`. */
function platformOf(app: INestApplication): 'express' | 'fastify' {
  const type = app.getHttpAdapter().getType();
  if (type !== 'express' && type !== 'fastify')
    throw new AuthError(
      'CONFIG_INVALID',
      `tokenward/nestjs supports the express and fastify platforms, not ${type}`,
    );
  return type;
}

/**
 * Serves `POST {path}/login`, `/refresh`, `/logout` (and `/token` with `oauth2`) on the
 * application, on either platform, with the same cookie, CSRF and HTTPS rules as the other
 * adapters (they are the Express and Fastify adapters' `tokenRoutes`). Call it before
 * `app.listen()` (or `app.init()`). The routes are outside Nest's router: guards,
 * interceptors, pipes and the global prefix do not apply to them.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * await useTokenRoutes(app, auth, { path: '/auth', findUser });
 * await app.listen(3000);
 * ```
 */
export async function useTokenRoutes<Claims extends object, Role extends string>(
  app: INestApplication,
  auth: Auth<Claims, Role>,
  options: NoInfer<NestTokenRoutesOptions<Role, Claims>>,
): Promise<void> {
  const { path, ...routeOptions } = options;
  if (typeof path !== 'string') throw new AuthError('CONFIG_INVALID', 'path must be a string such as /auth');
  if (platformOf(app) === 'express') {
    app.use(path, expressAdapter.tokenRoutes(auth, routeOptions));
    return;
  }
  const instance = app.getHttpAdapter().getInstance() as FastifyRegistrar;
  await instance.register(fastifyAdapter.tokenRoutes, { ...routeOptions, auth, prefix: path });
}

/**
 * Serves the instance's public keys at `GET {path}/.well-known/jwks.json` (and HEAD) on either
 * platform, with `Cache-Control: public, max-age=...` (the other adapters' `jwksRoute`).
 * Call it before `app.listen()`.
 * @throws AuthError CONFIG_INVALID when the instance has no public key (an HMAC secret).
 */
export async function useJwksRoute<Claims extends object, Role extends string>(
  app: INestApplication,
  auth: Auth<Claims, Role>,
  options: JwksRouteOptions & { path?: string } = {},
): Promise<void> {
  const { path = '/', ...jwksOptions } = options;
  if (platformOf(app) === 'express') {
    app.use(path, expressAdapter.jwksRoute(auth, jwksOptions));
    return;
  }
  const instance = app.getHttpAdapter().getInstance() as FastifyRegistrar;
  await instance.register(fastifyAdapter.jwksRoute, {
    ...jwksOptions,
    auth,
    prefix: path === '/' ? '' : path,
  });
}
