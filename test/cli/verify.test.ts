import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAX_TOKEN_SIZE } from '../../src/cli/common.js';
import { createAuth } from '../../src/create-auth.js';
import { DEFAULT_MAX_TOKEN_SIZE } from '../../src/tokens/token-size.js';
import { SECRET } from '../support/tokens.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenward-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const tempFile = (content: string) => {
  const path = join(dir, `file-${++fileCount}`);
  writeFileSync(path, content);
  return path;
};

const ISSUER = { issuer: 'https://issuer.test', audience: 'api' };
const CHECKS = ['--iss', ISSUER.issuer, '--aud', ISSUER.audience];
const ENV = { env: { TW_SECRET: SECRET } };
const hsAuth = createAuth({ keys: SECRET, ...ISSUER });

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const edAuth = createAuth({ keys: { key: privateKey, kid: 'ed-1' }, ...ISSUER });
const jwksFile = tempFile(JSON.stringify(edAuth.jwks()));
const publicPemFile = tempFile(publicKey.export({ type: 'spki', format: 'pem' }).toString());

describe('tokenward verify: success', () => {
  it('exits 0 and prints the verified claims as JSON', async () => {
    const token = await hsAuth.createAccessToken({ sub: 'u1', roles: ['admin'], plan: 'pro' });
    const result = await runCli(['verify', token, '--secret-env', 'TW_SECRET', ...CHECKS], ENV);
    expect(result.code, result.stderr).toBe(0);
    const claims = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(claims).toMatchObject({
      sub: 'u1',
      roles: ['admin'],
      plan: 'pro',
      ...{ iss: ISSUER.issuer, aud: 'api' },
    });
    expect(result.stderr).toMatch(/^valid: HS256 signature/);
    expect(result.stderr).not.toContain('NOT checked: iss');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('says which checks it skipped when --iss, --aud and --max-ttl are not given', async () => {
    const token = await hsAuth.createAccessToken({ sub: 'u1' });
    const result = await runCli(['verify', token, '--secret-env', 'TW_SECRET'], ENV);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('NOT checked: iss (no --iss), aud (no --aud), lifetime (no --max-ttl)');
  });

  it('verifies with a JWKS file, reading the token from standard input', async () => {
    const token = await edAuth.createAccessToken({ sub: 'u1' });
    const result = await runCli(['verify', '-', '--jwks', jwksFile, ...CHECKS], { input: `${token}\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('EdDSA signature (kid ed-1)');
  });

  it('matches a PEM key without a kid to the token kid (the signature decides)', async () => {
    const token = await edAuth.createAccessToken({ sub: 'u1' });
    expect((await runCli(['verify', token, '--key', publicPemFile, ...CHECKS])).code).toBe(0);
  });

  it('accepts other typ headers with --typ', async () => {
    const token = await new SignJWT({ sub: 'u1', jti: 'j1' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: 'ed-1' })
      .setIssuer(ISSUER.issuer)
      .setAudience('api')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    const refused = await runCli(['verify', token, '--jwks', jwksFile, ...CHECKS]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^TOKEN_TYPE_MISMATCH/);
    const accepted = await runCli([
      'verify',
      token,
      '--jwks',
      jwksFile,
      '--typ',
      'at+jwt',
      '--typ',
      'JWT',
      ...CHECKS,
    ]);
    expect(accepted.code, accepted.stderr).toBe(0);
  });

  describe('with a remote JWKS', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((request, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(request.url === '/.well-known/jwks.json' ? JSON.stringify(edAuth.jwks()) : '{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('fetches the keys from the URL', async () => {
      const token = await edAuth.createAccessToken({ sub: 'u1' });
      const result = await runCli(['verify', token, '--jwks', url, ...CHECKS]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ sub: 'u1' });
    });

    it('exits 1 with JWKS_UNAVAILABLE when nothing answers', async () => {
      const token = await edAuth.createAccessToken({ sub: 'u1' });
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const result = await runCli([
        'verify',
        token,
        '--jwks',
        `http://127.0.0.1:${port}/jwks.json`,
        ...CHECKS,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^JWKS_UNAVAILABLE/);
    });
  });
});

describe('tokenward verify: output', () => {
  it('escapes every character outside printable ASCII from the token, in the claims and the summary', async () => {
    const hostile = '\u001b[2J\u009b31m\u007f\u202eevil\u202c\u2066x\u2069\u00e9';
    const auth = createAuth({ keys: { key: SECRET, kid: hostile }, ...ISSUER });
    const token = await auth.createAccessToken({ sub: hostile, name: hostile });
    const result = await runCli(['verify', token, '--secret-env', 'TW_SECRET', ...CHECKS], ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/^[\x20-\x7e\n]*$/);
    expect(result.stderr).toContain('(kid \\u001b[2J\\u009b31m\\u007f\\u202eevil');
    // Still JSON, with the claims' real values.
    expect(JSON.parse(result.stdout)).toMatchObject({ sub: hostile, name: hostile });
  });

  it('escapes what a usage error echoes of its arguments, on standard error too', async () => {
    const result = await runCli(['verify', '--\u001b[2J\u202e', 'x.y.z'], ENV);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'--\\u001b[2J\\u202e'");
    expect(result.stderr).toMatch(/^[\x20-\x7e\n]*$/);
  });
});

describe('tokenward inspect and verify: the token size limit', () => {
  const bigAuth = createAuth({ keys: SECRET, ...ISSUER, maxTokenSize: 1024 * 1024 });
  const tokenOfAbout = (size: number) =>
    bigAuth.createAccessToken({ sub: 'u1', pad: 'p'.repeat(Math.ceil((size * 3) / 4)) });

  it('reads a 20 KB token from another issuer with both commands (over the library default of 8 KiB)', async () => {
    const token = await tokenOfAbout(20_000);
    expect(token.length).toBeGreaterThan(DEFAULT_MAX_TOKEN_SIZE);
    expect((await runCli(['inspect', token])).code).toBe(0);
    const verified = await runCli(['verify', token, '--secret-env', 'TW_SECRET', ...CHECKS], ENV);
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('refuses a token over CLI_MAX_TOKEN_SIZE with TOKEN_MALFORMED in both commands', async () => {
    const token = await tokenOfAbout(CLI_MAX_TOKEN_SIZE + 10);
    expect(token.length).toBeGreaterThan(CLI_MAX_TOKEN_SIZE);
    for (const args of [
      ['inspect', token],
      ['verify', token, '--secret-env', 'TW_SECRET', ...CHECKS],
    ]) {
      const result = await runCli(args, ENV);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`TOKEN_MALFORMED: the token is larger than ${CLI_MAX_TOKEN_SIZE} bytes\n`);
    }
  });
});

describe('tokenward verify: failure', () => {
  const expect1 = async (args: string[], code: string, options: { env?: Record<string, string> } = ENV) => {
    const result = await runCli(['verify', ...args], options);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^${code}: `));
    return result;
  };

  it('TOKEN_INVALID for a wrong secret or an unknown kid', async () => {
    const token = await hsAuth.createAccessToken({ sub: 'u1' });
    await expect1([token, '--secret-env', 'OTHER', ...CHECKS], 'TOKEN_INVALID', {
      env: { OTHER: `${SECRET}-x` },
    });
    const edToken = await edAuth.createAccessToken({ sub: 'u1' });
    const otherJwks = tempFile(
      JSON.stringify(
        createAuth({ keys: { key: generateKeyPairSync('ed25519').privateKey, kid: 'ed-2' } }).jwks(),
      ),
    );
    await expect1([edToken, '--jwks', otherJwks, ...CHECKS], 'TOKEN_INVALID');
  });

  it('TOKEN_INVALID for a tampered payload', async () => {
    const [header, , signature] = (await hsAuth.createAccessToken({ sub: 'u1' })).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url');
    await expect1(
      [`${header}.${forged}.${signature}`, '--secret-env', 'TW_SECRET', ...CHECKS],
      'TOKEN_INVALID',
    );
  });

  it('TOKEN_EXPIRED for an expired token', async () => {
    const past = createAuth({ keys: SECRET, ...ISSUER, clock: () => Date.now() - 3_600_000 });
    const token = await past.createAccessToken({ sub: 'u1' });
    await expect1([token, '--secret-env', 'TW_SECRET', ...CHECKS], 'TOKEN_EXPIRED');
  });

  it('CLAIM_INVALID for a wrong issuer or audience, or a lifetime over --max-ttl', async () => {
    const token = await hsAuth.createAccessToken({ sub: 'u1' });
    await expect1(
      [token, '--secret-env', 'TW_SECRET', '--iss', 'https://evil.test', '--aud', 'api'],
      'CLAIM_INVALID',
    );
    await expect1(
      [token, '--secret-env', 'TW_SECRET', '--iss', ISSUER.issuer, '--aud', 'other'],
      'CLAIM_INVALID',
    );
    await expect1([token, '--secret-env', 'TW_SECRET', ...CHECKS, '--max-ttl', '5m'], 'CLAIM_INVALID');
    const ok = await runCli(
      ['verify', token, '--secret-env', 'TW_SECRET', ...CHECKS, '--max-ttl', '900'],
      ENV,
    );
    expect(ok.code).toBe(0);
  });

  it('TOKEN_TYPE_MISMATCH for a refresh token, with a hint', async () => {
    const { refreshToken } = await hsAuth.issueTokens({ sub: 'u1' });
    const result = await expect1(
      [refreshToken, '--secret-env', 'TW_SECRET', ...CHECKS],
      'TOKEN_TYPE_MISMATCH',
    );
    expect(result.stderr).toContain('refresh token');
  });

  it('TOKEN_MALFORMED for something that is not a JWT', async () => {
    await expect1(['not-a-token', '--secret-env', 'TW_SECRET'], 'TOKEN_MALFORMED');
  });
});

describe('tokenward verify: key material given as an HMAC secret', () => {
  const pair = generateKeyPairSync('ed25519');
  const spkiDer = pair.publicKey.export({ type: 'spki', format: 'der' });
  const rawPublic = pair.publicKey.export({ format: 'jwk' }).x as string;
  const sshWire = (parts: Buffer[]) =>
    Buffer.concat(
      parts.flatMap((part) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(part.length);
        return [length, part];
      }),
    );
  const sshLine = `ssh-ed25519 ${sshWire([Buffer.from('ssh-ed25519'), Buffer.from(rawPublic, 'base64url')]).toString('base64')} alice@laptop\n`;
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const publicJwk = JSON.stringify({ ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1' });

  /** A token signed with HS256 keyed by the public text itself: what anyone could forge. */
  const forgedWith = (publicText: string) =>
    new SignJWT({ sub: 'admin', jti: 'forged', roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setIssuer(ISSUER.issuer)
      .setAudience('api')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(publicText.trim()));

  const refused = async (args: string[], env: Record<string, string>, what: string) => {
    const result = await runCli(['verify', ...args, ...CHECKS], { env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`holds ${what}, not an HMAC secret`);
    expect(result.stderr).toContain('tokenward verify --help');
  };

  it.each([
    ['an OpenSSH public key line (.pub)', sshLine, 'an OpenSSH key'],
    ['bare base64 SPKI', `${spkiDer.toString('base64')}\n`, 'a base64-encoded DER key'],
    [
      'base64 SPKI wrapped over lines, as pasted from a PEM body',
      `${spkiDer.toString('base64').replace(/(.{20})/g, '$1\n')}\n`,
      'a base64-encoded DER key',
    ],
    [
      'base64 PKCS#8 (a private key)',
      pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      'a base64-encoded DER key',
    ],
  ])(
    '--key refuses a file holding %s, and its forged token is never accepted',
    async (_name, content, what) => {
      const token = await forgedWith(content);
      await refused([token, '--key', tempFile(content)], {}, what);
    },
  );

  it('--key refuses a binary DER file', async () => {
    // P-256: its algorithm OID has bytes that are not UTF-8, so only the file's bytes show the key.
    const ecDer = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    const path = join(dir, 'public.der');
    writeFileSync(path, ecDer);
    await refused([await forgedWith('unused'), '--key', path], {}, 'a DER-encoded key');
  });

  it.each([
    ['a PEM public key', publicPem, 'a PEM key'],
    ['the text of a JWK', publicJwk, 'the text of a JWK'],
    ['the text of a JWKS', JSON.stringify({ keys: [JSON.parse(publicJwk)] }), 'the text of a JWKS'],
    ['an OpenSSH public key line', sshLine, 'an OpenSSH key'],
    ['bare base64 SPKI', spkiDer.toString('base64'), 'a base64-encoded DER key'],
  ])('--secret-env refuses %s', async (_name, content, what) => {
    const token = await forgedWith(content);
    await refused([token, '--secret-env', 'TW_KEY_TEXT'], { TW_KEY_TEXT: content }, what);
  });

  it('still takes a real secret, and a PEM or JWK file as the key it is', async () => {
    const token = await hsAuth.createAccessToken({ sub: 'u1' });
    expect((await runCli(['verify', token, '--key', tempFile(`${SECRET}\n`), ...CHECKS])).code).toBe(0);
    const edToken = await createAuth({
      keys: { key: pair.privateKey, kid: 'k1' },
      ...ISSUER,
    }).createAccessToken({
      sub: 'u1',
    });
    expect((await runCli(['verify', edToken, '--key', tempFile(publicPem), ...CHECKS])).code).toBe(0);
    expect((await runCli(['verify', edToken, '--key', tempFile(publicJwk), ...CHECKS])).code).toBe(0);
  });
});

describe('tokenward verify: usage errors (exit 2)', () => {
  const token = 'e30.e30.c2ln';
  it.each([
    ['no key option', [token]],
    ['two key options', [token, '--key', publicPemFile, '--jwks', jwksFile]],
    ['an unset secret variable', [token, '--secret-env', 'TW_NOT_SET_ANYWHERE']],
    ['a missing key file', [token, '--key', join(dir, 'nope.pem')]],
    ['a JWKS given as --key', [token, '--key', jwksFile]],
    ['a secret shorter than 32 bytes', [token, '--key', tempFile('short')]],
    ['an http JWKS URL off localhost', [token, '--jwks', 'http://example.com/jwks.json']],
    ['--type refresh', [token, '--type', 'refresh', '--secret-env', 'TW_SECRET']],
  ])('%s', async (_name, args) => {
    const result = await runCli(['verify', ...args], ENV);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('tokenward verify --help');
  });

  it('explains why refresh tokens are not verified', async () => {
    const result = await runCli(['verify', token, '--type', 'refresh', '--secret-env', 'TW_SECRET'], ENV);
    expect(result.stderr).toContain("the issuer's store");
  });
});
