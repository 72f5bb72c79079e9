/**
 * What the two example Workers share: the bindings, the users, and the `createAuth` instance of
 * an isolate.
 */
import { type Auth, createAuth, MemoryTokenStore } from 'tokenward';
import type { TokenRoutesUser, WebTokenRoutesOptions } from 'tokenward/web';
import { pbkdf2Check } from './pbkdf2.js';

/** The Worker's bindings (config.capnp, or `wrangler secret put JWT_SECRET`). */
export interface Env {
  /** The HMAC secret (32 bytes or more): `npx tokenward keygen`. */
  readonly JWT_SECRET: string;
}

/** alice / `wonderland` is an admin, bob / `builder` is not; hashes from `hashPbkdf2`. */
const USERS: Readonly<Record<string, TokenRoutesUser>> = {
  alice: {
    sub: 'user-1',
    roles: ['admin'],
    passwordHash: 'pbkdf2-sha256$100000$wb9Enri2p0N2jrk-zs9vWw$Grf_PDLQ2rpatuC5b66PJ2akletFiB6HvOoxbJzCmEY',
  },
  bob: {
    sub: 'user-2',
    roles: ['user'],
    passwordHash: 'pbkdf2-sha256$100000$bbFXfasC4PZLPbWHaYTCJQ$u5a9i98ElCm920EkIt4cexlpa8s6Anw2qbF6rtPlPQs',
  },
};

/**
 * The `createAuth` instance, made on the first request an isolate serves. workerd refuses
 * timers and random numbers at global scope (outside a request), and `createAuth` and the token
 * routes use both; each isolate then keeps its instance for the requests that follow.
 * `MemoryTokenStore` runs without its sweep timer (an isolate is short-lived), and its state is
 * the isolate's own: a production Worker gives `createAuth` a shared `TokenStore` instead.
 */
export function createWorkerAuth(env: Env): Auth {
  return createAuth({
    keys: env.JWT_SECRET,
    issuer: 'https://workers.example',
    audience: 'api',
    store: new MemoryTokenStore({ sweepIntervalMs: 0 }),
  });
}

/**
 * The token routes' options: the users above, checked with PBKDF2 instead of bcrypt, and the
 * refresh token in the JSON body (an API for non-browser clients).
 */
export const routeOptions = {
  findUser: (username: string) => (Object.hasOwn(USERS, username) ? USERS[username] : null),
  passwordCheck: pbkdf2Check,
  cookie: false,
} satisfies WebTokenRoutesOptions;

/**
 * The client's address for the login throttle: the `CF-Connecting-IP` header Cloudflare sets
 * (absent in local workerd, where every client shares one counter).
 */
export function clientAddress(request: Request): string | undefined {
  return request.headers.get('cf-connecting-ip') ?? undefined;
}
