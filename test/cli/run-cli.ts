import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The built CLI the tests run: the package's `bin`. */
export const CLI_PATH = join(ROOT, 'dist', 'cli.js');

/** What one run of the CLI produced. */
export interface CliResult {
  /** The exit code. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Throws a clear error unless dist/cli.js exists and is newer than every
 * source file it was bundled from (as its source map lists them).
 */
export function assertCliBuilt(): void {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`${CLI_PATH} is missing: the CLI tests run the built binary. Run "npm run build" first.`);
  }
  const mapPath = `${CLI_PATH}.map`;
  if (!existsSync(mapPath)) return;
  const built = statSync(CLI_PATH).mtimeMs;
  const { sources } = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[] };
  const stale = sources
    .map((source) => resolve(dirname(mapPath), source))
    .filter(
      (path) => path.startsWith(join(ROOT, 'src')) && existsSync(path) && statSync(path).mtimeMs > built,
    );
  if (stale.length > 0) {
    throw new Error(
      `dist/cli.js is older than ${stale.map((p) => p.slice(ROOT.length + 1)).join(', ')}: run "npm run build" first.`,
    );
  }
}

/** Runs `node dist/cli.js ...args`, optionally with standard input and extra environment variables. */
export function runCli(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      process.execPath,
      [CLI_PATH, ...args],
      { env: { ...process.env, ...options.env }, timeout: 15_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolvePromise({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}
