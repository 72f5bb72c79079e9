/**
 * tokenward in a Cloudflare Worker (workerd) with `tokenward/web`: no `node:` module and no
 * `nodejs_compat` flag. `POST /auth/login`, `/auth/refresh`, `/auth/logout`, `GET /me` and
 * `GET /admin/dashboard` answer as the other examples do (alice / `wonderland` is an admin,
 * bob / `builder` is not). hono-worker.ts is the same on `tokenward/hono`.
 *
 * Passwords: bcrypt (`tokenward/password`) is a native module that workerd cannot load, so
 * the token routes check PBKDF2-SHA256 hashes from Web Crypto (pbkdf2.ts, `passwordCheck`).
 *
 * No work at global scope: workerd refuses timers and random numbers outside a request, so
 * the instance, the token routes and the checks are made on an isolate's first request
 * (setup.ts says more).
 */
import type { AccessTokenClaims } from 'tokenward';
import { authenticate, type RequestAuthenticator, tokenRoutes } from 'tokenward/web';
import { clientAddress, createWorkerAuth, type Env, routeOptions } from './setup.js';

interface Handlers {
  readonly routes: (request: Request) => Promise<Response | undefined>;
  readonly signedIn: RequestAuthenticator<AccessTokenClaims>;
  readonly admin: RequestAuthenticator<AccessTokenClaims>;
}

let handlers: Handlers | undefined;

function handlersOf(env: Env): Handlers {
  if (handlers === undefined) {
    const auth = createWorkerAuth(env);
    handlers = {
      routes: tokenRoutes(auth, { ...routeOptions, clientAddress, prefix: '/auth' }),
      signedIn: authenticate(auth),
      admin: authenticate(auth, { roles: ['admin'] }),
    };
  }
  return handlers;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { routes, signedIn, admin } = handlersOf(env);
    const answer = await routes(request);
    if (answer !== undefined) return answer;
    const { pathname } = new URL(request.url);
    if (request.method === 'GET' && pathname === '/me') {
      const result = await signedIn(request);
      if (!result.ok) return result.response;
      return Response.json({ sub: result.claims.sub, roles: result.claims.roles ?? [] });
    }
    if (request.method === 'GET' && pathname === '/admin/dashboard') {
      const result = await admin(request);
      if (!result.ok) return result.response;
      return Response.json({ message: `welcome, ${result.claims.sub}` });
    }
    return Response.json({ error: { code: 'NOT_FOUND', message: 'no such route' } }, { status: 404 });
  },
};
