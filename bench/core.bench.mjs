// tokenward core throughput against bare jose, in one process, interleaved rounds.
//
//   npm run bench -- core          (through bench/run.mjs, which builds dist/ if missing)
//   node bench/core.bench.mjs      (needs a built dist/)
//
// Environment: BENCH_ROUNDS (default 5), BENCH_ROUND_MS (default 1500, per contender and
// round), BENCH_SLICE_MS (default 50: the contenders alternate in slices this long),
// BENCH_WARMUP_MS (default 500), BENCH_JSON=<file> to also write the figures as JSON,
// BENCH_STRICT=1 to exit non-zero when a verify ratio is under the target.
//
// Both sides do the same work: the same key (a KeyObject), the same token (issued by
// tokenward), and for verification the same checks: algorithm allowlist, signature, typ
// at+jwt, iss, aud, exp/nbf/iat with a 5 s tolerance, required sub/jti/iat/exp.
import { createSecretKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { jwtVerify, SignJWT } from 'jose';
import { createAuth } from '../dist/index.js';

const ROUNDS = positiveInt(process.env.BENCH_ROUNDS, 5);
const ROUND_MS = positiveInt(process.env.BENCH_ROUND_MS, 1500);
const WARMUP_MS = positiveInt(process.env.BENCH_WARMUP_MS, 500);
const SLICE_MS = positiveInt(process.env.BENCH_SLICE_MS, 50);
const VERIFY_TARGET = 0.9;
const ISSUER = 'https://api.example.com';
const AUDIENCE = 'api';
const TOLERANCE = 5;
const SUBJECT = { sub: 'user-1', roles: ['admin'] };

function positiveInt(value, fallback) {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function setups() {
  const secret = createSecretKey(Buffer.from('bench-secret-bench-secret-bench-secret-0123', 'utf8'));
  const ed = generateKeyPairSync('ed25519');
  return [
    { alg: 'HS256', kid: 'hs-1', signKey: secret, verifyKey: secret },
    { alg: 'EdDSA', kid: 'ed-1', signKey: ed.privateKey, verifyKey: ed.publicKey },
  ];
}

/** Runs `fn` sequentially for about `ms` milliseconds; answers { ops, ms }. */
async function run(fn, ms) {
  const batch = 16;
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) await fn();
    ops += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return { ops, ms: elapsed };
}

/**
 * One round: both contenders for `ms` milliseconds each, in alternating slices of
 * SLICE_MS, so that both see the same background load (the machine may be shared).
 * Answers operations per second for each.
 */
async function round(a, b, ms, swap) {
  const total = { a: { ops: 0, ms: 0 }, b: { ops: 0, ms: 0 } };
  const slices = Math.max(1, Math.round(ms / SLICE_MS));
  for (let i = 0; i < slices; i++) {
    const order = (i + (swap ? 1 : 0)) % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const who of order) {
      const r = await run(who === 'a' ? a : b, ms / slices);
      total[who].ops += r.ops;
      total[who].ms += r.ms;
    }
  }
  return { a: (total.a.ops * 1000) / total.a.ms, b: (total.b.ops * 1000) / total.b.ms };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  const pairs = [];
  for (const setup of setups()) {
    const auth = createAuth({
      keys: { key: setup.signKey, kid: setup.kid },
      issuer: ISSUER,
      audience: AUDIENCE,
      accessTokenTtl: '15m',
      clockTolerance: `${TOLERANCE}s`,
    });
    const token = await auth.createAccessToken(SUBJECT);
    const joseVerifyOptions = {
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      algorithms: [setup.alg],
      clockTolerance: TOLERANCE,
      requiredClaims: ['sub', 'jti', 'iat', 'exp'],
    };
    const joseSign = () =>
      new SignJWT({ roles: SUBJECT.roles })
        .setProtectedHeader({ alg: setup.alg, typ: 'at+jwt', kid: setup.kid })
        .setSubject(SUBJECT.sub)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('15m')
        .setJti(randomUUID())
        .sign(setup.signKey);

    // Sanity: each side accepts the other's token, so both measure the same work.
    const fromJose = await joseSign();
    const { payload } = await jwtVerify(token, setup.verifyKey, joseVerifyOptions);
    const claims = await auth.verifyToken(fromJose);
    if (payload.sub !== SUBJECT.sub || claims.sub !== SUBJECT.sub)
      throw new Error('bench: sanity check failed');
    await auth.verifyToken(token);

    pairs.push({
      name: `${setup.alg} verify`,
      op: 'verify',
      tokenward: () => auth.verifyToken(token),
      jose: () => jwtVerify(token, setup.verifyKey, joseVerifyOptions),
    });
    pairs.push({
      name: `${setup.alg} sign`,
      op: 'sign',
      tokenward: () => auth.createAccessToken(SUBJECT),
      jose: joseSign,
    });
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`tokenward core vs jose — Node ${process.version}, ${cpu}, ${availableParallelism()} CPUs`);
  console.log(
    `${ROUNDS} rounds of ${ROUND_MS} ms per contender, interleaved in ${SLICE_MS} ms slices ` +
      `(sequential awaits), ${WARMUP_MS} ms warm-up\n`,
  );

  for (const pair of pairs) {
    await run(pair.tokenward, WARMUP_MS);
    await run(pair.jose, WARMUP_MS);
    pair.results = { tokenward: [], jose: [] };
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const pair of pairs) {
      const { a, b } = await round(pair.tokenward, pair.jose, ROUND_MS, r % 2 === 1);
      pair.results.tokenward.push(a);
      pair.results.jose.push(b);
    }
    process.stdout.write(`round ${r + 1}/${ROUNDS} done\n`);
  }

  console.log('');
  const header = ['case', 'tokenward ops/s (min–max)', 'jose ops/s (min–max)', 'ratio', 'round ratios'];
  const rows = [];
  const report = [];
  let belowTarget = false;
  for (const { name, op, results } of pairs) {
    const tw = median(results.tokenward);
    const jo = median(results.jose);
    const ratio = tw / jo;
    const roundRatios = results.tokenward.map((v, i) => v / results.jose[i]);
    const target = op === 'verify' ? VERIFY_TARGET : undefined;
    const mark = target === undefined ? '' : ratio >= target ? ' ok' : ` BELOW ${target}`;
    if (target !== undefined && ratio < target) belowTarget = true;
    rows.push([
      name,
      `${fmt(tw)} (${fmt(Math.min(...results.tokenward))}–${fmt(Math.max(...results.tokenward))})`,
      `${fmt(jo)} (${fmt(Math.min(...results.jose))}–${fmt(Math.max(...results.jose))})`,
      `${ratio.toFixed(3)}${mark}`,
      `${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)}`,
    ]);
    report.push({ case: name, tokenward: results.tokenward, jose: results.jose, medianRatio: ratio });
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log(`\nratio = median tokenward / median jose; verify target >= ${VERIFY_TARGET}`);

  if (process.env.BENCH_JSON) {
    writeFileSync(
      process.env.BENCH_JSON,
      `${JSON.stringify({ node: process.version, cpu, rounds: ROUNDS, roundMs: ROUND_MS, report }, null, 2)}\n`,
    );
  }
  if (belowTarget && process.env.BENCH_STRICT === '1') process.exitCode = 1;
}

await main();
