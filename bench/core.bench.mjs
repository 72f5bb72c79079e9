// tokenward core throughput against bare jose, in one process, interleaved rounds.
//
//   npm run bench -- core          (through bench/run.mjs, which builds dist/ if missing)
//   node bench/core.bench.mjs      (needs a built dist/)
//
// Environment: BENCH_ROUNDS (default 5), BENCH_ROUND_MS (default 1500), BENCH_WARMUP_MS
// (default 500), BENCH_JSON=<file> to also write the figures as JSON, BENCH_STRICT=1 to exit
// non-zero when a verify ratio is under the target.
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

/** Runs `fn` sequentially for about `ms` milliseconds; answers operations per second. */
async function measure(fn, ms) {
  const batch = 32;
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) await fn();
    ops += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (ops * 1000) / elapsed;
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
    `${ROUNDS} interleaved rounds of ${ROUND_MS} ms per contender (sequential awaits), ${WARMUP_MS} ms warm-up\n`,
  );

  for (const pair of pairs) {
    await measure(pair.tokenward, WARMUP_MS);
    await measure(pair.jose, WARMUP_MS);
    pair.results = { tokenward: [], jose: [] };
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const pair of pairs) {
      // Alternate who goes first, so neither side always runs on a warmer or cooler machine.
      const order = round % 2 === 0 ? ['tokenward', 'jose'] : ['jose', 'tokenward'];
      for (const who of order) pair.results[who].push(await measure(pair[who], ROUND_MS));
    }
    process.stdout.write(`round ${round + 1}/${ROUNDS} done\n`);
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
