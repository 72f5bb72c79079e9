/**
 * Starts and stops throwaway `redis-server` processes (single nodes and a
 * three-master cluster) on free loopback ports, each in its own temp dir.
 */

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

function binaryWorks(command: string): boolean {
  const probe = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Whether `redis-server` and `redis-cli` are installed. On CI (`CI=true`) a
 * missing binary is an error, never a silent skip.
 */
export const redisAvailable: boolean = (() => {
  const available = binaryWorks('redis-server') && binaryWorks('redis-cli');
  if (!available) {
    const message = 'redis-server/redis-cli not found (apt-get install redis-server)';
    if (process.env.CI === 'true') throw new Error(`${message}: required on CI`);
    console.warn(`Skipping Redis tests: ${message}`);
  }
  return available;
})();

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port. With `withClusterBus`, port + 10000 (the cluster bus)
 * is free too, so the port is drawn below the ephemeral range.
 */
export async function freePort(withClusterBus = false): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if ((await portIsFree(port)) && (!withClusterBus || (await portIsFree(port + 10_000)))) return port;
  }
  throw new Error('no free loopback port found');
}

/** A running `redis-server`. */
export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly url: string;
  /** Stops the server (no data is kept); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

function waitForReady(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`redis-server on ${port} did not start:\n${output}`)),
      15_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`redis-server on ${port} exited (${code}):\n${output}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Starts a `redis-server` on a free loopback port in a fresh temp dir. */
export async function startRedisServer(
  options: {
    cluster?: boolean;
    port?: number;
    /** More `redis-server` arguments, e.g. `['--maxmemory', '4mb', '--maxmemory-policy', 'volatile-lru']`. */
    args?: readonly string[];
  } = {},
): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenward-redis-'));
  const port = options.port ?? (await freePort(options.cluster));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    ...(options.cluster
      ? [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '5000',
        ]
      : []),
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      await waitForReady(started, port);
    },
    async stop() {
      if (child) await stopChild(child);
    },
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** A running three-master Redis Cluster on loopback. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  close(): Promise<void>;
}

async function clusterStateOk(port: number): Promise<boolean> {
  const { stdout } = await execFileAsync('redis-cli', [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    'cluster',
    'info',
  ]);
  return stdout.includes('cluster_state:ok');
}

/** Starts three cluster-enabled nodes, joins them with `redis-cli --cluster create` and waits for `cluster_state:ok`. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const close = async () => {
    await Promise.all(nodes.map((node) => node.close()));
  };
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startRedisServer({ cluster: true }));
    await execFileAsync('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = await Promise.all(nodes.map((node) => clusterStateOk(node.port)));
      if (states.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('the Redis cluster did not reach cluster_state:ok');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { nodes, close };
}
