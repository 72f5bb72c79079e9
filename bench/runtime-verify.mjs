// verifyToken against jose's jwtVerify on the runtime that runs this script (Bun or Deno),
// through bench/runtimes.bench.mjs. Same process, interleaved rounds (bench/harness.mjs);
// both sides do the same checks on the same token: algorithm allowlist, signature, typ
// at+jwt, iss, aud, exp/nbf/iat with a 5 s tolerance, required sub/jti/iat/exp. jose gets
// its fastest key form, a CryptoKey imported once. Prints a table, and the figures as one
// JSON line prefixed with "RESULT ".
//
//   node_modules/@oven/bun-linux-x64/bin/bun bench/runtime-verify.mjs
//   node_modules/@deno/linux-x64-glibc/deno run -A bench/runtime-verify.mjs
import { importJWK, jwtVerify } from 'jose';
import { createAuth } from '../dist/index.js';
import { fmt, measureRounds, median, pairedRatio, printTable, settings } from './harness.mjs';

const ISSUER = 'https://api.example.com';
const AUDIENCE = 'api';
const TOLERANCE = 5;
const SUBJECT = { sub: 'user-1', roles: ['admin'] };
const TARGETS = { HS256: 3 };

const GENERATE = {
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  RS256: {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
};

async function keysFor(alg) {
  if (alg === 'HS256') {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const k = btoa(String.fromCharCode(...secret))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    const joseKey = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ]);
    return { tokenwardKey: { kty: 'oct', k }, joseKey };
  }
  const pair = await crypto.subtle.generateKey(GENERATE[alg], true, ['sign', 'verify']);
  // Without "alg": Web Crypto may write the fully-specified "Ed25519" (RFC 9864), not "EdDSA".
  const { key_ops, ext, alg: _alg, ...privateJwk } = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const {
    key_ops: _ops,
    ext: _ext,
    alg: _publicAlg,
    ...publicJwk
  } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { tokenwardKey: privateJwk, joseKey: await importJWK({ ...publicJwk, alg }, alg) };
}

const runtime = globalThis.Bun
  ? `Bun ${globalThis.Bun.version}`
  : globalThis.Deno
    ? `Deno ${globalThis.Deno.version.deno}`
    : `Node ${process.version}`;
const pairs = [];
for (const alg of ['HS256', 'EdDSA', 'ES256', 'RS256']) {
  const { tokenwardKey, joseKey } = await keysFor(alg);
  const auth = createAuth({
    keys: { key: tokenwardKey, kid: `${alg}-1` },
    issuer: ISSUER,
    audience: AUDIENCE,
    clockTolerance: `${TOLERANCE}s`,
  });
  const token = await auth.createAccessToken(SUBJECT);
  const options = {
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: 'at+jwt',
    algorithms: [alg],
    clockTolerance: TOLERANCE,
    requiredClaims: ['sub', 'jti', 'iat', 'exp'],
  };
  // Sanity: both accept the token, so both measure the same work.
  const { payload } = await jwtVerify(token, joseKey, options);
  if (payload.sub !== SUBJECT.sub || (await auth.verifyToken(token)).sub !== SUBJECT.sub) {
    throw new Error('bench: sanity check failed');
  }
  pairs.push({
    alg,
    tokenward: () => auth.verifyToken(token),
    jose: () => jwtVerify(token, joseKey, options),
  });
}

console.log(
  `verifyToken vs jose jwtVerify on ${runtime} (${settings.rounds} rounds of ${settings.roundMs} ms)\n`,
);
const measured = await measureRounds(pairs.map((pair) => [pair.tokenward, pair.jose]));
for (const [k, pair] of pairs.entries()) pair.results = { tokenward: measured[k][0], jose: measured[k][1] };
const rows = [];
const report = [];
for (const { alg, results } of pairs) {
  const ratio = pairedRatio(results.tokenward, results.jose);
  const target = TARGETS[alg];
  const mark = target === undefined ? '' : ratio >= target ? ` ok (>= ${target})` : ` BELOW ${target}`;
  rows.push([
    `${alg} verify`,
    fmt(median(results.tokenward)),
    fmt(median(results.jose)),
    `${ratio.toFixed(2)}${mark}`,
  ]);
  report.push({ alg, tokenward: median(results.tokenward), jose: median(results.jose), ratio, target });
}
printTable(['case', 'tokenward ops/s', 'jose ops/s', 'ratio'], rows);
console.log(`RESULT ${JSON.stringify({ runtime, report })}`);
