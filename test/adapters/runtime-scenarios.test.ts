/**
 * The Web adapter's share of the scenario table on Bun and Deno: the same app
 * (support/web-app.ts) served by `Bun.serve` and `Deno.serve` from the pinned binaries, run
 * through the table, and compared step by step with the Express app on Node (the reference
 * every adapter answers like).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtures, type Fixtures, type RunningServer, startApp } from './support/apps.js';
import type { RequestSpec } from './support/client.js';
import { runScenario } from './support/compare.js';
import { WEB_UNSERVED_PATHS } from './support/fetch-apps.js';
import { foreignTokens, type Scenario, scenarios } from './support/scenarios.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = 'test/adapters/support/runtime-server.ts';
const RUNTIMES: ReadonlyArray<[string, string, string[]]> = [
  ['Bun', 'node_modules/@oven/bun-linux-x64/bin/bun', [SERVER]],
  [
    'Deno',
    'node_modules/@deno/linux-x64-glibc/deno',
    ['run', '-A', '--config', 'test/adapters/support/deno.json', SERVER],
  ],
];

/**
 * Steps left out off Node: the routes the Web adapter has no construct for, the JWKS route (its
 * key is made per process, so the keys differ from the ones the test process expects), and the
 * 40 KiB header, which each runtime's own HTTP server answers before any adapter runs.
 */
function servedOffNode(request: RequestSpec): boolean {
  if (WEB_UNSERVED_PATHS.includes(request.path) || request.path === '/.well-known/jwks.json') return false;
  const authorization = request.headers?.authorization;
  return typeof authorization !== 'string' || authorization.length < 16_000;
}

let fixtures: Fixtures;
let table: Scenario[];
const observed = new Map<string, Map<string, string>>();

beforeAll(async () => {
  fixtures = await createFixtures();
  table = scenarios(await foreignTokens());
});

const names = scenarios({}).map((scenario) => scenario.name);

describe('Express 5 on Node (the reference)', () => {
  let server: RunningServer;
  let untrusted: RunningServer;
  const answers = new Map<string, string>();
  observed.set('Node', answers);
  beforeAll(async () => {
    server = await startApp('express5', fixtures);
    untrusted = await startApp('express5', fixtures, false);
  });
  afterAll(async () => {
    await server?.close();
    await untrusted?.close();
  });
  it.each(names)('%s', async (name) => {
    const scenario = table.find((s) => s.name === name)!;
    await runScenario(scenario, { url: server.url, untrustedUrl: untrusted.url }, answers, servedOffNode);
  });
});

describe.each(RUNTIMES)('%s', { timeout: 60_000 }, (runtime, binary, args) => {
  let child: ChildProcess;
  let urls: { url: string; untrustedUrl: string; runtime: string };
  const answers = new Map<string, string>();
  observed.set(runtime, answers);

  beforeAll(async () => {
    child = spawn(fileURLToPath(new URL(binary, `file://${ROOT}`)), args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${runtime} exited with ${code}`)));
      createInterface({ input: child.stdout! }).once('line', resolve);
    });
    child.removeAllListeners('exit');
    urls = JSON.parse(line) as typeof urls;
  }, 60_000);
  afterAll(() => {
    child?.kill();
  });

  it.each(names)('%s', async (name) => {
    expect(urls.runtime).toBe(runtime);
    const scenario = table.find((s) => s.name === name)!;
    await runScenario(scenario, urls, answers, servedOffNode);
  });

  it('reported the server faults and the failing findUser instead of leaking them', async () => {
    const reported = (await (await fetch(`${urls.url}/__reported`)).json()) as {
      serverFaults: string[];
      internalErrors: number;
    };
    expect(reported.serverFaults.sort()).toEqual(['CONFIG_INVALID', 'CONFIG_INVALID', 'not an AuthError']);
    expect(reported.internalErrors).toBe(1);
  });
});

describe('every runtime', () => {
  it('answered every step with the same status, error code, message, challenge and cookies as Express on Node', () => {
    const reference = Object.fromEntries(observed.get('Node')!);
    expect(Object.keys(reference).length).toBeGreaterThan(50);
    for (const [runtime] of RUNTIMES)
      expect(Object.fromEntries(observed.get(runtime)!), runtime).toEqual(reference);
  });
});
