// The core contract, runtime-neutral (plain ES module, Web APIs only): run by
// test/runtimes/*.test.ts on Node's Web Crypto path, and by Bun, Deno and workerd
// against the built package. Keys are made with Web Crypto, so nothing here needs
// node:crypto. Every check throws on a mismatch; the result lists what was checked.

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'api';

/** The algorithms of the table, with how to make a key of each with Web Crypto. */
export const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'EdDSA', 'ES256', 'RS256'];

const HMAC_BYTES = { HS256: 32, HS384: 48, HS512: 64 };
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

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

function pem(label, der) {
  const body = btoa(String.fromCharCode(...new Uint8Array(der))).replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/**
 * A fresh key of an algorithm, in the forms tokenward takes: `key` (a secret string
 * or a private JWK), `pem` (PKCS#8, where Web Crypto writes one node:crypto also reads
 * back with its public key: RSA and EC), `publicJwk`/`publicPem` for verify-only use.
 */
export async function makeKey(alg) {
  if (alg in HMAC_BYTES) {
    const secret = base64url(crypto.getRandomValues(new Uint8Array(HMAC_BYTES[alg])));
    // A secret is HS256 unless its entry names another HMAC algorithm.
    return { alg, key: { key: secret, alg } };
  }
  const pair = await crypto.subtle.generateKey(GENERATE[alg], true, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const { key_ops, ext, alg: _alg, ...privateJwk } = jwk;
  const { d, p, q, dp, dq, qi, ...publicJwk } = privateJwk;
  const forms = { alg, key: privateJwk, publicJwk };
  forms.publicPem = pem('PUBLIC KEY', await crypto.subtle.exportKey('spki', pair.publicKey));
  if (alg !== 'EdDSA')
    forms.pem = pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  return forms;
}

function check(condition, message) {
  if (!condition) throw new Error(`contract: ${message}`);
}

async function codeOf(tokenward, promise) {
  try {
    await promise;
  } catch (error) {
    if (!tokenward.isAuthError(error)) throw error;
    return error.code;
  }
  return 'resolved';
}

function decodePart(part) {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

/** A token with one character of its signature changed (a valid base64url spelling still). */
function tampered(token) {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.at(-1)}`;
}

/**
 * Runs the contract for one algorithm against a tokenward module (`createAuth`,
 * `MemoryTokenStore`, `isAuthError`). Answers what it checked, with the kid used.
 */
export async function runContract(tokenward, alg) {
  const { createAuth, MemoryTokenStore } = tokenward;
  const checks = [];
  const first = await makeKey(alg);
  const second = await makeKey(alg);
  let now = Date.UTC(2030, 0, 1);
  const clock = () => now;
  const options = (keys) => ({
    keys,
    issuer: ISSUER,
    audience: AUDIENCE,
    store: new MemoryTokenStore({ sweepIntervalMs: 0 }),
    refreshReuseGrace: 0,
    checkRevocation: true,
    clock,
  });
  const auth = createAuth(options(first.key));

  // issue and verify
  const pair = await auth.issueTokens({ sub: 'u1', roles: ['admin'] });
  const header = decodePart(pair.accessToken.split('.')[0]);
  check(
    header.alg === alg && header.typ === 'at+jwt' && typeof header.kid === 'string',
    `header ${JSON.stringify(header)}`,
  );
  const claims = await auth.verifyToken(pair.accessToken);
  check(claims.sub === 'u1' && claims.roles[0] === 'admin' && claims.iss === ISSUER, 'verified claims');
  checks.push('issue+verify');

  // error codes
  check(
    (await codeOf(tokenward, auth.verifyToken(tampered(pair.accessToken)))) === 'TOKEN_INVALID',
    'tampered signature',
  );
  const [h, p, s] = pair.accessToken.split('.');
  const otherPayload = base64url(new TextEncoder().encode(JSON.stringify({ ...claims, sub: 'u2' })));
  check(
    (await codeOf(tokenward, auth.verifyToken(`${h}.${otherPayload}.${s}`))) === 'TOKEN_INVALID',
    'tampered payload',
  );
  const noneHeader = base64url(new TextEncoder().encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' })));
  check((await codeOf(tokenward, auth.verifyToken(`${noneHeader}.${p}.`))) === 'TOKEN_INVALID', 'alg none');
  const otherAlg = alg === 'HS256' ? 'HS512' : 'HS256';
  const wrongAlg = base64url(new TextEncoder().encode(JSON.stringify({ ...header, alg: otherAlg })));
  check(
    (await codeOf(tokenward, auth.verifyToken(`${wrongAlg}.${p}.${s}`))) === 'TOKEN_INVALID',
    'wrong alg',
  );
  check(
    (await codeOf(tokenward, auth.verifyToken(pair.refreshToken))) === 'TOKEN_TYPE_MISMATCH',
    'a refresh token as an access token',
  );
  check((await codeOf(tokenward, auth.verifyToken('a.b'))) === 'TOKEN_MALFORMED', 'malformed');
  checks.push('error codes');

  // refresh rotation, replay refused, family revoked
  now += 1000;
  const rotated = await auth.refresh(pair.refreshToken);
  check(rotated.refreshToken !== pair.refreshToken, 'rotation gives a new refresh token');
  check((await auth.verifyToken(rotated.accessToken)).sub === 'u1', 'rotated access token verifies');
  now += 1000;
  check(
    (await codeOf(tokenward, auth.refresh(pair.refreshToken))) === 'REFRESH_TOKEN_REUSED',
    'replay refused',
  );
  check(
    (await codeOf(tokenward, auth.refresh(rotated.refreshToken))) === 'TOKEN_REVOKED',
    'family revoked after replay',
  );
  checks.push('rotate+replay');

  // revocation of an access token
  const fresh = await auth.issueTokens({ sub: 'u3' });
  await auth.revoke(fresh.accessToken);
  check(
    (await codeOf(tokenward, auth.verifyToken(fresh.accessToken))) === 'TOKEN_REVOKED',
    'revoked access token',
  );
  checks.push('revoke');

  // expiry
  const expiring = await auth.issueTokens({ sub: 'u4' });
  now += 16 * 60 * 1000;
  check((await codeOf(tokenward, auth.verifyToken(expiring.accessToken))) === 'TOKEN_EXPIRED', 'expired');
  now -= 16 * 60 * 1000;
  checks.push('expiry');

  // kid rotation: the new key signs, the old one still verifies (a token of a live session:
  // pair's session ended with the replay above, and its access tokens with it)
  const beforeRotation = await auth.issueTokens({ sub: 'u1' });
  const rotatedKeys = createAuth(options([second.key, first.key]));
  check(
    (await rotatedKeys.verifyToken(beforeRotation.accessToken)).sub === 'u1',
    'old key still verifies after kid rotation',
  );
  const next = await rotatedKeys.issueTokens({ sub: 'u5' });
  const nextKid = decodePart(next.accessToken.split('.')[0]).kid;
  check(nextKid !== header.kid, 'the new key signs with its own kid');
  check(
    (await codeOf(tokenward, auth.verifyToken(next.accessToken))) === 'TOKEN_INVALID',
    'unknown kid refused',
  );
  checks.push('kid rotation');

  if (first.publicJwk !== undefined) {
    const jwks = auth.jwks();
    check(jwks.keys.length === 1 && jwks.keys[0].kid === header.kid && jwks.keys[0].d === undefined, 'jwks');
    // verify-only instances, from the public JWKS and from a public PEM
    const verifier = createAuth({ jwks, issuer: ISSUER, audience: AUDIENCE, clock });
    check((await verifier.verifyToken(pair.accessToken)).sub === 'u1', 'verify-only from jwks');
    const pemVerifier = createAuth({ keys: first.publicPem, issuer: ISSUER, audience: AUDIENCE, clock });
    check((await pemVerifier.verifyToken(pair.accessToken)).sub === 'u1', 'verify-only from a public PEM');
    checks.push('jwks+public pem');
  }
  if (first.pem !== undefined) {
    const fromPem = createAuth(options(first.pem));
    const pemPair = await fromPem.issueTokens({ sub: 'u6' });
    check(
      decodePart(pemPair.accessToken.split('.')[0]).kid === header.kid,
      'PEM and JWK of a key share a kid',
    );
    check((await auth.verifyToken(pemPair.accessToken)).sub === 'u6', 'PEM-signed token verifies');
    checks.push('pkcs8 pem');
  }
  return { alg, kid: header.kid, checks, key: first.key, token: pair.accessToken, now };
}

/** Password hashing through `tokenward/password`: hash, verify right and wrong. */
export async function runPasswordContract(password) {
  const hash = await password.hashPassword('correct horse', { insecureTestCost: 4 });
  check(hash.startsWith('$2b$04$'), 'a bcrypt hash');
  check((await password.verifyPassword('correct horse', hash)) === true, 'right password');
  check((await password.verifyPassword('wrong horse', hash)) === false, 'wrong password');
  return ['hash', 'verify'];
}
