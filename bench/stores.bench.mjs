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
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createAuth, MemoryTokenStore } from '../dist/index.js';
import { RedisTokenStore } from '../dist/redis.js';
import { fmt, machine, median, opsPerSecond } from './harness.mjs';
import { scriptCalls, startRedis } from './redis-server.mjs';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS) || 1500;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';

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
      const before = await scriptCalls(counter);
      for (let i = 0; i < n; i++) await op();
      const calls = (await scriptCalls(counter)) - before;
      // logout also logs in once per call: subtract that call.
      trips.push(`${label} ${((calls - (label === 'logout' ? n : 0)) / n).toFixed(2)}`);
    }
    console.log(
      `${''.padEnd(22)} Redis round trips (EVALSHA/EVAL) per operation, INFO commandstats: ${trips.join(', ')}`,
    );
  }
}

console.log(`tokenward stores — Node ${machine().node}, ${machine().cpu}, ${machine().cpus} CPUs`);
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
