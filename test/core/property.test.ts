/**
 * Property-based tests of `verifyToken` (fast-check), for HS256 and EdDSA:
 * - any input is rejected with an AuthError of a verification code, never anything else;
 * - any blind mutation of a valid token is rejected, or (only when it left the token
 *   semantically identical) accepted with the very same claims;
 * - header and claims re-encoded with hostile values and re-signed with the right key
 *   get exactly the answer the contract gives (DESIGN.md table, issue order: size,
 *   format, alg/header, signature, typ, claims).
 */
import { createHmac, sign as cryptoSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES, type Auth, type AuthErrorCode, createAuth, isAuthError } from '../../src/index.js';
import { RESERVED_CLAIM_NAMES } from '../../src/tokens/reserved-claims.js';

const NOW = 1_750_000_000; // seconds; the clock below is pinned to it
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'api';
const TOLERANCE = 5;
const ACCESS_TTL = 900;
const MAX_SIZE = 8192;
const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 400);

type Outcome = { ok: true; claims: Record<string, unknown> } | { ok: false; code: AuthErrorCode };

interface Setup {
  name: string;
  alg: 'HS256' | 'EdDSA';
  kid: string;
  auth: Auth;
  signInput(input: string): Buffer;
}

function makeSetups(): Setup[] {
  const secret = Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef', 'utf8');
  const { privateKey } = generateKeyPairSync('ed25519');
  const common = { issuer: ISSUER, audience: AUDIENCE, clock: () => NOW * 1000, clockTolerance: TOLERANCE };
  return [
    {
      name: 'HS256',
      alg: 'HS256',
      kid: 'hs-1',
      auth: createAuth({ ...common, keys: { key: secret, kid: 'hs-1' } }),
      signInput: (input) => createHmac('sha256', secret).update(input).digest(),
    },
    {
      name: 'EdDSA',
      alg: 'EdDSA',
      kid: 'ed-1',
      auth: createAuth({ ...common, keys: { key: privateKey, kid: 'ed-1' } }),
      signInput: (input) => cryptoSign(null, Buffer.from(input), privateKey as KeyObject),
    },
  ];
}

const SETUPS = makeSetups();

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64url');
const b64json = (value: unknown): string => b64(JSON.stringify(value));
const decodePart = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Runs verifyToken; anything thrown that is not a well-formed AuthError fails the test. */
async function verify(setup: Setup, token: unknown, type?: 'access' | 'refresh'): Promise<Outcome> {
  try {
    const claims = await setup.auth.verifyToken(token as string, type === 'refresh' ? { type } : {});
    return { ok: true, claims: claims as Record<string, unknown> };
  } catch (error) {
    if (!isAuthError(error)) {
      throw new Error(`verifyToken threw a non-AuthError: ${String(error)}`, { cause: error });
    }
    expect(Object.keys(AUTH_ERROR_CODES)).toContain(error.code);
    expect(error.status).toBe(AUTH_ERROR_CODES[error.code].status);
    if (typeof token === 'string' && token.length >= 12) expect(error.message).not.toContain(token);
    return { ok: false, code: error.code };
  }
}

/** What no forged or garbled input may ever get past. */
const PRE_SIGNATURE_CODES: readonly AuthErrorCode[] = ['TOKEN_MISSING', 'TOKEN_MALFORMED', 'TOKEN_INVALID'];

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const BASE64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const base64urlChar = fc.constantFrom(...BASE64URL_CHARS.split(''));
const base64urlish = fc.string({ unit: base64urlChar, maxLength: 80 });
const anyChar = fc.oneof(
  base64urlChar,
  fc.constantFrom('.', '=', '+', '/', ' ', '\n', '\0', '%', '"', '{', '}', 'é', '\u{1F600}', '\uD800'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

function anyStringArb(setup: Setup, token: string): fc.Arbitrary<string> {
  const [header, payload] = token.split('.') as [string, string, string];
  return fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: anyChar, maxLength: 200 }),
    // dots and base64url-ish parts, any count
    fc.array(base64urlish, { maxLength: 6 }).map((parts) => parts.join('.')),
    // JSON header and payload of any shape, any signature
    fc
      .tuple(fc.jsonValue(), fc.jsonValue(), base64urlish)
      .map(([h, p, s]) => `${b64json(h)}.${b64json(p)}.${s}`),
    // the real header and payload with a forged signature
    base64urlish.map((s) => `${header}.${payload}.${s}`),
    // alg "none" in every casing, with and without a signature
    fc
      .tuple(fc.constantFrom('none', 'None', 'NONE', 'nOnE', 'NoNe'), fc.constantFrom('', 'AAAA', 'x'))
      .map(([alg, s]) => `${b64json({ alg, typ: 'at+jwt', kid: setup.kid })}.${payload}.${s}`),
    // huge: over the size limit
    fc
      .tuple(
        fc.integer({ min: MAX_SIZE + 1, max: 40_000 }),
        fc.string({ unit: anyChar, minLength: 1, maxLength: 4 }),
      )
      .map(([size, unit]) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size)),
    // the real token padded past the size limit
    fc.integer({ min: 1, max: 2000 }).map((n) => `${token}${'A'.repeat(MAX_SIZE - token.length + n)}`),
  );
}

interface Mutated {
  token: string;
  label: string;
}

function blindMutationArb(token: string): fc.Arbitrary<Mutated> {
  const parts = token.split('.') as [string, string, string];
  const partIndex = fc.integer({ min: 0, max: 2 });
  return fc.oneof(
    fc.nat(token.length * 8 - 1).map((bit) => {
      const i = bit >> 3;
      const c = String.fromCharCode(token.charCodeAt(i) ^ (1 << (bit & 7)));
      return { token: token.slice(0, i) + c + token.slice(i + 1), label: `bit flip ${bit}` };
    }),
    fc.tuple(partIndex, fc.nat(), anyChar).map(([p, pos, c]) => {
      const copy = [...parts];
      const part = copy[p]!;
      const i = pos % part.length;
      copy[p] = part.slice(0, i) + c + part.slice(i + 1);
      return { token: copy.join('.'), label: `substitute part ${p} at ${i} with ${JSON.stringify(c)}` };
    }),
    fc
      .tuple(partIndex, partIndex, partIndex)
      .filter(([a, b, c]) => !(a === 0 && b === 1 && c === 2))
      .map(([a, b, c]) => ({ token: [parts[a], parts[b], parts[c]].join('.'), label: `parts ${a}${b}${c}` })),
    fc.nat(token.length - 1).map((n) => ({ token: token.slice(0, n), label: `truncated to ${n}` })),
    fc
      .integer({ min: 1, max: token.length })
      .map((n) => ({ token: token.slice(n), label: `first ${n} cut` })),
    fc
      .tuple(fc.nat(token.length), fc.string({ unit: anyChar, minLength: 1, maxLength: 12 }))
      .map(([i, s]) => ({
        token: token.slice(0, i) + s + token.slice(i),
        label: `insert ${JSON.stringify(s)} at ${i}`,
      })),
    fc.tuple(fc.nat(token.length - 1), fc.integer({ min: 1, max: 16 })).map(([i, n]) => ({
      token: token.slice(0, i) + token.slice(i + n),
      label: `remove ${n} at ${i}`,
    })),
    fc.tuple(partIndex, base64urlish).map(([p, s]) => {
      const copy = [...parts];
      copy[p] = s;
      return { token: copy.join('.'), label: `part ${p} replaced` };
    }),
    base64urlish.map((s) => ({ token: `${token}.${s}`, label: 'extra part' })),
  );
}

const DELETE = Symbol('delete');
type FieldValue = unknown | typeof DELETE;
interface FieldMutation {
  where: 'header' | 'payload';
  name: string;
  value: FieldValue;
}

function numericDateArb(center: number, spread: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.integer({ min: center - spread, max: center + spread }),
    fc.double({ min: center - spread, max: center + spread, noNaN: true }),
    fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 0.5),
    // the edges of the tolerance and of the longest lifetime
    fc.constantFrom(
      ...[-TOLERANCE, TOLERANCE, ACCESS_TTL].flatMap((d) => [-1, -0.5, 0, 0.5, 1].map((e) => NOW + d + e)),
    ),
  );
}

function fieldArb(setup: Setup): fc.Arbitrary<FieldMutation> {
  const hostile = fc.oneof(fc.jsonValue(), fc.constant(DELETE));
  const header = (name: string, ...specific: fc.Arbitrary<unknown>[]) =>
    fc.oneof(hostile, ...specific).map((value) => ({ where: 'header' as const, name, value }));
  const payload = (name: string, ...specific: fc.Arbitrary<unknown>[]) =>
    fc.oneof(hostile, ...specific).map((value) => ({ where: 'payload' as const, name, value }));
  const wrongScalars = fc.constantFrom(null, true, false, 0, 1, '', [], {}, [ISSUER], { 0: 'x' });
  // Claims weigh more than header fields, so that claim checks are reached often enough.
  return fc.oneof(
    {
      arbitrary: header(
        'alg',
        fc.constantFrom(
          'none',
          'None',
          'NONE',
          'HS256',
          'HS384',
          'HS512',
          'EdDSA',
          'ES256',
          'RS256',
          'PS256',
        ),
        fc.constantFrom('eddsa', 'hs256', 'Ed25519', ' HS256', 'HS256\0', setup.alg, setup.alg.toLowerCase()),
      ),
      weight: 1,
    },
    {
      arbitrary: header(
        'typ',
        fc.constantFrom('at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT', 'refresh+jwt', 'JWT'),
        fc.constantFrom('application/refresh+jwt', 'jwt', 'at+jwt ', '', 'application/', 'at+jwt\0', 'atjwt'),
      ),
      weight: 1,
    },
    {
      arbitrary: header(
        'kid',
        fc.constantFrom(setup.kid, setup.kid.toUpperCase(), ` ${setup.kid}`, `${setup.kid}\0`, ''),
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'hs-1', 'ed-1', '../hs-1'),
      ),
      weight: 1,
    },
    { arbitrary: header('crit', fc.constantFrom([], ['exp'], ['b64'], ['kid'], 'exp')), weight: 1 },
    {
      arbitrary: header('jku', fc.constantFrom('https://evil.example/jwks.json', 'http://127.0.0.1/jwks')),
      weight: 1,
    },
    {
      arbitrary: header('jwk', fc.constant({ kty: 'oct', k: b64('attacker-secret-attacker-secret-1234') })),
      weight: 1,
    },
    { arbitrary: header('x5u', fc.constant('https://evil.example/cert.pem')), weight: 1 },
    { arbitrary: header('x5c', fc.constant(['MIIB'])), weight: 1 },
    { arbitrary: header('b64', fc.boolean()), weight: 1 },
    {
      arbitrary: payload(
        'exp',
        numericDateArb(NOW + ACCESS_TTL / 2, ACCESS_TTL),
        wrongScalars,
        fc.constant(`${NOW + 60}`),
      ),
      weight: 3,
    },
    {
      arbitrary: payload(
        'iat',
        numericDateArb(NOW - ACCESS_TTL / 2, ACCESS_TTL),
        wrongScalars,
        fc.constant(`${NOW}`),
      ),
      weight: 3,
    },
    { arbitrary: payload('nbf', numericDateArb(NOW, 30), wrongScalars, fc.constant(`${NOW}`)), weight: 3 },
    {
      arbitrary: payload(
        'iss',
        fc.constantFrom(ISSUER, `${ISSUER}/`, ISSUER.toUpperCase(), [ISSUER], ''),
        wrongScalars,
      ),
      weight: 3,
    },
    {
      arbitrary: payload(
        'aud',
        fc.constantFrom(AUDIENCE, [AUDIENCE], ['other', AUDIENCE], ['other'], 'API', [], [[AUDIENCE]]),
        fc.constant({ 0: AUDIENCE, length: 1 }),
        wrongScalars,
      ),
      weight: 3,
    },
    {
      arbitrary: payload('sub', fc.constantFrom('', 'user-2', 'admin', ['user-1']), wrongScalars),
      weight: 3,
    },
    { arbitrary: payload('jti', fc.constantFrom('', 'another-id', ['x']), wrongScalars), weight: 3 },
    {
      arbitrary: payload(
        'roles',
        fc.constantFrom(['admin'], [], ['admin', 'root'], 'admin', [1], ['admin', null], [['admin']]),
        fc.constant({ 0: 'admin', length: 1 }),
        wrongScalars,
      ),
      weight: 3,
    },
  );
}

const KNOWN_HEADER = new Set(['alg', 'typ', 'kid', 'crit', 'jku', 'jwk', 'x5u', 'x5c', 'b64', '__proto__']);
const KNOWN_CLAIMS = new Set<string>([...RESERVED_CLAIM_NAMES, '__proto__']);

function extraFieldsArb(known: ReadonlySet<string>): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(
    fc.string({ maxLength: 10 }).filter((name) => !known.has(name)),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 3 },
  );
}

// ---------------------------------------------------------------------------------------------
// The oracle: what the contract says a re-signed token must get
// ---------------------------------------------------------------------------------------------

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** The answer expected for a token with this header and payload, signed with the right key. */
function expected(
  setup: Setup,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  size: number,
): { ok: true } | { ok: false; codes: readonly AuthErrorCode[] } {
  if (size > MAX_SIZE) return { ok: false, codes: ['TOKEN_MALFORMED'] };
  // Algorithm, refused header parameters, kid: before the signature, all TOKEN_INVALID.
  const refused = ['crit', 'jku', 'jwk', 'x5u', 'x5c', 'b64'].some((name) => Object.hasOwn(header, name));
  const kidBad = Object.hasOwn(header, 'kid') && header.kid !== setup.kid;
  if (header.alg !== setup.alg || refused || kidBad) return { ok: false, codes: ['TOKEN_INVALID'] };
  // typ: RFC 7515 4.1.9 compares media types case-insensitively, `application/` optional.
  const typ =
    typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
  if (typ !== 'at+jwt') return { ok: false, codes: ['TOKEN_TYPE_MISMATCH'] };
  // Claims: the order among claim failures is the implementation's; the set is the contract's.
  const { iss, aud, sub, jti, iat, exp, nbf, roles } = payload;
  const codes = new Set<AuthErrorCode>();
  const typesOk =
    isNonEmptyString(sub) &&
    isNonEmptyString(jti) &&
    isNumericDate(iat) &&
    isNumericDate(exp) &&
    (nbf === undefined || isNumericDate(nbf));
  if (!typesOk) codes.add('CLAIM_INVALID');
  if (iss !== ISSUER) codes.add('CLAIM_INVALID');
  if (!(aud === AUDIENCE || (Array.isArray(aud) && aud.includes(AUDIENCE)))) codes.add('CLAIM_INVALID');
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string')))
    codes.add('CLAIM_INVALID');
  if (isNumericDate(iat) && iat > NOW + TOLERANCE) codes.add('TOKEN_NOT_YET_VALID');
  if (isNumericDate(nbf) && nbf > NOW + TOLERANCE) codes.add('TOKEN_NOT_YET_VALID');
  if (isNumericDate(exp) && exp <= NOW - TOLERANCE) codes.add('TOKEN_EXPIRED');
  if (isNumericDate(exp) && isNumericDate(iat) && exp - iat > ACCESS_TTL) codes.add('CLAIM_INVALID');
  return codes.size === 0 ? { ok: true } : { ok: false, codes: [...codes] };
}

function applyFields(
  base: Record<string, unknown>,
  mutations: readonly FieldMutation[],
  where: 'header' | 'payload',
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base, ...extra };
  for (const m of mutations) {
    if (m.where !== where) continue;
    if (m.value === DELETE) delete out[m.name];
    else out[m.name] = m.value;
  }
  return out;
}

function resign(setup: Setup, headerText: string, payloadText: string): string {
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  return `${input}.${setup.signInput(input).toString('base64url')}`;
}

// ---------------------------------------------------------------------------------------------

describe.each(SETUPS)('verifyToken properties ($name)', (setup) => {
  const tokenPromise = setup.auth.createAccessToken({
    sub: 'user-1',
    roles: ['admin', 'editor'],
    org: 'acme',
  });

  it('issues a token these properties start from, which verifies', async () => {
    const token = await tokenPromise;
    const outcome = await verify(setup, token);
    expect(outcome.ok).toBe(true);
    expect(decodePart(token.split('.')[0]!)).toEqual({ alg: setup.alg, typ: 'at+jwt', kid: setup.kid });
    // A re-signature made here (not by tokenward) of the same bytes is the same token: the
    // re-signing helper below is faithful.
    const [h, p] = token.split('.') as [string, string, string];
    expect(
      resign(setup, Buffer.from(h, 'base64url').toString(), Buffer.from(p, 'base64url').toString()),
    ).toBe(token);
  });

  it('rejects any string with an AuthError of a pre-signature code, never anything else', async () => {
    const token = await tokenPromise;
    await fc.assert(
      fc.asyncProperty(
        anyStringArb(setup, token),
        fc.constantFrom(undefined, 'refresh' as const),
        async (s, type) => {
          const outcome = await verify(setup, s, type);
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expect(PRE_SIGNATURE_CODES).toContain(outcome.code);
          if (s === '') expect(outcome).toEqual({ ok: false, code: 'TOKEN_MISSING' });
          if (s.length > MAX_SIZE) expect(outcome).toEqual({ ok: false, code: 'TOKEN_MALFORMED' });
        },
      ),
      { numRuns: NUM_RUNS * 2 },
    );
  });

  it('rejects any non-string value with an AuthError, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything().filter((v) => typeof v !== 'string'),
        async (value) => {
          const outcome = await verify(setup, value);
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expect(['TOKEN_MISSING', 'TOKEN_MALFORMED']).toContain(outcome.code);
        },
      ),
      { numRuns: NUM_RUNS / 2 },
    );
  });

  it('rejects any blind mutation of a valid token, or returns the very same claims', async () => {
    const token = await tokenPromise;
    const original = await verify(setup, token);
    if (!original.ok) throw new Error('the original token does not verify');
    await fc.assert(
      fc.asyncProperty(blindMutationArb(token), async ({ token: mutated }) => {
        fc.pre(mutated !== token);
        const outcome = await verify(setup, mutated);
        if (outcome.ok) {
          // Only a semantically identical token may pass: same signed bytes, same claims.
          expect(outcome.claims).toEqual(original.claims);
          const [h, p] = mutated.split('.');
          expect(`${h}.${p}`).toBe(token.split('.').slice(0, 2).join('.'));
        } else {
          expect(PRE_SIGNATURE_CODES).toContain(outcome.code);
        }
      }),
      { numRuns: NUM_RUNS * 2 },
    );
  });

  it('answers re-signed tokens with hostile header and claim values exactly as the contract says', async () => {
    const token = await tokenPromise;
    const [h, p] = token.split('.') as [string, string, string];
    const baseHeader = decodePart(h);
    const basePayload = decodePart(p);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fieldArb(setup), { minLength: 1, maxLength: 3 }),
        fc.option(extraFieldsArb(KNOWN_HEADER), { nil: undefined }),
        fc.option(extraFieldsArb(KNOWN_CLAIMS), { nil: undefined }),
        async (mutations, extraHeader, extraClaims) => {
          const header = applyFields(baseHeader, mutations, 'header', extraHeader ?? {});
          const payload = applyFields(basePayload, mutations, 'payload', extraClaims ?? {});
          const headerText = JSON.stringify(header);
          const payloadText = JSON.stringify(payload);
          const mutated = resign(setup, headerText, payloadText);
          const want = expected(setup, JSON.parse(headerText), JSON.parse(payloadText), mutated.length);
          const outcome = await verify(setup, mutated);
          if (want.ok) {
            expect(outcome).toEqual({ ok: true, claims: JSON.parse(payloadText) });
          } else {
            expect(outcome.ok, `accepted, but the contract says ${want.codes.join('/')}`).toBe(false);
            if (!outcome.ok) expect(want.codes).toContain(outcome.code);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('answers re-signed tokens with any validity window (exp, iat, nbf) as the contract says', async () => {
    const token = await tokenPromise;
    const [h, p] = token.split('.') as [string, string, string];
    const headerText = Buffer.from(h, 'base64url').toString();
    const header = decodePart(h);
    const basePayload = decodePart(p);
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            exp: numericDateArb(NOW + ACCESS_TTL / 2, ACCESS_TTL),
            iat: numericDateArb(NOW - ACCESS_TTL / 2, ACCESS_TTL),
            nbf: numericDateArb(NOW, 30),
          },
          { requiredKeys: [] },
        ),
        async (window) => {
          const payloadText = JSON.stringify({ ...basePayload, ...window });
          const mutated = resign(setup, headerText, payloadText);
          const want = expected(setup, header, JSON.parse(payloadText), mutated.length);
          const outcome = await verify(setup, mutated);
          if (want.ok) expect(outcome).toEqual({ ok: true, claims: JSON.parse(payloadText) });
          else {
            expect(outcome.ok, `accepted, but the contract says ${want.codes.join('/')}`).toBe(false);
            if (!outcome.ok) expect(want.codes).toContain(outcome.code);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('answers a re-signed token with one wrong-typed claim with CLAIM_INVALID', async () => {
    const token = await tokenPromise;
    const [h, p] = token.split('.') as [string, string, string];
    const headerText = Buffer.from(h, 'base64url').toString();
    const basePayload = decodePart(p);
    const wrongTyped = fc.oneof(
      fc.string().map((v): unknown => v),
      fc.constantFrom(null, true, [], {}, [NOW + 10]),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('exp', 'iat', 'nbf'), wrongTyped, async (name, value) => {
        const mutated = resign(setup, headerText, JSON.stringify({ ...basePayload, [name]: value }));
        expect(await verify(setup, mutated)).toEqual({ ok: false, code: 'CLAIM_INVALID' });
      }),
      { numRuns: NUM_RUNS / 2 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('sub', 'jti', 'iss', 'aud', 'roles'),
        fc.oneof(fc.integer(), fc.constantFrom(null, false, {}, [1], '')),
        async (name, value) => {
          const mutated = resign(setup, headerText, JSON.stringify({ ...basePayload, [name]: value }));
          expect(await verify(setup, mutated)).toEqual({ ok: false, code: 'CLAIM_INVALID' });
        },
      ),
      { numRuns: NUM_RUNS / 2 },
    );
  });

  it('applies the size limit to correctly signed tokens too', async () => {
    const token = await tokenPromise;
    const [h, p] = token.split('.') as [string, string, string];
    const headerText = Buffer.from(h, 'base64url').toString();
    const basePayload = decodePart(p);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 5500, max: 6500 }), async (n) => {
        const payloadText = JSON.stringify({ ...basePayload, blob: 'x'.repeat(n) });
        const mutated = resign(setup, headerText, payloadText);
        const outcome = await verify(setup, mutated);
        if (mutated.length > MAX_SIZE) expect(outcome).toEqual({ ok: false, code: 'TOKEN_MALFORMED' });
        else expect(outcome).toEqual({ ok: true, claims: JSON.parse(payloadText) });
      }),
      { numRuns: 60 },
    );
  });

  it('answers correctly signed tokens whose JSON no JSON.stringify would write', async () => {
    const token = await tokenPromise;
    const [h, p] = token.split('.') as [string, string, string];
    const headerText = Buffer.from(h, 'base64url').toString();
    const payloadText = Buffer.from(p, 'base64url').toString();
    const withClaim = (raw: string) => `${payloadText.slice(0, -1)},${raw}}`;
    const cases: [string, string, string, AuthErrorCode][] = [
      ['exp overflowing to Infinity', headerText, withClaim('"exp":1e999'), 'CLAIM_INVALID'],
      ['nbf overflowing to -Infinity', headerText, withClaim('"nbf":-1e999'), 'CLAIM_INVALID'],
      ['payload that is JSON null', headerText, 'null', 'TOKEN_MALFORMED'],
      ['payload that is a JSON array', headerText, '[]', 'TOKEN_MALFORMED'],
      ['payload with a byte order mark', headerText, `\uFEFF${payloadText}`, 'TOKEN_MALFORMED'],
      ['header that is a JSON string', '"at+jwt"', payloadText, 'TOKEN_MALFORMED'],
      [
        'header with alg given twice, none last',
        `${headerText.slice(0, -1)},"alg":"none"}`,
        payloadText,
        'TOKEN_INVALID',
      ],
      ['empty payload', headerText, '', 'TOKEN_MALFORMED'],
    ];
    for (const [label, headerRaw, payloadRaw, code] of cases) {
      expect(await verify(setup, resign(setup, headerRaw, payloadRaw)), label).toEqual({ ok: false, code });
    }
  });

  it('does not read claims through the prototype ("__proto__" in the JSON)', async () => {
    const token = await tokenPromise;
    const [h, p] = token.split('.') as [string, string, string];
    const headerText = Buffer.from(h, 'base64url').toString();
    const { sub: _sub, roles: _roles, ...rest } = decodePart(p);
    // JSON.parse makes "__proto__" an own property; a reader that walked the prototype would find sub.
    const smuggled = `${JSON.stringify(rest).slice(0, -1)},"__proto__":{"sub":"admin","roles":["admin"]}}`;
    expect(await verify(setup, resign(setup, headerText, smuggled))).toEqual({
      ok: false,
      code: 'CLAIM_INVALID',
    });
    // Duplicate names: JSON.parse keeps the last one; whatever is signed is what is checked.
    const duplicated = `${JSON.stringify(decodePart(p)).slice(0, -1)},"exp":"${NOW + 60}"}`;
    expect(await verify(setup, resign(setup, headerText, duplicated))).toEqual({
      ok: false,
      code: 'CLAIM_INVALID',
    });
  });
});
