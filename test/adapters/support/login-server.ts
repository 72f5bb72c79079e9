/**
 * A server process for the shared-limiter test: Express with the token routes whose login
 * throttle counts in Redis (`RateLimiterRedis`), through ioredis or node-redis as
 * `LOGIN_REDIS_CLIENT` says. Prints `listening <url>` once it listens; `bcrypt-checks <n>`
 * answers `GET /checks`.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { tokenRoutes } from '../../../src/adapters/express.js';
import { createAuth } from '../../../src/create-auth.js';
import { hashPassword } from '../../../src/password/index.js';
import { AUDIENCE, ISSUER, SECRET } from './apps.js';

const redisUrl = process.env.LOGIN_REDIS_URL ?? 'redis://127.0.0.1:6379';
const useNodeRedis = process.env.LOGIN_REDIS_CLIENT === 'redis';

async function redisClient(): Promise<object> {
  if (!useNodeRedis) {
    const client = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    // Without an offline queue, a command sent before the connection is ready fails: listen once it is.
    await new Promise((resolve) => client.once('ready', resolve));
    return client;
  }
  const client = createClient({ url: redisUrl, disableOfflineQueue: true });
  client.on('error', () => {});
  await client.connect();
  return client;
}

const storeClient = await redisClient();
const auth = createAuth({ keys: SECRET, issuer: ISSUER, audience: AUDIENCE });
const alice = { sub: 'u-alice', passwordHash: await hashPassword('alice-password', { cost: 10 }) };
let lookups = 0;
const app = express();
app.set('trust proxy', 'loopback');
app.use(
  '/auth',
  tokenRoutes(auth, {
    findUser: async (name) => {
      lookups++;
      return name === 'alice' ? alice : null;
    },
    passwordHashCost: 10,
    cookie: false,
    loginThrottle: {
      username: new RateLimiterRedis({
        storeClient,
        useRedisPackage: useNodeRedis,
        keyPrefix: 'login-user',
        points: 5,
        duration: 900,
      }),
      address: false,
    },
  }),
);
app.get('/lookups', (_req, res) => {
  res.json({ lookups });
});
const server = createServer(app);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
