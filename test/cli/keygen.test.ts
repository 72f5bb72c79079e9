import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/create-auth.js';
import { ALGORITHM_NAMES, ALGORITHMS } from '../../src/keys/algorithms.js';
import { MAX_KID_LENGTH } from '../../src/keys/kid.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenward-keygen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const tempFile = (content: string) => {
  const path = join(dir, `file-${++fileCount}`);
  writeFileSync(path, content);
  return path;
};

interface KeyPairOutput {
  kid: string;
  alg: string;
  privateJwk: JWK;
  publicJwk: JWK;
  privatePem: string;
  publicPem: string;
}

const ISSUER = { issuer: 'https://issuer.test', audience: 'api' };
const CHECKS = ['--iss', ISSUER.issuer, '--aud', ISSUER.audience, '--max-ttl', '15m'];

describe('tokenward keygen --type hs256 (the default)', () => {
  it('prints only a fresh 32-byte base64url secret', async () => {
    const first = await runCli(['keygen']);
    const second = await runCli(['keygen', '--type', 'hs256']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(Buffer.from(first.stdout.trim(), 'base64url')).toHaveLength(32);
    expect(second.stdout).not.toBe(first.stdout);
  });

  it('makes a secret createAuth accepts; the CLI verifies its tokens with --secret-env and --key', async () => {
    const secret = (await runCli(['keygen'])).stdout.trim();
    const token = await createAuth({ keys: secret, ...ISSUER }).createAccessToken({ sub: 'u1' });
    const viaEnv = await runCli(['verify', token, '--secret-env', 'TW_SECRET', ...CHECKS], {
      env: { TW_SECRET: secret },
    });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ sub: 'u1' });
    expect(viaEnv.stdout + viaEnv.stderr).not.toContain(secret);
    const viaFile = await runCli(['verify', token, '--key', tempFile(`${secret}\n`), ...CHECKS]);
    expect(viaFile.code).toBe(0);
  });

  it('writes secret.txt readable by its owner only with --out, and prints no secret', async () => {
    const out = join(dir, 'hs');
    const result = await runCli(['keygen', '--out', out]);
    expect(result.code).toBe(0);
    const secret = readFileSync(join(out, 'secret.txt'), 'utf8').trim();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.stdout).not.toContain(secret);
    expect(statSync(join(out, 'secret.txt')).mode & 0o777).toBe(0o600);
  });

  it('prints JSON with --json and refuses --kid (a secret is named in createAuth)', async () => {
    const result = await runCli(['keygen', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({ alg: 'HS256', secret: expect.stringMatching(/^[\w-]{43}$/) });
    const withKid = await runCli(['keygen', '--kid', 'k1']);
    expect(withKid.code).toBe(2);
    expect(withKid.stdout).toBe('');
  });
});

describe.each([
  ['eddsa', 'EdDSA', 'OKP'],
  ['es256', 'ES256', 'EC'],
  ['rs256', 'RS256', 'RSA'],
] as const)('tokenward keygen --type %s', (type, alg, kty) => {
  let pair: KeyPairOutput;
  beforeAll(async () => {
    const result = await runCli(['keygen', '--type', type, '--json']);
    expect(result.code).toBe(0);
    pair = JSON.parse(result.stdout) as KeyPairOutput;
  });

  it('prints a private and a public JWK with kid, alg and use, and PKCS#8 / SPKI PEM', async () => {
    expect(pair.alg).toBe(alg);
    expect(pair.privateJwk).toMatchObject({ kty, alg, kid: pair.kid, use: 'sig', d: expect.any(String) });
    expect(pair.publicJwk).toMatchObject({ kty, alg, kid: pair.kid, use: 'sig' });
    expect(pair.publicJwk).not.toHaveProperty('d');
    expect(pair.privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    expect(pair.publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
  });

  it('names the key by its RFC 7638 thumbprint', async () => {
    expect(pair.kid).toBe(await calculateJwkThumbprint(pair.publicJwk, 'sha256'));
  });

  it('signs with the private JWK; the CLI verifies with the public PEM, the public JWK and a JWKS', async () => {
    const auth = createAuth({ keys: pair.privateJwk, ...ISSUER });
    expect(auth.jwks().keys[0]).toMatchObject({ kid: pair.kid, alg });
    const token = await auth.createAccessToken({ sub: 'u1', roles: ['admin'] });
    for (const keyArgs of [
      ['--key', tempFile(pair.publicPem)],
      ['--key', tempFile(JSON.stringify(pair.publicJwk))],
      ['--jwks', tempFile(JSON.stringify({ keys: [pair.publicJwk] }))],
    ]) {
      const result = await runCli(['verify', token, ...keyArgs, ...CHECKS]);
      expect(result.code, `${keyArgs.join(' ')}: ${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ sub: 'u1', roles: ['admin'] });
      expect(result.stderr).toContain(`${alg} signature (kid ${pair.kid})`);
    }
  });

  it('signs with the private PEM; the CLI verifies with the private JWK, and rejects a key of another pair', async () => {
    const auth = createAuth({ keys: { key: pair.privatePem }, ...ISSUER });
    const token = await auth.createAccessToken({ sub: 'u2' });
    const ok = await runCli(['verify', token, '--key', tempFile(JSON.stringify(pair.privateJwk)), ...CHECKS]);
    expect(ok.code, ok.stderr).toBe(0);
    const other = JSON.parse((await runCli(['keygen', '--type', type, '--json'])).stdout) as KeyPairOutput;
    const bad = await runCli(['verify', token, '--key', tempFile(other.publicPem), ...CHECKS]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^TOKEN_INVALID: /);
  });
});

describe('tokenward keygen options', () => {
  it('uses --kid in both JWKs and in the JWKS', async () => {
    const out = join(dir, 'kid');
    const result = await runCli(['keygen', '--type', 'eddsa', '--kid', '2025-06', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('kid 2025-06');
    const privateJwk = JSON.parse(readFileSync(join(out, 'private.jwk.json'), 'utf8')) as JWK;
    const jwks = JSON.parse(readFileSync(join(out, 'jwks.json'), 'utf8')) as { keys: JWK[] };
    expect(privateJwk.kid).toBe('2025-06');
    expect(jwks.keys).toEqual([JSON.parse(readFileSync(join(out, 'public.jwk.json'), 'utf8'))]);
    expect(jwks.keys[0]?.kid).toBe('2025-06');
  });

  it('writes the five files with --out, private ones mode 0600, and never overwrites them', async () => {
    const out = join(dir, 'pair');
    expect((await runCli(['keygen', '--type', 'es256', '--out', out])).code).toBe(0);
    const modes = Object.fromEntries(
      ['private.jwk.json', 'public.jwk.json', 'jwks.json', 'private.pem', 'public.pem'].map((name) => [
        name,
        statSync(join(out, name)).mode & 0o777,
      ]),
    );
    expect(modes).toEqual({
      'private.jwk.json': 0o600,
      'private.pem': 0o600,
      'public.jwk.json': 0o644,
      'jwks.json': 0o644,
      'public.pem': 0o644,
    });
    const before = readFileSync(join(out, 'private.pem'), 'utf8');
    const again = await runCli(['keygen', '--type', 'es256', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('nothing is overwritten');
    expect(readFileSync(join(out, 'private.pem'), 'utf8')).toBe(before);
  });

  it('prints the text form with PEM blocks by default', async () => {
    const result = await runCli(['keygen', '--type', 'eddsa']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# EdDSA key pair, kid [\w-]{43}\n/);
    expect(result.stdout).toContain('-----BEGIN PRIVATE KEY-----');
    expect(result.stdout).toContain('-----BEGIN PUBLIC KEY-----');
  });

  it('honours --bits for RSA and refuses it elsewhere', async () => {
    const result = await runCli(['keygen', '--type', 'rs256', '--bits', '3072', '--json']);
    expect(result.code).toBe(0);
    const { publicJwk } = JSON.parse(result.stdout) as KeyPairOutput;
    expect(Buffer.from(publicJwk.n as string, 'base64url')).toHaveLength(384);
    expect((await runCli(['keygen', '--type', 'es256', '--bits', '3072'])).code).toBe(2);
    expect((await runCli(['keygen', '--type', 'rs256', '--bits', '1024'])).code).toBe(2);
  });

  it('exits 2 for an unknown type or a stray argument', async () => {
    const unknown = await runCli(['keygen', '--type', 'hs1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--type must be one of hs256, hs384, hs512, eddsa, es256, rs256');
    expect((await runCli(['keygen', 'eddsa'])).code).toBe(2);
  });
});

describe('tokenward keygen --out: the directory', () => {
  it('creates a missing directory (and its parents) with mode 0700, whatever the umask', async () => {
    const out = join(dir, 'new-parent', 'keys');
    const result = await runCli(['keygen', '--type', 'eddsa', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'new-parent')).mode & 0o077).toBe(0);
  });

  it.each([
    ['world-writable', 0o777],
    ['world-writable with the sticky bit (like /tmp)', 0o1777],
    ['group-writable', 0o770],
  ])('refuses an existing %s directory and writes nothing into it', async (_name, mode) => {
    const out = join(dir, `unsafe-${mode.toString(8)}`);
    mkdirSync(out);
    chmodSync(out, mode);
    for (const args of [
      ['keygen', '--out', out],
      ['keygen', '--type', 'es256', '--out', out],
    ]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`${out} is writable by`);
      expect(result.stderr).toContain('refusing to write keys into it');
    }
    expect(readdirSync(out)).toEqual([]);
  });

  it('writes into an existing directory only its owner can write to (0755 or 0700)', async () => {
    for (const mode of [0o755, 0o700]) {
      const out = join(dir, `safe-${mode.toString(8)}`);
      mkdirSync(out);
      chmodSync(out, mode);
      expect((await runCli(['keygen', '--out', out])).code).toBe(0);
      expect(existsSync(join(out, 'secret.txt'))).toBe(true);
      expect(statSync(out).mode & 0o777).toBe(mode);
    }
  });

  it('refuses a path that is a file', async () => {
    const file = tempFile('not a directory');
    const result = await runCli(['keygen', '--out', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a directory');
  });
});

describe('tokenward keygen reads the algorithm table', () => {
  it('offers every keygenType of the table, in its usage and its --type', async () => {
    const { stdout } = await runCli(['keygen', '--help']);
    for (const alg of ALGORITHM_NAMES) {
      const type = ALGORITHMS[alg].keygenType;
      expect(stdout).toMatch(new RegExp(`^  ${type}( \\(default\\))?\\s+.*${alg}`, 'm'));
      const result = await runCli(['keygen', '--type', type, '--json']);
      expect(result.code, type).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ alg });
    }
  });

  it.each([
    ['hs384', 'HS384', 48],
    ['hs512', 'HS512', 64],
  ] as const)(
    '--type %s makes a secret of minSecretBytes that createAuth and verify take with alg %s',
    async (type, alg, bytes) => {
      expect(ALGORITHMS[alg].minSecretBytes).toBe(bytes);
      const result = await runCli(['keygen', '--type', type]);
      expect(result.code).toBe(0);
      const secret = result.stdout.trim();
      expect(secret).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(bytes);
      expect((await runCli(['keygen', '--type', type])).stdout).not.toBe(result.stdout);
      expect(JSON.parse((await runCli(['keygen', '--type', type, '--json'])).stdout)).toEqual({
        alg,
        secret: expect.stringMatching(/^[\w-]+$/),
      });

      const token = await createAuth({ keys: { key: secret, alg }, ...ISSUER }).createAccessToken({
        sub: 'u1',
      });
      expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg });
      const viaEnv = await runCli(['verify', token, '--secret-env', 'TW_SECRET', ...CHECKS], {
        env: { TW_SECRET: secret },
      });
      expect(viaEnv.code, viaEnv.stderr).toBe(0);
      expect(viaEnv.stderr).toContain(`valid: ${alg} signature`);
      const viaFile = await runCli(['verify', token, '--key', tempFile(`${secret}\n`), ...CHECKS]);
      expect(viaFile.code, viaFile.stderr).toBe(0);
      // The same token with another secret still fails as a token (exit 1), not as a key.
      const other = (await runCli(['keygen', '--type', type])).stdout.trim();
      const wrong = await runCli(['verify', token, '--secret-env', 'TW_SECRET', ...CHECKS], {
        env: { TW_SECRET: other },
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^TOKEN_INVALID: /);
      expect((await runCli(['keygen', '--type', type, '--bits', '3072'])).code).toBe(2);
    },
  );

  it('writes an HS512 secret with --out', async () => {
    const out = join(dir, 'hs512');
    const result = await runCli(['keygen', '--type', 'hs512', '--out', out, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ alg: 'HS512', files: { secret: join(out, 'secret.txt') } });
    expect(Buffer.from(readFileSync(join(out, 'secret.txt'), 'utf8').trim(), 'base64url')).toHaveLength(64);
  });

  it('applies the kid rule of key import to --kid', async () => {
    for (const kid of ['', 'k'.repeat(MAX_KID_LENGTH + 1)]) {
      const result = await runCli(['keygen', '--type', 'eddsa', '--kid', kid]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        `--kid: a kid must be a non-empty string of at most ${MAX_KID_LENGTH} characters`,
      );
    }
    const longest = 'k'.repeat(MAX_KID_LENGTH);
    const result = await runCli(['keygen', '--type', 'eddsa', '--kid', longest, '--json']);
    expect(result.code).toBe(0);
    const { privateJwk } = JSON.parse(result.stdout) as KeyPairOutput;
    expect(createAuth({ keys: privateJwk }).jwks().keys[0]?.kid).toBe(longest);
  });
});
