/**
 * The built package on Bun and Deno (the binaries the pinned npm packages
 * `@oven/bun-linux-x64` and `@deno/linux-x64-glibc` ship): the core contract for
 * every algorithm, on the node:crypto path each runtime offers and on its Web
 * Crypto path, password hashing through tokenward/password (napi), and rotation
 * on tokenward/redis with ioredis against a real redis-server. Never skipped: a
 * missing binary fails (redis-server too, under CI=true).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from '../support/dist.js';
import { type RedisServer, redisAvailable, startRedisServer } from '../support/redis-server.js';
import { expectContract } from './expect-contract.js';

const RUNTIMES = {
  Bun: { binary: join(ROOT, 'node_modules/@oven/bun-linux-x64/bin/bun'), args: [] as string[] },
  Deno: { binary: join(ROOT, 'node_modules/@deno/linux-x64-glibc/deno'), args: ['run', '--allow-all'] },
};

interface Outcome {
  results: { alg: string; kid: string; checks: string[] }[];
  password: string[];
  redis: string[];
  nodeCrypto: boolean;
}

let redis: RedisServer | undefined;
beforeAll(async () => {
  await ensureBuilt();
  if (redisAvailable) redis = await startRedisServer();
}, BUILD_TIMEOUT_MS);
afterAll(() => redis?.close());

describe.each(Object.entries(RUNTIMES))('the built package on %s', (_name, runtime) => {
  it('has its binary installed (npm ci installs it)', () => {
    expect(existsSync(runtime.binary)).toBe(true);
  });

  it('keeps the core contract for every algorithm on node:crypto, and hashes passwords', async () => {
    const outcome = await runScript(runtime, false);
    expect(outcome.nodeCrypto).toBe(true);
    expectContract(outcome.results);
    expect(outcome.password).toEqual(['hash', 'verify']);
  }, 120_000);

  it.skipIf(!redisAvailable)(
    'rotates on tokenward/redis (ioredis) against a real redis-server: a replay is refused, its family revoked',
    async () => {
      const outcome = await runScript(runtime, false, { REDIS_URL: redis!.url });
      expect(outcome.redis).toEqual(['REFRESH_TOKEN_REUSED', 'TOKEN_REVOKED']);
    },
    120_000,
  );

  it('keeps it on Web Crypto too, with process.getBuiltinModule and Buffer hidden', async () => {
    const outcome = await runScript(runtime, true);
    expect(outcome.nodeCrypto).toBe(false);
    expectContract(outcome.results);
  }, 120_000);
});

function runScript(
  runtime: { binary: string; args: string[] },
  web: boolean,
  env: Record<string, string> = {},
): Promise<Outcome> {
  const script = join(ROOT, 'test/runtimes/run-dist.mjs');
  return new Promise((resolve, reject) => {
    execFile(
      runtime.binary,
      [...runtime.args, script, ...(web ? ['web'] : [])],
      {
        cwd: ROOT,
        timeout: 120_000,
        env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${runtime.binary} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome);
      },
    );
  });
}
