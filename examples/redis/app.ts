/**
 * The Express example app on Redis: refresh-token state and revocations live
 * in Redis (`RedisTokenStore`, ioredis), so several instances of the app share
 * them and a restart logs nobody out.
 */

import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { RedisTokenStore } from 'tokenward/redis';
import { createExpressApp } from '../express/app.js';
import { createExampleContext, type ExampleOptions } from '../shared/app-config.js';
import { listen, type RunningExample } from '../shared/server.js';

/** Options of the Redis example. */
export interface RedisExampleOptions extends Omit<ExampleOptions, 'store'> {
  /** The Redis server, e.g. `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** 0: any free port. */
  port?: number;
}

/** Connects to Redis, then starts the Express example on it. */
export async function startRedisExample(options: RedisExampleOptions): Promise<RunningExample> {
  const { redisUrl, port = 0, ...rest } = options;
  const client = new Redis(redisUrl, {
    // Fail fast when Redis is down: tokenward then answers 503 STORE_UNAVAILABLE
    // at once, instead of requests queueing while ioredis reconnects.
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
  });
  // Without a listener ioredis prints every failed reconnection as an unhandled error event.
  client.on('error', (error: Error) => console.error(`redis: ${error.message}`));
  try {
    const store = new RedisTokenStore(client);
    // Serve only once connected: with the offline queue off, a login sent before
    // the connection is up would answer 503. ready() also warns (TokenwardWarning)
    // when Redis's maxmemory-policy may evict tokenward's keys.
    await store.ready({ timeoutMs: 5_000 });
    const context = await createExampleContext({ ...rest, store });
    const running = await listen(createServer(createExpressApp(context)), port);
    return {
      url: running.url,
      async close() {
        await running.close();
        await client.quit();
      },
    };
  } catch (error) {
    client.disconnect();
    throw error;
  }
}
