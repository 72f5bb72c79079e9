/**
 * The Workers example for a browser app on another origin: the same users and routes as
 * worker.ts (`tokenward/web`), but the refresh token travels in an HttpOnly, Secure,
 * `SameSite=Strict` cookie named `__Host-refresh_token` instead of the JSON body. Refresh and
 * logout then answer only requests from this Worker's own origin or the app's (`APP_ORIGIN`);
 * anything else is refused with 403 `CSRF_REJECTED`.
 *
 * The routes are served over HTTPS only (`requireHttps`). On Cloudflare a request's URL is
 * already `https:`; local workerd serves plain HTTP, so behind a TLS-terminating proxy that
 * sets `X-Forwarded-Proto` (the test stands in for one) the `TRUST_PROXY` binding says to
 * believe it. Leave it unset on Cloudflare, where a client could send that header itself.
 */
import type { AccessTokenClaims } from 'tokenward';
import { authenticate, type RequestAuthenticator, tokenRoutes } from 'tokenward/web';
import { clientAddress, createWorkerAuth, type Env, routeOptions } from './setup.js';

/** The cookie Worker's bindings: the shared ones, the browser app's origin, and whether a proxy is trusted. */
export interface CookieEnv extends Env {
  /** The origin of the browser app allowed to refresh and log out, e.g. `https://app.example`. */
  readonly APP_ORIGIN: string;
  /** `"true"` to read `X-Forwarded-Proto` from a TLS-terminating proxy in front of workerd. */
  readonly TRUST_PROXY?: string;
}

interface Handlers {
  readonly routes: (request: Request) => Promise<Response | undefined>;
  readonly signedIn: RequestAuthenticator<AccessTokenClaims>;
}

let handlers: Handlers | undefined;

function handlersOf(env: CookieEnv): Handlers {
  if (handlers === undefined) {
    const auth = createWorkerAuth(env);
    handlers = {
      routes: tokenRoutes(auth, {
        ...routeOptions,
        // The defaults: `__Host-refresh_token`, Path=/, HttpOnly, Secure, SameSite=Strict.
        cookie: {},
        allowedOrigins: [env.APP_ORIGIN],
        requireHttps: true,
        trustProxy: env.TRUST_PROXY === 'true',
        clientAddress,
        prefix: '/auth',
      }),
      signedIn: authenticate(auth),
    };
  }
  return handlers;
}

export default {
  async fetch(request: Request, env: CookieEnv): Promise<Response> {
    const { routes, signedIn } = handlersOf(env);
    const answer = await routes(request);
    if (answer !== undefined) return answer;
    if (request.method === 'GET' && new URL(request.url).pathname === '/me') {
      const result = await signedIn(request);
      if (!result.ok) return result.response;
      return Response.json({ sub: result.claims.sub, roles: result.claims.roles ?? [] });
    }
    return Response.json({ error: { code: 'NOT_FOUND', message: 'no such route' } }, { status: 404 });
  },
};
