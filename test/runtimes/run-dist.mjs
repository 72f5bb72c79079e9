// Run by Bun and Deno (test/runtimes/bun-deno.test.ts): the core contract and password
// hashing against the built package, as an app on that runtime imports it. Prints one
// JSON line with what was checked; any failure exits non-zero with the error.
//
//   <runtime> test/runtimes/run-dist.mjs        node:crypto path (as the runtime offers it)
//   <runtime> test/runtimes/run-dist.mjs web    Web Crypto path: process.getBuiltinModule and
//                                               Buffer hidden before tokenward loads, as on workerd
import { ALGORITHMS, runContract, runPasswordContract } from './contract.mjs';

const web = process.argv.includes('web');
if (web) {
  globalThis.process.getBuiltinModule = undefined;
  globalThis.Buffer = undefined;
}
const tokenward = await import('../../dist/index.js');

const results = [];
for (const alg of ALGORITHMS) {
  const { checks, kid } = await runContract(tokenward, alg);
  results.push({ alg, kid, checks });
}
// bcrypt is a native module: its binding needs the runtime's Buffer.
const passwordChecks = web ? [] : await runPasswordContract(await import('../../dist/password.js'));
// tokenward/redis through ioredis, when a server is given: rotation and replay on Redis.
let redis = [];
if (process.env.REDIS_URL) {
  const { default: Redis } = await import('ioredis');
  const { RedisTokenStore } = await import('../../dist/redis.js');
  const client = new Redis(process.env.REDIS_URL);
  await new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  let now = Date.UTC(2030, 0, 1);
  const auth = tokenward.createAuth({
    keys: 'redis-runtime-secret-redis-runtime-secret',
    issuer: 'https://issuer.test',
    audience: 'api',
    store: new RedisTokenStore(client),
    refreshReuseGrace: 0,
    clock: () => now,
  });
  const codeOf = (promise) =>
    promise.then(
      () => 'resolved',
      (error) => error.code,
    );
  const pair = await auth.issueTokens({ sub: 'u1' });
  now += 1000;
  const next = await auth.refresh(pair.refreshToken);
  now += 1000;
  redis = [await codeOf(auth.refresh(pair.refreshToken)), await codeOf(auth.refresh(next.refreshToken))];
  client.disconnect();
}
// Which path tokenward took: node:crypto where process.getBuiltinModule finds it.
const nodeCrypto = typeof globalThis.process?.getBuiltinModule?.('node:crypto')?.createHmac === 'function';
console.log(JSON.stringify({ results, password: passwordChecks, redis, nodeCrypto }));
