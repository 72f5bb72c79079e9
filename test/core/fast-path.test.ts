/**
 * The node:crypto fast path against jose, its oracle (fast-check, differential):
 * for HS256/384/512, EdDSA, ES256 and RS256, every token — valid ones, every blind
 * mutation of them, tokens re-signed with hostile headers, payloads and signature
 * encodings, random strings — gets from the fast path exactly what it gets from
 * the jose path: the same claims, or the same error code. The fast path decodes
 * with decodeTokenFast (which reuses known headers), the jose path with parse.ts's
 * decodeToken, so the decoders are compared too.
 * Also: what the fast signer makes, jose verifies; and the verified-token cache.
 */
import {
  createHmac,
  createSecretKey,
  sign as cryptoSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import fc from 'fast-check';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { type AuthConfig, resolveConfig } from '../../src/config.js';
import { type Auth, type AuthErrorCode, createAuth, isAuthError } from '../../src/index.js';
import { importKey } from '../../src/keys/import-key.js';
import { isCanonicalBase64url } from '../../src/tokens/base64url.js';
import { base64urlView, canonicalBase64urlToUtf8 } from '../../src/tokens/scratch-decode.js';
import { signToken } from '../../src/tokens/sign.js';
import { createVerifyCache } from '../../src/tokens/verify-cache.js';
import type { VerificationKey } from '../../src/tokens/verify-signature.js';
import { checkStateless, verifyToken } from '../../src/tokens/verify-token.js';
import type { AuthOptions } from '../../src/types.js';
import { joseVerifyStateless } from '../support/jose-oracle.js';

const NOW = 1_750_000_000; // seconds; every clock below is pinned to it
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'api';
const TOLERANCE = 5;
const ACCESS_TTL = 900;
const RUNS = Number(process.env.FAST_PATH_RUNS ?? 200);

type Alg = 'HS256' | 'HS384' | 'HS512' | 'EdDSA' | 'ES256' | 'RS256';
type Outcome = { ok: true; claims: Record<string, unknown> } | { ok: false; code: AuthErrorCode };

interface Setup {
  readonly alg: Alg;
  readonly kid: string;
  readonly config: AuthConfig;
  readonly auth: Auth;
  /** Signs with the primary key, the second configured key (also valid), or a stranger's key. */
  readonly sign: Record<'primary' | 'secondary' | 'stranger', (input: Buffer) => Buffer>;
  /** The public (or secret) key of the primary key, for jose. */
  readonly verifyKey: KeyObject;
}

function signerFor(alg: Alg, key: KeyObject): (input: Buffer) => Buffer {
  switch (alg) {
    case 'HS256':
    case 'HS384':
    case 'HS512':
      return (input) =>
        createHmac(`sha${alg.slice(2)}`, key)
          .update(input)
          .digest();
    case 'EdDSA':
      return (input) => cryptoSign(null, input, key);
    case 'ES256':
      return (input) => cryptoSign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
    case 'RS256':
      return (input) => cryptoSign('sha256', input, key);
  }
}

function newKey(alg: Alg): KeyObject {
  switch (alg) {
    case 'HS256':
    case 'HS384':
    case 'HS512':
      return createSecretKey(randomBytes(64));
    case 'EdDSA':
      return generateKeyPairSync('ed25519').privateKey;
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    case 'RS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }
}

const baseOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  accessTokenTtl: ACCESS_TTL,
  clockTolerance: TOLERANCE,
  clock: () => NOW * 1000,
};

function makeSetup(alg: Alg): Setup {
  const kid = `${alg.toLowerCase()}-1`;
  const [primary, secondary, stranger] = [newKey(alg), newKey(alg), newKey(alg)];
  const symmetric = alg.startsWith('HS');
  const options: AuthOptions = {
    ...baseOptions,
    keys: [
      { key: primary, kid, ...(symmetric ? { alg } : {}) },
      { key: secondary, kid: `${kid}-old`, verifyOnly: true, ...(symmetric ? { alg } : {}) },
    ],
  };
  return {
    alg,
    kid,
    config: resolveConfig(options),
    auth: createAuth(options),
    sign: {
      primary: signerFor(alg, primary),
      secondary: signerFor(alg, secondary),
      stranger: signerFor(alg, stranger),
    },
    verifyKey: importKey(symmetric ? { key: primary, alg } : { key: primary }).verifyKey as KeyObject,
  };
}

const ALGS: readonly Alg[] = ['HS256', 'HS384', 'HS512', 'EdDSA', 'ES256', 'RS256'];
const SETUPS = ALGS.map(makeSetup);

async function outcomeOf(run: () => Promise<Record<string, unknown>>): Promise<Outcome> {
  try {
    return { ok: true, claims: await run() };
  } catch (error) {
    if (!isAuthError(error)) throw new Error(`not an AuthError: ${String(error)}`, { cause: error });
    return { ok: false, code: error.code };
  }
}

type Path = 'fast' | 'jose';

/** tokenward's one verification path ('fast'), or the jose oracle of test/support ('jose'). */
const stateless = (config: AuthConfig, token: unknown, kind: 'access' | 'refresh', path: Path) =>
  outcomeOf(async () =>
    path === 'fast' ? checkStateless(config, token, kind) : joseVerifyStateless(config, token, kind),
  );

/** Both paths, and the public verifyToken for access tokens: they must agree. */
async function agree(setup: Setup, token: unknown, kind: 'access' | 'refresh' = 'access'): Promise<Outcome> {
  const oracle = await stateless(setup.config, token, kind, 'jose');
  const fast = await stateless(setup.config, token, kind, 'fast');
  const what = typeof token === 'string' ? token.slice(0, 300) : typeof token;
  expect(fast, `fast path vs jose for ${what}`).toEqual(oracle);
  if (kind === 'access') {
    const viaAuth = await outcomeOf(() => setup.auth.verifyToken(token as string));
    expect(viaAuth).toEqual(oracle);
  }
  return oracle;
}

// ---------------------------------------------------------------------------------------------
// Token material
// ---------------------------------------------------------------------------------------------

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

function validClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: 'user-1',
    roles: ['admin'],
    iss: ISSUER,
    aud: AUDIENCE,
    iat: NOW - 10,
    exp: NOW - 10 + ACCESS_TTL,
    jti: 'token-id-1',
    ...overrides,
  };
}

/** A JSON text with bytes that are not all well-formed UTF-8 inside a string member. */
function withRawBytes(prefix: string, bytes: Uint8Array, suffix: string): Buffer {
  // Quotes, backslashes and control characters would end or break the JSON string.
  const safe = Buffer.from(bytes.filter((b) => b >= 0x20 && b !== 0x22 && b !== 0x5c));
  return Buffer.concat([Buffer.from(prefix, 'utf8'), safe, Buffer.from(suffix, 'utf8')]);
}

// Byte sequences that are not UTF-8, or are UTF-8 decoders disagree on.
const nastyBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 8 }),
  fc.constantFrom(
    Uint8Array.of(0xff),
    Uint8Array.of(0xc3, 0x28),
    Uint8Array.of(0xed, 0xa0, 0x80), // an encoded surrogate
    Uint8Array.of(0xc0, 0xaf), // an overlong '/'
    Uint8Array.of(0xf4, 0x90, 0x80, 0x80), // past U+10FFFF
    Uint8Array.of(0xef, 0xbf, 0xbd), // U+FFFD itself, well-formed
    Uint8Array.of(0xe2, 0x82), // truncated
    Uint8Array.of(0xc3, 0xa9), // é, well-formed
  ),
);

function headerBytesArb(setup: Setup): fc.Arbitrary<Buffer> {
  const base = { alg: setup.alg, typ: 'at+jwt', kid: setup.kid };
  const algs = fc.constantFrom<unknown>(
    ...ALGS,
    'none',
    'None',
    'PS256',
    'ES384',
    'Ed25519',
    '',
    setup.alg.toLowerCase(),
  );
  const kids = fc.constantFrom<unknown>(
    setup.kid,
    `${setup.kid}-old`,
    'unknown',
    '',
    '__proto__',
    'constructor',
    1,
    null,
    [setup.kid],
  );
  const typs = fc.constantFrom<unknown>(
    'at+jwt',
    'AT+JWT',
    'application/at+jwt',
    'JWT',
    'refresh+jwt',
    '',
    7,
  );
  const refused = fc.constantFrom('jku', 'jwk', 'x5u', 'x5c', 'crit', 'b64');
  return fc.oneof(
    fc.constant(json(base)),
    fc
      .record({ alg: algs, kid: kids, typ: typs }, { requiredKeys: [] })
      .map((fields) => json({ ...base, ...fields })),
    fc.record({ alg: algs, kid: kids, typ: typs }, { requiredKeys: [] }).map((fields) => json(fields)),
    fc.tuple(refused, fc.jsonValue({ maxDepth: 2 })).map(([name, value]) => json({ ...base, [name]: value })),
    fc
      .dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })
      .map((extra) => json({ ...extra, ...base })),
    // Not well-formed UTF-8 (or borderline), but JSON an object either way once decoded leniently.
    nastyBytes.map((bytes) =>
      withRawBytes(`{"alg":"${setup.alg}","typ":"at+jwt","kid":"${setup.kid}","x":"`, bytes, '"}'),
    ),
    nastyBytes.map((bytes) => withRawBytes(`{"alg":"${setup.alg}","x":"`, bytes, `","typ":"at+jwt"}`)),
    fc.constant(Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), json(base)])), // a BOM
    fc.jsonValue({ maxDepth: 2 }).map(json),
  );
}

function payloadBytesArb(): fc.Arbitrary<Buffer> {
  const dates = fc.oneof(
    fc.integer({ min: NOW - 2 * ACCESS_TTL, max: NOW + 2 * ACCESS_TTL }),
    fc.constantFrom(NOW - TOLERANCE, NOW + TOLERANCE, NOW, 1e308, -1, 0.5, '1750000000', null),
  );
  return fc.oneof(
    { arbitrary: fc.constant(json(validClaims())), weight: 3 },
    {
      arbitrary: fc
        .record(
          {
            iss: fc.constantFrom<unknown>(ISSUER, 'other', [ISSUER]),
            aud: fc.constantFrom<unknown>(AUDIENCE, [AUDIENCE, 'x'], ['x'], 1),
            sub: fc.constantFrom<unknown>('user-2', '', 3),
            iat: dates,
            exp: dates,
            nbf: dates,
            jti: fc.constantFrom<unknown>('id', '', ['x']),
            roles: fc.constantFrom<unknown>(['a'], 'a', [1]),
            fam: fc.constantFrom<unknown>('family', ''),
          },
          { requiredKeys: [] },
        )
        .map((fields) => json(validClaims(fields))),
      weight: 3,
    },
    {
      arbitrary: nastyBytes.map((bytes) =>
        withRawBytes(`${JSON.stringify(validClaims()).slice(0, -1)},"note":"`, bytes, '"}'),
      ),
      weight: 1,
    },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }).map(json), weight: 1 },
  );
}

type SignatureMode =
  | 'primary'
  | 'secondary'
  | 'stranger'
  | 'random'
  | 'empty'
  | 'flip'
  | 'truncate'
  | 'extend'
  | 'der'
  | 'high-s'
  | 'lead-zero';

const ORDER_P256 = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** A signature over `input` made or damaged as `mode` says. */
function signature(setup: Setup, input: Buffer, mode: SignatureMode, noise: number): Buffer {
  const good = () => setup.sign.primary(input);
  switch (mode) {
    case 'primary':
    case 'secondary':
    case 'stranger':
      return setup.sign[mode](input);
    case 'random':
      return Buffer.from(Array.from({ length: (noise % 300) + 1 }, (_, i) => (noise * 31 + i * 7) & 0xff));
    case 'empty':
      return Buffer.alloc(0);
    case 'flip': {
      const sig = good();
      const bit = noise % (sig.length * 8);
      sig[bit >> 3] = sig[bit >> 3]! ^ (1 << (bit & 7));
      return sig;
    }
    case 'truncate':
      return good().subarray(0, Math.max(0, good().length - 1 - (noise % 4)));
    case 'extend':
      return Buffer.concat([good(), Buffer.of(noise & 0xff)]);
    case 'der':
      // The right signature in the wrong encoding: ES256 must be IEEE P1363.
      return setup.alg === 'ES256'
        ? (cryptoSign('sha256', input, {
            key: setup.config.keySet!.signingKey!.signKey as KeyObject,
            dsaEncoding: 'der',
          }) as Buffer)
        : good();
    case 'high-s': {
      // (r, n - s): the same ECDSA signature, "malleated".
      const sig = good();
      if (setup.alg !== 'ES256') return sig;
      const s = BigInt(`0x${sig.subarray(32).toString('hex')}`);
      const high = (ORDER_P256 - s).toString(16).padStart(64, '0');
      return Buffer.concat([sig.subarray(0, 32), Buffer.from(high, 'hex')]);
    }
    case 'lead-zero':
      return Buffer.concat([Buffer.of(0), good()]);
  }
}

const modeArb = fc.constantFrom<SignatureMode>(
  'primary',
  'primary',
  'primary',
  'secondary',
  'stranger',
  'random',
  'empty',
  'flip',
  'truncate',
  'extend',
  'der',
  'high-s',
  'lead-zero',
);

/** A compact JWS of any header and payload bytes, signed (or not) as `mode` says. */
function tokenArb(setup: Setup): fc.Arbitrary<string> {
  return fc
    .tuple(headerBytesArb(setup), payloadBytesArb(), modeArb, fc.nat())
    .map(([header, payload, mode, noise]) => {
      const input = `${b64(header)}.${b64(payload)}`;
      return `${input}.${b64(signature(setup, Buffer.from(input), mode, noise))}`;
    });
}

function validToken(setup: Setup): string {
  const input = `${b64(json({ alg: setup.alg, typ: 'at+jwt', kid: setup.kid }))}.${b64(json(validClaims()))}`;
  return `${input}.${b64(setup.sign.primary(Buffer.from(input)))}`;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const anyChar = fc.oneof(
  fc.constantFrom(...BASE64URL.split('')),
  fc.constantFrom('.', '=', '+', '/', ' ', '\0', 'é', '\uD800'),
);

function mutationArb(token: string): fc.Arbitrary<string> {
  const parts = token.split('.');
  return fc.oneof(
    fc.nat(token.length * 8 - 1).map((bit) => {
      const i = bit >> 3;
      return (
        token.slice(0, i) + String.fromCharCode(token.charCodeAt(i) ^ (1 << (bit & 7))) + token.slice(i + 1)
      );
    }),
    fc.tuple(fc.nat(token.length - 1), anyChar).map(([i, c]) => token.slice(0, i) + c + token.slice(i + 1)),
    fc.nat(token.length - 1).map((n) => token.slice(0, n)),
    fc
      .tuple(fc.nat(token.length), fc.string({ unit: anyChar, minLength: 1, maxLength: 6 }))
      .map(([i, s]) => token.slice(0, i) + s + token.slice(i)),
    fc
      .tuple(fc.nat(token.length - 1), fc.integer({ min: 1, max: 8 }))
      .map(([i, n]) => token.slice(0, i) + token.slice(i + n)),
    fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2)).map(([a, b, c]) => [parts[a], parts[b], parts[c]].join('.')),
  );
}

const randomStringArb = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .array(fc.string({ unit: fc.constantFrom(...BASE64URL.split('')), maxLength: 60 }), { maxLength: 5 })
    .map((parts) => parts.join('.')),
);

// ---------------------------------------------------------------------------------------------
// The differential properties
// ---------------------------------------------------------------------------------------------

describe.each(SETUPS.map((setup) => [setup.alg, setup] as const))(
  '%s: fast path and jose agree',
  (_, setup) => {
    it('on valid tokens, from both configured keys, with the same claims', async () => {
      const token = validToken(setup);
      const outcome = await agree(setup, token);
      expect(outcome).toEqual({ ok: true, claims: validClaims() });
      // Without a kid, both keys are candidates; with its own kid, only the old key is.
      const headers = [
        { alg: setup.alg, typ: 'at+jwt' },
        { alg: setup.alg, typ: 'at+jwt', kid: `${setup.kid}-old` },
      ];
      for (const header of headers) {
        const input = `${b64(json(header))}.${b64(json(validClaims()))}`;
        const byOldKey = `${input}.${b64(setup.sign.secondary(Buffer.from(input)))}`;
        expect(await agree(setup, byOldKey)).toEqual({ ok: true, claims: validClaims() });
        const byPrimary = `${input}.${b64(setup.sign.primary(Buffer.from(input)))}`;
        expect((await agree(setup, byPrimary)).ok).toBe(!('kid' in header));
      }
    });

    it('on tokens of any header, payload and signature encoding, signed or not', async () => {
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(tokenArb(setup), fc.boolean(), async (token, asRefresh) => {
          const outcome = await agree(setup, token, asRefresh ? 'refresh' : 'access');
          seen.add(outcome.ok ? 'ok' : outcome.code);
        }),
        { numRuns: RUNS * 3 },
      );
      // The generator reaches acceptance and every stage of rejection.
      expect(seen).toContain('ok');
      expect(seen).toContain('TOKEN_INVALID');
      expect(seen).toContain('TOKEN_MALFORMED');
      expect(seen).toContain('CLAIM_INVALID');
    });

    it('on every blind mutation of a valid token', async () => {
      const token = validToken(setup);
      await fc.assert(
        fc.asyncProperty(mutationArb(token), async (mutated) => {
          const outcome = await agree(setup, mutated);
          // Canonical base64url: a changed token is never the same token.
          if (mutated !== token) expect(outcome.ok).toBe(false);
        }),
        { numRuns: RUNS * 2 },
      );
    });

    it('on random strings and non-strings', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(randomStringArb, fc.anything()), async (input) => {
          expect((await agree(setup, input)).ok).toBe(false);
        }),
        { numRuns: RUNS },
      );
    });

    it('on header bytes that are not well-formed UTF-8 (jose refuses them even when signed)', async () => {
      const input = `${b64(withRawBytes(`{"alg":"${setup.alg}","typ":"at+jwt","x":"`, Uint8Array.of(0xff), '"}'))}.${b64(json(validClaims()))}`;
      const token = `${input}.${b64(setup.sign.primary(Buffer.from(input)))}`;
      expect(await agree(setup, token)).toEqual({ ok: false, code: 'TOKEN_INVALID' });
    });
  },
);

describe('the fast path leaves to jose the keys it does not cover', () => {
  it('a CryptoKey from jose verifies alike', async () => {
    const setup = SETUPS.find((s) => s.alg === 'ES256')!;
    const jwk = setup.config.keySet!.jwks().keys.find((k) => k.kid === setup.kid)!;
    const cryptoKey = await importJWK(jwk, 'ES256');
    const config: AuthConfig = { ...setup.config, lookup: () => [cryptoKey as VerificationKey] };
    const good = validToken(setup);
    const bad = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BA' : 'AA'}`;
    for (const token of [good, bad]) {
      expect(await stateless(config, token, 'access', 'fast')).toEqual(
        await stateless(config, token, 'access', 'jose'),
      );
    }
    expect((await stateless(config, good, 'access', 'fast')).ok).toBe(true);
  });

  it('a key that does not fit the algorithm is refused by both', async () => {
    const hs = SETUPS.find((s) => s.alg === 'HS256')!;
    const ed = SETUPS.find((s) => s.alg === 'EdDSA')!;
    // An HS256 token checked against an Ed25519 public key, and the reverse.
    for (const [setup, key] of [
      [hs, ed.verifyKey],
      [ed, hs.verifyKey],
    ] as const) {
      const config: AuthConfig = { ...setup.config, lookup: () => [key] };
      const token = validToken(setup);
      const fast = await stateless(config, token, 'access', 'fast');
      expect(fast).toEqual(await stateless(config, token, 'access', 'jose'));
      expect(fast).toEqual({ ok: false, code: 'TOKEN_INVALID' });
    }
  });

  it('an HS256 token signed with the public key as its secret is refused by both', async () => {
    const setup = SETUPS.find((s) => s.alg === 'RS256')!;
    const pem = setup.verifyKey.export({ format: 'pem', type: 'spki' });
    const input = `${b64(json({ alg: 'HS256', typ: 'at+jwt', kid: setup.kid }))}.${b64(json(validClaims()))}`;
    const token = `${input}.${b64(createHmac('sha256', pem).update(input).digest())}`;
    expect(await agree(setup, token)).toEqual({ ok: false, code: 'TOKEN_INVALID' });
  });
});

describe('decoding into reused buffers', () => {
  it('gives what Buffer.from gives, small or past the reused buffer', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.integer({ min: 16 * 1024 - 4, max: 16 * 1024 + 4 }).map((n) => randomBytes(n)),
    );
    fc.assert(
      fc.property(bytes, (data) => {
        const part = Buffer.from(data).toString('base64url');
        const reference = Buffer.from(part, 'base64url');
        expect(canonicalBase64urlToUtf8(part)).toBe(reference.toString('utf8'));
        expect(Buffer.compare(base64urlView(part), reference)).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts exactly the canonical spellings, the rule of base64url.ts', () => {
    // The round trip scratch-decode checks and the character rule of base64url.ts are one rule.
    const canonical = (part: string): boolean => part !== '' && isCanonicalBase64url(part);
    const chars = fc.oneof(
      fc.constantFrom(...BASE64URL.split('')),
      fc.constantFrom('=', '+', '/', ' ', '\n', '.', 'é', '\0'),
    );
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), (part) => {
        expect(canonicalBase64urlToUtf8(part) !== undefined).toBe(canonical(part));
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Signing: what the node:crypto signer makes, jose verifies
// ---------------------------------------------------------------------------------------------

describe('the node:crypto signer', () => {
  it.each(SETUPS.map((setup) => [setup.alg, setup] as const))(
    '%s: jose verifies every token it signs, with the same header and payload',
    async (_, setup) => {
      const key = setup.config.signingKey!;
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
          fc.constantFrom('at+jwt', 'refresh+jwt'),
          async (claims, typ) => {
            const token = await signToken(claims, typ, key);
            const { payload, protectedHeader } = await compactVerify(token, setup.verifyKey, {
              algorithms: [setup.alg],
            });
            expect(protectedHeader).toEqual({ alg: setup.alg, typ, kid: setup.kid });
            expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toEqual(
              JSON.parse(JSON.stringify(claims)),
            );
          },
        ),
        { numRuns: RUNS / 2 },
      );
    },
  );

  it('issues tokens that both verification paths accept', async () => {
    for (const setup of SETUPS) {
      const token = await setup.auth.createAccessToken({ sub: 'user-1', roles: ['admin'] });
      const outcome = await agree(setup, token);
      expect(outcome.ok).toBe(true);
    }
  });

  it('refuses claims JSON cannot hold', () => {
    const key = SETUPS[0]!.config.signingKey!;
    expect(() => signToken({ n: 1n }, 'at+jwt', key)).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// The verified-token cache
// ---------------------------------------------------------------------------------------------

function secretKeys() {
  return { key: Buffer.from('cache-secret-cache-secret-cache-secret-0123'), kid: 'hs-cache' };
}

/** An instance whose key lookups are counted, and whose clock is `clock.now` (ms). */
function counted(options: Partial<AuthOptions> = {}) {
  const clock = { now: NOW * 1000 };
  const base = resolveConfig({ ...baseOptions, keys: secretKeys(), clock: () => clock.now, ...options });
  const counter = { lookups: 0 };
  const config: AuthConfig = {
    ...base,
    lookup: (header, alg) => {
      counter.lookups += 1;
      return base.lookup(header, alg);
    },
  };
  // node:crypto signs synchronously.
  const sign = (claims: Record<string, unknown>, typ = 'at+jwt') =>
    signToken(claims, typ, config.signingKey!) as string;
  const verify = (token: string, type: 'access' | 'refresh' = 'access') =>
    outcomeOf(() => verifyToken(config, token, { type }));
  return { config, counter, clock, sign, verify };
}

describe('the verified-token cache', () => {
  it('is off by default: every call verifies in full', async () => {
    const { config, counter, sign, verify } = counted();
    expect(config.verifyCache).toBeUndefined();
    const token = sign(validClaims());
    await verify(token);
    await verify(token);
    expect(counter.lookups).toBe(2);
  });

  it('answers a verified token again without verifying it, with equal claims in a new object', async () => {
    const { counter, sign, verify } = counted({ verifyCache: { maxEntries: 10 } });
    const token = sign(validClaims());
    const first = await verify(token);
    const second = await verify(token);
    expect(counter.lookups).toBe(1);
    expect(second).toEqual(first);
    expect(first).toEqual({ ok: true, claims: validClaims() });
    if (!first.ok || !second.ok) throw new Error('unreachable');
    expect(second.claims).not.toBe(first.claims);
    second.claims.extra = 1;
    const third = await verify(token);
    expect(third.ok && 'extra' in third.claims).toBe(false);
    expect(Object.isFrozen(second.claims.roles)).toBe(true);
  });

  it('never holds a token that failed, nor a mutation of a cached one', async () => {
    const { counter, sign, verify } = counted({ verifyCache: { maxEntries: 10 } });
    const token = sign(validClaims());
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(await verify(forged)).toEqual({ ok: false, code: 'TOKEN_INVALID' });
    expect(await verify(forged)).toEqual({ ok: false, code: 'TOKEN_INVALID' });
    expect(counter.lookups).toBe(2);
    await verify(token);
    expect(await verify(forged)).toEqual({ ok: false, code: 'TOKEN_INVALID' });
  });

  it('keeps at most maxEntries tokens, the least recently used leaving first', async () => {
    const { config, counter, sign, verify } = counted({ verifyCache: { maxEntries: 2 } });
    const [a, b, c] = ['a', 'b', 'c'].map((jti) => sign(validClaims({ jti })));
    await verify(a!);
    await verify(b!);
    await verify(a!); // a is now the most recently used
    expect(counter.lookups).toBe(2);
    await verify(c!); // evicts b
    expect(config.verifyCache!.size).toBe(2);
    await verify(a!);
    expect(counter.lookups).toBe(3);
    await verify(b!);
    expect(counter.lookups).toBe(4);
  });

  it('never answers at or after exp; the full check then decides, with its tolerance', async () => {
    const { counter, clock, sign, verify } = counted({ verifyCache: { maxEntries: 10 } });
    const exp = NOW + 60;
    const token = sign(validClaims({ iat: NOW, exp }));
    expect((await verify(token)).ok).toBe(true);
    clock.now = exp * 1000 - 1;
    expect((await verify(token)).ok).toBe(true);
    expect(counter.lookups).toBe(1);
    clock.now = exp * 1000;
    expect((await verify(token)).ok).toBe(true); // within the 5 s tolerance, verified in full
    expect(counter.lookups).toBe(2);
    clock.now = (exp + TOLERANCE) * 1000;
    expect(await verify(token)).toEqual({ ok: false, code: 'TOKEN_EXPIRED' });
    expect(counter.lookups).toBe(3);
  });

  it('does not answer when the clock goes back before the token is valid', async () => {
    const { clock, sign, verify } = counted({ verifyCache: { maxEntries: 10 } });
    const token = sign(validClaims({ iat: NOW, exp: NOW + 60, nbf: NOW }));
    expect((await verify(token)).ok).toBe(true);
    clock.now = (NOW - TOLERANCE - 1) * 1000;
    expect(await verify(token)).toEqual({ ok: false, code: 'TOKEN_NOT_YET_VALID' });
  });

  it('keeps the kinds apart: a cached access token is no refresh token', async () => {
    const { sign, verify } = counted({ verifyCache: { maxEntries: 10 } });
    const token = sign(validClaims());
    expect((await verify(token)).ok).toBe(true);
    expect(await verify(token, 'refresh')).toEqual({ ok: false, code: 'TOKEN_TYPE_MISMATCH' });
  });

  it('still checks revocation on every call', async () => {
    const auth = createAuth({
      ...baseOptions,
      clock: () => NOW * 1000,
      keys: secretKeys(),
      checkRevocation: true,
      verifyCache: { maxEntries: 10 },
    });
    const token = await auth.createAccessToken({ sub: 'user-1' });
    await auth.verifyToken(token);
    await auth.verifyToken(token);
    await auth.revoke(token);
    await expect(auth.verifyToken(token)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
  });

  it('still checks the refresh-token state on every call', async () => {
    let now = NOW * 1000;
    const auth = createAuth({
      ...baseOptions,
      clock: () => now,
      keys: secretKeys(),
      verifyCache: { maxEntries: 10 },
    });
    const pair = await auth.issueTokens({ sub: 'user-1' });
    await auth.verifyToken(pair.refreshToken, { type: 'refresh' });
    now += 1000;
    await auth.refresh(pair.refreshToken);
    await expect(auth.verifyToken(pair.refreshToken, { type: 'refresh' })).rejects.toMatchObject({
      code: 'TOKEN_REVOKED',
    });
  });

  it('refuses a maxEntries that is not a positive integer', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN, '10' as unknown as number]) {
      expect(() => createVerifyCache({ maxEntries })).toThrowError(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
      expect(() => createAuth({ keys: secretKeys(), verifyCache: { maxEntries } })).toThrowError(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
  });
});
