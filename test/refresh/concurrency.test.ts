import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../examples/postgres-store/postgres-server.js';
import { PostgresTokenStore } from '../../examples/postgres-store/store.js';
import { createAuth, isAuthError, MemoryTokenStore, type TokenStore } from '../../src/index.js';
import { RedisTokenStore } from '../../src/stores/redis.js';
import { type RedisServer, redisAvailable, startRedisServer } from '../support/redis-server.js';
import { SECRET } from '../support/tokens.js';

const CONCURRENT_REFRESHES = 50;

interface StoreCase {
  name: string;
  available: boolean;
  open(): Promise<{ store: TokenStore; close(): Promise<void> }>;
}

async function openRedis(kind: 'ioredis' | 'node-redis') {
  const server: RedisServer = await startRedisServer();
  if (kind === 'ioredis') {
    const client = new Redis({ host: server.host, port: server.port });
    const store = new RedisTokenStore(client);
    // The store sends nothing before the client is connected.
    await store.ready();
    return {
      store,
      async close() {
        client.disconnect();
        await server.close();
      },
    };
  }
  const client = createClient({ url: server.url });
  client.on('error', () => {});
  await client.connect();
  return {
    store: new RedisTokenStore(client),
    async close() {
      await client.close();
      await server.close();
    },
  };
}

const storeCases: StoreCase[] = [
  {
    name: 'MemoryTokenStore',
    available: true,
    async open() {
      const store = new MemoryTokenStore();
      return { store, close: async () => store.close() };
    },
  },
  { name: 'RedisTokenStore with ioredis', available: redisAvailable, open: () => openRedis('ioredis') },
  { name: 'RedisTokenStore with node-redis', available: redisAvailable, open: () => openRedis('node-redis') },
  {
    name: 'PostgresTokenStore (example)',
    available: postgresAvailable,
    async open() {
      const server: PostgresServer = await startPostgres();
      const pool = new pg.Pool({
        host: server.socketDir,
        port: server.port,
        user: server.user,
        database: server.database,
      });
      const store = new PostgresTokenStore(pool);
      await store.migrate();
      return {
        store,
        async close() {
          await pool.end();
          await server.close();
        },
      };
    },
  },
];

function authErrorCode(reason: unknown): string {
  return isAuthError(reason) ? reason.code : `not an AuthError: ${String(reason)}`;
}

for (const storeCase of storeCases) {
  describe.skipIf(!storeCase.available)(
    `${CONCURRENT_REFRESHES} concurrent refreshes on ${storeCase.name}`,
    () => {
      let opened: Awaited<ReturnType<StoreCase['open']>>;

      beforeAll(async () => {
        opened = await storeCase.open();
      });

      afterAll(async () => {
        await opened?.close();
      });

      it('with one token: exactly one succeeds and no valid successor survives', async () => {
        const auth = createAuth({ keys: SECRET, store: opened.store, refreshReuseGrace: 0 });
        const { refreshToken } = await auth.issueTokens({ sub: `user-${randomUUID()}` });
        // Pooled stores open their connections first, so the refreshes really race.
        await Promise.all(
          Array.from({ length: CONCURRENT_REFRESHES }, () =>
            auth.verifyToken(refreshToken, { type: 'refresh' }),
          ),
        );

        const results = await Promise.allSettled(
          Array.from({ length: CONCURRENT_REFRESHES }, () => auth.refresh(refreshToken)),
        );

        const winners = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const codes = results.flatMap((r) => (r.status === 'rejected' ? [authErrorCode(r.reason)] : []));
        expect(winners).toHaveLength(1);
        expect(codes).toHaveLength(CONCURRENT_REFRESHES - 1);
        for (const code of codes) expect(['REFRESH_TOKEN_REUSED', 'TOKEN_REVOKED']).toContain(code);
        expect(codes).toContain('REFRESH_TOKEN_REUSED');

        // The reuse revoked the family: the winner's successor is dead too.
        const successor = winners[0]?.refreshToken ?? '';
        await expect(auth.verifyToken(successor, { type: 'refresh' })).rejects.toMatchObject({
          code: 'TOKEN_REVOKED',
        });
        await expect(auth.refresh(successor)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
        await expect(auth.refresh(refreshToken)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
      });

      it('with one token inside a grace window: every retry succeeds, and one successor stays valid', async () => {
        const auth = createAuth({ keys: SECRET, store: opened.store, refreshReuseGrace: '1m' });
        const { refreshToken } = await auth.issueTokens({ sub: `user-${randomUUID()}` });
        await Promise.all(
          Array.from({ length: CONCURRENT_REFRESHES }, () =>
            auth.verifyToken(refreshToken, { type: 'refresh' }),
          ),
        );

        const pairs = await Promise.all(
          Array.from({ length: CONCURRENT_REFRESHES }, () => auth.refresh(refreshToken)),
        );

        const checks = await Promise.allSettled(
          pairs.map((pair) => auth.verifyToken(pair.refreshToken, { type: 'refresh' })),
        );
        expect(checks.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
      });
    },
  );
}
