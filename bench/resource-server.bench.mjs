// A resource server verifying an identity provider's tokens through its remote JWKS, cached:
// tokenward (`issuers` with a JWKS URL) against Auth0's
// express-oauth2-jwt-bearer, on the same Auth0-shaped RS256 (2048-bit) tokens from the same
// JWKS, served over real HTTP on 127.0.0.1 and fetched once by each before measuring.
//
//   npm run bench -- resource-server      (through bench/run.mjs, which builds dist/ if missing)
//   node bench/resource-server.bench.mjs  (needs a built dist/)
//
// Two groups:
// - "Express middleware": tokenward's `authenticate(auth)` against express-oauth2-jwt-bearer's
//   `auth()`, each called with the same kind of request (Express's own request prototype, a
//   bearer header), measured until it calls `next`. tokenward continues through `setImmediate`,
//   as it does in a server; the peer continues inside its promise.
// - "verify": tokenward's `verifyToken` against what express-oauth2-jwt-bearer runs inside:
//   jose's `jwtVerify` with `createRemoteJWKSet` (cached) and the same claim checks.
//
// Each contender checks: the algorithm (RS256 only), the signature with the key of the kid,
// iss, aud, exp (5 s tolerance). tokenward also checks typ (JWT allowed explicitly for this
// issuer), the ID-token markers, sub, iat and the longest lifetime accepted (24 h).
//
// Environment: the harness's (bench/harness.mjs; here BENCH_ROUND_MS defaults to 400 per
// contender and round, BENCH_ROUNDS to 7), BENCH_STRICT=1 (exit non-zero when a target is
// missed), BENCH_DIST=<path of a built index.js>.
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import {
  configure,
  describe,
  measureRounds,
  pairedRatio,
  printTable,
  reportRound,
  settings,
  spread,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const express = require('express');
const { auth: auth0Middleware } = require('express-oauth2-jwt-bearer');
const dist = process.env.BENCH_DIST ? resolve(process.env.BENCH_DIST) : resolve('dist/index.js');
const { createAuth } = await import(pathToFileURL(dist).href);
const { authenticate } = await import(pathToFileURL(resolve(dirname(dist), 'express.js')).href);

configure({ roundMs: 400, rounds: 7 });

const AUDIENCE = 'https://api.example.com';
const TARGETS = [
  ['RS256 via cached remote JWKS, Express middleware', 'express-oauth2-jwt-bearer', 1.0],
  ['RS256 via cached remote JWKS, verify', 'jose (remote JWKS)', 1.0],
];

// The identity provider's public side: its JWKS over HTTP, with the Cache-Control Auth0 sends.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'Rk5BQjg3MTFDQkU3QjE0RDZDRjY4MzI2NjM2RUU2NjU';
let jwksHits = 0;
const jwksServer = createServer((_request, response) => {
  jwksHits++;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  response
    .writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=15, stale-while-revalidate=15',
    })
    .end(JSON.stringify({ keys: [jwk] }));
});
await new Promise((done) => jwksServer.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${jwksServer.address().port}`;
const ISSUER = `${origin}/`;
const JWKS_URI = `${origin}/.well-known/jwks.json`;

/** An Auth0 access token (RBAC permissions on), header typ JWT, as its tenants issue them. */
function auth0Token() {
  const iat = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid };
  const payload = {
    iss: ISSUER,
    sub: 'auth0|65f1c2d3e4a5b6c7d8e9f012',
    aud: [AUDIENCE, `${ISSUER}userinfo`],
    iat,
    exp: iat + 86_400,
    scope: 'openid profile email read:notes',
    azp: 'mX7qP2c9Lk3N8vB1zR4tY6wE0aS5dF7g',
    permissions: ['read:notes', 'write:notes'],
  };
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

const token = auth0Token();
const forged = `${token.slice(0, -3)}${token.at(-3) === 'A' ? 'B' : 'A'}${token.slice(-2)}`;

// tokenward: a verify-only instance trusting this issuer (the single-issuer `jwks` option
// requires `jti`, which Auth0 tokens lack: third-party issuers go in `issuers`).
const viaIssuers = createAuth({
  issuers: [
    {
      issuer: ISSUER,
      jwks: JWKS_URI,
      audience: AUDIENCE,
      accessTokenType: 'JWT',
      accessTokenTtl: '24h',
      algorithms: ['RS256'],
    },
  ],
  clockTolerance: 5,
});
// The peer: what its README shows for Auth0, with the issuer and JWKS given (no discovery fetch).
const peer = auth0Middleware({
  issuer: ISSUER,
  jwksUri: JWKS_URI,
  audience: AUDIENCE,
  tokenSigningAlg: 'RS256',
});
const joseJwks = createRemoteJWKSet(new URL(JWKS_URI));
const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], clockTolerance: 5 };

// Requests as Express makes them: its request prototype (protocol, get, is) with a bearer header.
const app = express();
const socket = { remoteAddress: '127.0.0.1', encrypted: false };
function request(bearer) {
  const req = Object.create(app.request);
  req.headers = { host: 'api.example.com', authorization: `Bearer ${bearer}` };
  req.rawHeaders = ['Host', 'api.example.com', 'Authorization', `Bearer ${bearer}`];
  req.method = 'GET';
  req.url = '/notes';
  req.originalUrl = '/notes';
  req.socket = socket;
  req.connection = socket;
  return req;
}
const response = () => ({
  statusCode: 200,
  status() {
    return this;
  },
  setHeader() {},
  end() {
    this.ended = true;
  },
});

/** Runs an Express middleware once; resolves with req.auth when it called next(), else throws. */
function throughMiddleware(middleware, bearer) {
  return new Promise((done, fail) => {
    const req = request(bearer);
    const res = response();
    const original = res.end.bind(res);
    res.end = () => {
      original();
      fail(new Error('answered with an error'));
    };
    middleware(req, res, (error) => (error === undefined ? done(req.auth) : fail(error)));
  });
}

const tokenwardMiddleware = authenticate(viaIssuers);
const contendersMiddleware = [
  ['tokenward', () => throughMiddleware(tokenwardMiddleware, token)],
  ['express-oauth2-jwt-bearer', () => throughMiddleware(peer, token)],
];
const contendersVerify = [
  ['tokenward', () => viaIssuers.verifyToken(token)],
  ['jose (remote JWKS)', () => jwtVerify(token, joseJwks, joseOptions)],
];

// Each accepts the token and refuses the forged one; then the JWKS is in every cache.
async function check(name, fn, bad) {
  const claims = await fn();
  const payload = claims?.payload ?? claims;
  if (payload?.sub !== 'auth0|65f1c2d3e4a5b6c7d8e9f012')
    throw new Error(`bench: ${name} did not return the claims`);
  let refused = false;
  try {
    await bad();
  } catch {
    refused = true;
  }
  if (!refused) throw new Error(`bench: ${name} accepted a forged signature`);
}
await check('tokenward middleware', contendersMiddleware[0][1], () =>
  throughMiddleware(tokenwardMiddleware, forged),
);
await check('express-oauth2-jwt-bearer', contendersMiddleware[1][1], () => throughMiddleware(peer, forged));
await check('tokenward', contendersVerify[0][1], () => viaIssuers.verifyToken(forged));
await check('jose', contendersVerify[1][1], () => jwtVerify(forged, joseJwks, joseOptions));
const hitsAfterWarmup = jwksHits;

const groups = [
  { name: 'RS256 via cached remote JWKS, Express middleware', contenders: contendersMiddleware },
  { name: 'RS256 via cached remote JWKS, verify', contenders: contendersVerify },
];

console.log(describe('tokenward vs express-oauth2-jwt-bearer (and jose), cached remote JWKS'));
console.log(
  `JWKS fetched ${hitsAfterWarmup} times before measuring (once per contender with its own cache)\n`,
);
const measured = await measureRounds(
  groups.map((group) => group.contenders.map(([, fn]) => fn)),
  { warmupMs: settings.warmupMs / 2, onRound: reportRound },
);
for (const [g, group] of groups.entries()) group.results = measured[g];

const rows = [];
const missed = [];
for (const group of groups) {
  const own = group.results[0];
  group.contenders.forEach(([name], i) => {
    const values = group.results[i];
    const ratio = i === 0 ? undefined : pairedRatio(own, values);
    const target = TARGETS.find(([g, p]) => g === group.name && p === name)?.[2];
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
    ]);
  });
}
console.log('');
printTable(['case', 'contender', 'ops/s median (min–max)', 'tokenward / it'], rows);
console.log('\nratio = median of the per-round ratios (tokenward ops/s / contender ops/s, same round)');
console.log(`JWKS requests while measuring: ${jwksHits - hitsAfterWarmup}`);
if (missed.length > 0) console.log(`targets missed:\n  ${missed.join('\n  ')}`);
else console.log('every target met');
jwksServer.close();
jwksServer.closeAllConnections();
if (missed.length > 0 && process.env.BENCH_STRICT === '1') process.exitCode = 1;
