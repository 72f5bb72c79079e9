/**
 * The Workers smoke test: examples/workers/worker.ts (tokenward/web) and hono-worker.ts
 * (tokenward/hono), bundled with esbuild against the built package, served by workerd (the
 * pinned @cloudflare/workerd-linux-64) without nodejs_compat, driven over real HTTP: login
 * (PBKDF2 through the token routes' passwordCheck), /me, refresh, logout,
 * 401 and 403 answers. cookie-worker.ts serves the same routes with the refresh token in a
 * `__Host-` cookie, behind a stand-in TLS proxy (`X-Forwarded-Proto`). A probe worker next to them checks tokenward/password's answer there
 * and runs the shared HTTP layer. Never skipped.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, startWorkerd, WORKERD, workerdConfig } from '../../examples/workers/build.mjs';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from '../support/dist.js';
import { freePort } from '../support/redis-server.js';
import { expectContract } from './expect-contract.js';

let workerd: ChildProcess | undefined;
let output = '';
let dir = '';
let example = '';
let hono = '';
let probe = '';
let cookieWorker = '';

/** The browser app the cookie Worker lets refresh and log out. */
const APP_ORIGIN = 'https://app.example';

/** Waits until workerd answers on the port (it binds after it has compiled the workers). */
async function ready(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (workerd?.exitCode !== null) throw new Error(`workerd exited (${workerd?.exitCode}):\n${output}`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`workerd did not answer on ${url}:\n${output}`);
      await sleep(100);
    }
  }
}

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'tokenward-workerd-'));
  await bundleWorker(join(ROOT, 'examples/workers/worker.ts'), join(dir, 'example.js'));
  await bundleWorker(join(ROOT, 'examples/workers/hono-worker.ts'), join(dir, 'hono.js'));
  await bundleWorker(join(ROOT, 'examples/workers/cookie-worker.ts'), join(dir, 'cookie.js'));
  await bundleWorker(join(ROOT, 'test/runtimes/workerd-probe.ts'), join(dir, 'probe.js'));
  const [examplePort, honoPort, cookiePort, probePort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const bindings = { JWT_SECRET: 'workerd-test-secret-of-32-bytes-or-more' };
  const config = workerdConfig([
    { name: 'example', file: 'example.js', port: examplePort, bindings },
    { name: 'hono', file: 'hono.js', port: honoPort, bindings },
    {
      name: 'cookie',
      file: 'cookie.js',
      port: cookiePort,
      bindings: { ...bindings, APP_ORIGIN, TRUST_PROXY: 'true' },
    },
    { name: 'probe', file: 'probe.js', port: probePort },
  ]);
  expect(config).not.toContain('nodejs_compat');
  writeFileSync(join(dir, 'config.capnp'), config);
  const child = startWorkerd(join(dir, 'config.capnp'), ['ignore', 'pipe', 'pipe']);
  workerd = child;
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  example = `http://127.0.0.1:${examplePort}`;
  hono = `http://127.0.0.1:${honoPort}`;
  probe = `http://127.0.0.1:${probePort}`;
  cookieWorker = `http://127.0.0.1:${cookiePort}`;
  await ready(`${example}/`);
  await ready(`${hono}/`);
  await ready(`${probe}/`);
  await ready(`${cookieWorker}/`);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  workerd?.kill();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown, base = example) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

interface Pair {
  accessToken: string;
  refreshToken: string;
}

describe('the Workers example in workerd, without nodejs_compat', () => {
  it('uses the pinned workerd binary', () => {
    expect(existsSync(WORKERD)).toBe(true);
  });

  it('runs where neither process nor Buffer exists', async () => {
    const globals = await (await fetch(`${probe}/globals`)).json();
    expect(globals).toEqual({ process: 'undefined', buffer: 'undefined', userAgent: 'Cloudflare-Workers' });
  });

  it('logs in, answers /me, refreshes and logs out (tokenward/web)', async () => {
    const login = await post('/auth/login', { username: 'alice', password: 'wonderland' });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const pair = (await login.json()) as Pair;
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const me = await fetch(`${example}/me`, { headers: { authorization: `Bearer ${pair.accessToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'user-1', roles: ['admin'] });
    const admin = await fetch(`${example}/admin/dashboard`, {
      headers: { authorization: `Bearer ${pair.accessToken}` },
    });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toEqual({ message: 'welcome, user-1' });

    const refreshed = await post('/auth/refresh', { refreshToken: pair.refreshToken });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as Pair;
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    const meAgain = await fetch(`${example}/me`, {
      headers: { authorization: `Bearer ${next.accessToken}` },
    });
    expect(meAgain.status).toBe(200);

    // Logout revokes the family: its refresh token is refused from then on.
    const logout = await post('/auth/logout', { refreshToken: next.refreshToken });
    expect(logout.status).toBe(204);
    const afterLogout = await post('/auth/refresh', { refreshToken: next.refreshToken });
    expect(afterLogout.status).toBe(401);
    expect(await errorCode(afterLogout)).toBe('TOKEN_REVOKED');
  });

  it("keeps the core contract for every algorithm on workerd's Web Crypto", async () => {
    const results = (await (await fetch(`${probe}/contract`)).json()) as { alg: string; checks: string[] }[];
    expectContract(results);
  });

  it('answers 401 with a bearer challenge, and 403 to a user without the role', async () => {
    const missing = await fetch(`${example}/me`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(await errorCode(missing)).toBe('TOKEN_MISSING');

    const forged = await fetch(`${example}/me`, { headers: { authorization: 'Bearer a.b.c' } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="the token\'s signature is not base64url"',
    );

    const wrong = await post('/auth/login', { username: 'alice', password: 'not wonderland' });
    expect(wrong.status).toBe(401);
    expect(await errorCode(wrong)).toBe('INVALID_CREDENTIALS');
    // An unknown user goes through the dummy PBKDF2 check and gets the same answer.
    const unknown = await post('/auth/login', { username: 'mallory', password: 'wonderland' });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual(
      await (await post('/auth/login', { username: 'bob', password: 'x' })).json(),
    );

    const bob = (await (await post('/auth/login', { username: 'bob', password: 'builder' })).json()) as Pair;
    const forbidden = await fetch(`${example}/admin/dashboard`, {
      headers: { authorization: `Bearer ${bob.accessToken}` },
    });
    expect(forbidden.status).toBe(403);
    expect(await errorCode(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="this requires the role: admin"',
    );
  });

  it('answers every tokenward/password call with CONFIG_INVALID naming workerd', async () => {
    const answers = (await (await fetch(`${probe}/password`)).json()) as Record<
      string,
      { ok: boolean; code: string; message: string }
    >;
    for (const name of ['hash', 'verify', 'dummy']) {
      expect(answers[name]?.ok, name).toBe(false);
      expect(answers[name]?.code, name).toBe('CONFIG_INVALID');
      expect(answers[name]?.message, name).toContain('workerd (Cloudflare Workers) cannot load');
    }
  });

  it('runs the shared HTTP layer (bearer parsing, error answers, token routes, login throttle)', async () => {
    const answer = await (await fetch(`${probe}/http-layer`)).json();
    expect(answer).toEqual({
      bearer: true,
      verified: 'probe',
      expired: { status: 401, challenge: expect.stringContaining('error="invalid_token"') },
      routes: 'object',
      limiter: 'number',
    });
  });
});

describe('the Hono Worker (tokenward/hono) in workerd, without nodejs_compat', () => {
  const get = (path: string, token?: string) =>
    fetch(`${hono}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('logs in through the Hono sub-app, answers /me, refreshes and logs out', async () => {
    const login = await post('/auth/login', { username: 'alice', password: 'wonderland' }, hono);
    expect(login.status).toBe(200);
    const pair = (await login.json()) as Pair;
    const me = await get('/me', pair.accessToken);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'user-1', roles: ['admin'] });
    expect((await get('/admin/dashboard', pair.accessToken)).status).toBe(200);

    const refreshed = await post('/auth/refresh', { refreshToken: pair.refreshToken }, hono);
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as Pair;
    expect((await get('/me', next.accessToken)).status).toBe(200);
    expect((await post('/auth/logout', { refreshToken: next.refreshToken }, hono)).status).toBe(204);
    const afterLogout = await post('/auth/refresh', { refreshToken: next.refreshToken }, hono);
    expect(await errorCode(afterLogout)).toBe('TOKEN_REVOKED');
  });

  it('answers 401 with a bearer challenge, a wrong password 401, and 403 to a user without the role', async () => {
    const missing = await get('/me');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(await errorCode(missing)).toBe('TOKEN_MISSING');
    const forged = await get('/me', 'a.b.c');
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="the token\'s signature is not base64url"',
    );

    const wrong = await post('/auth/login', { username: 'alice', password: 'not wonderland' }, hono);
    expect(wrong.status).toBe(401);
    expect(await errorCode(wrong)).toBe('INVALID_CREDENTIALS');

    const bob = (await (
      await post('/auth/login', { username: 'bob', password: 'builder' }, hono)
    ).json()) as Pair;
    const forbidden = await get('/admin/dashboard', bob.accessToken);
    expect(forbidden.status).toBe(403);
    expect(await errorCode(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="this requires the role: admin"',
    );
  });

  it('answers 401 and 403 byte for byte as the Web example does (status, body, challenge)', async () => {
    const bob = async (base: string) =>
      ((await (await post('/auth/login', { username: 'bob', password: 'builder' }, base)).json()) as Pair)
        .accessToken;
    const [webToken, honoToken] = await Promise.all([bob(example), bob(hono)]);
    const cases: Array<[string, string | undefined, string | undefined]> = [
      ['/me', undefined, undefined],
      ['/me', 'a.b.c', 'a.b.c'],
      ['/admin/dashboard', webToken, honoToken],
    ];
    const statuses: number[] = [];
    for (const [path, tokenForWeb, tokenForHono] of cases) {
      const web = await fetch(
        `${example}${path}`,
        tokenForWeb === undefined ? {} : { headers: { authorization: `Bearer ${tokenForWeb}` } },
      );
      const viaHono = await get(path, tokenForHono);
      statuses.push(viaHono.status);
      expect(viaHono.status).toBe(web.status);
      expect(viaHono.headers.get('www-authenticate')).toBe(web.headers.get('www-authenticate'));
      expect(await viaHono.text()).toBe(await web.text());
    }
    expect(statuses).toEqual([401, 401, 403]);
  });
});

describe('the cookie Worker (refresh token in a __Host- cookie) in workerd, without nodejs_compat', () => {
  /** A browser's request through a TLS-terminating proxy: `X-Forwarded-Proto: https`, the app's origin. */
  const send = (path: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${cookieWorker}${path}`, {
      method: 'POST',
      headers: {
        'x-forwarded-proto': 'https',
        origin: APP_ORIGIN,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const alice = { username: 'alice', password: 'wonderland' };
  const COOKIE = /^__Host-refresh_token=([\w.-]+); Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Strict$/;

  /** The refresh cookie a response sets, its value checked against the attributes the routes promise. */
  function refreshCookie(response: Response): string {
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    const match = COOKIE.exec(cookies[0] ?? '');
    expect(match, cookies[0]).not.toBeNull();
    return match?.[1] ?? '';
  }
  const withCookie = (value: string, origin = APP_ORIGIN) => ({
    cookie: `__Host-refresh_token=${value}`,
    origin,
  });

  it('refuses the routes over plain HTTP (no X-Forwarded-Proto: https), setting no cookie', async () => {
    const plain = await send('/auth/login', { 'x-forwarded-proto': 'http' }, alice);
    expect(plain.status).toBe(403);
    expect(await errorCode(plain)).toBe('HTTPS_REQUIRED');
    expect(plain.headers.getSetCookie()).toEqual([]);
  });

  it('logs in with the refresh token in the cookie only, and refreshes from it for the allowed origin', async () => {
    const login = await send('/auth/login', {}, alice);
    expect(login.status).toBe(200);
    const body = (await login.json()) as Partial<Pair>;
    expect(body.refreshToken).toBeUndefined();
    const first = refreshCookie(login);
    const me = await fetch(`${cookieWorker}/me`, {
      headers: { authorization: `Bearer ${body.accessToken}` },
    });
    expect(await me.json()).toEqual({ sub: 'user-1', roles: ['admin'] });

    const refreshed = await send('/auth/refresh', withCookie(first));
    expect(refreshed.status).toBe(200);
    const next = refreshCookie(refreshed);
    expect(next).not.toBe(first);
    const pair = (await refreshed.json()) as Partial<Pair>;
    expect(pair.refreshToken).toBeUndefined();
    const meAgain = await fetch(`${cookieWorker}/me`, {
      headers: { authorization: `Bearer ${pair.accessToken}` },
    });
    expect(meAgain.status).toBe(200);
  });

  it('refuses a cross-site refresh and logout (403 CSRF_REJECTED) without touching the cookie, then logs out', async () => {
    const cookie = refreshCookie(await send('/auth/login', {}, alice));
    for (const [path, headers] of [
      ['/auth/refresh', withCookie(cookie, 'https://evil.example')],
      ['/auth/refresh', { ...withCookie(cookie, 'https://evil.example'), 'sec-fetch-site': 'cross-site' }],
      ['/auth/logout', withCookie(cookie, 'https://evil.example')],
    ] as const) {
      const refused = await send(path, headers);
      expect(refused.status, path).toBe(403);
      expect(await errorCode(refused)).toBe('CSRF_REJECTED');
      expect(refused.headers.getSetCookie()).toEqual([]);
    }

    // The refused requests rotated and revoked nothing: the same cookie still refreshes.
    const refreshed = await send('/auth/refresh', withCookie(cookie));
    expect(refreshed.status).toBe(200);
    const current = refreshCookie(refreshed);

    const logout = await send('/auth/logout', withCookie(current));
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()).toEqual([
      '__Host-refresh_token=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; Secure; SameSite=Strict',
    ]);
    const afterLogout = await send('/auth/refresh', withCookie(current));
    expect(afterLogout.status).toBe(401);
    expect(await errorCode(afterLogout)).toBe('TOKEN_REVOKED');
  });
});

describe("workerd's log, after every request above", () => {
  it('holds nothing from the workers: no reported fault, no refused operation', () => {
    // The workers write nothing when all goes well; tokenward reports a server fault on the console.
    const lines = output.split('\n').filter((line) => line.trim() !== '' && !/^kj\/\S+: info: /.test(line));
    expect(lines).toEqual([]);
  });
});
