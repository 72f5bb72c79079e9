/**
 * tokenward in a Cloudflare Worker (workerd), with the core only: no `node:`
 * module and no `nodejs_compat` flag. Login, refresh, logout, `GET /me` and
 * `GET /admin/dashboard` answer as the other examples do (alice / `wonderland` is an
 * admin, bob / `builder` is not).
 *
 * Passwords: bcrypt (`tokenward/password`) is a native module that workerd cannot
 * load, so this example checks them with PBKDF2-SHA256 from Web Crypto.
 *
 * State: `MemoryTokenStore` lives in one isolate, so refresh-token state is not
 * shared between a Worker's isolates; a production Worker gives `createAuth` a
 * shared `TokenStore` (a Durable Object, say, proven with `tokenward/testing`).
 */
import { type Auth, createAuth, isAuthError, MemoryTokenStore } from 'tokenward';

/** The Worker's bindings (config.capnp, or `wrangler secret put JWT_SECRET`). */
export interface Env {
  /** The HMAC secret (32 bytes or more): `npx tokenward keygen`. */
  readonly JWT_SECRET: string;
}

interface User {
  readonly sub: string;
  readonly roles: readonly string[];
  /** PBKDF2-SHA256, 100 000 iterations (workerd's maximum), 32 bytes; base64url. */
  readonly salt: string;
  readonly hash: string;
}

const USERS: Readonly<Record<string, User>> = {
  alice: {
    sub: 'user-1',
    roles: ['admin'],
    salt: 'wb9Enri2p0N2jrk-zs9vWw',
    hash: 'Grf_PDLQ2rpatuC5b66PJ2akletFiB6HvOoxbJzCmEY',
  },
  bob: {
    sub: 'user-2',
    roles: ['user'],
    salt: 'bbFXfasC4PZLPbWHaYTCJQ',
    hash: 'u5a9i98ElCm920EkIt4cexlpa8s6Anw2qbF6rtPlPQs',
  },
};

// An unknown user costs one derivation too, so the answer's timing does not say who exists.
const DUMMY: User = { sub: '', roles: [], salt: 'AAAAAAAAAAAAAAAAAAAAAA', hash: '' };

function fromBase64url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

async function passwordMatches(user: User, password: string): Promise<boolean> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const derived = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64url(user.salt), iterations: 100_000 },
      material,
      256,
    ),
  );
  const expected = fromBase64url(user.hash);
  // Compare every byte, whatever the first difference.
  let difference = derived.length ^ expected.length;
  for (let i = 0; i < derived.length; i++) difference |= derived[i]! ^ (expected[i] ?? 0);
  return difference === 0;
}

// workerd refuses timers and random numbers at global scope: the instance is made on
// the first request (and the store's sweep timer is off: an isolate is short-lived).
let auth: Auth | undefined;

function authOf(env: Env): Auth {
  auth ??= createAuth({
    keys: env.JWT_SECRET,
    issuer: 'https://workers.example',
    audience: 'api',
    store: new MemoryTokenStore({ sweepIntervalMs: 0 }),
  });
  return auth;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** An AuthError's own status and code, with the RFC 6750 challenge on 401 and 403. */
function failure(error: unknown): Response {
  if (!isAuthError(error)) return json(500, { error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
  const headers: Record<string, string> = {};
  if (error.status === 401 || error.status === 403) {
    headers['www-authenticate'] =
      error.bearerError === undefined || error.code === 'TOKEN_MISSING'
        ? 'Bearer realm="api"'
        : `Bearer realm="api", error="${error.bearerError}"`;
  }
  return json(error.status, { error: { code: error.code, message: error.message } }, headers);
}

async function field(request: Request, name: string): Promise<string> {
  const body = (await request.json().catch(() => ({}))) as Record<string, unknown>;
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

function bearer(request: Request): string | undefined {
  const match = /^Bearer +(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  return match?.[1];
}

async function route(request: Request, env: Env): Promise<Response> {
  const auth = authOf(env);
  const { pathname } = new URL(request.url);
  const key = `${request.method} ${pathname}`;
  if (key === 'POST /auth/login') {
    const body = (await request.json().catch(() => ({}))) as { username?: unknown; password?: unknown };
    const user = typeof body.username === 'string' ? USERS[body.username] : undefined;
    const matches = await passwordMatches(
      user ?? DUMMY,
      typeof body.password === 'string' ? body.password : '',
    );
    if (user === undefined || !matches) {
      return json(401, { error: { code: 'INVALID_CREDENTIALS', message: 'Invalid username or password.' } });
    }
    return json(200, await auth.issueTokens({ sub: user.sub, roles: [...user.roles] }));
  }
  if (key === 'POST /auth/refresh')
    return json(200, await auth.refresh(await field(request, 'refreshToken')));
  if (key === 'POST /auth/logout') {
    await auth.revoke(await field(request, 'refreshToken'));
    return new Response(null, { status: 204 });
  }
  if (key === 'GET /me' || key === 'GET /admin/dashboard') {
    const claims = await auth.verifyToken(bearer(request));
    if (pathname === '/me') return json(200, { sub: claims.sub, roles: claims.roles ?? [] });
    auth.requireRole(claims, 'admin');
    return json(200, { message: `welcome, ${claims.sub}` });
  }
  return json(404, { error: { code: 'NOT_FOUND', message: 'no such route' } });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      return await route(request, env);
    } catch (error) {
      return failure(error);
    }
  },
};
