/**
 * A public key is not an HMAC secret. Following the rotation recipe of
 * docs/keys-and-rotation.md with the retired key read the wrong way (a Buffer of
 * its PEM, its JWK or JWKS as JSON text, its DER bytes, its base64 SPKI, its
 * OpenSSH line) used to make the public bytes an HS256 secret, with which anyone
 * could forge tokens. Each is CONFIG_INVALID, saying what the "secret" looks like
 * and never echoing it; genuine secrets are still accepted.
 */
import { createSecretKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AuthOptions, createAuth } from '../../src/index.js';
import { startUpError } from '../support/tokens.js';

const base = { issuer: 'https://auth.example.com', audience: 'api' };

/** The OpenSSH public-key line of an Ed25519 key (RFC 8709: string "ssh-ed25519", string key). */
function sshLine(publicKey: KeyObject): string {
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const withLength = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length, 0);
    return Buffer.concat([length, bytes]);
  };
  const blob = Buffer.concat([withLength(Buffer.from('ssh-ed25519')), withLength(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ops@build-host`;
}

describe('the rotation recipe with the retired public key read the wrong way', () => {
  const next = generateKeyPairSync('ed25519');
  const current = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = current.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  const publicJwk = { ...current.publicKey.export({ format: 'jwk' }), kid: '2025-01' };
  const spkiDer = current.publicKey.export({ format: 'der', type: 'spki' });

  // What readFileSync and friends hand over when the encoding or the parsing is forgotten.
  const retired: Record<string, { key: string | Uint8Array; looksLike: RegExp }> = {
    'a Buffer of public.pem': { key: Buffer.from(publicPem), looksLike: /PEM/ },
    'a Buffer of an RSA public.pem': {
      key: Buffer.from(rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string),
      looksLike: /PEM/,
    },
    'the text of public.jwk.json': { key: JSON.stringify(publicJwk, null, 2), looksLike: /JWK/ },
    'a Buffer of public.jwk.json': { key: Buffer.from(JSON.stringify(publicJwk)), looksLike: /JWK/ },
    'the text of jwks.json': { key: JSON.stringify({ keys: [publicJwk] }), looksLike: /JWKS/ },
    'bare base64 SPKI (a PEM without its armour)': { key: spkiDer.toString('base64'), looksLike: /DER/ },
    'base64 SPKI wrapped over lines': {
      key: spkiDer.toString('base64').replace(/(.{16})/g, '$1\n'),
      looksLike: /DER/,
    },
    'an ssh-ed25519 line (id_ed25519.pub)': { key: sshLine(current.publicKey), looksLike: /OpenSSH/ },
    'DER bytes (public.der)': { key: spkiDer, looksLike: /DER/ },
    'DER bytes of an RSA key': {
      key: rsa.publicKey.export({ format: 'der', type: 'spki' }),
      looksLike: /DER/,
    },
  };

  for (const [form, { key, looksLike }] of Object.entries(retired)) {
    it(`${form}: CONFIG_INVALID, saying what it looks like without echoing it`, () => {
      const text = typeof key === 'string' ? key : Buffer.from(key).toString('latin1');
      const recipes: AuthOptions['keys'][] = [
        // Step 2 of the recipe: the new key signs, the retired one only verifies.
        [
          { key: next.privateKey, kid: '2025-06' },
          { key, kid: '2025-01', verifyOnly: true },
        ],
        // Given bare in the list, as an HMAC "secret" of its own.
        [{ key: next.privateKey, kid: '2025-06' }, key],
        // Or inside an oct JWK, base64url-encoded.
        [
          { key: next.privateKey, kid: '2025-06' },
          { kty: 'oct', k: Buffer.from(key).toString('base64url') },
        ],
      ];
      for (const keys of recipes) {
        const error = startUpError({ ...base, keys });
        expect(error?.code).toBe('CONFIG_INVALID');
        expect(error?.message).toMatch(looksLike);
        expect(error?.message).toMatch(/not a secret/);
        // No stretch of the key material appears in the message.
        for (let at = 0; at + 12 <= text.length; at += 12) {
          expect(error?.message).not.toContain(text.slice(at, at + 12));
        }
      }
    });
  }

  it('a KeyObject made from those bytes as a secret is refused too', () => {
    const error = startUpError({ ...base, keys: createSecretKey(Buffer.from(publicPem)) });
    expect(error?.code).toBe('CONFIG_INVALID');
  });

  it('the same keys given the right way are accepted', async () => {
    const auth = createAuth({
      ...base,
      keys: [
        { key: next.privateKey, kid: '2025-06' },
        { key: publicPem, kid: '2025-01' },
        { key: publicJwk, kid: '2025-01-jwk' },
      ],
    });
    expect(auth.jwks().keys.map((key) => key.kid)).toEqual(['2025-06', '2025-01', '2025-01-jwk']);
  });
});

describe('genuine secrets are still accepted', () => {
  const forms: Record<string, () => string | Uint8Array> = {
    'random bytes': () => randomBytes(32),
    'random bytes starting like DER (0x30)': () => Buffer.concat([Buffer.of(0x30, 0x82), randomBytes(62)]),
    'hex text': () => randomBytes(32).toString('hex'),
    'base64url text (tokenward keygen)': () => randomBytes(32).toString('base64url'),
    'base64 text': () => randomBytes(48).toString('base64'),
    '32+ printable characters': () => 'correct horse battery staple, 2025 edition!',
    'a JSON-looking passphrase': () => '{"not":"a key","but":"a long enough secret"}',
  };
  for (const [form, make] of Object.entries(forms)) {
    it(form, async () => {
      for (let round = 0; round < 25; round++) {
        const key = make();
        const auth = createAuth({ ...base, keys: key });
        const token = await auth.createAccessToken({ sub: 'u1' });
        expect(await auth.verifyToken(token)).toMatchObject({ sub: 'u1' });
        expect(
          createAuth({ ...base, keys: { kty: 'oct', k: Buffer.from(key).toString('base64url') } }),
        ).toBeDefined();
      }
    });
  }
});
