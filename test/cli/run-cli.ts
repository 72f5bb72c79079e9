import { main } from '../../src/cli/main.js';

/** What one run of the CLI produced. */
export interface CliResult {
  /** The exit code. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in process through `main(argv, io)`: standard input is `input`
 * (empty by default), the environment holds only `env`, and relative paths
 * start from this process's working directory.
 */
export async function runCli(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const input = options.input ?? '';
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdin: (async function* () {
      if (input !== '') yield Buffer.from(input, 'utf8');
    })(),
    env: { ...options.env },
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}
