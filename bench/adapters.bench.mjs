// What an adapter's `authenticate` costs beyond verifyToken itself, in process, without the
// network: each adapter's middleware (Express), hook (Fastify) and middleware (Koa) is called
// with a request as its framework hands it over (headers, raw headers, protocol), against a
// handwritten middleware that takes the Bearer token and awaits verifyToken. Interleaved
// rounds; the difference per call is the adapter's own work (header parsing, claims on the
// request, the outcome). Over HTTP (bench/http.bench.mjs) the same difference hides in the
// noise; here it is measured.
//
//   npm run bench -- adapters       (through bench/run.mjs, which builds dist/ if missing)
//   node bench/adapters.bench.mjs   (needs a built dist/)
//
// Environment: the harness's (bench/harness.mjs: BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_SLICE_MS,
// BENCH_WARMUP_MS).
import Fastify from 'fastify';
import { authenticate as expressAuthenticate } from '../dist/express.js';
import { tokenward } from '../dist/fastify.js';
import { createAuth } from '../dist/index.js';
import { authenticate as koaAuthenticate } from '../dist/koa.js';
import { configure, describe, interleave, median, printTable, run, settings, spread } from './harness.mjs';

configure({ roundMs: 600 });
console.log(describe('tokenward adapters in process, against a handwritten verifyToken middleware'));

const auth = createAuth({
  keys: 'a-benchmark-secret-of-at-least-32-bytes!!',
  issuer: 'bench',
  audience: 'bench',
});
const token = await auth.createAccessToken({ sub: 'u-bench', roles: ['user'] });
// The headers autocannon sends, as Node parses them.
const headers = {
  host: '127.0.0.1:3000',
  authorization: `Bearer ${token}`,
  'user-agent': 'autocannon',
  accept: '*/*',
};
const rawHeaders = Object.entries(headers).flat();

async function verifyByHand(authorization) {
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return undefined;
  try {
    return await auth.verifyToken(authorization.slice(7));
  } catch {
    return undefined;
  }
}

const expressMiddleware = expressAuthenticate(auth);
const koaMiddleware = koaAuthenticate(auth);
const app = Fastify();
await app.register(tokenward, { auth });
await app.ready();
const fastifyHook = app.authenticate;

function failed() {
  throw new Error('the token was refused');
}

const contenders = {
  handwritten: async () => {
    const req = { headers, rawHeaders };
    const claims = await verifyByHand(req.headers.authorization);
    if (claims === undefined) failed();
    req.auth = claims;
  },
  express: () =>
    new Promise((resolve, reject) => {
      const req = { headers, rawHeaders, secure: false };
      expressMiddleware(req, { status: failed }, (error) => (error ? reject(error) : resolve(req.auth)));
    }),
  fastify: async () => {
    const request = { raw: { headers, rawHeaders }, protocol: 'http', log: console };
    await fastifyHook.call(app, request, { code: failed });
    if (request.auth === undefined) failed();
  },
  koa: async () => {
    const ctx = { req: { headers, rawHeaders }, secure: false, state: {}, set: failed };
    await koaMiddleware(ctx, async () => {});
    if (ctx.state.auth === undefined) failed();
  },
};

// Every contender must accept the token before it is measured.
for (const fn of Object.values(contenders)) await fn();
const names = Object.keys(contenders);
const fns = Object.values(contenders);
await run(() => Promise.all(fns.map((fn) => fn())), settings.warmupMs);

const rounds = names.map(() => []);
for (let r = 0; r < settings.rounds; r++) {
  const rates = await interleave(fns, settings.roundMs, r);
  for (const [i, rate] of rates.entries()) rounds[i].push(rate);
}
const base = median(rounds[0]);
printTable(
  ['middleware', 'calls/s median (min–max)', 'µs per call', 'µs over handwritten', 'ratio'],
  names.map((name, i) => {
    const rate = median(rounds[i]);
    return [
      name,
      spread(rounds[i]),
      (1e6 / rate).toFixed(2),
      i === 0 ? '' : (1e6 / rate - 1e6 / base).toFixed(2),
      i === 0 ? '' : (rate / base).toFixed(3),
    ];
  }),
);
console.log('\nratio = median adapter calls/s / median handwritten calls/s over the same rounds');
await app.close();
