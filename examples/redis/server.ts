/**
 * Runs the Redis example:
 * `REDIS_URL=redis://127.0.0.1:6379 npx tsx --tsconfig examples/tsconfig.json examples/redis/server.ts`
 * (PORT, default 3000).
 */

import { runExample } from '../shared/server.js';
import { startRedisExample } from './app.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
await runExample('redis example', (port) => startRedisExample({ redisUrl, port }));
