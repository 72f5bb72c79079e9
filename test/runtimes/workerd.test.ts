/**
 * The Workers smoke test: examples/workers/worker.ts, bundled with esbuild against
 * the built package, served by workerd (the pinned @cloudflare/workerd-linux-64)
 * without nodejs_compat, driven over real HTTP: login, /me, refresh, replay refused,
 * logout, 401 and 403 answers. A probe worker next to it checks tokenward/password's
 * answer there and runs the shared HTTP layer. Never skipped.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, startWorkerd, WORKERD, workerdConfig } from '../../examples/workers/build.mjs';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from '../support/dist.js';
import { ALGORITHMS } from './contract.mjs';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let workerd: ChildProcess | undefined;
let output = '';
let dir = '';
let example = '';
let probe = '';

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
  await bundleWorker(join(ROOT, 'test/runtimes/workerd-probe.ts'), join(dir, 'probe.js'));
  const [examplePort, probePort] = [await freePort(), await freePort()];
  const config = workerdConfig([
    {
      name: 'example',
      file: 'example.js',
      port: examplePort,
      bindings: { JWT_SECRET: 'workerd-test-secret-of-32-bytes-or-more' },
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
  probe = `http://127.0.0.1:${probePort}`;
  await ready(`${example}/`);
  await ready(`${probe}/`);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  workerd?.kill();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown) {
  return fetch(`${example}${path}`, {
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

  it('logs in, answers /me, refreshes, refuses a replay and logs out', async () => {
    const login = await post('/auth/login', { username: 'alice', password: 'wonderland' });
    expect(login.status).toBe(200);
    const pair = (await login.json()) as Pair;
    const me = await fetch(`${example}/me`, { headers: { authorization: `Bearer ${pair.accessToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'user-1', roles: ['admin'] });
    const admin = await fetch(`${example}/admin/dashboard`, {
      headers: { authorization: `Bearer ${pair.accessToken}` },
    });
    expect(admin.status).toBe(200);

    const refreshed = await post('/auth/refresh', { refreshToken: pair.refreshToken });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as Pair;
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    const meAgain = await fetch(`${example}/me`, {
      headers: { authorization: `Bearer ${next.accessToken}` },
    });
    expect(meAgain.status).toBe(200);

    // Logout revokes the family: its refresh token is refused from then on.
    expect((await post('/auth/logout', { refreshToken: next.refreshToken })).status).toBe(204);
    const afterLogout = await post('/auth/refresh', { refreshToken: next.refreshToken });
    expect(afterLogout.status).toBe(401);
    expect(await errorCode(afterLogout)).toBe('TOKEN_REVOKED');
  });

  it("keeps the core contract for every algorithm on workerd's Web Crypto", async () => {
    const results = (await (await fetch(`${probe}/contract`)).json()) as { alg: string; checks: string[] }[];
    expect(results.map((result) => result.alg)).toEqual([...ALGORITHMS]);
    for (const result of results) {
      expect(result.checks, result.alg).toEqual(
        expect.arrayContaining([
          'issue+verify',
          'error codes',
          'rotate+replay',
          'revoke',
          'expiry',
          'kid rotation',
        ]),
      );
    }
  });

  it('answers 401 with a bearer challenge, and 403 to a user without the role', async () => {
    const missing = await fetch(`${example}/me`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(await errorCode(missing)).toBe('TOKEN_MISSING');

    const forged = await fetch(`${example}/me`, { headers: { authorization: 'Bearer a.b.c' } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');

    const wrong = await post('/auth/login', { username: 'alice', password: 'not wonderland' });
    expect(wrong.status).toBe(401);
    expect(await errorCode(wrong)).toBe('INVALID_CREDENTIALS');

    const bob = (await (await post('/auth/login', { username: 'bob', password: 'builder' })).json()) as Pair;
    const forbidden = await fetch(`${example}/admin/dashboard`, {
      headers: { authorization: `Bearer ${bob.accessToken}` },
    });
    expect(forbidden.status).toBe(403);
    expect(await errorCode(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.headers.get('www-authenticate')).toBe('Bearer realm="api", error="insufficient_scope"');
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
