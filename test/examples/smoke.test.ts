/**
 * Smoke test of every example: each is started with the very command its
 * README line gives (tsx with examples/tsconfig.json, as a child process, on
 * port 0) and made to answer the whole flow over HTTP, so that no example rots.
 * The demo and the key-rotation walkthrough must exit 0.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, field, Session } from '../../examples/shared/client.js';
import { EXAMPLE_USERS } from '../../examples/shared/users.js';
import { freePort, type RedisServer, redisAvailable, startRedisServer } from '../support/redis-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const STARTUP_TIMEOUT_MS = 30_000;
// Each test starts one or two programs through tsx on a machine other test files keep busy.
const TEST_TIMEOUT = { timeout: 90_000 };
const [alice, bob] = EXAMPLE_USERS;

/** An example program running as a child process. */
interface ExampleProcess {
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the first capture of `pattern` in its output. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Resolves with its exit code once it ends. */
  exited: Promise<number | null>;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Runs `npx tsx --tsconfig examples/tsconfig.json <script>` (without npx), PORT=0 unless `env` says otherwise. */
function runScript(script: string, env: Record<string, string> = {}, args: string[] = []): ExampleProcess {
  return runCommand(
    process.execPath,
    [TSX_CLI, '--tsconfig', 'examples/tsconfig.json', script, ...args],
    env,
  );
}

/** Runs a program from the repository root, PORT=0 unless `env` says otherwise. */
function runCommand(
  command: string,
  commandArgs: string[],
  env: Record<string, string> = {},
): ExampleProcess {
  const script = commandArgs.join(' ');
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  return {
    output: () => output,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match === null) return;
          done();
          resolve(match[1] ?? match[0]);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${script} did not print ${pattern} in time:\n${output}`));
        }, STARTUP_TIMEOUT_MS);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        exited.then((code) => {
          done();
          reject(new Error(`${script} exited (${code}) before printing ${pattern}:\n${output}`));
        });
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Starts an example server and returns its URL, from its `<name> listening on <url>` line. */
async function startExample(script: string, env: Record<string, string> = {}) {
  return waitForUrl(runScript(script, env));
}

async function waitForUrl(example: ExampleProcess) {
  const url = await example.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  return { example, url };
}

afterAll(async () => {
  // Anything a failed test left running.
  for (const child of running) child.kill('SIGKILL');
});

/** The flow every variant of the example app must answer: login, roles, refresh (rotation), reuse, logout. */
async function exerciseApp(url: string): Promise<void> {
  const a = new Session(url);
  const b = new Session(url);

  const wrong = await new Session(url).login(alice.username, 'not-her-password');
  expect([wrong.status, errorCode(wrong)]).toEqual([401, 'INVALID_CREDENTIALS']);

  const login = await a.login(alice.username, alice.password);
  expect(login.status).toBe(200);
  expect(field(login, 'tokenType')).toBe('Bearer');
  expect(field(login, 'refreshToken')).toBeUndefined();
  expect(login.setCookies).toHaveLength(1);
  expect(login.setCookies[0]).toMatch(
    /^refresh_token=eyJ[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/,
  );
  expect((await b.login(bob.username, bob.password)).status).toBe(200);

  const me = await a.get('/me');
  expect(me.status).toBe(200);
  expect(me.body).toEqual({ sub: alice.sub, username: 'alice', roles: ['admin'] });
  const anonymous = await a.get('/me', null);
  expect([anonymous.status, errorCode(anonymous)]).toEqual([401, 'TOKEN_MISSING']);

  const forbidden = await b.get('/admin/dashboard');
  expect([forbidden.status, errorCode(forbidden)]).toEqual([403, 'FORBIDDEN']);
  expect(forbidden.challenge).toContain('error="insufficient_scope"');
  const dashboard = await a.get('/admin/dashboard');
  expect(dashboard.status).toBe(200);
  expect(dashboard.body).toEqual({ message: 'Welcome alice, to the admin dashboard' });

  const spent = a.refreshCookie;
  const refreshed = await a.refresh();
  expect(refreshed.status).toBe(200);
  expect(a.refreshCookie).toMatch(/^refresh_token=eyJ/);
  expect(a.refreshCookie).not.toBe(spent);
  expect((await a.get('/me')).status).toBe(200);
  const reused = await a.refresh(spent);
  expect([reused.status, errorCode(reused)]).toEqual([401, 'REFRESH_TOKEN_REUSED']);

  const bobsCookie = b.refreshCookie;
  const bobsToken = b.accessToken;
  const logout = await b.logout();
  expect(logout.status).toBe(204);
  expect(logout.setCookies[0]).toMatch(/^refresh_token=; Max-Age=0;/);
  const afterLogout = await b.refresh(bobsCookie);
  expect([afterLogout.status, errorCode(afterLogout)]).toEqual([401, 'TOKEN_REVOKED']);
  const tokenAfterLogout = await b.get('/me', bobsToken);
  expect([tokenAfterLogout.status, errorCode(tokenAfterLogout)]).toEqual([401, 'TOKEN_REVOKED']);
}

/** The OpenAPI document at `documentPath` describes the token routes and `/me`, and Swagger UI answers at /docs/. */
async function checkDocs(url: string, documentPath: string): Promise<void> {
  const response = await fetch(url + documentPath);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const document = (await response.json()) as {
    openapi?: string;
    paths?: Record<string, Record<string, { security?: unknown }>>;
    components?: { securitySchemes?: Record<string, { type?: string }> };
  };
  expect(document.openapi).toBe('3.1.0');
  expect(document.components?.securitySchemes).toMatchObject({
    bearerAuth: { type: 'http', scheme: 'bearer' },
    oauth2Password: { type: 'oauth2', flows: { password: { tokenUrl: '/auth/token' } } },
  });
  expect(Object.keys(document.paths ?? {})).toEqual(
    expect.arrayContaining(['/auth/login', '/auth/token', '/me', '/admin/dashboard']),
  );
  expect(document.paths?.['/me']?.get?.security).toEqual([{ bearerAuth: [] }, { oauth2Password: [] }]);
  const ui = await fetch(`${url}/docs/`);
  expect(ui.status).toBe(200);
  expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await ui.text()).toMatch(/swagger-ui/i);
}

describe('the framework examples', TEST_TIMEOUT, () => {
  it.each([
    ['express', 'examples/express/server.ts', '/openapi.json'],
    ['fastify', 'examples/fastify/server.ts', '/docs/json'],
    ['koa', 'examples/koa/server.ts', undefined],
    ['nestjs', 'examples/nestjs/server.ts', '/docs-json'],
  ])(
    '%s: answers the whole flow (and serves its Swagger UI, if any), and stops on SIGTERM',
    async (_name, script, documentPath) => {
      const { example, url } = await startExample(script);
      await exerciseApp(url);
      if (documentPath !== undefined) await checkDocs(url, documentPath);
      expect(await example.stop()).toBe(0);
    },
  );

  it('browser: serves the page with a CSP, next to the API', async () => {
    const { example, url } = await startExample('examples/browser/server.ts');
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const script = await fetch(`${url}/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    await exerciseApp(url);
    expect(await example.stop()).toBe(0);
  });
});

/** The Bun and Deno binaries of the pinned npm packages. */
const BUN = fileURLToPath(new URL('../../node_modules/@oven/bun-linux-x64/bin/bun', import.meta.url));
const DENO = fileURLToPath(new URL('../../node_modules/@deno/linux-x64-glibc/deno', import.meta.url));

describe('the Hono example, one file on three runtimes', TEST_TIMEOUT, () => {
  it.each([
    ['Node', () => runScript('examples/hono/server.ts')],
    [
      'Bun',
      () => runCommand(BUN, ['--tsconfig-override', 'examples/tsconfig.json', 'examples/hono/server.ts']),
    ],
    [
      'Deno',
      () => runCommand(DENO, ['run', '-A', '--config', 'examples/hono/deno.json', 'examples/hono/server.ts']),
    ],
  ])('on %s: answers the whole flow and the page, and stops on SIGTERM', async (runtime, start) => {
    const { example, url } = await waitForUrl(start());
    expect(example.output()).toContain(`(${runtime})`);
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    await exerciseApp(url);
    expect(await example.stop()).toBe(0);
  });
});

describe.skipIf(!redisAvailable)('the Redis example', TEST_TIMEOUT, () => {
  let redis: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
  });

  afterAll(async () => {
    await client?.quit();
    await redis?.close();
  });

  afterEach(async () => {
    await client.flushall();
  });

  it('answers the whole flow, with its state in Redis', async () => {
    const { example, url } = await startExample('examples/redis/server.ts', { REDIS_URL: redis.url });
    await exerciseApp(url);
    expect(await client.keys('tokenward:*')).not.toHaveLength(0);
    expect(await example.stop()).toBe(0);
  });

  it('keeps sessions across a restart of the app (same JWT_SECRET, same Redis)', async () => {
    const env = { REDIS_URL: redis.url, JWT_SECRET: 'a-smoke-test-secret-of-at-least-32-bytes!!' };
    const first = await startExample('examples/redis/server.ts', env);
    const session = new Session(first.url);
    expect((await session.login(alice.username, alice.password)).status).toBe(200);
    expect(await first.example.stop()).toBe(0);

    const second = await startExample('examples/redis/server.ts', env);
    const resumed = new Session(second.url);
    resumed.refreshCookie = session.refreshCookie;
    const refreshed = await resumed.refresh();
    expect(refreshed.status).toBe(200);
    expect((await resumed.get('/me')).body).toMatchObject({ username: 'alice' });
    expect(await second.example.stop()).toBe(0);
  });
});

describe('the Redis example without Redis', TEST_TIMEOUT, () => {
  it('exits 1 with a message instead of serving requests it cannot keep', async () => {
    // A port nothing listens on: the connection is refused.
    const example = runScript('examples/redis/server.ts', {
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    const code = await example.exited;
    expect(example.output()).toContain('redis example could not start');
    expect(example.output()).not.toContain('listening on');
    expect(code).toBe(1);
  });
});

describe('the resource-server example', TEST_TIMEOUT, () => {
  it('verifies the issuer tokens through its JWKS, roles included', async () => {
    const example = runScript('examples/resource-server/server.ts', { ISSUER_PORT: '0' });
    const issuerUrl = await example.waitFor(/issuer listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const resourcesUrl = await example.waitFor(/resource server listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const a = new Session(issuerUrl);
    const b = new Session(issuerUrl);
    expect((await a.login(alice.username, alice.password)).status).toBe(200);
    expect((await b.login(bob.username, bob.password)).status).toBe(200);
    const jwks = await a.send('GET', '/.well-known/jwks.json');
    expect(field(jwks, 'keys')).toEqual([
      expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: 'key-1' }),
    ]);
    expect(JSON.stringify(jwks.body)).not.toContain('"d"');

    const resources = new Session(resourcesUrl);
    const reports = await resources.get('/reports', a.accessToken);
    expect(reports.status).toBe(200);
    expect(reports.body).toEqual({ reports: ['q1', 'q2'], for: alice.sub });
    const audit = await resources.get('/reports/audit', b.accessToken);
    expect([audit.status, errorCode(audit)]).toEqual([403, 'FORBIDDEN']);
    expect((await resources.get('/reports/audit', a.accessToken)).status).toBe(200);
    const forged = await resources.get('/reports', `${a.accessToken?.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    const missing = await resources.get('/reports', null);
    expect([missing.status, errorCode(missing)]).toEqual([401, 'TOKEN_MISSING']);
    expect(await example.stop()).toBe(0);
  });

  it('the key-rotation walkthrough exits 0', async () => {
    const walkthrough = runScript('examples/resource-server/rotation.ts');
    const code = await walkthrough.exited;
    expect(walkthrough.output()).toContain('✓ The rotation went as planned.');
    expect(code, walkthrough.output()).toBe(0);
  });
});

describe('the demo', TEST_TIMEOUT, () => {
  it('walks the whole flow and exits 0, in plain text off a terminal', async () => {
    const demo = runScript('examples/demo/run.ts');
    const code = await demo.exited;
    const output = demo.output();
    expect(code, output).toBe(0);
    expect(output).toContain('Welcome alice, to the admin dashboard');
    expect(output).toContain('REFRESH_TOKEN_REUSED');
    // Two devices listed, one ended by the other.
    expect(output).toContain('"label":"Safari on iOS","current":false');
    expect(output).toContain('DELETE /auth/sessions/');
    expect(output).toContain('✓ only the laptop is left');
    expect(output).toContain('✓ Every step behaved as expected.');
    expect(output).not.toContain('✗');
    expect(output).not.toContain('\u001b[');
    // The cookie is shown without its value, and no whole token is printed.
    expect(output).toContain(
      'Set-Cookie: refresh_token=…; Max-Age=604800; Path=/; HttpOnly; SameSite=Strict',
    );
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it('with --serve, keeps the server up for curl until SIGTERM', async () => {
    const demo = runScript('examples/demo/run.ts', {}, ['--serve']);
    const url = await demo.waitFor(/The server stays up on (http:\/\/127\.0\.0\.1:\d+)/);
    expect(demo.output()).toContain(`curl -s -H "authorization: Bearer $TOKEN" ${url}/me`);
    const session = new Session(url);
    expect((await session.login(alice.username, alice.password)).status).toBe(200);
    expect((await session.get('/me')).status).toBe(200);
    expect(await demo.stop()).toBe(0);
  });
});
