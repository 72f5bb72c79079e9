/**
 * The token routes (login, refresh, logout) as framework-free steps.
 * @packageDocumentation
 */

import type { Auth } from '../../create-auth.js';
import { AuthError, isAuthError } from '../../errors.js';
import { prepareDummyHash, verifyPasswordOrDummy } from '../../password/dummy.js';
import type { TokenPair, TokenSubject } from '../../types.js';
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
  refreshCookiePath,
  resolveRefreshCookie,
  serializeRefreshCookie,
} from './cookies.js';
import { type CsrfOptions, type CsrfPolicy, checkCsrf, resolveCsrfPolicy } from './csrf.js';
import { jsonAnswer } from './error-response.js';
import {
  type FailureHandling,
  type FailureOptions,
  failure,
  type InternalErrorReporter,
  type Outcome,
  resolveFailureHandling,
} from './outcome.js';
import type { HttpAnswer, HttpRequestView } from './types.js';

/** A user as the application's `findUser` returns it. */
export interface TokenRoutesUser<Role extends string = string> {
  /** The subject the tokens are issued for: a stable user id. */
  sub: string;
  /** The user's bcrypt hash; a user without one can never log in. */
  passwordHash: string | null | undefined;
  /** The user's roles, put in the tokens. */
  roles?: readonly Role[];
  /** Custom claims to put in the tokens. */
  claims?: Readonly<Record<string, unknown>>;
}

/**
 * Options of `tokenRoutes` shared by the three adapters. `allowedOrigins` and `allowSameSite`
 * apply while the refresh cookie is in use.
 */
export interface TokenRoutesOptions<Role extends string = string> extends CsrfOptions, FailureOptions {
  /** Looks a user up by the login name: the user, or `null` when there is none. */
  findUser(
    username: string,
  ): Promise<TokenRoutesUser<Role> | null | undefined> | TokenRoutesUser<Role> | null | undefined;
  /**
   * The refresh-token cookie (`HttpOnly`, `Secure`, `SameSite=Strict`, `Path`
   * = the routes' mount path, `Max-Age` = the token's lifetime, by default), or
   * `false` to send the refresh token in the JSON body as `refreshToken` instead
   * (`/refresh` and `/logout` then read it from the JSON body). Default: the cookie.
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
   * `true` to refuse requests that did not come over HTTPS (HTTPS_REQUIRED),
   * as the framework judges it with its trust-proxy setting. Default: `true`
   * when `NODE_ENV` is `production`.
   */
  requireHttps?: boolean;
  /**
   * `true` to add `POST /token`, an OAuth2 token endpoint (RFC 6749): form-encoded
   * `grant_type=password` (4.3) and `grant_type=refresh_token` (6), answering
   * the RFC 6749 5.1 shape (`access_token`, `token_type`, `expires_in`, and
   * `refresh_token` when cookies are off) and 5.2 errors (`invalid_request`,
   * `invalid_grant`, `unsupported_grant_type`). With the cookie on, the refresh
   * token stays in the cookie. Default `false`.
   */
  oauth2?: boolean;
}

/** The token routes: the three JSON ones, and the OAuth2 token endpoint when enabled. */
export type TokenRoute = 'login' | 'refresh' | 'logout' | 'token';

/** One request to a token route, as an adapter hands it over. */
export interface TokenRouteRequest {
  /** The request. */
  readonly request: HttpRequestView;
  /** Whether it came over HTTPS, as the framework judges it (trust-proxy aware). */
  readonly secure: boolean;
  /** Where the routes are mounted (`/auth`): the refresh cookie's default path. */
  readonly mountPath: string;
  /** The body. */
  readonly body: BodySource;
  /** The adapter's reporter of unexpected failures. */
  readonly defaultReporter: InternalErrorReporter;
}

/** The token routes bound to an `Auth` instance and their options. */
export interface TokenRoutes extends FailureHandling {
  /** The largest request body read, in bytes. */
  readonly bodyLimit: number;
  /** The routes served, each at `/<name>` under the mount path. */
  readonly routes: readonly TokenRoute[];
  /** The route a `POST` to this path (relative to the mount path) is, if any. */
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

/**
 * Checks the options and binds the token routes to the `Auth` instance.
 * @throws AuthError CONFIG_INVALID for a missing `findUser` or invalid options.
 */
export function createTokenRoutes<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  options: TokenRoutesOptions<Role>,
): TokenRoutes {
  if (typeof auth?.issueTokens !== 'function')
    throw new AuthError('CONFIG_INVALID', 'tokenRoutes needs the instance createAuth returned');
  if (typeof options?.findUser !== 'function')
    throw new AuthError('CONFIG_INVALID', 'tokenRoutes needs a findUser function');
  const httpsRequired = options.requireHttps ?? process.env.NODE_ENV === 'production';
  const cookie: RefreshCookie | undefined =
    options.cookie === false ? undefined : resolveRefreshCookie(options.cookie ?? {}, httpsRequired);
  const csrf: CsrfPolicy = resolveCsrfPolicy(options);
  const bodyLimit = positiveInteger(options.bodyLimit, DEFAULT_BODY_LIMIT, 'bodyLimit');
  const maxUsername = positiveInteger(options.maxUsernameLength, 256, 'maxUsernameLength');
  const maxPassword = positiveInteger(options.maxPasswordLength, 1024, 'maxPasswordLength');
  const cost = options.passwordHashCost;
  // Made now, in the background: made at the first unknown-user login, it would make that login twice as slow.
  prepareDummyHash(cost === undefined ? {} : { cost });
  const findUser = options.findUser;
  const handling: FailureHandling = resolveFailureHandling(options);
  const accept: readonly BodyType[] = ['json'];
  const served: readonly TokenRoute[] = options.oauth2 === true ? [...JSON_ROUTES, 'token'] : JSON_ROUTES;
  const byPath: ReadonlyMap<string, TokenRoute> = new Map(served.map((route) => [`/${route}`, route]));

  function body(input: TokenRouteRequest): Promise<ParsedBody> {
    return readBody(input.request, input.body, { limit: bodyLimit, accept });
  }

  function cookieHeader(
    input: TokenRouteRequest,
    value: string | undefined,
    maxAge: number,
  ): Record<string, string> {
    return cookie === undefined
      ? {}
      : { 'set-cookie': serializeRefreshCookie(cookie, input.mountPath, value, maxAge) };
  }

  /** The refresh token the request presents: the cookie, or the JSON body's `refreshToken` when cookies are off. */
  async function presentedRefreshToken(input: TokenRouteRequest): Promise<string | undefined> {
    if (cookie !== undefined) {
      return readCookie(input.request, refreshCookieName(cookie, refreshCookiePath(cookie, input.mountPath)));
    }
    // No body at all is no token (an idempotent logout, TOKEN_MISSING on refresh), not a malformed request.
    if (announcesNoBody(input.request)) return undefined;
    const token = (await body(input)).fields.refreshToken;
    if (token === undefined) return undefined;
    if (typeof token !== 'string') throw new AuthError('REQUEST_INVALID', 'refreshToken must be a string');
    return token === '' ? undefined : token;
  }

  function tokenAnswer(input: TokenRouteRequest, pair: TokenPair): HttpAnswer {
    const answer: Record<string, unknown> = {
      accessToken: pair.accessToken,
      tokenType: pair.tokenType,
      expiresIn: pair.expiresIn,
    };
    if (cookie === undefined) answer.refreshToken = pair.refreshToken;
    return jsonAnswer(200, answer, {
      ...NO_STORE,
      ...cookieHeader(input, pair.refreshToken, pair.refreshExpiresIn),
    });
  }

  async function login(input: TokenRouteRequest): Promise<HttpAnswer> {
    const { fields } = await body(input);
    return tokenAnswer(input, await passwordLogin(fields.username, fields.password));
  }

  /** Checks the credentials and starts a new refresh family. */
  async function passwordLogin(username: unknown, password: unknown): Promise<TokenPair> {
    // Bounded before any lookup or hashing: a megabyte password never reaches bcrypt.
    if (typeof username !== 'string' || username === '' || username.length > maxUsername) {
      throw new AuthError('REQUEST_INVALID', `username must be a string of 1 to ${maxUsername} characters`);
    }
    if (typeof password !== 'string' || password === '' || password.length > maxPassword) {
      throw new AuthError('REQUEST_INVALID', `password must be a string of 1 to ${maxPassword} characters`);
    }
    const user = await findUser(username);
    // The dummy check runs for unknown users too, so both failures take the same time and answer alike.
    const matches = await verifyPasswordOrDummy(
      password,
      user?.passwordHash,
      cost === undefined ? {} : { cost },
    );
    if (!matches || !user) throw new AuthError('INVALID_CREDENTIALS', 'invalid username or password');
    const subject = {
      ...user.claims,
      sub: user.sub,
      ...(user.roles === undefined ? {} : { roles: user.roles }),
    };
    return auth.issueTokens(subject as TokenSubject<Claims, Role>);
  }

  async function refresh(input: TokenRouteRequest): Promise<HttpAnswer> {
    const token = await presentedRefreshToken(input);
    if (token === undefined) throw new AuthError('TOKEN_MISSING', 'no refresh token was sent');
    return tokenAnswer(input, await auth.refresh(token));
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
    return { status: 204, headers: { ...NO_STORE, ...cookieHeader(input, undefined, 0) }, body: undefined };
  }

  /** The OAuth2 token endpoint (RFC 6749 4.3 and 6): a form body, answered in the 5.1 shape. */
  async function token(input: TokenRouteRequest): Promise<HttpAnswer> {
    const { fields } = await readBody(input.request, input.body, { limit: bodyLimit, accept: ['form'] });
    let pair: TokenPair;
    if (fields.grant_type === 'password') {
      pair = await passwordLogin(fields.username, fields.password);
    } else if (fields.grant_type === 'refresh_token') {
      const presented = cookie === undefined ? fields.refresh_token : await presentedRefreshToken(input);
      if (typeof presented !== 'string' || presented === '')
        throw new AuthError('REQUEST_INVALID', 'refresh_token is required');
      pair = await auth.refresh(presented);
    } else {
      const body = {
        error: 'unsupported_grant_type',
        error_description: 'grant_type must be password or refresh_token',
      };
      return jsonAnswer(400, body, NO_STORE);
    }
    const answer: Record<string, unknown> = {
      access_token: pair.accessToken,
      token_type: 'Bearer',
      expires_in: pair.expiresIn,
    };
    if (cookie === undefined) answer.refresh_token = pair.refreshToken;
    return jsonAnswer(200, answer, {
      ...NO_STORE,
      ...cookieHeader(input, pair.refreshToken, pair.refreshExpiresIn),
    });
  }

  /** An RFC 6749 5.2 error: a bad request is `invalid_request`, any credential or grant refused is `invalid_grant`. */
  function oauthErrorAnswer(error: AuthError): HttpAnswer {
    const invalidRequest =
      error.status === 400 || error.code === 'CSRF_REJECTED' || error.code === 'HTTPS_REQUIRED';
    const body = {
      error: invalidRequest ? 'invalid_request' : 'invalid_grant',
      error_description: error.message,
    };
    return jsonAnswer(400, body, NO_STORE);
  }

  const steps: Record<TokenRoute, (input: TokenRouteRequest) => Promise<HttpAnswer>> = {
    login,
    refresh,
    logout,
    token,
  };

  return {
    ...handling,
    bodyLimit,
    routes: served,
    routeOf(method, path) {
      return method === 'POST' ? byPath.get(path) : undefined;
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
        if (route === 'token' && !handling.delegateErrors && isAuthError(error) && error.status < 500) {
          return { kind: 'answer', answer: oauthErrorAnswer(error) };
        }
        // A refresh cookie that failed for good is cleared, so the browser stops sending it.
        const dead = route === 'refresh' && isAuthError(error) && error.status === 401;
        // Error answers are not cached either: a shared cache must not replay one user's failure to another.
        const headers = { ...NO_STORE, ...(dead ? cookieHeader(input, undefined, 0) : {}) };
        return failure(error, handling, input.defaultReporter, headers);
      }
    },
  };
}
