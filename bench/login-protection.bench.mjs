// Login protection under load: `node bench/login-protection.bench.mjs` (or `npm run bench -- login-protection`).
//
// 1. GET /me under a login flood. One Express server (bench/login-protection-server.mjs) serves
//    GET /me behind `authenticate` and a login route with the default cap on password checks
//    (libuv's thread pool size, a queue of 8 times that). This process times sequential GET /me
//    requests (node:http, kept-alive) in windows of BENCH_WINDOW_MS (default 3000): a quiet
//    window, then a window while bench/login-flood.mjs sends BENCH_FLOOD_RATE (default 200)
//    wrong-password logins per second, far more than the cap lets through (about 60 per second
//    at cost 10 on 2 CPUs): the rest wait in the queue or are answered 503 LOGIN_BUSY at once.
//    Per round: the p99 of each window, their ratio (target <= 2x), and the event loop's longest
//    delay in the server during each window (perf_hooks.monitorEventLoopDelay, target < 20 ms).
//    BENCH_ROUNDS rounds (default 5); the median and the min-max are reported.
// 2. Throttled answers for known and unknown user names: one failed attempt for `alice` (who
//    exists) and for `nobody` (who does not) puts both over a limit of one; then BENCH_PAIRS
//    (default 2000) pairs of throttled logins, alternating, are timed: medians, p99s, ratio.
// Uses the built package (dist/).
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const positive = (value, fallback) =>
  Number.isInteger(Number(value)) && Number(value) > 0 ? Number(value) : fallback;
const ROUNDS = positive(process.env.BENCH_ROUNDS, 5);
const WINDOW_MS = positive(process.env.BENCH_WINDOW_MS, 3000);
const FLOOD = positive(process.env.BENCH_FLOOD_RATE, 200);
const PAIRS = positive(process.env.BENCH_PAIRS, 2000);

function startChild(script, args, ready) {
  const child = spawn(process.execPath, [join(benchDir, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const started = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const line = ready(output);
      if (line !== undefined) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${output}`)));
  });
  return { child, started, output: () => output };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function call(port, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, text, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const median = (values) => percentile(values, 50);
const fixed = (value, digits = 2) => value.toFixed(digits);

async function timeMe(port, token) {
  const latencies = [];
  const headers = { authorization: `Bearer ${token}` };
  const end = performance.now() + WINDOW_MS;
  while (performance.now() < end) {
    const answer = await call(port, 'GET', '/me', { headers });
    if (answer.status !== 200) throw new Error(`GET /me answered ${answer.status}`);
    latencies.push(answer.ms);
  }
  return latencies;
}

async function loopDelay(port) {
  return JSON.parse((await call(port, 'GET', '/loop')).text);
}

const server = startChild('login-protection-server.mjs', [], (output) => {
  const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
  return line === undefined ? undefined : JSON.parse(line);
});
const { port, token } = await server.started;
console.log(
  `login-protection: ${ROUNDS} rounds, windows of ${WINDOW_MS} ms, ${FLOOD} logins per second; ` +
    `${availableParallelism()} CPUs, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);

try {
  await timeMe(port, token); // warm-up
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    await loopDelay(port);
    const quiet = await timeMe(port, token);
    const quietLoop = await loopDelay(port);
    const flood = startChild(
      'login-flood.mjs',
      [String(FLOOD), `http://127.0.0.1:${port}/flood/login`],
      (output) => (output.includes('running') ? true : undefined),
    );
    await flood.started;
    await loopDelay(port);
    const flooded = await timeMe(port, token);
    const floodLoop = await loopDelay(port);
    // The start-up listener would report this exit as a failure: dropped before the stop.
    flood.child.removeAllListeners('exit');
    const stopped = new Promise((resolve) => flood.child.once('exit', resolve));
    flood.child.kill('SIGTERM');
    await stopped;
    const { byStatus } = JSON.parse(
      flood
        .output()
        .split('\n')
        .find((line) => line.startsWith('{')),
    );
    const figures = {
      quietP50: median(quiet),
      quietP99: percentile(quiet, 99),
      floodP50: median(flooded),
      floodP99: percentile(flooded, 99),
      quietLoopMax: quietLoop.maxMs,
      floodLoopMax: floodLoop.maxMs,
      byStatus,
    };
    figures.ratio = figures.floodP99 / figures.quietP99;
    rounds.push(figures);
    console.log(
      `round ${round + 1}: GET /me p99 quiet ${fixed(figures.quietP99)} ms, flood ${fixed(figures.floodP99)} ms ` +
        `(${fixed(figures.ratio)}x; p50 ${fixed(figures.quietP50)} / ${fixed(figures.floodP50)} ms, ` +
        `${quiet.length} / ${flooded.length} requests); event loop max ${fixed(figures.quietLoopMax, 1)} / ` +
        `${fixed(figures.floodLoopMax, 1)} ms; logins ${JSON.stringify(byStatus)}`,
    );
  }
  const summary = (key, digits = 2) => {
    const values = rounds.map((round) => round[key]);
    return `${fixed(median(values), digits)} (${fixed(Math.min(...values), digits)}-${fixed(Math.max(...values), digits)})`;
  };
  console.log('\n| figure (median of rounds, min-max) | quiet | login flood |');
  console.log('|---|---|---|');
  console.log(`| GET /me p50, ms | ${summary('quietP50')} | ${summary('floodP50')} |`);
  console.log(`| GET /me p99, ms | ${summary('quietP99')} | ${summary('floodP99')} |`);
  console.log(`| p99 ratio flood / quiet (target <= 2) | | **${summary('ratio')}** |`);
  console.log(
    `| event loop longest delay, ms (target < 20) | ${summary('quietLoopMax', 1)} | **${summary('floodLoopMax', 1)}** |`,
  );

  // Throttled answers, known vs unknown user name.
  const json = { 'content-type': 'application/json' };
  const loginAs = (username) =>
    call(port, 'POST', '/throttled/login', {
      headers: json,
      body: JSON.stringify({ username, password: 'wrong' }),
    });
  for (const name of ['alice', 'nobody']) {
    const first = await loginAs(name);
    if (first.status !== 401) throw new Error(`the first login of ${name} answered ${first.status}`);
  }
  const known = [];
  const unknown = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    // Alternating which goes first, so that neither always follows the other.
    const order = pair % 2 === 0 ? ['alice', 'nobody'] : ['nobody', 'alice'];
    for (const name of order) {
      const answer = await loginAs(name);
      if (answer.status !== 429) throw new Error(`a throttled login of ${name} answered ${answer.status}`);
      (name === 'alice' ? known : unknown).push(answer.ms);
    }
  }
  console.log(`\n| throttled login (${PAIRS} pairs) | p50, ms | p99, ms |`);
  console.log('|---|---|---|');
  console.log(`| known user name | ${fixed(median(known), 3)} | ${fixed(percentile(known, 99), 3)} |`);
  console.log(`| unknown user name | ${fixed(median(unknown), 3)} | ${fixed(percentile(unknown, 99), 3)} |`);
  console.log(
    `| ratio known / unknown | **${fixed(median(known) / median(unknown), 3)}** | ${fixed(percentile(known, 99) / percentile(unknown, 99), 3)} |`,
  );
} finally {
  server.child.removeAllListeners('exit');
  server.child.kill('SIGTERM');
  agent.destroy();
}
