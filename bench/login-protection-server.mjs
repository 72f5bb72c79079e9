// The server of bench/login-protection.bench.mjs: `node bench/login-protection-server.mjs`.
// Express with tokenward's token routes and `GET /me` behind `authenticate`, bcrypt cost 10:
//   /flood/login      the flood's target: no throttle, the default cap on password checks
//                     (libuv's thread pool size, queue of 8 times that)
//   /throttled/login  one failed attempt per user name per 15 minutes, for the timing of
//                     throttled answers to known and unknown user names
//   GET /me           the protected route whose latency is measured
//   GET /loop         the event loop's delay since the last /loop (max, p99 in ms), then resets
// Prints one JSON line { port, token } once listening on 127.0.0.1. Uses the built package (dist/).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const express = require('express');
const { createAuth } = await import('../dist/index.js');
const { authenticate, tokenRoutes } = await import('../dist/express.js');
const { hashPassword } = await import('../dist/password.js');

const auth = createAuth({
  keys: 'a-benchmark-secret-of-at-least-32-bytes!!',
  issuer: 'bench',
  audience: 'bench',
});
const token = await auth.createAccessToken({ sub: 'u-bench', roles: ['user'] });
const alice = { sub: 'u-alice', passwordHash: await hashPassword('alice-password', { cost: 10 }) };
const findUser = async (name) => (name === 'alice' ? alice : null);
const common = { findUser, passwordHashCost: 10, cookie: false };

const app = express();
// BENCH_LOGIN_CONCURRENCY sets loginConcurrency.maxConcurrent (default: the library's default).
const maxConcurrent = Number(process.env.BENCH_LOGIN_CONCURRENCY) || undefined;
app.use(
  '/flood',
  tokenRoutes(auth, {
    ...common,
    loginThrottle: false,
    loginConcurrency: maxConcurrent ? { maxConcurrent } : {},
  }),
);
app.use(
  '/throttled',
  tokenRoutes(auth, {
    ...common,
    loginThrottle: { username: { attempts: 1, window: '15m' }, address: false },
  }),
);
app.get('/me', authenticate(auth), (req, res) => {
  res.json({ sub: req.auth.sub });
});
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
app.get('/loop', (_req, res) => {
  const figures = { maxMs: loop.max / 1e6, p99Ms: loop.percentile(99) / 1e6 };
  loop.reset();
  res.json(figures);
});
const server = createServer(app);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, token })}\n`);
});
