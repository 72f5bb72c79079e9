/**
 * The example's one `Auth` instance, its users, and the two tokenward handlers the routes use.
 * Kept on `globalThis`: Next.js may evaluate this module more than once (per route bundle, and on
 * every edit in development), and a second instance would have another secret and an empty store.
 */

import { randomBytes } from 'node:crypto';
import { type Auth, createAuth } from 'tokenward';
import { hashPassword } from 'tokenward/password';
import { authenticate, tokenRoutes } from 'tokenward/web';

type Role = 'admin' | 'user';

const USERS = [
  { username: 'alice', password: 'wonderland', sub: 'user-1', roles: ['admin', 'user'] as Role[] },
  { username: 'bob', password: 'builder', sub: 'user-2', roles: ['user'] as Role[] },
];

/** The name of the cookie the server component reads the access token from. */
export const ACCESS_COOKIE = 'access_token';

function build() {
  const auth: Auth<object, Role> = createAuth<object, Role>({
    // A random secret per start unless JWT_SECRET is set: every token dies with the process.
    keys: process.env.JWT_SECRET ?? randomBytes(32).toString('base64url'),
    roles: ['admin', 'user'],
    checkRevocation: true,
  });
  // Hashed once, at the first request, as if they came from a database (cost 10 for a quick start).
  const hashes = new Map(USERS.map((user) => [user.username, hashPassword(user.password, { cost: 10 })]));
  const routes = tokenRoutes(auth, {
    prefix: '/auth',
    passwordHashCost: 10,
    async findUser(username) {
      const user = USERS.find((candidate) => candidate.username === username);
      if (user === undefined) return null;
      return { sub: user.sub, roles: user.roles, passwordHash: await hashes.get(username)! };
    },
    // For this local example only: `next start` serves plain http://127.0.0.1, where a browser
    // drops a Secure cookie, and it runs with NODE_ENV=production, where tokenward requires HTTPS
    // by default. Behind HTTPS, remove both lines.
    cookie: { secure: false },
    requireHttps: false,
  });
  return {
    auth,
    routes,
    /** For route handlers: the bearer token of the Authorization header. */
    bearer: authenticate(auth),
    /** For server components: the access token of a cookie (a GET rendering changes nothing, so no CSRF concern). */
    fromCookie: authenticate(auth, { cookie: ACCESS_COOKIE }),
    usernameOf: (sub: string) => USERS.find((user) => user.sub === sub)?.username ?? null,
  };
}

const holder = globalThis as { tokenwardExample?: ReturnType<typeof build> };

/** The example's tokenward handlers, made once per process. */
export function tokenward(): ReturnType<typeof build> {
  holder.tokenwardExample ??= build();
  return holder.tokenwardExample;
}
