/**
 * What the Express, Fastify, Koa and Redis examples share: the two users, the
 * `createAuth` settings, the token-route options and the answers of the two
 * protected routes. Each example only wires these into its framework.
 */

import { randomBytes } from 'node:crypto';
import { type Auth, createAuth, type KeysOption, type TokenStore } from 'tokenward';
import type { TokenRoutesOptions, TokenRoutesUser } from 'tokenward/express';
import { hashPassword } from 'tokenward/password';
import { EXAMPLE_USERS, type ExampleRole } from './users.js';

export { EXAMPLE_USERS, type ExampleRole } from './users.js';

/** The `iss` the example's tokens carry and must carry. */
export const EXAMPLE_ISSUER = 'urn:tokenward:examples';
/** The `aud` the example's tokens carry and must include. */
export const EXAMPLE_AUDIENCE = 'examples-api';

// Cost 10 so that the examples start in a blink; production hashes use the
// library default (12) or more, and `passwordHashCost` below must then follow.
const HASH_COST = 10;

/** The user list as the app sees it: lookup by login name (for `tokenRoutes`) and by `sub`. */
export interface UserDirectory {
  /** The `findUser` of `tokenRoutes`: the user with its bcrypt hash, or `null`. */
  findUser(username: string): Promise<TokenRoutesUser<ExampleRole> | null>;
  /** The login name of a subject, for greetings. */
  usernameOf(sub: string): string | undefined;
}

/**
 * Hashes the example users' passwords (at start-up, as if they came from a
 * database) and returns the directory the routes use.
 */
export async function createUserDirectory(): Promise<UserDirectory> {
  const byName = new Map<string, TokenRoutesUser<ExampleRole> & { username: string }>();
  for (const user of EXAMPLE_USERS) {
    byName.set(user.username, {
      username: user.username,
      sub: user.sub,
      roles: user.roles,
      passwordHash: await hashPassword(user.password, { cost: HASH_COST }),
    });
  }
  return {
    async findUser(username) {
      return byName.get(username) ?? null;
    },
    usernameOf(sub) {
      for (const user of byName.values()) if (user.sub === sub) return user.username;
      return undefined;
    },
  };
}

/** What an example can be started with, so that tests and the demo control it. */
export interface ExampleOptions {
  /** Where refresh state and revocations live. Default: a new in-memory store. */
  store?: TokenStore;
  /** The clock in milliseconds (the demo moves it forward to expire tokens). Default `Date.now`. */
  clock?: () => number;
  /** Signing keys. Default: `JWT_SECRET` from the environment, else a random secret per start. */
  keys?: KeysOption;
}

/**
 * The `createAuth` of every example.
 *
 * Without `JWT_SECRET` the secret is random per start: every token dies with
 * the process, which suits a demo and nothing else. Revocation is checked on
 * every request (one store read) so that a logout also kills the access token
 * it was sent with.
 */
export function createExampleAuth(options: ExampleOptions = {}): Auth<object, ExampleRole> {
  return createAuth<object, ExampleRole>({
    keys: options.keys ?? process.env.JWT_SECRET ?? randomBytes(32).toString('base64url'),
    issuer: EXAMPLE_ISSUER,
    audience: EXAMPLE_AUDIENCE,
    roles: ['admin', 'user'],
    accessTokenTtl: '15m',
    refreshTokenTtl: '7d',
    checkRevocation: true,
    // The demo replays a spent refresh token at once to show reuse detection, so the
    // grace window for a client's retry (default 10 s) is off here. Keep the default in an app.
    refreshReuseGrace: 0,
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}

/** Origins (besides the server's own) whose pages may use the refresh cookie, from `ALLOWED_ORIGINS` (comma-separated). */
function allowedOriginsFromEnv(): string[] {
  return (process.env.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}

/** The `tokenRoutes` options of every example (the Fastify and Koa ones add `auth`/`prefix`). */
export function exampleRouteOptions(users: UserDirectory): TokenRoutesOptions<ExampleRole> {
  return {
    findUser: (username) => users.findUser(username),
    // The hashes above are cost 10: the unknown-user dummy check must cost the same, or timing tells who exists.
    passwordHashCost: HASH_COST,
    // The examples serve plain http://127.0.0.1, where a browser drops a Secure
    // cookie, so Secure is turned off here, explicitly. Behind HTTPS remove this
    // line: tokenward refuses `secure: false` when NODE_ENV is production.
    cookie: { secure: false },
    // A page on another origin (say a dev server on :5173) must be listed here
    // to use the refresh cookie; anything else is refused with CSRF_REJECTED.
    allowedOrigins: allowedOriginsFromEnv(),
    // The device page: GET /auth/sessions, DELETE /auth/sessions/:id and DELETE /auth/sessions.
    // Each login is labelled with a short form of its User-Agent ("Firefox on Linux").
    sessions: true,
  };
}

/** The verified claims an adapter puts on the request, as far as the example reads them. */
export interface ExampleClaims {
  readonly sub: string;
  readonly roles?: readonly string[] | undefined;
}

/** The answer of `GET /me`: who the access token says the caller is. */
export function meBody(claims: ExampleClaims | undefined, users: UserDirectory) {
  const sub = claims?.sub ?? '';
  return { sub, username: users.usernameOf(sub) ?? null, roles: claims?.roles ?? [] };
}

/** The answer of `GET /admin/dashboard` (only admins get here). */
export function dashboardBody(claims: ExampleClaims | undefined, users: UserDirectory) {
  const name = users.usernameOf(claims?.sub ?? '') ?? 'admin';
  return { message: `Welcome ${name}, to the admin dashboard` };
}

/** Everything an example's routes need, built once. */
export interface ExampleContext {
  readonly auth: Auth<object, ExampleRole>;
  readonly users: UserDirectory;
  readonly routeOptions: TokenRoutesOptions<ExampleRole>;
}

/** Builds the auth instance, the user directory and the route options of an example. */
export async function createExampleContext(options: ExampleOptions = {}): Promise<ExampleContext> {
  const users = await createUserDirectory();
  return { auth: createExampleAuth(options), users, routeOptions: exampleRouteOptions(users) };
}
