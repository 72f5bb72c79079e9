import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The built package, as `npm run build` writes it. */
export const DIST = join(ROOT, 'dist');

/** What the build reads: a change to any of them makes dist/ stale. */
const BUILD_INPUTS = [
  'src',
  'package.json',
  'tsup.config.ts',
  'tsconfig.json',
  'entry-points.json',
  'scripts/entry-points.ts',
];
/** What the tests that need a build load from it. */
const BUILD_OUTPUTS = ['index.js', 'index.cjs', 'cli.js'];

const LOCK = join(ROOT, 'node_modules', '.cache', 'tokenward-build.lock');
const LOCK_WAIT_MS = 10 * 60_000;

function mtimes(path: string): number[] {
  const stat = statSync(path);
  if (!stat.isDirectory()) return [stat.mtimeMs];
  return readdirSync(path).flatMap((name) => mtimes(join(path, name)));
}

/** dist/ has every output, and every file in it is newer than every input. */
function isFresh(): boolean {
  if (!BUILD_OUTPUTS.every((file) => existsSync(join(DIST, file)))) return false;
  const newestInput = Math.max(...BUILD_INPUTS.flatMap((input) => mtimes(join(ROOT, input))));
  return Math.min(...mtimes(DIST)) > newestInput;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the build lock (a directory: mkdir is atomic), waiting out another worker's build. */
async function acquireLock(): Promise<void> {
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A lock whose process is gone (a killed run) would otherwise block every later run.
    const holder = Number(readFileSafe(join(LOCK, 'pid')));
    if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`${LOCK} is held by process ${holder}: remove it if no build runs`);
    await sleep(250);
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function runBuild(): Promise<void> {
  // npm sets npm_execpath for the scripts it runs; elsewhere, npm from the PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli?.endsWith('.js')
    ? [process.execPath, [npmCli, 'run', 'build']]
    : ['npm', ['run', 'build']];
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm run build failed:\n${stdout}\n${stderr}`));
      else resolvePromise();
    });
  });
}

/**
 * Makes sure dist/ is built from the current sources, building it with
 * `npm run build` when it is missing or older than them, so the tests that
 * load the built package pass on a tree that was never built. Several test
 * workers may call it at once: one builds, the others wait for it and then
 * find dist/ fresh. Give the calling hook a long timeout (a build takes tens
 * of seconds).
 */
export async function ensureBuilt(): Promise<void> {
  if (isFresh()) return;
  await acquireLock();
  try {
    if (!isFresh()) await runBuild();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** How long a hook that calls {@link ensureBuilt} may take. */
export const BUILD_TIMEOUT_MS = LOCK_WAIT_MS + 60_000;
