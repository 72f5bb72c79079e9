/**
 * The Next.js example, built with `next build` and served by `next start` once per run (the build
 * is the slow part, about a minute): the token routes as an App Router route handler, a protected
 * route handler, and a server component reading the claims, over real HTTP.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis-server.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/nextjs/', import.meta.url));
const NEXT_CLI = createRequire(import.meta.url).resolve('next/dist/bin/next');
const ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

/** Runs the Next.js CLI in the example's directory; resolves with its output once it exits 0. */
function next(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_CLI, ...args], { cwd: EXAMPLE, env: ENV });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`next ${args[0]}: ${output}`)),
    );
  });
}

/** Starts `next start` and resolves once it answers. */
async function start(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [NEXT_CLI, 'start', '--port', String(port), '--hostname', '127.0.0.1'],
    {
      cwd: EXAMPLE,
      env: ENV,
      stdio: 'ignore',
    },
  );
  for (let attempt = 0; attempt < 300; attempt += 1) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error('next start did not answer');
}

/** The value of a cookie set by a response, as `name=value`. */
function cookieOf(response: Response, name: string): string {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  return line?.split(';', 1)[0] ?? '';
}

describe('the Next.js example, after next build, under next start', { timeout: 60_000 }, () => {
  let server: ChildProcess | undefined;
  let url: string;

  beforeAll(async () => {
    await next(['build', '--webpack']);
    const port = await freePort();
    server = await start(port);
    url = `http://127.0.0.1:${port}`;
  }, 400_000);

  afterAll(() => {
    server?.kill('SIGTERM');
  });

  const login = (password: string) =>
    fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ username: 'alice', password }),
    });

  it('logs in through the route handler: the access token, the refresh cookie, no-store', async () => {
    const wrong = await login('not-her-password');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('INVALID_CREDENTIALS');
    const answer = await login('wonderland');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const refresh = answer.headers.getSetCookie().find((line) => line.startsWith('refresh_token='));
    expect(refresh).toMatch(/^refresh_token=eyJ[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(((await answer.json()) as { tokenType: string }).tokenType).toBe('Bearer');
  });

  it('serves the protected route handler to a bearer token only, with RFC 6750 answers', async () => {
    const { accessToken } = (await (await login('wonderland')).json()) as { accessToken: string };
    const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'user-1', username: 'alice', roles: ['admin', 'user'] });
    const anonymous = await fetch(`${url}/api/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('renders the claims in a server component from the access-token cookie', async () => {
    const answer = await login('wonderland');
    const page = await fetch(`${url}/me`, { headers: { cookie: cookieOf(answer, 'access_token') } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Signed in as <!-- -->alice|Signed in as alice/);
    const signedOut = await (await fetch(`${url}/me`)).text();
    expect(signedOut).toMatch(/Signed out \((<!-- -->)?401/);
  });

  it('refreshes from the cookie, refuses it cross-site without spending it, and logs out', async () => {
    const refreshCookie = cookieOf(await login('wonderland'), 'refresh_token');
    const forged = await fetch(`${url}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: refreshCookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('CSRF_REJECTED');
    const refreshed = await fetch(`${url}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: refreshCookie, 'sec-fetch-site': 'same-origin' },
    });
    expect(refreshed.status).toBe(200);
    const next = cookieOf(refreshed, 'refresh_token');
    expect(next).not.toBe(refreshCookie);
    const logout = await fetch(`${url}/auth/logout`, {
      method: 'POST',
      headers: { cookie: next, 'sec-fetch-site': 'same-origin' },
    });
    expect(logout.status).toBe(204);
    const after = await fetch(`${url}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: next, 'sec-fetch-site': 'same-origin' },
    });
    expect(after.status).toBe(401);
  });

  it('answers 404 for a path under /auth that is no token route', async () => {
    const answer = await fetch(`${url}/auth/nothing`, { method: 'POST' });
    expect(answer.status).toBe(404);
  });
});
