// The shared measuring harness of the in-process benchmarks (core, verify-peers).
//
// Contenders are measured in the same process, alternating in short slices (BENCH_SLICE_MS)
// so that a shared, loaded machine slows every contender alike; a round gives each of them
// BENCH_ROUND_MS in total, and the figures are the median and the min–max of BENCH_ROUNDS
// rounds. Ratios are computed per round (both sides saw the same slices), then their median.
//
// Environment: BENCH_ROUNDS (default 5), BENCH_ROUND_MS (default 1500, per contender and round),
// BENCH_SLICE_MS (default 50), BENCH_WARMUP_MS (default 500), BENCH_JSON=<file> (figures as JSON).
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

function positiveInt(value, fallback) {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The measuring settings: the environment, else the suite's defaults, else the harness's. */
export const settings = {
  rounds: 5,
  roundMs: 1500,
  sliceMs: 50,
  warmupMs: 500,
};

/** Sets a suite's own defaults; the BENCH_* environment variables still win. */
export function configure(defaults = {}) {
  Object.assign(settings, defaults);
  settings.rounds = positiveInt(process.env.BENCH_ROUNDS, settings.rounds);
  settings.roundMs = positiveInt(process.env.BENCH_ROUND_MS, settings.roundMs);
  settings.sliceMs = positiveInt(process.env.BENCH_SLICE_MS, settings.sliceMs);
  settings.warmupMs = positiveInt(process.env.BENCH_WARMUP_MS, settings.warmupMs);
  return settings;
}
configure();

function isThenable(value) {
  return value !== null && typeof value === 'object' && typeof value.then === 'function';
}

/**
 * Runs `fn` sequentially for about `ms` milliseconds; answers { ops, ms }. A promise is
 * awaited before the next call; a plain value is not, so a synchronous API pays no
 * promise cost it does not have.
 */
export async function run(fn, ms) {
  const batch = 16;
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) {
      const result = fn();
      if (isThenable(result)) await result;
    }
    ops += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return { ops, ms: elapsed };
}

/**
 * One round: every contender runs for `ms` milliseconds in total, in slices of
 * settings.sliceMs taken in turn (the starting contender rotates with `offset`).
 * Answers operations per second, in the order of `fns`.
 */
export async function interleave(fns, ms, offset = 0) {
  const totals = fns.map(() => ({ ops: 0, ms: 0 }));
  const slices = Math.max(1, Math.round(ms / settings.sliceMs));
  for (let s = 0; s < slices; s++) {
    for (let k = 0; k < fns.length; k++) {
      const i = (k + s + offset) % fns.length;
      const r = await run(fns[i], ms / slices);
      totals[i].ops += r.ops;
      totals[i].ms += r.ms;
    }
  }
  return totals.map((t) => (t.ops * 1000) / t.ms);
}

/** The median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The ratio of two contenders measured in the same rounds: the median of the per-round
 * ratios. A round measures both in interleaved slices, so its ratio is paired; the median
 * of each side alone would mix rounds, and a machine that drifts between rounds (this one
 * does, by a third) would bias it toward whichever side's median round ran faster.
 */
export function pairedRatio(own, other) {
  return median(own.map((value, round) => value / other[round]));
}

/** A rate with thousands separators. */
export const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** "median (min–max)" of a list of rates. */
export const spread = (values) =>
  `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;

/** Prints rows under a header as aligned columns. */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

/** The machine the figures come from. */
export function machine() {
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cpus: availableParallelism(),
    loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** A one-line description of the machine and the settings, for the head of a report. */
export function describe(title) {
  const m = machine();
  return (
    `${title} — Node ${m.node}, ${m.cpu}, ${m.cpus} CPUs, load average ${m.loadavg.join(' ')}\n` +
    `${settings.rounds} rounds of ${settings.roundMs} ms per contender, interleaved in ` +
    `${settings.sliceMs} ms slices, ${settings.warmupMs} ms warm-up`
  );
}

/**
 * The handwritten baseline of the adapter suites: the least a hand-rolled middleware does
 * around verifyToken (take `Bearer <token>`, verify, nothing else). Claims, or undefined.
 */
export async function verifyBearerByHand(auth, authorization) {
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return undefined;
  try {
    return await auth.verifyToken(authorization.slice(7));
  } catch {
    return undefined;
  }
}

/** Calls per second of `fn`, run sequentially for about `ms` milliseconds. */
export async function opsPerSecond(fn, ms) {
  const result = await run(fn, ms);
  return (result.ops * 1000) / result.ms;
}

/**
 * Measures lists of contenders side by side: every contender is warmed up for `warmupMs`,
 * then each of settings.rounds rounds runs every list interleaved (see interleave).
 * Answers, per list and per contender, the operations per second of each round.
 */
export async function measureRounds(lists, { warmupMs = settings.warmupMs, onRound } = {}) {
  for (const fns of lists) for (const fn of fns) await run(fn, warmupMs);
  const results = lists.map((fns) => fns.map(() => []));
  for (let r = 0; r < settings.rounds; r++) {
    for (const [g, fns] of lists.entries()) {
      const rates = await interleave(fns, settings.roundMs, r);
      for (const [i, rate] of rates.entries()) results[g][i].push(rate);
    }
    onRound?.(r);
  }
  return results;
}

/** Prints that a round of measureRounds is done. */
export const reportRound = (r) => process.stdout.write(`round ${r + 1}/${settings.rounds} done\n`);
