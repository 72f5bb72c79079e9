import { Cluster, Redis } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisTokenStore } from '../../src/stores/redis.js';
import { describeTokenStore } from '../../src/testing/index.js';
import { type RedisCluster, redisAvailable, startRedisCluster } from '../support/redis-server.js';

type NodeRedisCluster = ReturnType<typeof createCluster>;

describe.skipIf(!redisAvailable)('RedisTokenStore on a three-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let ioredisCluster: Cluster;
  let nodeRedisCluster: NodeRedisCluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    const rootNodes = cluster.nodes.map((node) => ({ host: node.host, port: node.port }));
    ioredisCluster = new Cluster(rootNodes);
    await new Promise<void>((resolve, reject) => {
      ioredisCluster.once('ready', () => resolve());
      ioredisCluster.once('error', reject);
    });
    nodeRedisCluster = createCluster({ rootNodes: cluster.nodes.map((node) => ({ url: node.url })) });
    nodeRedisCluster.on('error', () => {});
    await nodeRedisCluster.connect();
  });

  afterAll(async () => {
    ioredisCluster?.disconnect();
    await nodeRedisCluster?.close();
    await cluster?.close();
  });

  describeTokenStore('with an ioredis Cluster', {
    create: () => new RedisTokenStore(ioredisCluster),
    runner: { describe, it },
  });
  describeTokenStore('with a node-redis cluster', {
    create: () => new RedisTokenStore(nodeRedisCluster),
    runner: { describe, it },
  });

  it('spreads the subjects over every master, each subject in one slot', async () => {
    const keysPerNode = await Promise.all(
      cluster.nodes.map(async (node) => {
        const client = new Redis({ host: node.host, port: node.port });
        try {
          const keys = await client.keys('tokenward:*');
          const slots = new Map<string, Set<number>>();
          for (const key of keys) {
            const tag = /\{([^}]*)\}/.exec(key)?.[1] ?? '';
            const slot = Number(await client.cluster('KEYSLOT', key));
            slots.set(tag, (slots.get(tag) ?? new Set()).add(slot));
          }
          return { count: keys.length, slots };
        } finally {
          client.disconnect();
        }
      }),
    );
    for (const { count, slots } of keysPerNode) {
      expect(count, 'every master holds some of the keys written by the kit').toBeGreaterThan(0);
      for (const slotSet of slots.values()) expect(slotSet.size).toBe(1);
    }
  });

  it('ready() checks the eviction policy of every master', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const lastNode = cluster.nodes.at(-1);
    if (!lastNode) throw new Error('no cluster node');
    const admin = new Redis({ host: lastNode.host, port: lastNode.port });
    try {
      for (const client of [ioredisCluster, nodeRedisCluster]) {
        expect((await new RedisTokenStore(client).ready()).eviction).toMatchObject({ evicts: 'nothing' });
      }
      // One master of three may evict revocations: the cluster as a whole may.
      await admin.config('SET', 'maxmemory', '512mb');
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      for (const client of [ioredisCluster, nodeRedisCluster]) {
        expect((await new RedisTokenStore(client).ready()).eviction).toMatchObject({
          evicts: 'revocations',
          policy: 'allkeys-lru',
        });
      }
      expect(warnings).toHaveBeenCalledTimes(2);
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await admin.config('SET', 'maxmemory', '0');
      admin.disconnect();
      warnings.mockRestore();
    }
  });
});
