// HTTP: tokenward's adapters against each framework's usual JWT middleware, and tail latency
// under login load. Servers run in their own processes (bench/http-peers-server.mjs) on
// 127.0.0.1; autocannon runs here.
//
// 1. Throughput, GET /data: for Fastify, Express and Koa, unprotected ("open"), behind
//    tokenward's adapter, and behind the peer middleware (@fastify/jwt, express-jwt with a
//    KeyObject secret, koa-jwt), and for Hono on @hono/node-server behind tokenward/hono and
//    behind hono's own `jwt` middleware; and NestJS on its Express and Fastify platforms, behind
//    TokenwardGuard and behind @nestjs/passport's AuthGuard('jwt') with passport-jwt. All servers start first and stay up; each round measures
//    every server once, frameworks and modes in a rotating order, so that a slow moment of
//    the (shared) machine hits them alike. Figures: median and min–max of the rounds.
// 2. Paired: the same comparison with the two servers of a framework (tokenward, peer) pinned
//    to one CPU and loaded at the same time (autocannon pinned to the other CPUs): each gets
//    about half of that CPU, so the requests each serves measure its cost per request, and a
//    slow moment of the machine hits both alike. Each server's CPU time (process.cpuUsage over
//    IPC) divided by the requests it served gives microseconds per request. A fresh pair per
//    round, started in alternating order (the second-started server of two identical ones came
//    out about 2 % cheaper). Needs Linux's taskset and two CPUs; skipped otherwise.
// 3. Tail latency: p99 of GET /data on Fastify, sent at a steady rate (open loop), while
//    bursts of bcrypt logins (cost 10, 4 at once, once a second) run on the same server,
//    against its p99 without logins; for
//    tokenward's adapter (synchronous verification) and for a jose jwtVerify hook (every
//    verification goes through the thread pool, like tokenward before its fast path).
//    The tail servers run with UV_THREADPOOL_SIZE=1 (--pool): bcrypt then takes at most one
//    of this machine's two cores, as it takes a few of a production server's many. With the
//    default 4 threads on 2 cores, bcrypt starves the event loop itself, whatever the path.
//    The logins come from a process of their own (bench/login-load.mjs), so that the process
//    timing the requests does nothing else. The control: the tokenward server's p99 while
//    the same bcrypt verifications run in that other process and no login reaches the
//    server; where it rises as much as with the logins, the machine, not the server's
//    thread pool, moved the p99.
//
//   npm run bench -- http-peers        (through bench/run.mjs, which builds dist/ if missing)
//   node bench/http-peers.bench.mjs [--duration 2] [--rounds 5] [--connections 20]
//        [--paired-rounds 6] [--paired-duration 3]
//        [--tail-rounds 5] [--tail-duration 10] [--tail-rate 1000] [--burst 4] [--burst-every 1000] [--pool 1]
//        [--skip-tail] [--skip-throughput] [--skip-paired]
//        [--frameworks fastify,express,koa,hono,nest-express,nest-fastify]   (a subset; default all)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { describe, machine, median, pairedRatio } from './harness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const duration = option('duration', 2);
const rounds = option('rounds', 5);
// Windows of 10 s, 5 rounds: one VM stall of some tens of milliseconds sets the p99 of a
// window of 4,000 requests by itself, and 3 or 7 rounds of 4 s windows gave medians from
// 0.76 to 3.13 for the same code. 10,000 requests per window narrow it, but single rounds
// still spread about 0.6–2.0 here; docs/benchmarks.md's figures use --tail-rounds 9.
const tailRounds = option('tail-rounds', 5);
const connections = option('connections', 20);
const tailDuration = option('tail-duration', 10);
const tailRate = option('tail-rate', 1000);
const burst = option('burst', 4);
const pool = option('pool', 1);
const burstEvery = option('burst-every', 1000);
const pairedRounds = option('paired-rounds', 6);
const pairedDuration = option('paired-duration', 3);
const ALL_FRAMEWORKS = ['fastify', 'express', 'koa', 'hono', 'nest-express', 'nest-fastify'];
const frameworksIndex = args.indexOf('--frameworks');
const FRAMEWORKS = frameworksIndex === -1 ? ALL_FRAMEWORKS : args[frameworksIndex + 1].split(',');
for (const framework of FRAMEWORKS) {
  if (!ALL_FRAMEWORKS.includes(framework)) {
    console.error(`bench/http-peers: unknown framework ${framework} (${ALL_FRAMEWORKS.join(', ')})`);
    process.exit(2);
  }
}
const MODES = ['open', 'tokenward', 'peer'];
const PEER = {
  fastify: '@fastify/jwt',
  express: 'express-jwt',
  koa: 'koa-jwt',
  hono: "hono's jwt (hono/jwt)",
  'nest-express': '@nestjs/passport + passport-jwt',
  'nest-fastify': '@nestjs/passport + passport-jwt',
};
const serverScript = fileURLToPath(new URL('./http-peers-server.mjs', import.meta.url));

if (!existsSync(new URL('../dist/nestjs.js', import.meta.url))) {
  console.error('bench/http-peers: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill();
});

/**
 * Spawns a helper process and waits for its first line of output (it is ready then);
 * answers the child, its first line and the reader of the lines that follow.
 */
function spawnReady(name, command, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), options);
    children.add(child);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      child.removeAllListeners('exit');
      resolve({ child, line, lines });
    });
  });
}

/** Starts a server process; with `cpu`, pinned to that CPU (taskset) and with an IPC channel. */
async function startServer(framework, mode, env = {}, cpu = undefined) {
  const command = [process.execPath, serverScript, framework, mode];
  if (cpu !== undefined) command.unshift('taskset', '-c', String(cpu));
  const { child, line } = await spawnReady(`server ${framework}/${mode}`, command, {
    stdio: ['ignore', 'pipe', 'inherit', ...(cpu === undefined ? [] : ['ipc'])],
    env: { ...process.env, ...env },
  });
  return { child, ...JSON.parse(line) };
}

function stop(server) {
  children.delete(server.child);
  server.child.kill();
}

async function load(server, seconds, extra = {}) {
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/data`,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${server.token}` },
    ...extra,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${server.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const range = (values) => `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;

async function throughput() {
  const servers = [];
  for (const framework of FRAMEWORKS) {
    for (const mode of MODES) {
      const server = await startServer(framework, mode);
      servers.push({ ...server, framework, mode, name: `${framework}/${mode}`, rates: [] });
    }
  }
  try {
    // One warm-up per server: the JIT and the connections settle before anything counts.
    for (const server of servers) await load(server, 1);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < servers.length; i++) {
        const server = servers[(i + round * 4) % servers.length];
        server.rates.push((await load(server, duration)).requests.average);
      }
      console.log(`  throughput round ${round + 1}/${rounds} done`);
    }
  } finally {
    for (const server of servers) stop(server);
  }
  const rows = [];
  const missed = [];
  for (const framework of FRAMEWORKS) {
    const of = (mode) => servers.find((s) => s.framework === framework && s.mode === mode).rates;
    const [open, own, peer] = MODES.map(of);
    const ratio = pairedRatio(own, peer);
    const perRound = own.map((v, k) => v / peer[k]);
    if (ratio < 1) missed.push(`${framework}: tokenward / ${PEER[framework]} = ${ratio.toFixed(2)} < 1.0`);
    rows.push({
      framework,
      'open req/s': range(open),
      'tokenward req/s': range(own),
      'peer req/s': `${range(peer)} ${PEER[framework]}`,
      'tokenward / peer': `${ratio.toFixed(2)} (rounds ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)})`,
      'tokenward / open': pairedRatio(own, open).toFixed(2),
      'peer / open': pairedRatio(peer, open).toFixed(2),
    });
  }
  console.table(rows);
  return { rows, missed, raw: servers.map(({ name, rates }) => ({ name, rates })) };
}

/** The CPU time (user + system, µs) the server process has used so far. */
function cpuTime(server) {
  return new Promise((resolve) => {
    server.child.once('message', ({ cpuUsage }) => resolve(cpuUsage.user + cpuUsage.system));
    server.child.send('cpu-usage');
  });
}

/** Pins this process to every CPU but the first, where the paired servers run; false if it cannot. */
function pinLoadGenerator() {
  if (process.platform !== 'linux' || availableParallelism() < 2) return false;
  return setAffinity(`1-${availableParallelism() - 1}`);
}

/** Gives this process every CPU back, so that the runs after the paired one are not confined. */
function unpinLoadGenerator() {
  setAffinity(`0-${availableParallelism() - 1}`);
}

function setAffinity(cpus) {
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]).status === 0;
}

async function paired() {
  const results = FRAMEWORKS.map((framework) => ({ framework, own: [], peer: [], served: [] }));
  for (let round = 0; round < pairedRounds; round++) {
    for (const result of results) {
      const order = round % 2 === 0 ? ['tokenward', 'peer'] : ['peer', 'tokenward'];
      const servers = [];
      for (const mode of order) {
        const server = await startServer(result.framework, mode, {}, 0);
        servers.push({ ...server, mode, name: `${result.framework}/${mode} (paired)` });
      }
      try {
        // Both at once, as measured, so that the JIT and the connections settle first.
        const half = Math.max(1, Math.round(connections / 2));
        await Promise.all(servers.map((server) => load(server, 2, { connections: half })));
        const before = await Promise.all(servers.map(cpuTime));
        const loads = await Promise.all(
          servers.map((server) => load(server, pairedDuration, { connections: half })),
        );
        const after = await Promise.all(servers.map(cpuTime));
        const perRequest = {};
        const served = {};
        servers.forEach((server, i) => {
          served[server.mode] = loads[i].requests.total;
          perRequest[server.mode] = (after[i] - before[i]) / loads[i].requests.total;
        });
        result.own.push(perRequest.tokenward);
        result.peer.push(perRequest.peer);
        result.served.push(served.tokenward / served.peer);
      } finally {
        for (const server of servers) stop(server);
      }
    }
    console.log(`  paired round ${round + 1}/${pairedRounds} done`);
  }
  const rows = [];
  const missed = [];
  for (const { framework, own, peer, served } of results) {
    const costRatios = own.map((value, k) => peer[k] / value);
    const ratio = pairedRatio(peer, own);
    if (ratio < 1)
      missed.push(`paired ${framework}: ${PEER[framework]} µs / tokenward µs = ${ratio.toFixed(2)} < 1.0`);
    const us = (values) =>
      `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
    rows.push({
      framework,
      'tokenward µs/req': us(own),
      'peer µs/req': `${us(peer)} ${PEER[framework]}`,
      'peer µs / tokenward µs': `${ratio.toFixed(2)} (rounds ${costRatios.map((r) => r.toFixed(2)).join(' ')})`,
      'tokenward / peer requests': median(served).toFixed(2),
    });
  }
  console.table(rows);
  return { rows, missed, raw: results };
}

/**
 * Sends GET /data at a steady `tailRate` per second for `seconds` (open loop: a slow answer
 * does not slow the sending) and answers the latencies in milliseconds, measured with
 * microsecond resolution from the moment each request is handed to the agent.
 */
function paced(server, seconds) {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const headers = { authorization: `Bearer ${server.token}` };
  const total = Math.round(tailRate * seconds);
  const latencies = [];
  let sent = 0;
  let failed = 0;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const send = () => {
      const began = performance.now();
      const req = httpRequest(
        { host: '127.0.0.1', port: server.port, path: '/data', agent, headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - began);
            else failed += 1;
            done();
          });
        },
      );
      req.on('error', () => {
        failed += 1;
        done();
      });
      req.end();
    };
    const done = () => {
      if (latencies.length + failed < total) return;
      agent.destroy();
      if (failed > 0) reject(new Error(`${server.name}: ${failed} requests failed`));
      else resolve(latencies);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * tailRate) / 1000));
      while (sent < due) {
        sent += 1;
        send();
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

function percentiles(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: sorted[sorted.length - 1] };
}

const loginLoadScript = fileURLToPath(new URL('./login-load.mjs', import.meta.url));

/**
 * Starts `burst` bcrypt logins at once every `burstEvery` ms, from a process of its own:
 * POSTed to the server's /login, or, without a server (the control), verified in that
 * process itself. Answers a function that stops it and answers how many succeeded.
 */
async function loginLoad(server) {
  const command = [process.execPath, loginLoadScript, String(burst), String(burstEvery)];
  if (server !== undefined) command.push(`http://127.0.0.1:${server.port}/login`);
  const { child, lines } = await spawnReady('login-load', command, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, UV_THREADPOOL_SIZE: String(pool) },
  });
  return () =>
    new Promise((done, fail) => {
      lines.once('line', (line) => {
        children.delete(child);
        const { completed, failed } = JSON.parse(line);
        if (failed > 0) fail(new Error(`${server?.name ?? 'login-load'}: ${failed} logins failed`));
        else done(completed);
      });
      child.kill('SIGTERM');
    });
}

async function tail() {
  const servers = [];
  for (const mode of ['tokenward', 'jose']) {
    const server = await startServer('tail', mode, { UV_THREADPOOL_SIZE: String(pool) });
    servers.push({ ...server, mode, name: `tail/${mode}`, quiet: [], busy: [], elsewhere: [] });
  }
  try {
    for (const server of servers) await paced(server, 1);
    // One window of `tailDuration` s each: with no logins; with logins on the server; for
    // tokenward also the control (the same bcrypt work in another process, no login on this
    // server). Their order rotates every round, so that the machine's drift within a round
    // favours none of them.
    const withLogins = async (server, target) => {
      const stopLogins = await loginLoad(target);
      const window = percentiles(await paced(server, tailDuration));
      const logins = await stopLogins();
      return target === undefined ? window : { ...window, logins };
    };
    const windows = {
      quiet: async (server) => percentiles(await paced(server, tailDuration)),
      busy: (server) => withLogins(server, server),
      elsewhere: (server) => withLogins(server, undefined),
    };
    for (let round = 0; round < tailRounds; round++) {
      for (let i = 0; i < servers.length; i++) {
        const server = servers[(i + round) % servers.length];
        const names = ['quiet', 'busy'];
        if (server.mode === 'tokenward') names.push('elsewhere');
        for (let k = 0; k < names.length; k++) {
          const name = names[(k + round) % names.length];
          server[name].push(await windows[name](server));
        }
      }
      console.log(`  tail round ${round + 1}/${tailRounds} done`);
    }
  } finally {
    for (const server of servers) stop(server);
  }
  const ms = (values) => median(values).toFixed(2);
  /** A row: the loaded windows' percentiles against the same rounds' quiet ones. */
  const row = (path, quiet, loaded) => {
    // Each round's loaded p99 against the same round's quiet p99, as the throughput ratios pair rounds.
    const ratio = pairedRatio(
      loaded.map((l) => l.p99),
      quiet.map((l) => l.p99),
    );
    return {
      ratio,
      row: {
        path,
        'p50 ms, no logins': ms(quiet.map((l) => l.p50)),
        'p99 ms, no logins': ms(quiet.map((l) => l.p99)),
        'p50 ms, loaded': ms(loaded.map((l) => l.p50)),
        'p99 ms, loaded': ms(loaded.map((l) => l.p99)),
        'p99.9 ms, loaded': ms(loaded.map((l) => l.p999)),
        'p99 ratio (median of rounds)': ratio.toFixed(2),
        'p99 per round': loaded.map((l, k) => (l.p99 / quiet[k].p99).toFixed(2)).join(' '),
        // Logins the server answered per round (the control sends none).
        'logins/round': loaded[0]?.logins === undefined ? '' : median(loaded.map((l) => l.logins)),
      },
    };
  };
  const rows = [];
  const missed = [];
  for (const server of servers) {
    const own = server.mode === 'tokenward';
    const logins = row(
      own ? 'tokenward (fast path), logins' : 'jose jwtVerify hook, logins',
      server.quiet,
      server.busy,
    );
    if (own && logins.ratio > 1.2)
      missed.push(`tail: tokenward p99 with logins / without = ${logins.ratio.toFixed(2)} > 1.2`);
    rows.push(logins.row);
    if (own)
      rows.push(
        row('tokenward, the same bcrypt load in another process', server.quiet, server.elsewhere).row,
      );
  }
  console.table(rows);
  return {
    rows,
    missed,
    raw: servers.map(({ name, quiet, busy, elsewhere }) => ({ name, quiet, busy, elsewhere })),
  };
}

console.log(describe('bench/http-peers').split('\n')[0]);
console.log(
  `throughput: ${rounds} rounds of ${duration} s per server, ${connections} connections; ` +
    `tail: ${tailRounds} rounds of ${tailRate} req/s for ${tailDuration} s, bursts of ${burst} bcrypt logins every ${burstEvery} ms, ` +
    `UV_THREADPOOL_SIZE=${pool}`,
);
const report = { machine: machine() };
const missed = [];
if (!args.includes('--skip-throughput')) {
  console.log('\nthroughput, GET /data (req/s: median (min–max) of the rounds)');
  report.throughput = await throughput();
  missed.push(...report.throughput.missed);
}
if (!args.includes('--skip-paired')) {
  console.log('\npaired: tokenward and the peer on one CPU at once (CPU µs per request: median (min–max))');
  if (pinLoadGenerator()) {
    try {
      report.paired = await paired();
    } finally {
      // Left on one CPU, this process (the tail's load generator) would queue behind bcrypt
      // there: the full suite's tail runs measured p99 ratios of 2.1–3.1 that way.
      unpinLoadGenerator();
    }
    missed.push(...report.paired.missed);
  } else {
    console.log('  skipped: needs Linux taskset and at least two CPUs');
  }
}
if (!args.includes('--skip-tail')) {
  console.log('\ntail latency of GET /data (Fastify), without and with concurrent bcrypt logins');
  report.tail = await tail();
  missed.push(...report.tail.missed);
}
console.log(missed.length > 0 ? `targets missed:\n  ${missed.join('\n  ')}` : 'every target met');
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(report, null, 2)}\n`);
if (missed.length > 0 && process.env.BENCH_STRICT === '1') process.exitCode = 1;
