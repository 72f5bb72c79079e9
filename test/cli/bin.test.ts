import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/create-auth.js';
import { BUILD_TIMEOUT_MS, DIST, ensureBuilt } from '../support/dist.js';

// The other CLI tests call main() in process; this one runs the built bin as npm installs it.
const BIN = join(DIST, 'cli.js');

function runBin(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...options.env }, timeout: 15_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

describe('the built tokenward bin', () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  it('is an executable script for node, as package.json bin names it', async () => {
    const { default: pkg } = await import('../../package.json', { with: { type: 'json' } });
    expect(pkg.bin.tokenward).toBe('./dist/cli.js');
    expect(readFileSync(BIN, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('exits 0 with the usage on standard output for --help', async () => {
    const result = await runBin(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: tokenward <command>/);
  });

  it('passes the exit code of a usage error (2) to the process', async () => {
    const result = await runBin(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });

  it('reads the token from the process standard input and the secret from its environment', async () => {
    const secret = 'bin-test-secret-that-is-long-enough-0123456789';
    const token = await createAuth({ keys: secret }).createAccessToken({ sub: 'u1' });
    const valid = await runBin(['verify', '-', '--secret-env', 'TW_BIN_SECRET'], {
      input: `${token}\n`,
      env: { TW_BIN_SECRET: secret },
    });
    expect(valid.code, valid.stderr).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({ sub: 'u1' });
    const invalid = await runBin(['verify', '-', '--secret-env', 'TW_BIN_SECRET'], {
      input: `${token}\n`,
      env: { TW_BIN_SECRET: `${secret}-other` },
    });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^TOKEN_INVALID: /);
  });
});
