/**
 * Two server processes sharing one Redis limiter (one through ioredis, one through
 * node-redis) enforce one login limit together; with Redis down, logins fail closed.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, redisAvailable, startRedisServer } from '../support/redis-server.js';
import { type Reply, send } from './support/client.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const SCRIPT = 'test/adapters/support/login-server.ts';

let redis: RedisServer;
const children: ChildProcess[] = [];

function startServer(client: 'ioredis' | 'redis'): Promise<string> {
  const child = spawn(process.execPath, [TSX_CLI, SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, LOGIN_REDIS_URL: redis.url, LOGIN_REDIS_CLIENT: client },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => reject(new Error(`${client} server exited (${code}):\n${output}`)));
  });
}

function login(url: string, password: string, address: string): Promise<Reply> {
  return send(url, {
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username: 'alice', password }),
  });
}

async function lookups(url: string): Promise<number> {
  return (await send(url, { path: '/lookups' })).json?.lookups as number;
}

describe.skipIf(!redisAvailable)(
  'a RateLimiterRedis shared by two processes',
  () => {
    let urls: string[];

    beforeAll(async () => {
      redis = await startRedisServer();
      urls = await Promise.all([startServer('ioredis'), startServer('redis')]);
    }, 90_000);

    afterAll(async () => {
      for (const child of children) {
        child.removeAllListeners('exit');
        child.kill('SIGTERM');
      }
      await redis?.close();
    });

    it('counts the guesses of both processes against one limit', async () => {
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          login(urls[index % 2] as string, `guess-${index}`, `10.2.0.${index}`),
        ),
      );
      const statuses = replies.map((reply) => reply.status).sort();
      expect(statuses.filter((status) => status === 401)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(35);
      // Only the 5 counted attempts reached findUser (and bcrypt), across both processes.
      expect((await lookups(urls[0] as string)) + (await lookups(urls[1] as string))).toBe(5);
      // Throttled on the other process too, with the right password.
      expect((await login(urls[1] as string, 'alice-password', '10.2.1.1')).status).toBe(429);
      expect((await login(urls[0] as string, 'alice-password', '10.2.1.2')).status).toBe(429);
    });

    it('fails closed with 503 STORE_UNAVAILABLE while Redis is down', async () => {
      await redis.stop();
      for (const url of urls) {
        const reply = await login(url, 'alice-password', '10.2.2.1');
        expect(reply.status).toBe(503);
        expect(reply.json).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
      }
    });
  },
  120_000,
);
