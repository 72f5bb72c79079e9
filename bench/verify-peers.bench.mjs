// tokenward against the other Node JWT libraries, in one process and one run, interleaved:
// verifyToken and createAccessToken vs jose, fast-jwt (cache off and on) and jsonwebtoken
// (KeyObject keys), for HS256, EdDSA, ES256 and RS256; and, for HS256, vs the floor: a
// minimal createHmac + timingSafeEqual verify with the same claim checks.
//
//   npm run bench -- verify-peers      (through bench/run.mjs, which builds dist/ if missing)
//   node bench/verify-peers.bench.mjs  (needs a built dist/)
//
// Environment: the harness's (bench/harness.mjs; here BENCH_ROUND_MS defaults to 400 per
// contender and round, BENCH_ROUNDS to 9), BENCH_ALGS=HS256,EdDSA (a subset), BENCH_STRICT=1
// (exit non-zero when a target is missed), BENCH_DIST=<path of a built index.js> (another build).
//
// Every verifier checks what the others check, as far as it can: the algorithm (one allowed),
// the signature, iss, aud, exp (5 s tolerance); jose and fast-jwt also typ at+jwt and the
// required claims sub/jti/iat/exp (jsonwebtoken has no typ check). tokenward does all of that
// plus its own rules (canonical base64url, refused headers, the longest lifetime it issues).
import { createHmac, createSecretKey, generateKeyPairSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSigner, createVerifier } from 'fast-jwt';
import { jwtVerify, SignJWT } from 'jose';
import {
  configure,
  describe,
  machine,
  measureRounds,
  pairedRatio,
  printTable,
  reportRound,
  settings,
  spread,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const jsonwebtoken = require('jsonwebtoken');
const { createAuth } = await import(
  process.env.BENCH_DIST ? pathToFileURL(resolve(process.env.BENCH_DIST)).href : '../dist/index.js'
);

// Nine rounds: EdDSA, ES256 and RS256 spend nearly all their time in the same OpenSSL calls as
// fast-jwt, so their ratios sit near 1.0 and a median of five rounds swings across the line.
configure({ roundMs: 400, rounds: 9 });
const ISSUER = 'https://api.example.com';
const AUDIENCE = 'api';
const TOLERANCE = 5;
const TTL = 900;
const SUBJECT = { sub: 'user-1', roles: ['admin'] };
const ALGS = (process.env.BENCH_ALGS ?? 'HS256,EdDSA,ES256,RS256').split(',');

/** The targets of issue 5, as [group, peer, least ratio]. */
const TARGETS = [
  ['HS256 verify', 'fast-jwt', 1.0],
  ['HS256 verify', 'floor', 0.85],
  ['EdDSA verify', 'fast-jwt', 1.0],
  ['ES256 verify', 'fast-jwt', 1.0],
  ['RS256 verify', 'fast-jwt', 1.0],
  ['HS256 verify, cache on', 'fast-jwt', 1.0],
  ['EdDSA verify, cache on', 'fast-jwt', 1.0],
  ['ES256 verify, cache on', 'fast-jwt', 1.0],
  ['RS256 verify, cache on', 'fast-jwt', 1.0],
];

function keysFor(alg) {
  switch (alg) {
    case 'HS256': {
      const secret = createSecretKey(Buffer.from('bench-secret-bench-secret-bench-secret-0123', 'utf8'));
      return {
        signKey: secret,
        verifyKey: secret,
        fastJwtSign: secret.export(),
        fastJwtVerify: secret.export(),
      };
    }
    case 'EdDSA':
      return pair(generateKeyPairSync('ed25519'));
    case 'ES256':
      return pair(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
    case 'RS256':
      return pair(generateKeyPairSync('rsa', { modulusLength: 2048 }));
    default:
      throw new Error(`bench: unknown algorithm ${alg}`);
  }
}

function pair({ privateKey, publicKey }) {
  return {
    signKey: privateKey,
    verifyKey: publicKey,
    // fast-jwt takes PEM (it makes its own KeyObject once, at creation).
    fastJwtSign: privateKey.export({ format: 'pem', type: 'pkcs8' }),
    fastJwtVerify: publicKey.export({ format: 'pem', type: 'spki' }),
  };
}

/** The floor: the least a correct HS256 verify with these claim checks does. */
function floorVerifier(secret) {
  return (token) => {
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    const mac = createHmac('sha256', secret).update(token.slice(0, second)).digest();
    const signature = Buffer.from(token.slice(second + 1), 'base64url');
    if (signature.length !== mac.length || !timingSafeEqual(mac, signature)) throw new Error('signature');
    const header = JSON.parse(Buffer.from(token.slice(0, first), 'base64url').toString('utf8'));
    if (header.alg !== 'HS256') throw new Error('alg');
    const claims = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== ISSUER || claims.aud !== AUDIENCE || !(claims.exp > now - TOLERANCE))
      throw new Error('claims');
    return claims;
  };
}

/** Fails unless `fn` accepts `token` and refuses it with its last signature character changed. */
async function checkVerifier(name, fn, token) {
  const claims = await fn(token);
  const payload = claims.payload ?? claims;
  if (payload.sub !== SUBJECT.sub) throw new Error(`bench: ${name} did not return the claims`);
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  const forged = `${token.slice(0, -2)}${last}${token.at(-1)}`;
  let refused = false;
  try {
    await fn(forged);
  } catch {
    refused = true;
  }
  if (!refused) throw new Error(`bench: ${name} accepted a forged signature`);
}

async function setup(alg) {
  const kid = `${alg.toLowerCase()}-1`;
  const keys = keysFor(alg);
  const common = { keys: { key: keys.signKey, kid }, issuer: ISSUER, audience: AUDIENCE };
  const options = { ...common, accessTokenTtl: TTL, clockTolerance: TOLERANCE };
  const auth = createAuth(options);
  const cachedAuth = createAuth({ ...options, verifyCache: { maxEntries: 10_000 } });
  const token = await auth.createAccessToken(SUBJECT);

  const joseOptions = {
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: 'at+jwt',
    algorithms: [alg],
    clockTolerance: TOLERANCE,
    requiredClaims: ['sub', 'jti', 'iat', 'exp'],
  };
  const fastJwtOptions = {
    key: keys.fastJwtVerify,
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    checkTyp: 'at+jwt',
    requiredClaims: ['sub', 'jti', 'iat', 'exp'],
    clockTolerance: TOLERANCE * 1000,
  };
  const fastJwt = createVerifier({ ...fastJwtOptions, cache: false });
  const fastJwtCached = createVerifier({ ...fastJwtOptions, cache: 10_000 });
  const jwtOptions = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, clockTolerance: TOLERANCE };

  const verify = [
    ['tokenward', () => auth.verifyToken(token)],
    ['jose', () => jwtVerify(token, keys.verifyKey, joseOptions)],
    ['fast-jwt', () => fastJwt(token)],
  ];
  // jsonwebtoken 9 has no EdDSA.
  const withJsonwebtoken = alg !== 'EdDSA';
  if (withJsonwebtoken)
    verify.push(['jsonwebtoken', () => jsonwebtoken.verify(token, keys.verifyKey, jwtOptions)]);
  const floorVerify = floorVerifier(keys.verifyKey);
  if (alg === 'HS256') verify.push(['floor', () => floorVerify(token)]);
  const cached = [
    ['tokenward', () => cachedAuth.verifyToken(token)],
    ['fast-jwt', () => fastJwtCached(token)],
  ];

  const checks = {
    tokenward: (t) => auth.verifyToken(t),
    'tokenward (cache)': (t) => cachedAuth.verifyToken(t),
    jose: (t) => jwtVerify(t, keys.verifyKey, joseOptions),
    'fast-jwt': (t) => fastJwt(t),
    'fast-jwt (cache)': (t) => fastJwtCached(t),
  };
  if (withJsonwebtoken) checks.jsonwebtoken = (t) => jsonwebtoken.verify(t, keys.verifyKey, jwtOptions);
  if (alg === 'HS256') checks.floor = (t) => floorVerify(t);
  for (const [name, fn] of Object.entries(checks)) await checkVerifier(`${alg} ${name}`, fn, token);

  const fastJwtSigner = createSigner({
    key: keys.fastJwtSign,
    algorithm: alg,
    header: { typ: 'at+jwt', kid },
    iss: ISSUER,
    aud: AUDIENCE,
    expiresIn: TTL * 1000,
  });
  const sign = [
    ['tokenward', () => auth.createAccessToken(SUBJECT)],
    [
      'jose',
      () =>
        new SignJWT({ roles: SUBJECT.roles })
          .setProtectedHeader({ alg, typ: 'at+jwt', kid })
          .setSubject(SUBJECT.sub)
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime(`${TTL}s`)
          .setJti(randomUUID())
          .sign(keys.signKey),
    ],
    ['fast-jwt', () => fastJwtSigner({ ...SUBJECT, jti: randomUUID() })],
  ];
  if (withJsonwebtoken) {
    sign.push([
      'jsonwebtoken',
      () =>
        jsonwebtoken.sign({ roles: SUBJECT.roles }, keys.signKey, {
          algorithm: alg,
          header: { alg, typ: 'at+jwt', kid },
          subject: SUBJECT.sub,
          issuer: ISSUER,
          audience: AUDIENCE,
          expiresIn: TTL,
          jwtid: randomUUID(),
        }),
    ]);
  }
  // Every signer makes a token tokenward accepts: they all do the same work.
  for (const [name, fn] of sign) {
    const claims = await auth.verifyToken(await fn());
    if (claims.sub !== SUBJECT.sub) throw new Error(`bench: ${alg} ${name} signed something else`);
  }
  return [
    { name: `${alg} verify`, contenders: verify },
    { name: `${alg} verify, cache on`, contenders: cached },
    { name: `${alg} sign`, contenders: sign },
  ];
}

async function main() {
  const groups = [];
  for (const alg of ALGS) groups.push(...(await setup(alg)));
  console.log(describe('tokenward vs jose, fast-jwt, jsonwebtoken'));
  console.log('each contender is called in a loop; a promise is awaited, a plain value is not\n');

  const measured = await measureRounds(
    groups.map((group) => group.contenders.map(([, fn]) => fn)),
    { warmupMs: settings.warmupMs / 2, onRound: reportRound },
  );
  for (const [g, group] of groups.entries()) group.results = measured[g];

  const rows = [];
  const report = [];
  const missed = [];
  for (const group of groups) {
    const own = group.results[0];
    group.contenders.forEach(([name], i) => {
      const values = group.results[i];
      const ratio = i === 0 ? undefined : pairedRatio(own, values);
      const perRound = own.map((v, k) => v / values[k]);
      const target = TARGETS.find(([g, peer]) => g === group.name && peer === name)?.[2];
      let mark = '';
      if (target !== undefined) {
        mark = ratio >= target ? ` (target ${target}: ok)` : ` (target ${target}: MISSED)`;
        if (ratio < target) missed.push(`${group.name} vs ${name}: ${ratio.toFixed(2)} < ${target}`);
      }
      rows.push([
        i === 0 ? group.name : '',
        name,
        spread(values),
        i === 0 ? '' : `${ratio.toFixed(2)}x${mark}`,
        i === 0 ? '' : `${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}`,
      ]);
      report.push({ group: group.name, contender: name, opsPerSecond: values, ratio });
    });
  }
  console.log('');
  printTable(['case', 'contender', 'ops/s median (min–max)', 'tokenward / it', 'per-round ratios'], rows);
  console.log('\nratio = median of the per-round ratios (tokenward ops/s / contender ops/s, same round)');
  if (missed.length > 0) console.log(`targets missed:\n  ${missed.join('\n  ')}`);
  else console.log('every target met');

  if (process.env.BENCH_JSON) {
    writeFileSync(
      process.env.BENCH_JSON,
      `${JSON.stringify({ machine: machine(), settings, report, missed }, null, 2)}\n`,
    );
  }
  if (missed.length > 0 && process.env.BENCH_STRICT === '1') process.exitCode = 1;
}

await main();
