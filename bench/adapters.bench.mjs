// What an adapter's `authenticate` costs beyond verifyToken itself, in process, without the
// network: each adapter's middleware (Express), hook (Fastify) and middleware (Koa) is called
// with a request as its framework hands it over (headers, raw headers, protocol), against a
// handwritten middleware that takes the Bearer token and awaits verifyToken. Interleaved
// rounds; the difference per call is the adapter's own work (header parsing, claims on the
// request, the outcome). Over HTTP (bench/http.bench.mjs) the same difference hides in the
// noise; here it is measured. The peers' middlewares run the same way, for the same token:
// express-jwt (KeyObject secret) and koa-jwt.
//
// Calls run IN_FLIGHT (16) at a time, as a loaded server has several requests between two turns
// of its event loop: the Express adapter and express-jwt hand over to the route through
// setImmediate, and one call at a time would charge each call a whole event-loop turn that a
// server shares among all the requests of one poll. Rates are calls per second.
//
//   npm run bench -- adapters       (through bench/run.mjs, which builds dist/ if missing)
//   node bench/adapters.bench.mjs   (needs a built dist/)
//
// Environment: the harness's (bench/harness.mjs: BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_SLICE_MS,
// BENCH_WARMUP_MS).
import { createSecretKey } from 'node:crypto';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import { authenticate as expressAuthenticate } from '../dist/express.js';
import { tokenward } from '../dist/fastify.js';
import { createAuth } from '../dist/index.js';
import { authenticate as koaAuthenticate } from '../dist/koa.js';
import {
  configure,
  describe,
  interleave,
  median,
  pairedRatio,
  printTable,
  run,
  settings,
  spread,
  verifyBearerByHand,
} from './harness.mjs';

configure({ roundMs: 600 });
console.log(describe('tokenward adapters in process, against a handwritten verifyToken middleware'));

const require = createRequire(import.meta.url);
const { expressjwt } = require('express-jwt');
const koaJwt = require('koa-jwt');

const SECRET = 'a-benchmark-secret-of-at-least-32-bytes!!';
const auth = createAuth({ keys: SECRET, issuer: 'bench', audience: 'bench' });
const peerOptions = {
  secret: createSecretKey(Buffer.from(SECRET, 'utf8')),
  algorithms: ['HS256'],
  issuer: 'bench',
  audience: 'bench',
};
const expressJwtMiddleware = expressjwt(peerOptions);
const koaJwtMiddleware = koaJwt(peerOptions);
const token = await auth.createAccessToken({ sub: 'u-bench', roles: ['user'] });
// The headers autocannon sends, as Node parses them.
const headers = {
  host: '127.0.0.1:3000',
  authorization: `Bearer ${token}`,
  'user-agent': 'autocannon',
  accept: '*/*',
};
const rawHeaders = Object.entries(headers).flat();

const expressMiddleware = expressAuthenticate(auth);
const koaMiddleware = koaAuthenticate(auth);
const app = Fastify();
await app.register(tokenward, { auth });
await app.ready();
const fastifyHook = app.authenticate;

const IN_FLIGHT = 16;

function failed() {
  throw new Error('the token was refused');
}

const contenders = {
  handwritten: async () => {
    const req = { headers, rawHeaders };
    const claims = await verifyBearerByHand(auth, req.headers.authorization);
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
  'express-jwt': () =>
    new Promise((resolve, reject) => {
      const req = { headers, rawHeaders };
      expressJwtMiddleware(req, {}, (error) => (error ? reject(error) : resolve(req.auth)));
    }),
  'koa-jwt': async () => {
    const ctx = { header: headers, headers, request: { headers }, cookies: { get() {} }, state: {} };
    await koaJwtMiddleware(ctx, async () => {});
    if (ctx.state.user === undefined) failed();
  },
};

// Every contender must accept the token before it is measured.
for (const fn of Object.values(contenders)) await fn();
await run(() => Promise.all(Object.values(contenders).map((fn) => fn())), settings.warmupMs);

/** Interleaved rounds of the named contenders; answers their rates per round, by name. */
async function measure(names) {
  const fns = names.map((name) => {
    const call = contenders[name];
    return () => Promise.all(Array.from({ length: IN_FLIGHT }, call));
  });
  const rounds = names.map(() => []);
  for (let r = 0; r < settings.rounds; r++) {
    const rates = await interleave(fns, settings.roundMs, r);
    for (const [i, rate] of rates.entries()) rounds[i].push(rate * IN_FLIGHT);
  }
  return new Map(names.map((name, i) => [name, rounds[i]]));
}

/** Prints each contender against the first: rate, µs per call, µs more, ratio. */
function report(results) {
  const [baseName, baseRounds] = [...results][0];
  const base = median(baseRounds);
  printTable(
    ['middleware', 'calls/s median (min–max)', 'µs per call', `µs over ${baseName}`, `ratio to ${baseName}`],
    [...results].map(([name, rounds]) => {
      const rate = median(rounds);
      const first = name === baseName;
      return [
        name,
        spread(rounds),
        (1e6 / rate).toFixed(2),
        first ? '' : (1e6 / rate - 1e6 / base).toFixed(2),
        first ? '' : (rate / base).toFixed(3),
      ];
    }),
  );
}

// Two runs, so that the peers' allocations (and their garbage collections) do not land in
// the slices of the adapter-versus-handwritten comparison.
console.log('\nthe adapters against a handwritten middleware');
report(await measure(['handwritten', 'express', 'fastify', 'koa']));
console.log('\nratio = median calls/s / median calls/s of the first row, over the same rounds');

console.log('\nthe adapters against the peer middlewares, in one run');
const peers = await measure(['express', 'express-jwt', 'koa', 'koa-jwt']);
printTable(
  ['tokenward', 'calls/s', 'peer', 'calls/s', 'tokenward / peer (rounds)'],
  [
    ['express', 'express-jwt'],
    ['koa', 'koa-jwt'],
  ].map(([ours, theirs]) => {
    const perRound = peers.get(ours).map((rate, r) => (rate / peers.get(theirs)[r]).toFixed(2));
    return [
      ours,
      spread(peers.get(ours)),
      theirs,
      spread(peers.get(theirs)),
      `${pairedRatio(peers.get(ours), peers.get(theirs)).toFixed(2)} (${perRound.join(' ')})`,
    ];
  }),
);
await app.close();
