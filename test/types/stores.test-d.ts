import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expectTypeOf, it } from 'vitest';
import { RedisTokenStore } from '../../src/stores/redis.js';
import type { TokenStore } from '../../src/stores/token-store.js';

describe('RedisTokenStore', () => {
  it('takes an ioredis or node-redis client, alone or in a config object', () => {
    const ioredis = new Redis({ lazyConnect: true });
    const nodeRedis = createClient();
    expectTypeOf(new RedisTokenStore(ioredis)).toExtend<TokenStore>();
    expectTypeOf(new RedisTokenStore(nodeRedis, { prefix: 'app:' })).toExtend<TokenStore>();
    expectTypeOf(new RedisTokenStore({ client: ioredis, prefix: 'app:' })).toExtend<TokenStore>();
    expectTypeOf(new RedisTokenStore({ client: nodeRedis })).toExtend<TokenStore>();
  });

  it('refuses what is not a Redis client', () => {
    // @ts-expect-error: a URL is not a client
    new RedisTokenStore('redis://localhost');
    // @ts-expect-error: the config object needs its client
    new RedisTokenStore({ prefix: 'app:' });
    // @ts-expect-error: the prefix goes in the config object, not beside it
    new RedisTokenStore({ client: new Redis({ lazyConnect: true }) }, { prefix: 'app:' });
  });
});
