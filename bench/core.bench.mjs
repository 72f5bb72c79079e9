// tokenward core throughput against bare jose, in one process, interleaved rounds.
//
//   npm run bench -- core          (through bench/run.mjs, which builds dist/ if missing)
//   node bench/core.bench.mjs      (needs a built dist/)
//
// Environment: the harness's (bench/harness.mjs: BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_SLICE_MS,
// BENCH_WARMUP_MS, BENCH_JSON=<file> to also write the figures as JSON), and BENCH_STRICT=1
// to exit non-zero when a verify ratio is under the target.
//
// Both sides do the same work: the same key (a KeyObject), the same token (issued by
// tokenward), and for verification the same checks: algorithm allowlist, signature, typ
// at+jwt, iss, aud, exp/nbf/iat with a 5 s tolerance, required sub/jti/iat/exp.
import { createSecretKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { jwtVerify, SignJWT } from 'jose';
import { createAuth } from '../dist/index.js';
import {
  describe,
  fmt,
  machine,
  measureRounds,
  median,
  pairedRatio,
  printTable,
  reportRound,
  settings,
} from './harness.mjs';

const VERIFY_TARGET = 0.9;
const ISSUER = 'https://api.example.com';
const AUDIENCE = 'api';
const TOLERANCE = 5;
const SUBJECT = { sub: 'user-1', roles: ['admin'] };

function setups() {
  const secret = createSecretKey(Buffer.from('bench-secret-bench-secret-bench-secret-0123', 'utf8'));
  const ed = generateKeyPairSync('ed25519');
  return [
    { alg: 'HS256', kid: 'hs-1', signKey: secret, verifyKey: secret },
    { alg: 'EdDSA', kid: 'ed-1', signKey: ed.privateKey, verifyKey: ed.publicKey },
  ];
}

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

  console.log(`${describe('tokenward core vs jose')} (sequential awaits)\n`);

  const measured = await measureRounds(
    pairs.map((pair) => [pair.tokenward, pair.jose]),
    { onRound: reportRound },
  );
  for (const [k, pair] of pairs.entries()) pair.results = { tokenward: measured[k][0], jose: measured[k][1] };

  console.log('');
  const header = ['case', 'tokenward ops/s (min–max)', 'jose ops/s (min–max)', 'ratio', 'round ratios'];
  const rows = [];
  const report = [];
  let belowTarget = false;
  for (const { name, op, results } of pairs) {
    const tw = median(results.tokenward);
    const jo = median(results.jose);
    const ratio = pairedRatio(results.tokenward, results.jose);
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
  printTable(header, rows);
  console.log(`\nratio = median of the per-round tokenward / jose ratios; verify target >= ${VERIFY_TARGET}`);

  if (process.env.BENCH_JSON) {
    writeFileSync(
      process.env.BENCH_JSON,
      `${JSON.stringify({ machine: machine(), settings, report }, null, 2)}\n`,
    );
  }
  if (belowTarget && process.env.BENCH_STRICT === '1') process.exitCode = 1;
}

await main();
