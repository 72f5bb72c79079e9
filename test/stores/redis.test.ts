import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/index.js';
import { type RedisClientLike, RedisTokenStore } from '../../src/stores/redis.js';
import type { TokenStore } from '../../src/stores/token-store.js';
import { describeTokenStore } from '../../src/testing/index.js';
import { type RedisServer, redisAvailable, startRedisServer } from '../support/redis-server.js';

type NodeRedisClient = ReturnType<typeof createClient>;

const STORE_CLIENT_NAME = 'tokenward-store';
const SECRET = 'redis-store-test-secret-at-least-32-bytes';

function connectIoredis(server: RedisServer, name = STORE_CLIENT_NAME): Redis {
  return new Redis({
    host: server.host,
    port: server.port,
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1000,
    retryStrategy: () => 100,
    lazyConnect: true,
  });
}

async function connectNodeRedis(server: RedisServer, name = STORE_CLIENT_NAME): Promise<NodeRedisClient> {
  const client = createClient({
    url: server.url,
    name,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: () => 100 },
  });
  // node-redis emits connection errors as events: without a listener they would crash the run.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Runs one store operation of every kind, in an order where each one does real work. */
async function everyOperation(store: TokenStore, prefix: string = randomUUID()) {
  const now = Date.now();
  const subject = `${prefix}-user`;
  const familyId = `${prefix}-fam`;
  const steps: Array<[string, () => Promise<unknown>]> = [
    [
      'createFamily',
      () =>
        store.createFamily({
          subject,
          familyId,
          tokenId: 'rt1',
          expiresAt: now + 60_000,
          absoluteExpiresAt: now + 120_000,
          now,
        }),
    ],
    [
      'rotateRefreshToken',
      () =>
        store.rotateRefreshToken({
          subject,
          familyId,
          tokenId: 'rt1',
          issuedAt: now,
          now,
          nextTokenId: 'rt2',
          nextExpiresAt: now + 90_000,
          reuseGraceMs: 0,
        }),
    ],
    [
      'getRefreshTokenState',
      () => store.getRefreshTokenState({ subject, familyId, tokenId: 'rt2', issuedAt: now, now }),
    ],
    [
      'revokeAccessToken',
      () => store.revokeAccessToken({ subject, tokenId: 'at1', expiresAt: now + 30_000, now }),
    ],
    [
      'isAccessTokenRevoked',
      () => store.isAccessTokenRevoked({ subject, tokenId: 'at1', issuedAt: now, now }),
    ],
    ['revokeSubject', () => store.revokeSubject({ subject, revokedAt: now, expiresAt: now + 45_000, now })],
    ['revokeFamily', () => store.revokeFamily({ subject, familyId, now })],
  ];
  return steps;
}

async function keysWithPrefix(admin: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

async function scriptCalls(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)) calls += Number(match[2]);
  return calls;
}

/**
 * Counts the commands the store's client sends (scripts' inner calls excluded),
 * as MONITOR reports them; a PING from the admin connection marks the end of each batch.
 */
async function commandCounter(server: RedisServer, admin: Redis) {
  const monitorClient = new Redis({ host: server.host, port: server.port });
  const monitor = await monitorClient.monitor();
  const seen: Array<{ source: string; command: string }> = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    seen.push({ source, command: (args[0] ?? '').toLowerCase() });
  });
  const clients = await admin.client('LIST');
  const storeAddresses = new Set(
    String(clients)
      .split('\n')
      .filter((line) => line.includes(` name=${STORE_CLIENT_NAME} `))
      .map((line) => /addr=(\S+)/.exec(line)?.[1]),
  );
  let barrier = 0;
  return {
    /** The commands the store's client sent while `action` ran. */
    async during(action: () => Promise<unknown>): Promise<string[]> {
      const start = seen.length;
      await action();
      const marker = `barrier-${++barrier}`;
      await admin.ping(marker);
      while (!seen.slice(start).some((entry) => entry.command === 'ping' && entry.source !== 'lua')) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return seen
        .slice(start)
        .filter((entry) => storeAddresses.has(entry.source))
        .map((entry) => entry.command);
    },
    async close() {
      monitor.disconnect();
      monitorClient.disconnect();
    },
  };
}

describe.skipIf(!redisAvailable)('RedisTokenStore', () => {
  let server: RedisServer;
  let admin: Redis;
  let ioredis: Redis;
  let nodeRedis: NodeRedisClient;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis({ host: server.host, port: server.port });
    ioredis = connectIoredis(server);
    await ioredis.connect();
    nodeRedis = await connectNodeRedis(server);
  });

  afterAll(async () => {
    ioredis?.disconnect();
    await nodeRedis?.close();
    admin?.disconnect();
    await server?.close();
  });

  describeTokenStore('with ioredis', {
    create: () => new RedisTokenStore(ioredis),
    runner: { describe, it },
  });
  describeTokenStore('with node-redis', {
    create: () => new RedisTokenStore(nodeRedis),
    runner: { describe, it },
  });

  const clients: Array<[string, () => RedisClientLike]> = [
    ['ioredis', () => ioredis],
    ['node-redis', () => nodeRedis],
  ];

  describe.each(clients)('store specifics with %s', (_name, client) => {
    it('gives every key a TTL matching its record, after every operation', async () => {
      const prefix = `ttl-${randomUUID()}:`;
      const store = new RedisTokenStore(client(), { prefix });
      for (const [name, step] of await everyOperation(store)) {
        await step();
        const keys = await keysWithPrefix(admin, prefix);
        expect(keys.length, `keys after ${name}`).toBeGreaterThan(0);
        for (const key of keys) {
          const ttl = await admin.pttl(key);
          expect(ttl, `PTTL of ${key} after ${name}`).toBeGreaterThan(0);
          // The longest expiry any step gives is 90 s from the start.
          expect(ttl, `PTTL of ${key} after ${name}`).toBeLessThanOrEqual(90_000);
        }
      }
      const keys = await keysWithPrefix(admin, prefix);
      expect(keys).toHaveLength(3);
      // The family follows its live token (90 s), the denial its token (30 s), the subject record 45 s.
      const ttls = Object.fromEntries(
        await Promise.all(
          keys.map(async (key) => [key.split(':').at(-2) ?? '', await admin.pttl(key)] as const),
        ),
      );
      expect(ttls.f).toBeGreaterThan(85_000);
      expect(ttls.a).toBeLessThanOrEqual(30_000);
      expect(ttls.a).toBeGreaterThan(25_000);
    });

    it('honours the key prefix and keeps every key of a subject in one hash slot', async () => {
      const prefix = `app-${randomUUID()}:tw:`;
      const store = new RedisTokenStore(client(), { prefix });
      for (const [, step] of await everyOperation(store, 'x{y}z')) await step();
      const keys = await keysWithPrefix(admin, prefix);
      expect(keys).toHaveLength(3);
      const tags = new Set(keys.map((key) => /^[^{]*\{([^}]*)\}/.exec(key.slice(prefix.length))?.[1]));
      expect(tags.size).toBe(1);
      expect([...tags][0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const defaultStore = new RedisTokenStore(client());
      const marker = randomUUID();
      await defaultStore.revokeAccessToken({
        subject: marker,
        tokenId: 'a',
        expiresAt: Date.now() + 5000,
        now: Date.now(),
      });
      const defaultKeys = await keysWithPrefix(admin, 'tokenward:');
      expect(defaultKeys.some((key) => key.endsWith(':a:a'))).toBe(true);
      expect(() => new RedisTokenStore(client(), { prefix: 'app{1}:' })).toThrow(TypeError);
    });

    it('takes the client and the prefix in one object too', async () => {
      const prefix = `config-${randomUUID()}:`;
      const store = new RedisTokenStore({ client: client(), prefix });
      for (const [, step] of await everyOperation(store)) await step();
      expect(await keysWithPrefix(admin, prefix)).toHaveLength(3);
      expect(() => new RedisTokenStore({ client: client(), prefix: '{x}' })).toThrow(TypeError);
    });

    it('makes exactly one round trip per operation', async () => {
      const store = new RedisTokenStore(client());
      // Load every script once, so that the measured run sees only cache hits.
      for (const [, step] of await everyOperation(store)) await step();
      const counter = await commandCounter(server, admin);
      try {
        for (const [name, step] of await everyOperation(store)) {
          const before = await scriptCalls(admin);
          const sent = await counter.during(step);
          expect(sent, `commands sent by ${name}`).toEqual(['evalsha']);
          expect((await scriptCalls(admin)) - before, `script calls counted for ${name}`).toBe(1);
        }
      } finally {
        await counter.close();
      }
    });

    it('costs one round trip per auth.refresh(), refresh verification, revocation check and login', async () => {
      const auth = createAuth({ keys: SECRET, store: new RedisTokenStore(client()), checkRevocation: true });
      const subject = `user-${randomUUID()}`;
      // Warm the script cache, so that the measured run sees only cache hits.
      const warm = await auth.issueTokens({ sub: subject });
      await auth.verifyToken(warm.accessToken);
      await auth.refresh(warm.refreshToken);
      const counter = await commandCounter(server, admin);
      try {
        let pair = await auth.issueTokens({ sub: subject });
        const measured: Array<[string, () => Promise<unknown>]> = [
          ['issueTokens', async () => (pair = await auth.issueTokens({ sub: subject }))],
          ['verifyToken(refresh)', () => auth.verifyToken(pair.refreshToken, { type: 'refresh' })],
          ['verifyToken(access) with checkRevocation', () => auth.verifyToken(pair.accessToken)],
          ['refresh', () => auth.refresh(pair.refreshToken)],
        ];
        for (const [name, action] of measured) {
          const before = await scriptCalls(admin);
          expect(await counter.during(action), `commands sent by ${name}`).toEqual(['evalsha']);
          expect((await scriptCalls(admin)) - before, `script calls counted for ${name}`).toBe(1);
        }
      } finally {
        await counter.close();
      }
    });

    it('falls back to EVAL when the server has lost its script cache', async () => {
      const store = new RedisTokenStore(client());
      const steps = await everyOperation(store);
      const counter = await commandCounter(server, admin);
      try {
        const [createName, create] = steps[0] ?? [];
        expect(createName).toBe('createFamily');
        await counter.during(() => create?.() ?? Promise.resolve());
        await admin.script('FLUSH');
        const [, rotate] = steps[1] ?? [];
        let result: unknown;
        expect(await counter.during(async () => (result = await rotate?.()))).toEqual(['evalsha', 'eval']);
        expect(result).toMatchObject({ status: 'rotated' });
        const [, read] = steps[2] ?? [];
        // The EVAL cached the rotation script only; the read script is another miss.
        expect(await counter.during(async () => (result = await read?.()))).toEqual(['evalsha', 'eval']);
        expect(result).toBe('active');
        expect(await counter.during(async () => (result = await read?.()))).toEqual(['evalsha']);
      } finally {
        await counter.close();
      }
    });
  });

  it('rejects a client of neither kind', () => {
    expect(() => new RedisTokenStore({} as unknown as RedisClientLike)).toThrow(TypeError);
    expect(() => new RedisTokenStore(null as unknown as RedisClientLike)).toThrow(
      /expected an ioredis or node-redis client/,
    );
    expect(() => new RedisTokenStore({ client: {} as unknown as RedisClientLike })).toThrow(
      /expected an ioredis or node-redis client/,
    );
  });
});

describe.skipIf(!redisAvailable)('RedisTokenStore while Redis goes away and comes back', () => {
  let server: RedisServer;
  let ioredis: Redis;
  let nodeRedis: NodeRedisClient;

  beforeAll(async () => {
    server = await startRedisServer();
    ioredis = connectIoredis(server);
    // ioredis reports connection errors as events too.
    ioredis.on('error', () => {});
    await ioredis.connect();
    nodeRedis = await connectNodeRedis(server);
  });

  afterAll(async () => {
    ioredis?.disconnect();
    nodeRedis?.destroy();
    await server?.close();
  });

  async function eventually<T>(action: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await action();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  it('makes tokenward answer STORE_UNAVAILABLE while the server is down, and recovers', async () => {
    for (const client of [ioredis, nodeRedis]) {
      const auth = createAuth({ keys: SECRET, store: new RedisTokenStore(client), checkRevocation: true });
      const subject = `user-${randomUUID()}`;
      const pair = await auth.issueTokens({ sub: subject });

      await server.stop();
      const unavailable = { code: 'STORE_UNAVAILABLE', status: 503 };
      await expect(auth.refresh(pair.refreshToken)).rejects.toMatchObject(unavailable);
      await expect(auth.verifyToken(pair.refreshToken, { type: 'refresh' })).rejects.toMatchObject(
        unavailable,
      );
      await expect(auth.verifyToken(pair.accessToken)).rejects.toMatchObject(unavailable);
      await expect(auth.issueTokens({ sub: subject })).rejects.toMatchObject(unavailable);
      await expect(auth.revokeSubject(subject)).rejects.toMatchObject(unavailable);

      await server.start();
      // The restarted server kept no data (no persistence): log in again, then refresh.
      const fresh = await eventually(() => auth.issueTokens({ sub: subject }));
      const rotated = await auth.refresh(fresh.refreshToken);
      await expect(auth.verifyToken(rotated.refreshToken, { type: 'refresh' })).resolves.toMatchObject({
        sub: subject,
      });
    }
  });

  it('rejects every operation promptly while the server is down, then works again', async () => {
    const stores = [new RedisTokenStore(ioredis), new RedisTokenStore(nodeRedis)];
    for (const store of stores) for (const [, step] of await everyOperation(store)) await step();

    await server.stop();
    for (const store of stores) {
      for (const [name, step] of await everyOperation(store)) {
        const started = Date.now();
        await expect(step(), `${name} while Redis is down`).rejects.toThrow();
        expect(Date.now() - started, `${name} fails fast`).toBeLessThan(2000);
      }
    }

    await server.start();
    for (const store of stores) {
      const now = Date.now();
      const subject = randomUUID();
      await eventually(() =>
        store.revokeAccessToken({ subject, tokenId: 'probe', expiresAt: now + 5000, now }),
      );
      // A fresh server has no cached scripts: this also goes through the EVAL fallback.
      for (const [, step] of await everyOperation(store)) await step();
      expect(await store.isAccessTokenRevoked({ subject, tokenId: 'probe', issuedAt: now, now })).toBe(true);
    }
  });
});
