/**
 * The Web Crypto path, run on Node: with node:crypto and Buffer hidden (as on
 * workerd), the core contract holds for every algorithm, and what it makes
 * agrees with the node:crypto path (same kids, tokens of one verify on the other).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import * as tokenward from '../../src/index.js';
import { importKey } from '../../src/keys/import-key.js';
import { WebKey } from '../../src/keys/web-key.js';
import { forceWebPlatform } from '../../src/lib/platform.js';
import { ALGORITHMS, makeKey, runContract } from './contract.mjs';

afterEach(() => forceWebPlatform(false));

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (tokenward.isAuthError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

describe('the Web Crypto path on Node', () => {
  it.each(ALGORITHMS)('%s: keys are Web Crypto keys, and the core contract holds', async (alg) => {
    forceWebPlatform(true);
    const { key } = await makeKey(alg);
    const prepared = importKey(key);
    expect(prepared.verifyKey).toBeInstanceOf(WebKey);
    expect(prepared.signKey).toBeInstanceOf(WebKey);
    const result = await runContract(tokenward, alg);
    expect(result.checks).toContain('rotate+replay');
  });

  it.each(ALGORITHMS)('%s: agrees with the node:crypto path in both directions', async (alg) => {
    forceWebPlatform(true);
    const { key, token, kid, now } = await runContract(tokenward, alg);
    const options = { keys: key, issuer: 'https://issuer.test', audience: 'api', clock: () => now };
    const webAuth = tokenward.createAuth(options);
    forceWebPlatform(false);
    const nodeAuth = tokenward.createAuth(options);
    expect(importKey(key).verifyKey).not.toBeInstanceOf(WebKey);
    // The node path names the key alike (thumbprint or secret kid) and verifies the web token.
    expect((await nodeAuth.verifyToken(token)).sub).toBe('u1');
    expect(nodeAuth.jwks()).toEqual(webAuth.jwks());
    const nodePair = await nodeAuth.issueTokens({ sub: 'from-node' });
    expect(JSON.parse(Buffer.from(nodePair.accessToken.split('.')[0]!, 'base64url').toString()).kid).toBe(
      kid,
    );
    expect((await webAuth.verifyToken(nodePair.accessToken)).sub).toBe('from-node');
  });

  it('reads the PEM forms node:crypto reads (SPKI, PKCS#8, PKCS#1, SEC1) into the same keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forms = [
      rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }),
      rsa.publicKey.export({ type: 'spki', format: 'pem' }),
      rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }),
      ec.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      ec.privateKey.export({ type: 'sec1', format: 'pem' }),
      ec.publicKey.export({ type: 'spki', format: 'pem' }),
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
    ] as string[];
    for (const pem of forms) {
      const onNode = importKey(pem);
      forceWebPlatform(true);
      const onWeb = importKey(pem);
      forceWebPlatform(false);
      expect({ kid: onWeb.kid, alg: onWeb.alg, jwk: onWeb.publicJwk }).toEqual({
        kid: onNode.kid,
        alg: onNode.alg,
        jwk: onNode.publicJwk,
      });
      expect(onWeb.signKey === undefined).toBe(onNode.signKey === undefined);
    }
  });

  it('refuses the keys the node:crypto path refuses, with the same codes and messages', () => {
    const pemOf = (key: { export(options: { type: 'spki'; format: 'pem' }): string | Buffer }) =>
      key.export({ type: 'spki', format: 'pem' }) as string;
    const cases: unknown[] = [
      'short secret',
      '   ',
      { key: 'a'.repeat(40), alg: 'HS384' },
      pemOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey),
      pemOf(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey),
      pemOf(generateKeyPairSync('x25519').publicKey),
      { key: pemOf(generateKeyPairSync('ed25519').publicKey), alg: 'ES256' },
      { key: { kty: 'oct', k: 'c2VjcmV0' }, alg: 'none' },
      // Key material given as a secret: PEM text, JWK text, DER bytes.
      Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' })),
      JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' })),
      `${generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
    ];
    for (const key of cases) {
      const onNode = codeOf(() => importKey(key));
      forceWebPlatform(true);
      const onWeb = codeOf(() => importKey(key));
      forceWebPlatform(false);
      expect(onNode).toMatch(/^CONFIG_INVALID/);
      expect(onWeb).toBe(onNode);
    }
  });

  it('says what to do with an Ed25519 PKCS#8 key it cannot read without node:crypto', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    forceWebPlatform(true);
    expect(codeOf(() => importKey(pem))).toMatch(/^CONFIG_INVALID: .*give it as a JWK/);
  });

  it('reports a key Web Crypto refuses as CONFIG_INVALID when it is first used', async () => {
    forceWebPlatform(true);
    // A point that is not on P-256: it is only checked when Web Crypto imports it.
    const { key } = await makeKey('ES256');
    const broken = { ...(key as Record<string, string>), x: (key as Record<string, string>).y };
    const auth = tokenward.createAuth({ keys: broken, issuer: 'https://issuer.test', audience: 'api' });
    const error = await auth.issueTokens({ sub: 'u1' }).catch((caught: unknown) => caught);
    expect(tokenward.isAuthError(error) && error.code).toBe('CONFIG_INVALID');
  });
});

describe('the portable SHA-256 and HMAC-SHA256 (without node:crypto, and on Deno)', () => {
  it('gives the HMACs node:crypto gives, for every key and input length around the blocks', async () => {
    const { createHmac, randomBytes } = await import('node:crypto');
    const { hmacSha256 } = await import('../../src/lib/sha256.js');
    for (const keyLength of [1, 32, 63, 64, 65, 100]) {
      const key = randomBytes(keyLength);
      const mac = hmacSha256(key);
      for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300, 1000]) {
        const input = randomBytes(length).toString('latin1');
        expect(Buffer.from(mac(input)).toString('hex'), `key ${keyLength}, input ${length}`).toBe(
          createHmac('sha256', key).update(input, 'latin1').digest('hex'),
        );
      }
    }
  });

  it('verifies HS256 synchronously on the Web Crypto path, and refuses a wrong signature', async () => {
    forceWebPlatform(true);
    const { fastVerifier } = await import('../../src/tokens/fast-verify.js');
    const prepared = importKey({ key: 'portable-hmac-secret-portable-hmac-secret', alg: 'HS256' });
    const verify = fastVerifier(prepared.verifyKey, 'HS256');
    expect(verify).toBeTypeOf('function');
    expect(fastVerifier(importKey({ key: 'x'.repeat(48), alg: 'HS384' }).verifyKey, 'HS384')).toBeUndefined();
    forceWebPlatform(false);
    const { createHmac } = await import('node:crypto');
    const input = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9';
    const signature = createHmac('sha256', 'portable-hmac-secret-portable-hmac-secret')
      .update(input)
      .digest();
    expect(verify!(input, signature)).toBe(true);
    signature[31] = signature[31]! ^ 1;
    expect(verify!(input, signature)).toBe(false);
    expect(verify!(input, signature.subarray(0, 31))).toBe(false);
  });

  it('gives the digests node:crypto gives, across block boundaries', async () => {
    const { createHash, randomBytes } = await import('node:crypto');
    const { sha256Portable } = await import('../../src/lib/sha256.js');
    for (const length of [0, 1, 54, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4097]) {
      const message = randomBytes(length);
      expect(Buffer.from(sha256Portable(message)).toString('hex'), `length ${length}`).toBe(
        createHash('sha256').update(message).digest('hex'),
      );
    }
  });
});
