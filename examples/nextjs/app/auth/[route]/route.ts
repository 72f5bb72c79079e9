/**
 * The token routes as one route handler: POST /auth/login, /auth/refresh, /auth/logout.
 * tokenward/web answers them with the same cookie, CSRF, HTTPS and no-store rules as every
 * adapter; any other path under /auth is a 404.
 *
 * One addition of this example: after a login or a refresh, the access token is also set in a
 * short-lived httpOnly cookie, so that server components (app/me/page.tsx) can read the claims
 * while rendering a page the browser navigated to.
 */

import { ACCESS_COOKIE, tokenward } from '../../../lib/auth';

export async function POST(request: Request): Promise<Response> {
  const answer = await tokenward().routes(request);
  if (answer === undefined) return Response.json({ error: 'not found' }, { status: 404 });
  const path = new URL(request.url).pathname;
  if (answer.status === 200 && (path === '/auth/login' || path === '/auth/refresh')) {
    const { accessToken, expiresIn } = (await answer.clone().json()) as {
      accessToken: string;
      expiresIn: number;
    };
    answer.headers.append(
      'set-cookie',
      `${ACCESS_COOKIE}=${accessToken}; Max-Age=${expiresIn}; Path=/; HttpOnly; SameSite=Strict`,
    );
  }
  if (path === '/auth/logout') {
    answer.headers.append('set-cookie', `${ACCESS_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict`);
  }
  return answer;
}
