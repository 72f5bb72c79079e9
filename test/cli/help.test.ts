import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('tokenward --help and usage errors', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the global usage and exits 0', async (flag) => {
    const result = await runCli([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: tokenward <command>/);
    for (const command of ['keygen', 'inspect', 'verify']) expect(result.stdout).toContain(command);
    expect(result.stderr).toBe('');
  });

  it.each(['keygen', 'inspect', 'verify'])('%s --help prints its own usage and exits 0', async (command) => {
    for (const args of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
    ]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: tokenward ${command}`));
      expect(result.stdout).toContain('Exit codes');
    }
  });

  it('exits 2 with the usage on standard error when no command is given', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: tokenward <command>/);
  });

  it('exits 2 with the usage for an unknown command', async () => {
    for (const args of [['frobnicate'], ['help', 'frobnicate'], ['__proto__']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('unknown command');
      expect(result.stderr).toContain('Usage: tokenward <command>');
    }
  });

  it('exits 2 for an unknown option, pointing at the command help', async () => {
    const result = await runCli(['inspect', '--frob', 'x.y.z']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--frob'");
    expect(result.stderr).toContain('tokenward inspect --help');
  });
});
