/**
 * `tokenward/nestjs`: `TokenwardModule`, `TokenwardGuard`, the `@Public()`, `@Authenticate()`,
 * `@Roles()`, `@AllRoles()`, `@Scopes()`, `@AnyScope()` and `@Claims()` decorators,
 * `AuthErrorFilter`, and the token and JWKS routes, for NestJS on its Express and Fastify platforms.
 *
 * Only translates between Nest and the shared HTTP logic: the token and JWKS routes are the
 * Express and Fastify adapters' own, mounted on the platform's instance. The library itself
 * uses no decorator syntax, so it builds without `experimentalDecorators`.
 * @packageDocumentation
 */

import {
  type ArgumentsHost,
  type CanActivate,
  Catch,
  createParamDecorator,
  type DynamicModule,
  type ExceptionFilter,
  type ExecutionContext,
  HttpException,
  type INestApplication,
  Inject,
  Injectable,
  type InjectionToken,
  Logger,
  Module,
  type ModuleMetadata,
  type OnModuleInit,
  type OptionalFactoryDependency,
  SetMetadata,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, Reflector } from '@nestjs/core';
import type { Auth } from '../create-auth.js';
import { AuthError, isAuthError } from '../errors.js';
import {
  type AuthenticateOptions,
  type Authenticator,
  attachAuthenticator,
  authErrorAnswer,
  authorize,
  authorizeScopes,
  checkRoleArguments,
  checkScopeArguments,
  createAuthenticator,
} from '../lib/http/authenticate.js';
import type { JwksRouteOptions } from '../lib/http/jwks.js';
import { type NodeRequestLike, nodeRequestView } from '../lib/http/node-request.js';
import {
  DEFAULT_FAILURE_HANDLING,
  type FailureHandling,
  failure,
  type InternalErrorReporter,
  type Outcome,
} from '../lib/http/outcome.js';
import type { TokenRoutesOptions } from '../lib/http/token-routes.js';
import type { HttpAnswer, HttpRequestView, RegisteredRole, RequestClaims } from '../lib/http/types.js';
import type { RoleArguments } from '../roles/require-role.js';
import type { ScopeArguments } from '../roles/require-scope.js';
import * as expressAdapter from './express.js';
import * as fastifyAdapter from './fastify.js';

export type { TokenGetter } from '../lib/http/authenticate.js';
export type { RefreshCookieOptions, SameSite } from '../lib/http/cookies.js';
export type { CsrfOptions } from '../lib/http/csrf.js';
export type { JwksRouteOptions } from '../lib/http/jwks.js';
export type { InternalErrorReporter } from '../lib/http/outcome.js';
export type { PasswordCheck } from '../lib/http/password-check.js';
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
export type { ScopeArguments, ScopeRequirementOptions } from '../roles/require-scope.js';

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

/**
 * Options of {@link Authenticate}: how {@link TokenwardGuard} authenticates one route or
 * controller. Each option given replaces the module's; the others stay the module's.
 */
export interface AuthenticateRouteOptions<Request = unknown>
  extends Omit<AuthenticateOptions<Request>, 'delegateErrors'> {
  /** Another instance `createAuth` returned (another issuer, store or `scopeClaims`). Default: the module's. */
  auth?: Auth<object, string>;
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
/** The injection token of the authenticators the module builds from its options (what the guard uses). */
const TOKENWARD_AUTHENTICATORS = Symbol.for('tokenward.nestjs.authenticators');
const PUBLIC_KEY = 'tokenward:public';
const AUTHENTICATE_KEY = 'tokenward:authenticate';
const ROLES_KEY = 'tokenward:roles';
const SCOPES_KEY = 'tokenward:scopes';

/** What `@Roles()` and `@AllRoles()` leave on a handler or controller. */
interface RoleMetadata {
  roles: RoleArguments;
  all: boolean;
}

/** What `@Scopes()` and `@AnyScope()` leave on a handler or controller. */
interface ScopeMetadata {
  scopes: ScopeArguments;
  any: boolean;
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

/** Builds an authenticator from options: a configuration error stops the application's bootstrap. */
function authenticatorOf(options: TokenwardModuleOptions<unknown>): Authenticator<unknown> {
  const { auth, ...authenticateOptions } = options;
  // Failures come back unanswered so that the guard's exception carries the error (see throwFailure).
  return createAuthenticator(auth, { ...authenticateOptions, delegateErrors: true });
}

/**
 * The module's authenticator and one per `@Authenticate()` options object, each built once
 * (at bootstrap, see {@link TokenwardModule.onModuleInit}) and shared by every guard instance.
 */
class Authenticators {
  readonly module: Authenticator<unknown>;
  private readonly byRoute = new WeakMap<AuthenticateRouteOptions, Authenticator<unknown>>();

  constructor(private readonly options: TokenwardModuleOptions<unknown>) {
    this.module = authenticatorOf(options);
  }

  /** The authenticator of a route's `@Authenticate()` options (the module's without). */
  of(route: AuthenticateRouteOptions | undefined): Authenticator<unknown> {
    if (route === undefined) return this.module;
    let authenticator = this.byRoute.get(route);
    if (authenticator === undefined) {
      authenticator = authenticatorOf({ ...this.options, ...route, auth: route.auth ?? this.options.auth });
      this.byRoute.set(route, authenticator);
    }
    return authenticator;
  }
}

/**
 * What the guard does on one route, worked out from its decorators once: authenticate (with
 * which authenticator), let through untouched, or check requirements on an unauthenticated request.
 */
interface RoutePlan {
  /** `undefined` when the route is `@Public()`. */
  readonly authenticator: Authenticator<unknown> | undefined;
  /** `true` when a `@Public()` route is let through without any check. */
  readonly open: boolean;
  readonly roles: RoleMetadata | undefined;
  readonly scopes: ScopeMetadata | undefined;
}

/**
 * The guard: authenticates the request with its bearer access token (`Authorization: Bearer`,
 * the module's `cookie`, or `getToken`, or the route's {@link Authenticate} options), puts the
 * claims on the request for `@Claims()`, then checks the `@Roles()` or `@AllRoles()`, and the
 * `@Scopes()` or `@AnyScope()`, of the route (each the route's own over its controller's).
 * A route or controller marked `@Public()` is let through without authentication (see
 * {@link Public} for a requirement on a public route). Failures are thrown as a
 * {@link TokenwardException}. Use it globally (`{ provide: APP_GUARD, useClass: TokenwardGuard }`)
 * or per controller or route (`@UseGuards(TokenwardGuard)`).
 */
export class TokenwardGuard implements CanActivate {
  private readonly reflector = new Reflector();
  /** Route plans by handler, then by controller (an inherited handler serves several). */
  private readonly plans = new WeakMap<object, WeakMap<object, RoutePlan>>();

  /** @internal Nest builds the guard, with the module's authenticators. */
  constructor(private readonly authenticators: Authenticators) {}

  /** Lets the request through, or throws a {@link TokenwardException}. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const plan = this.planOf(context.getHandler(), context.getClass());
    if (plan.open) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    const { authenticator } = plan;
    let claims: RequestClaims | undefined;
    if (authenticator !== undefined) {
      const { view, isSecure } = platformParts(request);
      attachAuthenticator(request, authenticator);
      const outcome = await authenticator.authenticate(request, view, isSecure, reportToLogger);
      if (outcome.kind !== 'ok') throwFailure(outcome, authenticator, http.getResponse());
      claims = outcome.value;
      request.auth = claims;
    }
    // Without authentication (a public route with a requirement), the checks answer as a
    // requireRole without authenticate does: 401, in the default realm.
    const handling = authenticator ?? DEFAULT_FAILURE_HANDLING;
    const { roles, scopes } = plan;
    if (roles !== undefined) {
      const checked = authorize(request, claims, roles.roles, roles.all, reportToLogger);
      if (checked.kind !== 'ok') throwFailure(checked, handling, http.getResponse());
    }
    if (scopes !== undefined) {
      const checked = authorizeScopes(request, claims, scopes.scopes, scopes.any, reportToLogger);
      if (checked.kind !== 'ok') throwFailure(checked, handling, http.getResponse());
    }
    return true;
  }

  private planOf(handler: object, controller: object): RoutePlan {
    let byController = this.plans.get(handler);
    if (byController === undefined) {
      byController = new WeakMap();
      this.plans.set(handler, byController);
    }
    let plan = byController.get(controller);
    if (plan === undefined) {
      plan = this.buildPlan(handler, controller);
      byController.set(controller, plan);
    }
    return plan;
  }

  private buildPlan(handler: object, controller: object): RoutePlan {
    const reflector = this.reflector;
    const targets = [handler, controller] as [() => unknown, () => unknown];
    const roles = reflector.getAllAndOverride<RoleMetadata | undefined>(ROLES_KEY, targets);
    const scopes = reflector.getAllAndOverride<ScopeMetadata | undefined>(SCOPES_KEY, targets);
    const declared = (target: () => unknown) =>
      reflector.get(ROLES_KEY, target) !== undefined || reflector.get(SCOPES_KEY, target) !== undefined;
    const publicHandler = reflector.get<boolean | undefined>(PUBLIC_KEY, targets[0]) === true;
    const publicController = reflector.get<boolean | undefined>(PUBLIC_KEY, targets[1]) === true;
    if (publicHandler || publicController) {
      // A route's own @Public() opens it in a controller that has requirements; a requirement
      // written beside or below @Public() is never dropped: it is checked, and fails closed.
      const requirement = declared(targets[0]) || (!publicHandler && declared(targets[1]));
      return requirement
        ? { authenticator: undefined, open: false, roles, scopes }
        : { authenticator: undefined, open: true, roles: undefined, scopes: undefined };
    }
    const options = reflector.getAllAndOverride<AuthenticateRouteOptions | undefined>(
      AUTHENTICATE_KEY,
      targets,
    );
    return { authenticator: this.authenticators.of(options), open: false, roles, scopes };
  }
}
Injectable()(TokenwardGuard);
Inject(TOKENWARD_AUTHENTICATORS)(TokenwardGuard, undefined, 0);

/** Where an error answer is written: Express's `res` or Fastify's `reply`. */
type PlatformReply =
  | { raw: unknown; code(status: number): { headers(values: object): { send(body?: string): unknown } } }
  | {
      status(status: number): unknown;
      setHeader(name: string, value: string | string[]): unknown;
      end(body?: string): unknown;
    };

/**
 * An exception filter answering an `AuthError` thrown by a route's own code (a handler, a
 * service, a pipe) exactly as the guard answers its failures: the error's status, the JSON
 * error body and `WWW-Authenticate`, in the realm of the guard's options for the route (what
 * `sendAuthError` does in the other adapters). A server fault (`CONFIG_INVALID`) is logged,
 * then answered 500. Register it globally (`{ provide: APP_FILTER, useClass: AuthErrorFilter }`)
 * or per controller or route (`@UseFilters(AuthErrorFilter)`).
 *
 * @example
 * ```ts
 * @Delete('notes/:id')
 * @UseFilters(AuthErrorFilter)
 * remove(@Claims('sub') sub: string, @Param('id') id: string) {
 *   if (!this.notes.isAuthor(sub, id)) throw new AuthError('FORBIDDEN', 'only the author may delete a note');
 *   return this.notes.remove(id);
 * }
 * ```
 */
export class AuthErrorFilter implements ExceptionFilter<AuthError> {
  /** Answers the error. */
  catch(error: AuthError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const answer = authErrorAnswer(http.getRequest<object>(), error);
    // A thrown fault is not the client's: it is logged before the 500 hides it.
    if (answer.status >= 500) reportToLogger(error);
    const reply = http.getResponse<PlatformReply>();
    if ('raw' in reply) {
      reply.code(answer.status).headers(answer.headers).send(answer.body);
      return;
    }
    reply.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) reply.setHeader(name, value);
    reply.end(answer.body);
  }
}
Catch(AuthError)(AuthErrorFilter);

/** The part of Nest's discovery the module reads its routes' `@Authenticate()` options with. */
interface ControllerDiscovery {
  getControllers(): { metatype: unknown }[];
}

/**
 * The module: registers the options and the authenticators {@link TokenwardGuard} uses. Global:
 * import it once, in the root module.
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
export class TokenwardModule implements OnModuleInit {
  /** @internal Nest builds the module. */
  constructor(
    private readonly discovery: ControllerDiscovery,
    private readonly authenticators: Authenticators,
  ) {}

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
    return { ...moduleOf([provider]), imports: [DiscoveryModule, ...(options.imports ?? [])] };
  }

  /**
   * Builds the authenticator of every `@Authenticate()` options object on the application's
   * controllers, so that a wrong option stops the bootstrap instead of failing a request.
   */
  onModuleInit(): void {
    const reflector = new Reflector();
    for (const { metatype } of this.discovery.getControllers()) {
      if (typeof metatype !== 'function') continue;
      const prototype = metatype.prototype as Record<string, unknown>;
      const targets: unknown[] = [metatype];
      for (
        let proto: object | null = prototype;
        proto !== null && proto !== Object.prototype;
        proto = Object.getPrototypeOf(proto)
      )
        for (const name of Object.getOwnPropertyNames(proto)) {
          const value = Object.getOwnPropertyDescriptor(proto, name)?.value;
          if (name !== 'constructor' && typeof value === 'function') targets.push(value);
        }
      for (const target of targets)
        this.authenticators.of(
          reflector.get<AuthenticateRouteOptions | undefined>(AUTHENTICATE_KEY, target as () => unknown),
        );
    }
  }
}
Module({})(TokenwardModule);
Inject(DiscoveryService)(TokenwardModule, undefined, 0);
Inject(TOKENWARD_AUTHENTICATORS)(TokenwardModule, undefined, 1);

function moduleOf(optionsProviders: NonNullable<ModuleMetadata['providers']>): DynamicModule {
  return {
    module: TokenwardModule,
    global: true,
    imports: [DiscoveryModule],
    providers: [
      ...optionsProviders,
      {
        provide: TOKENWARD_AUTHENTICATORS,
        useFactory: (options: TokenwardModuleOptions<unknown>) => new Authenticators(options),
        inject: [TOKENWARD_OPTIONS],
      },
    ],
    exports: [TOKENWARD_OPTIONS, TOKENWARD_AUTHENTICATORS],
  };
}

/**
 * Marks a route or controller as open: {@link TokenwardGuard} lets its requests through without
 * authenticating them. A route's own `@Public()` also drops its controller's `@Roles()` and
 * `@Scopes()`; a requirement written on the route itself, or on a `@Public()` controller, is
 * still checked against the unauthenticated request and fails closed with 401 TOKEN_MISSING,
 * as a `requireRole` without `authenticate` does in the other adapters. `@Authenticate()` has
 * no effect on a public route.
 */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_KEY, true);
}

/**
 * Sets how {@link TokenwardGuard} authenticates a route or controller (the route's over its
 * controller's): the options given replace the module's, the others stay the module's.
 * `{ optional: true }` lets anonymous requests through (`@Claims()` is then `undefined`);
 * `{ cookie, allowedOrigins }` reads the access token from a cookie, with the CSRF check;
 * `getToken` reads it from elsewhere; `realm` names the challenge's realm; `auth` verifies with
 * another instance. The options are checked when the application starts.
 * @throws AuthError CONFIG_INVALID when `options` is not an object.
 *
 * @example
 * ```ts
 * @Get('feed')
 * @Authenticate({ optional: true })
 * feed(@Claims() claims: RequestClaims | undefined) { ... }
 * ```
 */
export function Authenticate<Request = unknown>(
  options: AuthenticateRouteOptions<Request>,
): MethodDecorator & ClassDecorator {
  if (typeof options !== 'object' || options === null)
    throw new AuthError('CONFIG_INVALID', '@Authenticate() takes an options object');
  // A copy: the guard keeps one authenticator per metadata object, which must not change after.
  return SetMetadata<string, AuthenticateRouteOptions>(AUTHENTICATE_KEY, {
    ...(options as AuthenticateRouteOptions),
  });
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

/**
 * Lets through only requests whose claims hold every listed scope (read from the claims the
 * instance's `scopeClaims` names: `scope`, `scp`, `permissions`): 403 FORBIDDEN with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` otherwise. Options after
 * the scopes set the FORBIDDEN message: `@Scopes('write:notes', { message: 'Read-only token' })`.
 * On a route it replaces its controller's; it is checked after the roles.
 * @throws AuthError CONFIG_INVALID when no scope is named, or one is not a scope-token.
 *
 * @example
 * ```ts
 * @Post('notes')
 * @Scopes('write:notes')
 * create(@Body() note: NoteDto) { ... }
 * ```
 */
export function Scopes(...scopes: ScopeArguments): MethodDecorator & ClassDecorator {
  return SetMetadata<string, ScopeMetadata>(SCOPES_KEY, { scopes: checkScopeArguments(scopes), any: false });
}

/** Like {@link Scopes}, but any one of the listed scopes is enough. */
export function AnyScope(...scopes: ScopeArguments): MethodDecorator & ClassDecorator {
  return SetMetadata<string, ScopeMetadata>(SCOPES_KEY, { scopes: checkScopeArguments(scopes), any: true });
}

const claimsParameter = createParamDecorator((key: string | undefined, context: ExecutionContext) => {
  const claims = context.switchToHttp().getRequest<PlatformRequest>().auth;
  return key === undefined ? claims : (claims as Record<string, unknown> | undefined)?.[key];
});

/**
 * A handler parameter receiving the verified claims {@link TokenwardGuard} put on the request
 * (`undefined` on a `@Public()` route and for an anonymous request with `@Authenticate({ optional: true })`),
 * typed by the registered `Auth` type as `RequestClaims`; with a claim name, that claim only:
 * `@Claims('sub') sub: string`.
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
