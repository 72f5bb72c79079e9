/**
 * A second worker for test/runtimes/workerd.test.ts: what the example does not show.
 * `/password` calls tokenward/password (built), which workerd cannot back with bcrypt;
 * `/contract` runs the core contract of test/runtimes/contract.mjs for every algorithm on
 * workerd's Web Crypto; `/http-layer` runs the shared HTTP layer (src/lib/http, bundled from the sources,
 * which tokenward/web and tokenward/hono are built on) inside workerd; `/globals` tells
 * what the runtime offers (no nodejs_compat: no process, no Buffer).
 */
import * as tokenward from 'tokenward';
import { AuthError, createAuth } from 'tokenward';
import { hashPassword, verifyPassword, verifyPasswordOrDummy } from 'tokenward/password';
import { bearerFromHeader } from '../../src/lib/http/bearer.js';
import { errorAnswer } from '../../src/lib/http/error-response.js';
import { fetchRequestView } from '../../src/lib/http/fetch-request.js';
import * as loginProtection from '../../src/lib/http/login-protection.js';
import * as tokenRoutes from '../../src/lib/http/token-routes.js';
import { ALGORITHMS, runContract } from './contract.mjs';

async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return { ok: false, code, message };
  }
}

async function probe(pathname: string): Promise<unknown> {
  if (pathname === '/globals') {
    const g = globalThis as { process?: unknown; Buffer?: unknown; navigator?: { userAgent?: string } };
    return { process: typeof g.process, buffer: typeof g.Buffer, userAgent: g.navigator?.userAgent };
  }
  if (pathname === '/contract') {
    const results = [];
    for (const alg of ALGORITHMS) {
      const { checks } = await runContract(tokenward, alg);
      results.push({ alg, checks });
    }
    return results;
  }
  if (pathname === '/password') {
    return {
      hash: await outcome(() => hashPassword('correct horse')),
      verify: await outcome(() => verifyPassword('correct horse', `$2b$10$${'a'.repeat(53)}`)),
      dummy: await outcome(() => verifyPasswordOrDummy('correct horse', null)),
    };
  }
  if (pathname === '/http-layer') {
    const auth = createAuth({
      keys: 'workerd-probe-secret-workerd-probe-secret',
      issuer: 'https://probe',
      audience: 'api',
    });
    const { accessToken } = await auth.issueTokens({ sub: 'probe' });
    const view = fetchRequestView(
      new Request('https://probe/me', { headers: { authorization: `Bearer ${accessToken}` } }),
    );
    const token = bearerFromHeader(view);
    const expired = errorAnswer(new AuthError('TOKEN_EXPIRED', 'the token has expired'), 'api');
    // The token routes and the login throttle are built without touching a node: module.
    const routes = tokenRoutes.createTokenRoutes(auth, { findUser: async () => null, cookie: false });
    return {
      bearer: token === accessToken,
      verified: (await auth.verifyToken(token)).sub,
      expired: { status: expired.status, challenge: expired.headers['www-authenticate'] },
      routes: typeof routes,
      limiter: typeof loginProtection.defaultMaxConcurrentPasswordChecks(),
    };
  }
  return undefined;
}

export default {
  async fetch(request: Request): Promise<Response> {
    let body: unknown;
    try {
      body = await probe(new URL(request.url).pathname);
    } catch (error) {
      return new Response(String((error as Error).stack ?? error), { status: 500 });
    }
    return new Response(JSON.stringify(body ?? null), {
      status: body === undefined ? 404 : 200,
      headers: { 'content-type': 'application/json' },
    });
  },
};
