/**
 * Published test vectors nobody here wrote, checked at the signature layer.
 *
 * Sources (values copied from the RFC examples, cross-checked against the
 * octet arrays the RFCs print next to them):
 * - RFC 7515 appendix A.1: JWS using HMAC SHA-256, with the JWK of A.1.1.
 * - RFC 7515 appendix A.3: JWS using ECDSA P-256 SHA-256, with the JWK of A.3.1.
 * - RFC 8037 appendix A.4: Ed25519 signature of "Example of Ed25519 signing",
 *   with the key of A.1/A.2.
 *
 * The RFC 7515 examples carry `typ: JWT`, `iss: joe` and an `exp` from 2011, so
 * `verifyToken` would rightly refuse them: only `decodeToken` + `checkSignature`
 * (the layers below it) are exercised, each against the jose oracle of
 * test/support. RFC 8037 A.4's payload is not JSON, so `decodeToken` refuses it by
 * design; its signature is checked with the key imported by tokenward's
 * `importKey`, through tokenward's node:crypto verifier and jose `flattenedVerify`.
 *
 * The bit-flip checks are one suite, run once per algorithm: a new algorithm's
 * published vector is one more entry in VECTORS.
 */
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { flattenedVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthError, isAuthError } from '../../src/errors.js';
import type { JwsAlgorithm } from '../../src/keys/algorithms.js';
import { importKey, type PreparedKey } from '../../src/keys/import-key.js';
import { isCanonicalBase64url } from '../../src/tokens/base64url.js';
import { fastVerifier } from '../../src/tokens/fast-verify.js';
import { decodeToken } from '../../src/tokens/parse.js';
import { checkSignature } from '../../src/tokens/verify-signature.js';
import { joseCheckSignature } from '../support/jose-oracle.js';

const MAX_SIZE = 8192;

// RFC 7515 A.1.1: the HMAC key as a JWK.
const RFC7515_A1_JWK = {
  kty: 'oct',
  k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow',
} as const;
// RFC 7515 A.1.1: the key's octets as the RFC prints them.
const RFC7515_A1_KEY_OCTETS = [
  3, 35, 53, 75, 43, 15, 165, 188, 131, 126, 6, 101, 119, 123, 166, 143, 90, 179, 40, 230, 240, 84, 201, 40,
  169, 15, 132, 178, 210, 80, 46, 191, 211, 251, 90, 146, 210, 6, 71, 239, 150, 138, 180, 195, 119, 98, 61,
  34, 61, 46, 33, 114, 5, 46, 79, 8, 192, 205, 154, 245, 103, 208, 128, 163,
];
// RFC 7515 A.1.1: the complete JWS Compact Serialization.
const RFC7515_A1_JWS =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
  '.' +
  'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.' +
  'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
// RFC 7515 A.1.1: the HMAC value's octets.
const RFC7515_A1_MAC_OCTETS = [
  116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191,
  240, 91, 88, 5, 88, 83, 132, 141, 121,
];

// RFC 7515 A.3.1: the P-256 key as a JWK.
const RFC7515_A3_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
} as const;
// RFC 7515 A.3.1: the complete JWS Compact Serialization.
const RFC7515_A3_JWS =
  'eyJhbGciOiJFUzI1NiJ9' +
  '.' +
  'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.' +
  'DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q';
// RFC 7515 A.3.1: R and S as the RFC prints them.
const RFC7515_A3_R = [
  14, 209, 33, 83, 121, 99, 108, 72, 60, 47, 127, 21, 88, 7, 212, 2, 163, 178, 40, 3, 58, 249, 124, 126, 23,
  129, 154, 195, 22, 158, 166, 101,
];
const RFC7515_A3_S = [
  197, 10, 7, 211, 140, 60, 112, 229, 216, 241, 45, 175, 8, 74, 84, 128, 166, 101, 144, 197, 242, 147, 80,
  154, 143, 63, 127, 138, 131, 163, 84, 213,
];

// RFC 8037 A.1: the Ed25519 private key (A.2 is its public part, `x`).
const RFC8037_A1_JWK = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
} as const;
const RFC8037_A2_JWK = { kty: 'OKP', crv: 'Ed25519', x: RFC8037_A1_JWK.x } as const;
// RFC 8037 A.4: the payload and the complete JWS.
const RFC8037_A4_PAYLOAD = 'Example of Ed25519 signing';
const RFC8037_A4_JWS =
  'eyJhbGciOiJFZERTQSJ9' +
  '.' +
  'RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc' +
  '.' +
  'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg';

function split(jws: string): [string, string, string] {
  const parts = jws.split('.');
  expect(parts).toHaveLength(3);
  return parts as [string, string, string];
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

function flipTextBit(text: string, bit: number): string {
  const index = bit >> 3;
  const flipped = String.fromCharCode(text.charCodeAt(index) ^ (1 << (bit & 7)));
  return text.slice(0, index) + flipped + text.slice(index + 1);
}

async function codeOrAccepted(run: () => unknown): Promise<string> {
  try {
    await run();
    return 'accepted';
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return error.code;
  }
}

/**
 * decodeToken + checkSignature, as `verifyToken` runs them, with one key: the AuthError
 * code, or 'accepted'. The jose oracle must answer the same.
 */
async function outcome(jws: string, alg: string, key: PreparedKey): Promise<string> {
  const lookup = () => [key.verifyKey];
  const algorithms = new Set([alg]);
  const mine = await codeOrAccepted(() => checkSignature(decodeToken(jws, MAX_SIZE), algorithms, lookup));
  const oracle = await codeOrAccepted(async () => {
    const decoded = decodeToken(jws, MAX_SIZE);
    await joseCheckSignature(decoded.parts, decoded.header, { algorithms, lookup });
  });
  expect(mine, `tokenward vs jose for ${jws}`).toBe(oracle);
  return mine;
}

/** jose flattenedVerify with a key tokenward imported. */
async function joseVerifies(
  alg: string,
  h: string,
  p: string,
  sig: string,
  key: KeyObject,
): Promise<boolean> {
  try {
    await flattenedVerify({ protected: h, payload: p, signature: sig }, key, { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

/** A published JWS and the key it verifies with. */
interface Vector {
  readonly alg: JwsAlgorithm;
  readonly source: string;
  readonly jws: string;
  readonly key: PreparedKey;
  /** `false` when the payload is not JSON: decodeToken refuses it, so only the signature layer sees it. */
  readonly jsonPayload: boolean;
}

const VECTORS: readonly Vector[] = [
  {
    alg: 'HS256',
    source: 'RFC 7515 A.1',
    jws: RFC7515_A1_JWS,
    key: importKey({ key: RFC7515_A1_JWK }),
    jsonPayload: true,
  },
  {
    alg: 'ES256',
    source: 'RFC 7515 A.3',
    jws: RFC7515_A3_JWS,
    key: importKey({ key: RFC7515_A3_JWK }),
    jsonPayload: true,
  },
  {
    alg: 'EdDSA',
    source: 'RFC 8037 A.4',
    jws: RFC8037_A4_JWS,
    key: importKey({ key: RFC8037_A1_JWK }),
    jsonPayload: false,
  },
];

/**
 * Whether a JWS's signature verifies at the signature layer, without decoding the
 * payload: tokenward's rule (canonical base64url, then its node:crypto verifier for
 * the algorithm), which jose must agree with whenever the parts are canonical.
 */
async function signatureVerifies(vector: Vector, h: string, p: string, sig: string): Promise<boolean> {
  const verify = fastVerifier(vector.key.verifyKey, vector.alg);
  expect(verify, `tokenward has a verifier for ${vector.alg}`).toBeDefined();
  const canonical = [h, p, sig].every(isCanonicalBase64url);
  const mine = canonical && verify!(`${h}.${p}`, Buffer.from(sig, 'base64url'));
  // jose decodes base64url leniently: it is the oracle only for canonical parts.
  if (canonical)
    expect(mine, 'tokenward vs jose').toBe(
      await joseVerifies(vector.alg, h, p, sig, vector.key.verifyKey as KeyObject),
    );
  return mine;
}

describe.each(VECTORS.map((vector) => [vector.alg, vector.source, vector] as const))(
  '%s (%s): every one-bit change is refused',
  (_alg, _source, vector) => {
    const [header, payload, signature] = split(vector.jws);
    const signingInput = `${header}.${payload}`;
    const sig = Buffer.from(signature, 'base64url');

    it('verifies unchanged, with its published key', async () => {
      expect(await signatureVerifies(vector, header, payload, signature)).toBe(true);
      if (vector.jsonPayload) expect(await outcome(vector.jws, vector.alg, vector.key)).toBe('accepted');
    });

    it('fails after every one-bit change of the signature', async () => {
      for (let bit = 0; bit < sig.length * 8; bit++) {
        const flipped = b64(flipBit(sig, bit));
        expect(await signatureVerifies(vector, header, payload, flipped), `signature bit ${bit}`).toBe(false);
        if (vector.jsonPayload) {
          expect(await outcome(`${signingInput}.${flipped}`, vector.alg, vector.key), `bit ${bit}`).toBe(
            'TOKEN_INVALID',
          );
        }
      }
    });

    it('fails after every one-bit change of the decoded header and payload (re-encoded)', async () => {
      let reachedSignature = 0;
      let total = 0;
      for (const [part, text] of [
        [0, header],
        [1, payload],
      ] as const) {
        const bytes = Buffer.from(text, 'base64url');
        for (let bit = 0; bit < bytes.length * 8; bit++) {
          const parts = [header, payload, signature];
          parts[part] = b64(flipBit(bytes, bit));
          const [h, p] = parts as [string, string, string];
          expect(await signatureVerifies(vector, h, p, signature), `part ${part} bit ${bit}`).toBe(false);
          if (!vector.jsonPayload) continue;
          const code = await outcome(parts.join('.'), vector.alg, vector.key);
          expect(['TOKEN_INVALID', 'TOKEN_MALFORMED'], `part ${part} bit ${bit}`).toContain(code);
          if (code === 'TOKEN_INVALID') reachedSignature++;
          total++;
        }
      }
      // About half the flips keep valid JSON and so reach the signature check: the loop
      // tests the signature, not only the parser.
      if (vector.jsonPayload) expect(reachedSignature).toBeGreaterThan(total * 0.4);
    });

    it('fails after every one-bit change of the signing input text and of the signature text', async () => {
      for (let bit = 0; bit < signingInput.length * 8; bit++) {
        const flipped = flipTextBit(signingInput, bit);
        const [h, p] = flipped.split('.');
        if (h !== undefined && p !== undefined && flipped.split('.').length === 2) {
          expect(await signatureVerifies(vector, h, p, signature), `signing input bit ${bit}`).toBe(false);
        }
        if (vector.jsonPayload) {
          expect(['TOKEN_INVALID', 'TOKEN_MALFORMED'], `signing input bit ${bit}`).toContain(
            await outcome(`${flipped}.${signature}`, vector.alg, vector.key),
          );
        }
      }
      for (let bit = 0; bit < signature.length * 8; bit++) {
        const flipped = flipTextBit(signature, bit);
        expect(await signatureVerifies(vector, header, payload, flipped), `signature text bit ${bit}`).toBe(
          false,
        );
        if (vector.jsonPayload) {
          expect(['TOKEN_INVALID', 'TOKEN_MALFORMED'], `signature text bit ${bit}`).toContain(
            await outcome(`${signingInput}.${flipped}`, vector.alg, vector.key),
          );
        }
      }
    });
  },
);

describe('RFC 7515 appendix A.1 (HS256)', () => {
  const key = importKey({ key: RFC7515_A1_JWK });
  const [, , signature] = split(RFC7515_A1_JWS);

  it('imports the published JWK as a 64-byte HS256 secret', () => {
    expect(key.alg).toBe('HS256');
    expect(key.symmetric).toBe(true);
    expect([...(key.verifyKey as KeyObject).export()]).toEqual(RFC7515_A1_KEY_OCTETS);
    expect([...Buffer.from(signature, 'base64url')]).toEqual(RFC7515_A1_MAC_OCTETS);
  });

  it('decodes to the published header and claims', () => {
    const decoded = decodeToken(RFC7515_A1_JWS, MAX_SIZE);
    expect(decoded.header).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(decoded.payload).toEqual({ iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true });
  });

  it('is refused with a different secret of the same size', async () => {
    const other = importKey({
      key: { kty: 'oct', k: b64(flipBit((key.verifyKey as KeyObject).export(), 0)) },
    });
    expect(await outcome(RFC7515_A1_JWS, 'HS256', other)).toBe('TOKEN_INVALID');
  });

  it('is refused when HS256 is not in the allowlist', async () => {
    expect(await outcome(RFC7515_A1_JWS, 'EdDSA', key)).toBe('TOKEN_INVALID');
  });
});

describe('RFC 7515 appendix A.3 (ES256)', () => {
  const key = importKey({ key: RFC7515_A3_JWK });
  const [header, payload, signature] = split(RFC7515_A3_JWS);

  it('imports the published JWK as an ES256 key pair', () => {
    expect(key.alg).toBe('ES256');
    expect(key.symmetric).toBe(false);
    expect(key.publicJwk).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      x: RFC7515_A3_JWK.x,
      y: RFC7515_A3_JWK.y,
    });
    expect(key.publicJwk).not.toHaveProperty('d');
    expect([...Buffer.from(signature, 'base64url')]).toEqual([...RFC7515_A3_R, ...RFC7515_A3_S]);
  });

  it('verifies with the public part alone', async () => {
    expect(decodeToken(RFC7515_A3_JWS, MAX_SIZE).header).toEqual({ alg: 'ES256' });
    const { d: _d, ...publicJwk } = RFC7515_A3_JWK;
    const publicOnly = importKey({ key: publicJwk });
    expect(publicOnly.signKey).toBeUndefined();
    expect(await outcome(RFC7515_A3_JWS, 'ES256', publicOnly)).toBe('accepted');
  });

  it('no one-bit change of the signing input verifies with raw node:crypto either', () => {
    const signingInput = `${header}.${payload}`;
    const sig = Buffer.from(signature, 'base64url');
    for (let bit = 0; bit < signingInput.length * 8; bit++) {
      const raw = cryptoVerify(
        'sha256',
        Buffer.from(flipTextBit(signingInput, bit)),
        { key: key.verifyKey as KeyObject, dsaEncoding: 'ieee-p1363' },
        sig,
      );
      expect(raw, `raw ECDSA, bit ${bit}`).toBe(false);
    }
  });

  it('refuses the all-zero signature (CVE-2022-21449, "psychic signatures")', async () => {
    const jws = `${header}.${payload}.${b64(new Uint8Array(64))}`;
    expect(await outcome(jws, 'ES256', key)).toBe('TOKEN_INVALID');
  });
});

describe('RFC 8037 appendix A.4 (Ed25519)', () => {
  const key = importKey({ key: RFC8037_A1_JWK });
  const [header, payload, signature] = split(RFC8037_A4_JWS);
  const signingInput = `${header}.${payload}`;

  it('imports the published key as EdDSA, its public part matching A.2', () => {
    expect(key.alg).toBe('EdDSA');
    expect(key.publicJwk).toMatchObject(RFC8037_A2_JWK);
    expect(Buffer.from(payload, 'base64url').toString('utf8')).toBe(RFC8037_A4_PAYLOAD);
    expect(Buffer.from(header, 'base64url').toString('utf8')).toBe('{"alg":"EdDSA"}');
  });

  it('is refused by decodeToken, since its payload is not JSON (so verifyToken could never see it)', () => {
    let caught: unknown;
    try {
      decodeToken(RFC8037_A4_JWS, MAX_SIZE);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AuthError);
    expect((caught as AuthError).code).toBe('TOKEN_MALFORMED');
  });

  it('verifies with the public part alone (jose flattenedVerify)', async () => {
    const publicOnly = importKey({ key: RFC8037_A2_JWK });
    expect(await joseVerifies('EdDSA', header, payload, signature, publicOnly.verifyKey as KeyObject)).toBe(
      true,
    );
  });

  it('signs deterministically to the published signature with the A.1 private key', () => {
    // Ed25519 is deterministic: re-signing with the imported private key gives the RFC's bytes.
    expect(key.signKey).toBeDefined();
    expect(b64(cryptoSign(null, Buffer.from(signingInput), key.signKey as KeyObject))).toBe(signature);
  });

  it('verifies through checkSignature once the same key signs a JSON payload (the layer it would use)', async () => {
    // The A.4 JWS cannot pass decodeToken; this checks the imported A.1 key drives checkSignature
    // end to end, with a signature made by node:crypto rather than by tokenward.
    const jsonPayload = b64(Buffer.from(JSON.stringify({ msg: RFC8037_A4_PAYLOAD })));
    const input = `${header}.${jsonPayload}`;
    const jws = `${input}.${b64(cryptoSign(null, Buffer.from(input), key.signKey as KeyObject))}`;
    expect(await outcome(jws, 'EdDSA', key)).toBe('accepted');
    const badSig = Buffer.from(jws.split('.')[2]!, 'base64url');
    for (let bit = 0; bit < badSig.length * 8; bit += 7) {
      expect(await outcome(`${input}.${b64(flipBit(badSig, bit))}`, 'EdDSA', key), `bit ${bit}`).toBe(
        'TOKEN_INVALID',
      );
    }
  });
});
