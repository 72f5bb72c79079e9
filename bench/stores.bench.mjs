// Refresh rotations and revocation-checked verifications per second, on the memory
// store and on Redis (ioredis and node-redis), with Redis round trips per operation
// counted from INFO commandstats.
//
//   npm run bench -- stores        (through bench/run.mjs, which builds dist/ if missing)
//   node bench/stores.bench.mjs    (needs a built dist/ and redis-server on PATH)
//
// Environment: BENCH_ROUND_MS (default 1500), BENCH_ROUNDS (default 3).
// Each figure is compared with plain verifyToken (no store read) in the same process
// and round, so the ratio says what the store costs, whatever the machine's load.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createAuth, MemoryTokenStore } from '../dist/index.js';
import { RedisTokenStore } from '../dist/redis.js';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS) || 1500;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-bench-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return {
    port,
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Calls per second of `fn`, run sequentially for `ms`. */
async function opsPerSecond(fn, ms) {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 8; i++) await fn();
    ops += 8;
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/**
 * Client round trips so far, from INFO commandstats: the EVALSHA and EVAL calls.
 * Redis also counts the commands a script runs, so those are left out; the store
 * sends nothing but scripts.
 */
async function commandCalls(redis) {
  const text = await redis.info('commandstats');
  const calls = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]] = Number(match[2]);
  return (calls.evalsha ?? 0) + (calls.eval ?? 0);
}

async function measure(name, store, counter) {
  const auth = createAuth({ keys: SECRET, issuer: 'bench', audience: 'bench', store });
  let pair = await auth.issueTokens({ sub: 'user-1', roles: ['admin'] });
  const access = pair.accessToken;
  const rotate = async () => {
    pair = await auth.refresh(pair.refreshToken);
  };
  const verifyChecked = () => auth.verifyToken(access, { checkRevocation: true });
  const verifyPlain = () => auth.verifyToken(access);

  const figures = { refresh: [], checked: [], plain: [] };
  for (let round = 0; round < ROUNDS; round++) {
    figures.plain.push(await opsPerSecond(verifyPlain, ROUND_MS / 2));
    figures.refresh.push(await opsPerSecond(rotate, ROUND_MS));
    figures.checked.push(await opsPerSecond(verifyChecked, ROUND_MS));
    figures.plain.push(await opsPerSecond(verifyPlain, ROUND_MS / 2));
  }
  const plain = median(figures.plain);
  const refresh = median(figures.refresh);
  const checked = median(figures.checked);
  console.log(
    `${name.padEnd(22)} refresh ${fmt(refresh).padStart(7)}/s (${(refresh / plain).toFixed(2)}x plain verify)   ` +
      `verify+revocation ${fmt(checked).padStart(7)}/s (${(checked / plain).toFixed(2)}x plain verify ${fmt(plain)}/s)`,
  );

  if (counter) {
    const operations = {
      refresh: rotate,
      'verify+revocation': verifyChecked,
      'verify refresh token': () => auth.verifyToken(pair.refreshToken, { type: 'refresh' }),
      login: () => auth.issueTokens({ sub: 'user-2' }),
      logout: async () => auth.revoke((await auth.issueTokens({ sub: 'user-3' })).refreshToken),
    };
    const trips = [];
    for (const [label, op] of Object.entries(operations)) {
      const n = 200;
      const before = await commandCalls(counter);
      for (let i = 0; i < n; i++) await op();
      const calls = (await commandCalls(counter)) - before;
      // logout also logs in once per call: subtract that call.
      trips.push(`${label} ${((calls - (label === 'logout' ? n : 0)) / n).toFixed(2)}`);
    }
    console.log(
      `${''.padEnd(22)} Redis round trips (EVALSHA/EVAL) per operation, INFO commandstats: ${trips.join(', ')}`,
    );
  }
}

console.log(
  `tokenward stores — Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} CPUs`,
);
console.log(`${ROUNDS} rounds, ${ROUND_MS} ms per figure and round, sequential awaits (one client)\n`);
await measure('memory', new MemoryTokenStore());
const server = await startRedis();
if (!server) {
  console.log('redis-server not found: Redis figures skipped (apt-get install redis-server)');
} else {
  try {
    const ioredis = new Redis({ port: server.port, host: '127.0.0.1' });
    ioredis.on('error', () => {});
    const ioredisStore = new RedisTokenStore(ioredis);
    // The store sends nothing before the client is connected.
    await ioredisStore.ready();
    await measure('redis (ioredis)', ioredisStore, ioredis);
    const nodeRedis = createClient({ url: `redis://127.0.0.1:${server.port}` });
    await nodeRedis.connect();
    await measure('redis (node-redis)', new RedisTokenStore(nodeRedis), ioredis);
    ioredis.disconnect();
    await nodeRedis.quit();
  } finally {
    server.stop();
  }
}
