// Sessions: listSessions for a subject with 50 sessions, on the memory store and on
// Redis (ioredis), with Redis round trips per call counted from INFO commandstats; and
// what the session check (`sid`) adds to a revocation-checked verification.
//
//   npm run bench -- sessions        (through bench/run.mjs, which builds dist/ if missing)
//   node bench/sessions.bench.mjs    (needs a built dist/ and redis-server on PATH)
//
// Environment: BENCH_ROUND_MS (default 1500), BENCH_ROUNDS (default 3).
// Every figure is a ratio to plain verifyToken (no store read) measured in the same
// process and round, so it says what the store work costs whatever the machine's load.
import { Redis } from 'ioredis';
import { createAuth, MemoryTokenStore } from '../dist/index.js';
import { RedisTokenStore } from '../dist/redis.js';
import { fmt, machine, median, opsPerSecond } from './harness.mjs';
import { scriptCalls, startRedis } from './redis-server.mjs';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS) || 1500;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const SESSIONS = 50;

async function measure(name, store, counter) {
  const auth = createAuth({ keys: SECRET, issuer: 'bench', audience: 'bench', store });
  const subject = `bench-${Math.random().toString(36).slice(2)}`;
  let withSid;
  for (let i = 0; i < SESSIONS; i++) {
    withSid = (await auth.issueTokens({ sub: subject }, { session: { label: `Device ${i}` } })).accessToken;
  }
  if ((await auth.listSessions(subject)).length !== SESSIONS)
    throw new Error('the sessions were not all listed');
  // The same subject's token without a session: what the revocation check cost before sid.
  const withoutSid = await auth.createAccessToken({ sub: subject });
  const plain = () => auth.verifyToken(withSid);
  const list = () => auth.listSessions(subject);
  const checkedSid = () => auth.verifyToken(withSid, { checkRevocation: true });
  const checkedNoSid = () => auth.verifyToken(withoutSid, { checkRevocation: true });

  const figures = { plain: [], list: [], sid: [], noSid: [] };
  for (let round = 0; round < ROUNDS; round++) {
    figures.plain.push(await opsPerSecond(plain, ROUND_MS / 2));
    figures.list.push(await opsPerSecond(list, ROUND_MS));
    // Alternated within the round, so that neither gets the quieter moment.
    figures.noSid.push(await opsPerSecond(checkedNoSid, ROUND_MS / 2));
    figures.sid.push(await opsPerSecond(checkedSid, ROUND_MS));
    figures.noSid.push(await opsPerSecond(checkedNoSid, ROUND_MS / 2));
    figures.plain.push(await opsPerSecond(plain, ROUND_MS / 2));
  }
  const base = median(figures.plain);
  const listing = median(figures.list);
  const sid = median(figures.sid);
  const noSid = median(figures.noSid);
  console.log(
    `${name.padEnd(16)} listSessions (${SESSIONS}) ${fmt(listing).padStart(7)}/s (${(listing / base).toFixed(3)}x plain verify ${fmt(base)}/s)`,
  );
  console.log(
    `${''.padEnd(16)} verify+revocation with sid ${fmt(sid).padStart(7)}/s, without ${fmt(noSid).padStart(7)}/s: sid costs ${((1 - sid / noSid) * 100).toFixed(1)}%`,
  );
  if (counter) {
    const trips = [];
    for (const [label, op] of [
      ['listSessions', list],
      ['verify+revocation with sid', checkedSid],
      ['without sid', checkedNoSid],
    ]) {
      const n = 200;
      const before = await scriptCalls(counter);
      for (let i = 0; i < n; i++) await op();
      trips.push(`${label} ${((await scriptCalls(counter)) - before) / n}`);
    }
    console.log(`${''.padEnd(16)} Redis round trips per call (INFO commandstats): ${trips.join(', ')}`);
  }
}

console.log(`tokenward sessions — Node ${machine().node}, ${machine().cpu}, ${machine().cpus} CPUs`);
console.log(`${ROUNDS} rounds, ${ROUND_MS} ms per figure and round, sequential awaits (one client)\n`);
await measure('memory', new MemoryTokenStore());
const server = await startRedis();
if (!server) {
  console.log('redis-server not found: Redis figures skipped (apt-get install redis-server)');
} else {
  try {
    const ioredis = new Redis({ port: server.port, host: '127.0.0.1' });
    ioredis.on('error', () => {});
    const store = new RedisTokenStore(ioredis);
    await store.ready();
    await measure('redis (ioredis)', store, ioredis);
    ioredis.disconnect();
  } finally {
    server.stop();
  }
}
