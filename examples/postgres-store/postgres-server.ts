/**
 * Starts and stops a throwaway PostgreSQL server for tests: `initdb` and
 * `postgres` from the Debian package, on a free loopback port, with its data
 * and unix socket in a fresh temp dir. PostgreSQL refuses to run as root, so
 * under root it runs as the `postgres` OS user.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const POSTGRES_ROOT = '/usr/lib/postgresql';

function findBinDir(): string | undefined {
  if (!existsSync(POSTGRES_ROOT)) return undefined;
  const versions = readdirSync(POSTGRES_ROOT)
    .filter((entry) => existsSync(join(POSTGRES_ROOT, entry, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  const newest = versions[0];
  return newest === undefined ? undefined : join(POSTGRES_ROOT, newest, 'bin');
}

const binDir = findBinDir();

/**
 * Whether PostgreSQL's server binaries are installed. On CI (`CI=true`) a missing
 * binary is an error, never a silent skip.
 */
export const postgresAvailable: boolean = (() => {
  if (binDir === undefined) {
    const message = `initdb/postgres not found under ${POSTGRES_ROOT}/*/bin (apt-get install postgresql)`;
    if (process.env.CI === 'true') throw new Error(`${message}: required on CI`);
    console.warn(`Skipping PostgreSQL tests: ${message}`);
  }
  return binDir !== undefined;
})();

/** A running PostgreSQL server; connect as user `postgres` (trust auth) to database `postgres`. */
export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The directory holding the server's unix socket (usable as `host` by `pg`). */
  readonly socketDir: string;
  readonly user: 'postgres';
  readonly database: 'postgres';
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error('running as root, but there is no postgres OS user');
  return { uid, gid };
}

async function chownTree(path: string, owner: { uid: number; gid: number }): Promise<void> {
  await chown(path, owner.uid, owner.gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isDirectory()) await chownTree(join(path, entry.name), owner);
    else await chown(join(path, entry.name), owner.uid, owner.gid);
  }
}

function run(
  command: string,
  args: string[],
  owner: { uid: number; gid: number } | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...owner,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed (${code}):\n${output}`)),
    );
  });
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`postgres did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited (${code}):\n${output}`));
    });
  });
}

/** Creates a fresh cluster with `initdb` and starts `postgres` on it. */
export async function startPostgres(): Promise<PostgresServer> {
  if (binDir === undefined) throw new Error('PostgreSQL is not installed');
  const owner = postgresUser();
  const dir = await mkdtemp(join(tmpdir(), 'tokenward-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  await mkdir(socketDir);
  if (owner) await chownTree(dir, owner);
  let child: ChildProcess | undefined;
  try {
    await run(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      owner,
    );
    const port = await freePort();
    const started = spawn(
      join(binDir, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        socketDir,
        '-h',
        '127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=60',
      ],
      { ...owner, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
    );
    child = started;
    await waitForReady(started);
    return {
      host: '127.0.0.1',
      port,
      socketDir,
      user: 'postgres',
      database: 'postgres',
      async close() {
        if (started.exitCode === null && started.signalCode === null) {
          // SIGTERM ("smart shutdown") lets closing sessions finish, so clients see no
          // "terminating connection" errors; SIGINT ("fast") if some session lingers.
          await new Promise<void>((resolve) => {
            const fast = setTimeout(() => started.kill('SIGINT'), 5000);
            started.once('exit', () => {
              clearTimeout(fast);
              resolve();
            });
            started.kill('SIGTERM');
          });
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child?.kill('SIGINT');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
