/**
 * The token routes (login, refresh, logout) as framework-free steps.
 * @packageDocumentation
 */

import type { Auth } from '../../create-auth.js';
import { AuthError, isAuthError } from '../../errors.js';
import type { AuthEvent, CustomClaims, ReservedClaimName, TokenPair, TokenSubject } from '../../types.js';
import { envVar } from '../platform.js';
import { bearerFromHeader } from './bearer.js';
import {
  announcesNoBody,
  type BodySource,
  type BodyType,
  DEFAULT_BODY_LIMIT,
  type ParsedBody,
  readBody,
} from './body.js';
import {
  type RefreshCookie,
  type RefreshCookieOptions,
  readCookie,
  refreshCookieName,
  resolveRefreshCookie,
  serializeRefreshCookie,
} from './cookies.js';
import { type CsrfOptions, type CsrfPolicy, checkCsrf, resolveCsrfPolicy } from './csrf.js';
import { jsonAnswer } from './error-response.js';
import {
  createLoginGate,
  createLoginThrottle,
  defaultNormalizeUsername,
  type LoginConcurrencyOptions,
  type LoginProtectionNotice,
  type LoginThrottleOptions,
} from './login-protection.js';
import { oauth2ErrorAnswer, oauth2FailureAnswer, oauth2TokenBody, runOAuth2Grant } from './oauth2.js';
import {
  type FailureHandling,
  type FailureOptions,
  failure,
  type InternalErrorReporter,
  type Outcome,
  resolveFailureHandling,
} from './outcome.js';
import { type PasswordCheck, resolvePasswordCheck } from './password-check.js';
import { checkGrantScopes, grantedScopes, isScopeRefusal, requestedScopes } from './scope-grant.js';
import {
  createSessionSteps,
  resolveSessionLabel,
  SESSION_ENDPOINTS,
  type SessionRoute,
  type SessionRoutesOptions,
  sessionRouteOf,
  type TokenRouteEndpoint,
} from './session-routes.js';
import type { HttpAnswer, HttpRequestView } from './types.js';

/** The custom claims a user's tokens carry: the `Auth` instance's claims without the reserved names. */
export type TokenRoutesClaims<Claims extends object = CustomClaims> = Omit<Claims, ReservedClaimName>;

/** The parts of a user that do not depend on the claims type. */
interface TokenRoutesUserBase<Role extends string> {
  /** The subject the tokens are issued for: a stable user id. */
  sub: string;
  /** The user's bcrypt hash (or the hash `passwordCheck` reads); a user without one can never log in. */
  passwordHash: string | null | undefined;
  /** The user's roles, put in the tokens. */
  roles?: readonly Role[];
}

/**
 * A user as the application's `findUser` returns it. `claims` is typed by the
 * `Auth` instance's claims (`createAuth<Claims, Role>`), so a misspelt or
 * missing claim is a compile error; it is required when the claims type has
 * required properties.
 */
export type TokenRoutesUser<
  Role extends string = string,
  Claims extends object = CustomClaims,
> = TokenRoutesUserBase<Role> &
  // biome-ignore lint/complexity/noBannedTypes: `{}` here is "no required claim", what the check means.
  ({} extends TokenRoutesClaims<Claims>
    ? {
        /** Custom claims to put in the tokens. */
        claims?: Readonly<TokenRoutesClaims<Claims>>;
      }
    : {
        /** Custom claims to put in the tokens: the instance's claims type has required ones. */
        claims: Readonly<TokenRoutesClaims<Claims>>;
      });

/** The names of the login fields, in a JSON or form body. */
export interface LoginFieldNames {
  /** The login name's field. Default `username`. */
  username?: string;
  /** The password's field. Default `password`. */
  password?: string;
}

/**
 * Options of `tokenRoutes` shared by the adapters. `allowedOrigins` and `allowSameSite`
 * apply while the refresh cookie is in use.
 */
export interface TokenRoutesOptions<Role extends string = string, Claims extends object = CustomClaims>
  extends CsrfOptions,
    FailureOptions,
    SessionRoutesOptions {
  /** Looks a user up by the login name: the user, or `null` when there is none. */
  findUser(
    username: string,
  ):
    | Promise<TokenRoutesUser<Role, Claims> | null | undefined>
    | TokenRoutesUser<Role, Claims>
    | null
    | undefined;
  /**
   * The names of the login fields `POST /login` reads, e.g.
   * `{ username: 'email', password: 'pass' }`. Default `username` and
   * `password`. The OAuth2 `/token` endpoint keeps RFC 6749's `username` and `password`.
   */
  fields?: LoginFieldNames;
  /**
   * The refresh-token cookie (`__Host-refresh_token`: `HttpOnly`, `Secure`,
   * `SameSite=Strict`, `Path=/` and no `Domain` wherever the routes are mounted,
   * `Max-Age` = the token's lifetime, by default), or `false` to send the
   * refresh token in the JSON body as `refreshToken` instead (`/refresh` and
   * `/logout` then read it from the JSON body). Default: the cookie.
   */
  cookie?: false | RefreshCookieOptions;
  /** The largest request body read, in bytes. Default 16 KiB. */
  bodyLimit?: number;
  /** The longest user name accepted, in characters, checked before any lookup. Default 256. */
  maxUsernameLength?: number;
  /** The longest password accepted, in characters, checked before bcrypt. Default 1024. */
  maxPasswordLength?: number;
  /** The bcrypt cost of the application's hashes, for the unknown-user dummy check. Default 12. */
  passwordHashCost?: number;
  /**
   * The application's own password check instead of bcrypt, for runtimes that cannot load
   * `@node-rs/bcrypt` (workerd): `verify(password, passwordHash)` and a `dummyHash` of the same
   * format and cost, checked for unknown users as bcrypt's dummy hash is. Default: bcrypt
   * (`tokenward/password`). Not with `passwordHashCost`.
   */
  passwordCheck?: PasswordCheck;
  /**
   * `true` to refuse requests that did not come over HTTPS (HTTPS_REQUIRED),
   * as the framework judges it with its trust-proxy setting. Default: `true`
   * when `NODE_ENV` is `production`.
   */
  requireHttps?: boolean;
  /**
   * `true` to add `POST /token`, an OAuth2 token endpoint (RFC 6749): form-encoded
   * `grant_type=password` (4.3) and `grant_type=refresh_token` (6), answering
   * the RFC 6749 5.1 shape (`access_token`, `token_type`, `expires_in`, and
   * `refresh_token` when cookies are off) and 5.2 errors (`OAUTH2_TOKEN_ERROR_CODES`:
   * `invalid_request`, a missing `grant_type` included, `invalid_grant`, and
   * `unsupported_grant_type` for another grant). With the cookie on, the refresh
   * token stays in the cookie. Default `false`.
   */
  oauth2?: boolean;
  /**
   * `true` to add `POST /logout-all` ("log out everywhere"): authenticated by
   * the caller's bearer access token (`Authorization: Bearer`), it revokes
   * every token of that subject issued until now (`auth.revokeSubject`),
   * clears the refresh cookie and answers 204. Same HTTPS and CSRF rules as
   * the other routes. Default `false`: an app opts in to a new route.
   */
  logoutAll?: boolean;
  /**
   * Throttling of failed logins (`POST /login` and the `/token` password grant), counted
   * before the user lookup and before any bcrypt work: by default 5 failed attempts per
   * user name (trimmed, lower-cased) per 15 minutes and 100 per client address per hour,
   * in memory. Over a limit: 429 TOO_MANY_ATTEMPTS with `Retry-After`, alike for known and
   * unknown user names. A successful login clears its user name's count. Pass your own
   * `rate-limiter-flexible` limiters (e.g. `RateLimiterRedis`) to share the counts between
   * processes; a limiter that fails fails closed (503 STORE_UNAVAILABLE). `false` turns
   * the throttle off. See docs/login-protection.md.
   */
  loginThrottle?: false | LoginThrottleOptions;
  /**
   * The cap on concurrent password checks (user lookup and bcrypt), counted per `tokenRoutes`:
   * `maxConcurrent` at once (default: libuv's thread pool size, `UV_THREADPOOL_SIZE` or 4, but at
   * most one less than the CPUs), `maxQueued` waiting (default 8 times `maxConcurrent`); beyond
   * them, 503 LOGIN_BUSY with `Retry-After`. `false` turns the cap off.
   */
  loginConcurrency?: false | LoginConcurrencyOptions;
  /**
   * Receives the login-protection events: `login-throttled` (429) and `login-busy` (503),
   * with the normalised user name as `subject`, `reason` (`username`, `address` or
   * `queue-full`), `address` and `retryAfter`. Pass the function given to `createAuth`'s
   * `onEvent` to have one audit stream. Its errors are ignored.
   */
  onEvent?: (event: AuthEvent) => void | Promise<void>;
  /**
   * The scopes a login grants (RFC 6749 3.3), put in the access token's `scope` claim:
   * `(user, requested) => granted`. `requested` is the OAuth2 `/token` form's `scope`
   * (space-separated; empty when the client named none, and always for `/login`). With a request,
   * only the requested scopes it answers are granted, and none is `invalid_scope`; without one, its
   * answer is the default. `/token` answers the granted `scope` (5.1). A refresh keeps the scope
   * granted at login. Default: none, the tokens carry no scope and a requested one is ignored.
   */
  // A method, as findUser is: its parameter is checked bivariantly, so options typed by an
  // instance's roles still fit where the adapters take the registered ones.
  grantScopes?(
    user: TokenRoutesUser<Role, Claims>,
    requested: readonly string[],
  ): readonly string[] | Promise<readonly string[]>;
}

/**
 * The token routes: the three JSON ones, the OAuth2 token endpoint and "log out everywhere"
 * when enabled (each a `POST`), and the session routes when enabled.
 */
export type TokenRoute = 'login' | 'refresh' | 'logout' | 'token' | 'logout-all' | SessionRoute;

/** One request to a token route, as an adapter hands it over. */
export interface TokenRouteRequest {
  /** The request. */
  readonly request: HttpRequestView;
  /** Whether it came over HTTPS, as the framework judges it (trust-proxy aware). */
  readonly secure: boolean;
  /** The body. */
  readonly body: BodySource;
  /**
   * The client's address as the framework judges it with its trust-proxy setting
   * (Express `req.ip`, Fastify `request.ip`, Koa `ctx.ip`), for the login throttle.
   */
  readonly clientAddress: string | undefined;
  /** The adapter's reporter of unexpected failures. */
  readonly defaultReporter: InternalErrorReporter;
  /**
   * The request's path under the mount path, as given to `routeOf` (not decoded), for
   * `DELETE /sessions/:id`. Fastify, which routes by itself, passes `/sessions/` and the
   * encoded `id` parameter.
   */
  readonly path?: string;
}

/** The token routes bound to an `Auth` instance and their options. */
export interface TokenRoutes extends FailureHandling {
  /** The largest request body read, in bytes. */
  readonly bodyLimit: number;
  /** The `POST` routes served, each at `/<name>` under the mount path. */
  readonly routes: readonly TokenRoute[];
  /** Every route served with its method and path (the `POST` routes and, unless turned off, the session routes). */
  readonly endpoints: readonly TokenRouteEndpoint<TokenRoute>[];
  /** The route a request with this method and path (relative to the mount path) is, if any. */
  routeOf(method: string | undefined, path: string): TokenRoute | undefined;
  /** Runs a route; never rejects. */
  handle(route: TokenRoute, input: TokenRouteRequest): Promise<Outcome<never>>;
}

const JSON_ROUTES: readonly TokenRoute[] = ['login', 'refresh', 'logout'];
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 1)
    throw new AuthError('CONFIG_INVALID', `${name} must be a positive integer`);
  return resolved;
}

const FIELD_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The login field names, checked.
 * @throws AuthError CONFIG_INVALID for a name that is not 1 to 64 letters, digits, `_`, `.`, `-`, or twice the same.
 */
function resolveFieldNames(fields: LoginFieldNames | undefined): { username: string; password: string } {
  const username = fields?.username ?? 'username';
  const password = fields?.password ?? 'password';
  for (const [option, name] of [
    ['fields.username', username],
    ['fields.password', password],
  ] as const) {
    // The name ends up in error messages: keep it to a plain identifier.
    if (typeof name !== 'string' || !FIELD_NAME.test(name))
      throw new AuthError('CONFIG_INVALID', `${option} must be 1 to 64 letters, digits, _, . or -`);
  }
  if (username === password)
    throw new AuthError('CONFIG_INVALID', 'fields.username and fields.password must differ');
  return { username, password };
}

/**
 * Checks the options and binds the token routes to the `Auth` instance.
 * @throws AuthError CONFIG_INVALID for a missing `findUser` or invalid options.
 */
export function createTokenRoutes<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: TokenRoutesOptions<Role, Claims>,
): TokenRoutes {
  if (typeof auth?.issueTokens !== 'function')
    throw new AuthError('CONFIG_INVALID', 'tokenRoutes needs the instance createAuth returned');
  if (typeof options?.findUser !== 'function')
    throw new AuthError('CONFIG_INVALID', 'tokenRoutes needs a findUser function');
  const httpsRequired = options.requireHttps ?? envVar('NODE_ENV') === 'production';
  const cookie: RefreshCookie | undefined =
    options.cookie === false ? undefined : resolveRefreshCookie(options.cookie ?? {}, httpsRequired);
  const csrf: CsrfPolicy = resolveCsrfPolicy(options);
  const bodyLimit = positiveInteger(options.bodyLimit, DEFAULT_BODY_LIMIT, 'bodyLimit');
  const maxUsername = positiveInteger(options.maxUsernameLength, 256, 'maxUsernameLength');
  const maxPassword = positiveInteger(options.maxPasswordLength, 1024, 'maxPasswordLength');
  const checkPassword = resolvePasswordCheck(options.passwordCheck, options.passwordHashCost);
  const findUser = options.findUser;
  const fieldNames = resolveFieldNames(options.fields);
  const grantScopes = checkGrantScopes<TokenRoutesUser<Role, Claims>>(options.grantScopes);
  const handling: FailureHandling = resolveFailureHandling(options);
  const onEvent = options.onEvent;
  if (onEvent !== undefined && typeof onEvent !== 'function')
    throw new AuthError('CONFIG_INVALID', 'onEvent must be a function');
  function notify(notice: LoginProtectionNotice): void {
    if (onEvent === undefined) return;
    try {
      const result = onEvent({
        type: notice.type,
        subject: notice.username,
        reason: notice.reason,
        retryAfter: notice.retryAfter,
        ...(notice.address === undefined ? {} : { address: notice.address }),
        at: Date.now(),
      });
      if (result && typeof result.then === 'function') result.then(undefined, () => {});
    } catch {
      // An audit hook never breaks a login.
    }
  }
  const throttle = createLoginThrottle(options.loginThrottle, notify);
  // The busy event names the user as the throttle counts it.
  const normalizeUsername =
    (options.loginThrottle === false ? undefined : options.loginThrottle?.normalizeUsername) ??
    defaultNormalizeUsername;
  const gate = createLoginGate(options.loginConcurrency);
  const accept: readonly BodyType[] = ['json'];
  const served: readonly TokenRoute[] = [
    ...JSON_ROUTES,
    ...(options.oauth2 === true ? (['token'] as const) : []),
    ...(options.logoutAll === true ? (['logout-all'] as const) : []),
  ];
  const byPath: ReadonlyMap<string, TokenRoute> = new Map(served.map((route) => [`/${route}`, route]));
  const sessions = options.sessions !== false;
  const endpoints: readonly TokenRouteEndpoint<TokenRoute>[] = [
    ...served.map((route) => ({ route, method: 'POST' as const, path: `/${route}` })),
    ...(sessions ? SESSION_ENDPOINTS : []),
  ];
  const labelFor = resolveSessionLabel(options.sessionLabel);

  function body(input: TokenRouteRequest, types: readonly BodyType[] = accept): Promise<ParsedBody> {
    return readBody(input.request, input.body, { limit: bodyLimit, accept: types });
  }

  function cookieHeader(value: string | undefined, maxAge: number): Record<string, string> {
    return cookie === undefined ? {} : { 'set-cookie': serializeRefreshCookie(cookie, value, maxAge) };
  }

  /** The refresh token the request presents: the cookie, or the JSON body's `refreshToken` when cookies are off. */
  async function presentedRefreshToken(input: TokenRouteRequest): Promise<string | undefined> {
    // Only the prefixed name is read: a `__Secure-` (or unprefixed) cookie a sibling subdomain planted is another cookie.
    if (cookie !== undefined) return readCookie(input.request, refreshCookieName(cookie));
    // No body at all is no token (an idempotent logout, TOKEN_MISSING on refresh), not a malformed request.
    if (announcesNoBody(input.request)) return undefined;
    const token = (await body(input)).fields.refreshToken;
    if (token === undefined) return undefined;
    if (typeof token !== 'string') throw new AuthError('REQUEST_INVALID', 'refreshToken must be a string');
    return token === '' ? undefined : token;
  }

  function tokenAnswer(pair: TokenPair): HttpAnswer {
    const answer: Record<string, unknown> = {
      accessToken: pair.accessToken,
      tokenType: pair.tokenType,
      expiresIn: pair.expiresIn,
    };
    if (cookie === undefined) answer.refreshToken = pair.refreshToken;
    return jsonAnswer(200, answer, {
      ...NO_STORE,
      ...cookieHeader(pair.refreshToken, pair.refreshExpiresIn),
    });
  }

  async function login(input: TokenRouteRequest): Promise<HttpAnswer> {
    // A form too, as /token takes: a cross-site form can post one without a preflight, which the CSRF check of handle() stops.
    const { fields } = await body(input, ['json', 'form']);
    // Own properties only: a configured name such as `constructor` must not read the prototype's.
    const field = (name: string) => (Object.hasOwn(fields, name) ? fields[name] : undefined);
    const pair = await passwordLogin(
      field(fieldNames.username),
      field(fieldNames.password),
      input.clientAddress,
      fieldNames,
      [],
      await labelFor(input.request),
    );
    return tokenAnswer(pair);
  }

  /** Checks the credentials and starts a new refresh family; `names` are the fields named in errors. */
  async function passwordLogin(
    username: unknown,
    password: unknown,
    clientAddress: string | undefined,
    names: { username: string; password: string } = { username: 'username', password: 'password' },
    requested: readonly string[] = [],
    label: string | undefined = undefined,
  ): Promise<TokenPair> {
    // Bounded before any lookup or hashing: a megabyte password never reaches bcrypt.
    if (typeof username !== 'string' || username === '' || username.length > maxUsername) {
      throw new AuthError(
        'REQUEST_INVALID',
        `${names.username} must be a string of 1 to ${maxUsername} characters`,
      );
    }
    if (typeof password !== 'string' || password === '' || password.length > maxPassword) {
      throw new AuthError(
        'REQUEST_INVALID',
        `${names.password} must be a string of 1 to ${maxPassword} characters`,
      );
    }
    // Counted before the lookup: a throttled attempt costs no database query and no bcrypt, known user or not.
    const attempt = await throttle?.attempt(username, clientAddress);
    const check = async (): Promise<TokenRoutesUser<Role, Claims> | undefined> => {
      const user = await findUser(username);
      // The dummy check runs for unknown users too, so both failures take the same time and answer alike.
      const matches = await checkPassword(password, user?.passwordHash);
      return matches && user ? user : undefined;
    };
    let user: TokenRoutesUser<Role, Claims> | undefined;
    try {
      user =
        gate === undefined
          ? await check()
          : await gate.run(check, (retryAfter) =>
              notify({
                type: 'login-busy',
                username: String(normalizeUsername(username)),
                address: clientAddress,
                reason: 'queue-full',
                retryAfter,
              }),
            );
    } catch (error) {
      // A busy answer checked no password: the attempt is not held against the user or the address.
      if (isAuthError(error) && error.code === 'LOGIN_BUSY') await attempt?.refund();
      throw error;
    }
    if (!user) throw new AuthError('INVALID_CREDENTIALS', 'invalid username or password');
    await attempt?.succeeded();
    const scope = await grantedScopes(grantScopes, user, requested);
    const subject = {
      ...user.claims,
      sub: user.sub,
      ...(user.roles === undefined ? {} : { roles: user.roles }),
      ...(scope === undefined ? {} : { scope }),
    };
    return auth.issueTokens(
      subject as TokenSubject<Claims, Role>,
      label === undefined ? undefined : { session: { label } },
    );
  }

  async function refresh(input: TokenRouteRequest): Promise<HttpAnswer> {
    const token = await presentedRefreshToken(input);
    if (token === undefined) throw new AuthError('TOKEN_MISSING', 'no refresh token was sent');
    return tokenAnswer(await auth.refresh(token));
  }

  async function logout(input: TokenRouteRequest): Promise<HttpAnswer> {
    const tokens = [await presentedRefreshToken(input)];
    try {
      tokens.push(bearerFromHeader(input.request));
    } catch {
      // A broken Authorization header does not stop a logout: the refresh token is what ends the session.
    }
    for (const token of tokens) {
      if (token === undefined) continue;
      try {
        await auth.revoke(token);
      } catch (error) {
        // An invalid or unknown token has nothing to revoke; a store that cannot record the revocation must be told.
        if (!isAuthError(error) || error.code === 'STORE_UNAVAILABLE') throw error;
      }
    }
    return { status: 204, headers: { ...NO_STORE, ...cookieHeader(undefined, 0) }, body: undefined };
  }

  /** "Log out everywhere": the bearer access token names the subject whose every token is revoked. */
  async function logoutAll(input: TokenRouteRequest): Promise<HttpAnswer> {
    // The header only: the refresh cookie proves less (it is sent by the browser on its own) and is not read here.
    const accessToken = bearerFromHeader(input.request);
    if (accessToken === undefined) throw new AuthError('TOKEN_MISSING', 'no access token was sent');
    const { sub } = await auth.verifyToken(accessToken);
    await auth.revokeSubject(sub);
    return { status: 204, headers: { ...NO_STORE, ...cookieHeader(undefined, 0) }, body: undefined };
  }

  /** The OAuth2 token endpoint (RFC 6749 4.3 and 6): a form body, answered in the 5.1 shape (see oauth2.ts). */
  async function token(input: TokenRouteRequest): Promise<HttpAnswer> {
    const { fields } = await body(input, ['form']);
    const result = await runOAuth2Grant(fields, {
      // The requested scope is read only when the app grants scopes: otherwise it is ignored (RFC 6749 3.3).
      password: async (username, password) =>
        passwordLogin(
          username,
          password,
          input.clientAddress,
          undefined,
          grantScopes && requestedScopes(fields.scope),
          await labelFor(input.request),
        ),
      async refreshToken(fromForm) {
        const presented = cookie === undefined ? fromForm : await presentedRefreshToken(input);
        if (typeof presented !== 'string' || presented === '')
          throw new AuthError('REQUEST_INVALID', 'refresh_token is required');
        return auth.refresh(presented);
      },
    });
    if (result.kind === 'error') return result.answer;
    const { pair } = result;
    return jsonAnswer(200, oauth2TokenBody(pair, cookie === undefined), {
      ...NO_STORE,
      ...cookieHeader(pair.refreshToken, pair.refreshExpiresIn),
    });
  }

  const sessionSteps = createSessionSteps(auth, {
    noStore: NO_STORE,
    clearCookie: () => cookieHeader(undefined, 0),
  });

  const steps: Record<TokenRoute, (input: TokenRouteRequest) => Promise<HttpAnswer>> = {
    login,
    refresh,
    logout,
    token,
    'logout-all': logoutAll,
    sessions: (input) => sessionSteps.sessions(input.request, input.path),
    'end-session': (input) => sessionSteps['end-session'](input.request, input.path),
    'end-other-sessions': (input) => sessionSteps['end-other-sessions'](input.request, input.path),
  };

  return {
    ...handling,
    bodyLimit,
    routes: served,
    endpoints,
    routeOf(method, path) {
      if (method === 'POST') return byPath.get(path);
      return sessions ? sessionRouteOf(method, path) : undefined;
    },
    async handle(route, input) {
      try {
        if (httpsRequired && !input.secure) {
          throw new AuthError('HTTPS_REQUIRED', 'the token routes are only served over HTTPS');
        }
        if (cookie !== undefined) checkCsrf(input.request, input.secure, csrf);
        return { kind: 'answer', answer: await steps[route](input) };
      } catch (error) {
        // OAuth2 clients expect the RFC 6749 5.2 body; server failures (5xx) keep the common answer.
        if (route === 'token' && !handling.delegateErrors && isScopeRefusal(error)) {
          return { kind: 'answer', answer: oauth2ErrorAnswer('invalid_scope', (error as Error).message) };
        }
        if (route === 'token' && !handling.delegateErrors && isAuthError(error) && error.status < 500) {
          return { kind: 'answer', answer: oauth2FailureAnswer(error) };
        }
        // A refresh cookie that failed for good is cleared, so the browser stops sending it.
        const dead = route === 'refresh' && isAuthError(error) && error.status === 401;
        // Error answers are not cached either: a shared cache must not replay one user's failure to another.
        const headers = { ...NO_STORE, ...(dead ? cookieHeader(undefined, 0) : {}) };
        return failure(error, handling, input.defaultReporter, headers);
      }
    },
  };
}
