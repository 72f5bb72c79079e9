// Login timing of verifyPasswordOrDummy (tokenward/password): a known user with a wrong
// password against an unknown user (the dummy hash) and a stored value that is not a bcrypt
// hash, at the same cost, one call at a time, interleaved so that any drift of the machine
// hits the three alike. Target: the unknown-user and malformed cases take as long as the
// known user (ratio near 1.0), so the answer's timing does not reveal which users exist.
//
//   npm run bench -- password      (through bench/run.mjs, which builds dist/ if missing)
//   node bench/password.bench.mjs  (needs a built dist/)
//
// Environment: BENCH_COST (bcrypt cost, default 10), BENCH_CALLS (calls per case, default 25),
// BENCH_STRICT=1 (exit non-zero when a ratio is outside 0.9–1.1).
import { performance } from 'node:perf_hooks';
import { hashPassword, verifyPasswordOrDummy } from '../dist/password.js';
import { machine, median, printTable } from './harness.mjs';

const cost = Number(process.env.BENCH_COST ?? 10);
const calls = Number(process.env.BENCH_CALLS ?? 25);
const BAND = [0.9, 1.1];

const m = machine();
console.log(
  `tokenward/password login timing — Node ${m.node}, ${m.cpu}, ${m.cpus} CPUs, load average ${m.loadavg.join(' ')}`,
);
console.log(`bcrypt cost ${cost}, ${calls} calls per case, interleaved, one at a time\n`);

const stored = await hashPassword('the real password', { cost });
const cases = {
  'known user, wrong password': () => verifyPasswordOrDummy('a guess', stored, { cost }),
  'unknown user (dummy hash)': () => verifyPasswordOrDummy('a guess', null, { cost }),
  'stored value not a bcrypt hash': () => verifyPasswordOrDummy('a guess', 'not-a-hash', { cost }),
};
// Warm-up: the first unknown-user call also creates the dummy hash.
for (const fn of Object.values(cases)) await fn();

const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let call = 0; call < calls; call++) {
  for (const [name, fn] of Object.entries(cases)) {
    const start = performance.now();
    await fn();
    times[name].push(performance.now() - start);
  }
}

const reference = median(times['known user, wrong password']);
const misses = [];
const rows = Object.entries(times).map(([name, values]) => {
  const ratio = median(values) / reference;
  if (ratio < BAND[0] || ratio > BAND[1]) misses.push(`${name}: ${ratio.toFixed(2)}`);
  return [
    name,
    `${median(values).toFixed(1)} ms`,
    `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)} ms`,
    ratio.toFixed(2),
  ];
});
printTable(['case', 'median', 'min–max', 'ratio to the known user'], rows);
console.log(
  misses.length === 0 ? '\nevery ratio within 0.9–1.1' : `\noutside 0.9–1.1:\n  ${misses.join('\n  ')}`,
);
if (misses.length > 0 && process.env.BENCH_STRICT === '1') process.exitCode = 1;
