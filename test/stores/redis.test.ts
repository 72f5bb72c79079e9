import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, createAuth } from '../../src/index.js';
import {
  type RedisClientLike,
  RedisTokenStore,
  type RedisTokenStoreConfig,
  type RedisTokenStoreOptions,
} from '../../src/stores/redis.js';
import type { TokenStore } from '../../src/stores/token-store.js';
import { describeTokenStore } from '../../src/testing/index.js';
import { type RedisServer, redisAvailable, startRedisServer } from '../support/redis-server.js';
import { SECRET } from '../support/tokens.js';

type NodeRedisClient = ReturnType<typeof createClient>;

const STORE_CLIENT_NAME = 'tokenward-store';
const CONFIG_INVALID = { name: 'AuthError', code: 'CONFIG_INVALID' };

/** What `action` throws (synchronously), or a marker when it throws nothing. */
function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return new Error('nothing was thrown');
}

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

/** Resolves once `condition` holds, checking every 20 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
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
    [
      'isAccessTokenRevoked with a session',
      () => store.isAccessTokenRevoked({ subject, tokenId: 'at2', issuedAt: now, now, sessionId: familyId }),
    ],
    ['listSessions', () => (store.listSessions as NonNullable<TokenStore['listSessions']>)({ subject, now })],
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
    it('gives family keys a TTL matching their record and the subject hash none, after every operation', async () => {
      const prefix = `ttl-${randomUUID()}:`;
      const store = new RedisTokenStore(client(), { prefix });
      for (const [name, step] of await everyOperation(store)) {
        await step();
        const keys = await keysWithPrefix(admin, prefix);
        expect(keys.length, `keys after ${name}`).toBeGreaterThan(0);
        for (const key of keys) {
          const ttl = await admin.pttl(key);
          if (key.endsWith(':s')) {
            // Revocations: no TTL, so that no volatile-* eviction policy can drop them.
            expect(ttl, `PTTL of ${key} after ${name}`).toBe(-1);
            continue;
          }
          expect(ttl, `PTTL of ${key} after ${name}`).toBeGreaterThan(0);
          // The longest expiry any step gives is 90 s from the start.
          expect(ttl, `PTTL of ${key} after ${name}`).toBeLessThanOrEqual(90_000);
        }
      }
      const keys = await keysWithPrefix(admin, prefix);
      expect(keys).toHaveLength(2);
      const familyKey = keys.find((key) => key.split(':').at(-2) === 'f') ?? '';
      const subjectKey = keys.find((key) => key.endsWith(':s')) ?? '';
      // The family follows its live token (90 s).
      expect(await admin.pttl(familyKey)).toBeGreaterThan(85_000);
      // The subject hash holds the denial (30 s) and the subject revocation (45 s), each
      // with its expiry, and when the earliest of them is due (the denial's).
      const subject = await admin.hgetall(subjectKey);
      expect(Object.keys(subject).sort()).toEqual(['d:at1', 'n', 't', 'x']);
      expect(Number(subject.x) - Number(subject['d:at1'])).toBe(15_000);
      expect(subject.n).toBe(subject['d:at1']);
    });

    it('honours the key prefix and keeps every key of a subject in one hash slot', async () => {
      const prefix = `app-${randomUUID()}:tw:`;
      const store = new RedisTokenStore(client(), { prefix });
      for (const [, step] of await everyOperation(store, 'x{y}z')) await step();
      const keys = await keysWithPrefix(admin, prefix);
      expect(keys).toHaveLength(2);
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
      expect(defaultKeys.some((key) => key.endsWith(':s'))).toBe(true);
      expect(thrownBy(() => new RedisTokenStore(client(), { prefix: 'app{1}:' }))).toMatchObject(
        CONFIG_INVALID,
      );
    });

    it('removes expired revocations itself and deletes the subject hash once nothing in it is live', async () => {
      const prefix = `expiry-${randomUUID()}:`;
      const store = new RedisTokenStore(client(), { prefix });
      const now = Date.now();
      const subject = randomUUID();
      await store.revokeAccessToken({ subject, tokenId: 'short', expiresAt: now + 1_000, now });
      await store.revokeAccessToken({ subject, tokenId: 'long', expiresAt: now + 3_000, now });
      await store.revokeSubject({ subject, revokedAt: now, expiresAt: now + 2_000, now });
      const [subjectKey] = await keysWithPrefix(admin, prefix);
      expect(Object.keys(await admin.hgetall(subjectKey ?? '')).sort()).toEqual([
        'd:long',
        'd:short',
        'n',
        't',
        'x',
      ]);
      // Past the first expiry (by the caller's clock), any script of the subject drops it.
      const later = now + 1_500;
      expect(await store.isAccessTokenRevoked({ subject, tokenId: 'short', issuedAt: now, now: later })).toBe(
        false,
      );
      expect(Object.keys(await admin.hgetall(subjectKey ?? '')).sort()).toEqual(['d:long', 'n', 't', 'x']);
      expect(await admin.hget(subjectKey ?? '', 'n')).toBe(String(now + 2_000));
      expect(await store.isAccessTokenRevoked({ subject, tokenId: 'long', issuedAt: now, now: later })).toBe(
        true,
      );
      // Past the last one, the hash goes.
      expect(
        await store.isAccessTokenRevoked({ subject, tokenId: 'long', issuedAt: now, now: now + 3_000 }),
      ).toBe(false);
      expect(await keysWithPrefix(admin, prefix)).toEqual([]);
    });

    it("bounds one subject's hash: denials past the limit fold into one, every denied token stays refused", async () => {
      const prefix = `fold-${randomUUID()}:`;
      const store = new RedisTokenStore(client(), { prefix });
      const subject = randomUUID();
      const start = Date.now();
      const denied = 300;
      for (let i = 0; i < denied; i++) {
        // Issued and denied one millisecond apart, by the caller's clock.
        const now = start + i;
        await store.revokeAccessToken({ subject, tokenId: `t${i}`, expiresAt: now + 60_000, now });
      }
      const [subjectKey] = await keysWithPrefix(admin, prefix);
      expect(await admin.hlen(subjectKey ?? '')).toBeLessThanOrEqual(128);
      const now = start + denied;
      for (let i = 0; i < denied; i++) {
        const ref = { subject, tokenId: `t${i}`, issuedAt: start + i, now };
        expect(await store.isAccessTokenRevoked(ref), `t${i}`).toBe(true);
      }
      // A token issued after the last denial is not touched, nor another subject's.
      expect(
        await store.isAccessTokenRevoked({ subject, tokenId: 'new', issuedAt: now + 1, now: now + 1 }),
      ).toBe(false);
      expect(
        await store.isAccessTokenRevoked({ subject: 'other', tokenId: 't1', issuedAt: start, now }),
      ).toBe(false);
      // Each denied token stays refused until its own expiry at least, then everything goes.
      expect(
        await store.isAccessTokenRevoked({ subject, tokenId: 't0', issuedAt: start, now: start + 59_999 }),
      ).toBe(true);
      const lastExpiry = start + denied - 1 + 60_000;
      const last = { subject, tokenId: `t${denied - 1}`, issuedAt: start + denied - 1 };
      expect(await store.isAccessTokenRevoked({ ...last, now: lastExpiry - 1 })).toBe(true);
      expect(await store.isAccessTokenRevoked({ ...last, now: lastExpiry })).toBe(false);
      expect(await keysWithPrefix(admin, prefix)).toEqual([]);
    });

    it("keeps a per-subject session index under the subject's hash tag, with a TTL, pruned of ended sessions", async () => {
      const prefix = `sessions-${randomUUID()}:`;
      const store = new RedisTokenStore(client(), { prefix });
      const list = (now: number) =>
        (store.listSessions as NonNullable<TokenStore['listSessions']>)({ subject: 'u{1}', now });
      const now = Date.now();
      const family = (familyId: string, ttl: number, label?: string) =>
        store.createFamily({
          subject: 'u{1}',
          familyId,
          tokenId: `${familyId}-rt`,
          expiresAt: now + ttl,
          absoluteExpiresAt: Number.POSITIVE_INFINITY,
          now,
          ...(label === undefined ? {} : { label }),
        });
      await family('short', 10_000);
      await family('long', 60_000, 'Phone');
      await family('revoked', 30_000);
      const keys = await keysWithPrefix(admin, prefix);
      const indexKey = keys.find((key) => key.endsWith(':i')) ?? '';
      expect(keys.map((key) => key.slice(key.indexOf('}') + 1)).sort()).toEqual([
        ':f:long',
        ':f:revoked',
        ':f:short',
        ':i',
      ]);
      expect(new Set(keys.map((key) => /\{([^}]*)\}/.exec(key)?.[1])).size).toBe(1);
      // The index lives as long as its longest session, and no longer.
      const ttl = await admin.pttl(indexKey);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await store.revokeFamily({ subject: 'u{1}', familyId: 'revoked', now });
      expect(await admin.zrange(indexKey, 0, -1)).toEqual(['short', 'long']);
      // Past the short one's expiry (by the caller's clock), listing drops it from the index.
      const sessions = await list(now + 10_000);
      expect(sessions).toEqual([
        {
          id: 'long',
          createdAt: now,
          lastUsedAt: now,
          expiresAt: now + 60_000,
          absoluteExpiresAt: Number.POSITIVE_INFINITY,
          label: 'Phone',
        },
      ]);
      expect(await admin.zrange(indexKey, 0, -1)).toEqual(['long']);
      // Once nothing is live, the index goes.
      expect(await list(now + 60_000)).toEqual([]);
      expect(await admin.exists(indexKey)).toBe(0);
    });

    it('lists a family recorded before sessions existed once it rotates, with no creation time lost', async () => {
      const prefix = `legacy-${randomUUID()}:`;
      const store = new RedisTokenStore(client(), { prefix });
      const now = Date.now();
      await store.createFamily({
        subject: 'u',
        familyId: 'old',
        tokenId: 'rt1',
        expiresAt: now + 60_000,
        absoluteExpiresAt: Number.POSITIVE_INFINITY,
        now,
      });
      // What 0.1 left behind: the family hash without c, u and the index.
      const [familyKey] = (await keysWithPrefix(admin, prefix)).filter((key) => key.includes(':f:'));
      await admin.hdel(familyKey ?? '', 'c', 'u');
      await admin.del((familyKey ?? '').replace(/:f:old$/, ':i'));
      const list = (at: number) =>
        (store.listSessions as NonNullable<TokenStore['listSessions']>)({ subject: 'u', now: at });
      expect(await list(now)).toEqual([]);
      await store.rotateRefreshToken({
        subject: 'u',
        familyId: 'old',
        tokenId: 'rt1',
        issuedAt: now,
        now: now + 1000,
        nextTokenId: 'rt2',
        nextExpiresAt: now + 61_000,
        reuseGraceMs: 0,
      });
      expect(await list(now + 1000)).toMatchObject([{ id: 'old', createdAt: now, lastUsedAt: now + 1000 }]);
    });

    it('takes the client and the prefix in one object too', async () => {
      const prefix = `config-${randomUUID()}:`;
      const store = new RedisTokenStore({ client: client(), prefix });
      for (const [, step] of await everyOperation(store)) await step();
      expect(await keysWithPrefix(admin, prefix)).toHaveLength(2);
      expect(thrownBy(() => new RedisTokenStore({ client: client(), prefix: '{x}' }))).toMatchObject(
        CONFIG_INVALID,
      );
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
          ['listSessions', () => auth.listSessions(subject)],
          ['revokeSession', () => auth.revokeSession(subject, 'some-session')],
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

    it('ends every other session while logins race with revokeOtherSessions: no working session goes unlisted', async () => {
      const auth = createAuth({ keys: SECRET, store: new RedisTokenStore(client()), checkRevocation: true });
      const subject = `others-${randomUUID()}`;
      const own = await auth.issueTokens({ sub: subject });
      const keep = (await auth.verifyToken(own.accessToken)).sid as string;
      const before = await Promise.all(Array.from({ length: 10 }, () => auth.issueTokens({ sub: subject })));
      const racing = Array.from({ length: 10 }, () => auth.issueTokens({ sub: subject }));
      const [ended] = await Promise.all([auth.revokeOtherSessions(subject, keep), ...racing]);
      expect(ended).toBeGreaterThanOrEqual(10);
      const listed = (await auth.listSessions(subject)).map((s) => s.id);
      expect(listed).toContain(keep);
      for (const pair of before) {
        await expect(auth.verifyToken(pair.accessToken)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
      }
      for (const pair of await Promise.all(racing)) {
        const sid = (await auth.verifyToken(pair.accessToken, { checkRevocation: false })).sid as string;
        const works = await auth.verifyToken(pair.accessToken).then(
          () => true,
          () => false,
        );
        expect(works, 'a racing login works exactly when it is listed').toBe(listed.includes(sid));
      }
    });

    it('lets the user log in again at once after revokeSubject (200 times)', async () => {
      const auth = createAuth({ keys: SECRET, store: new RedisTokenStore(client()), checkRevocation: true });
      const subject = `relogin-${randomUUID()}`;
      for (let i = 0; i < 200; i++) {
        await auth.revokeSubject(subject);
        const pair = await auth.issueTokens({ sub: subject });
        await expect(auth.verifyToken(pair.accessToken), `verifyToken, run ${i}`).resolves.toMatchObject({
          sub: subject,
        });
        await expect(auth.refresh(pair.refreshToken), `refresh, run ${i}`).resolves.toHaveProperty(
          'refreshToken',
        );
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

  it('refuses a bad configuration with AuthError CONFIG_INVALID', () => {
    const notAClient = {} as unknown as RedisClientLike;
    const badConfigs: Array<[string, () => unknown, RegExp]> = [
      ['an empty object', () => new RedisTokenStore(notAClient), /expected an ioredis or node-redis client/],
      [
        'null',
        () => new RedisTokenStore(null as unknown as RedisClientLike),
        /expected an ioredis or node-redis client/,
      ],
      [
        'a config without a client',
        () => new RedisTokenStore({ client: notAClient }),
        /expected an ioredis or node-redis client/,
      ],
      [
        'a misspelt option',
        () => new RedisTokenStore({ client: ioredis, prefx: 'x:' } as unknown as RedisTokenStoreConfig),
        /unknown option "prefx"/,
      ],
      [
        'a misspelt option beside the client',
        () => new RedisTokenStore(ioredis, { prefx: 'x:' } as unknown as RedisTokenStoreOptions),
        /unknown option "prefx"/,
      ],
      [
        'a prefix that is not a string',
        () => new RedisTokenStore(ioredis, { prefix: 42 } as unknown as RedisTokenStoreOptions),
        /prefix must be a string/,
      ],
      ['a prefix with a brace', () => new RedisTokenStore(ioredis, { prefix: 'a}' }), /must not contain/],
    ];
    for (const [name, create, message] of badConfigs) {
      const error = thrownBy(create);
      expect(error, name).toBeInstanceOf(AuthError);
      expect(error, name).toMatchObject(CONFIG_INVALID);
      expect((error as Error).message, name).toMatch(message);
    }
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

describe.skipIf(!redisAvailable)('RedisTokenStore at start-up', () => {
  let server: RedisServer;
  const toClose: Array<() => unknown> = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    for (const close of toClose) await close();
    await server?.close();
  });

  /** The README's client: offline queue off, connecting in the background from creation. */
  function readmeIoredis(url = server.url): Redis {
    const client = new Redis(url, { enableOfflineQueue: false });
    client.on('error', () => {});
    toClose.push(() => client.disconnect());
    return client;
  }

  function unconnectedNodeRedis(url = server.url): NodeRedisClient {
    const client = createClient({ url, disableOfflineQueue: true });
    client.on('error', () => {});
    toClose.push(() => client.isOpen && client.destroy());
    return client;
  }

  it('answers STORE_UNAVAILABLE to a login sent before the client is connected', async () => {
    const auth = createAuth({ keys: SECRET, store: new RedisTokenStore(readmeIoredis()) });
    await expect(auth.issueTokens({ sub: 'early' })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('serves the first login once `await store.ready()` resolved, with ioredis as the README sets it up', async () => {
    const store = new RedisTokenStore(readmeIoredis());
    const readiness = await store.ready();
    expect(readiness.eviction).toMatchObject({ evicts: 'nothing', warning: undefined });
    const auth = createAuth({ keys: SECRET, store, checkRevocation: true });
    const pair = await auth.issueTokens({ sub: 'first' });
    await expect(auth.verifyToken(pair.accessToken)).resolves.toMatchObject({ sub: 'first' });
  });

  it('connects an ioredis lazyConnect client and a node-redis client nobody connected yet', async () => {
    const lazy = new Redis(server.url, { lazyConnect: true, enableOfflineQueue: false });
    toClose.push(() => lazy.disconnect());
    for (const client of [lazy, unconnectedNodeRedis()]) {
      const store = new RedisTokenStore(client);
      await store.ready();
      const auth = createAuth({ keys: SECRET, store });
      const pair = await auth.issueTokens({ sub: 'lazy' });
      await expect(auth.refresh(pair.refreshToken)).resolves.toHaveProperty('refreshToken');
    }
  });

  it('waits for a node-redis client whose connect() is still under way', async () => {
    const client = unconnectedNodeRedis();
    const connecting = client.connect();
    const store = new RedisTokenStore(client);
    await store.ready();
    await connecting;
    await expect(
      createAuth({ keys: SECRET, store }).issueTokens({ sub: 'connecting' }),
    ).resolves.toHaveProperty('accessToken');
  });

  it('rejects with STORE_UNAVAILABLE when the client is not connected within timeoutMs', async () => {
    const closed = await startRedisServer();
    const url = closed.url;
    await closed.close();
    for (const client of [readmeIoredis(url), unconnectedNodeRedis(url)]) {
      await expect(new RedisTokenStore(client).ready({ timeoutMs: 300 })).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringMatching(/not connected within 300 ms/),
      });
    }
    await expect(new RedisTokenStore(readmeIoredis(url)).ready({ timeoutMs: -1 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});

describe.skipIf(!redisAvailable)('RedisTokenStore with a client that is down or reconnecting', () => {
  let server: RedisServer;
  let ioredis: Redis;
  let nodeRedis: NodeRedisClient;

  beforeAll(async () => {
    server = await startRedisServer();
    // The clients' defaults: an offline queue that holds commands while reconnecting.
    ioredis = new Redis(server.url);
    ioredis.on('error', () => {});
    nodeRedis = createClient({ url: server.url });
    nodeRedis.on('error', () => {});
    await nodeRedis.connect();
    await until(() => ioredis.status === 'ready');
  });

  afterAll(async () => {
    ioredis?.disconnect();
    nodeRedis?.destroy();
    await server?.close();
  });

  it('answers STORE_UNAVAILABLE at once instead of waiting out a 60 s store timeout', {
    timeout: 10_000,
  }, async () => {
    const auths = [ioredis, nodeRedis].map((client) =>
      createAuth({
        keys: SECRET,
        store: new RedisTokenStore(client),
        checkRevocation: true,
        storeTimeoutMs: 60_000,
      }),
    );
    const pairs = await Promise.all(auths.map((auth) => auth.issueTokens({ sub: 'down' })));
    await server.stop();
    await until(() => ioredis.status !== 'ready' && !nodeRedis.isReady);
    const unavailable = { code: 'STORE_UNAVAILABLE', status: 503 };
    for (const [index, auth] of auths.entries()) {
      const pair = pairs[index];
      if (!pair) throw new Error('no token pair');
      // Had the command been queued, each of these would wait 60 s and the test time out.
      await expect(auth.verifyToken(pair.accessToken)).rejects.toMatchObject(unavailable);
      await expect(auth.refresh(pair.refreshToken)).rejects.toMatchObject(unavailable);
      await expect(auth.issueTokens({ sub: 'down' })).rejects.toMatchObject(unavailable);
    }
    await server.start();
    await until(() => ioredis.status === 'ready' && nodeRedis.isReady);
    for (const auth of auths) {
      await expect(auth.issueTokens({ sub: 'back' })).resolves.toHaveProperty('accessToken');
    }
  });
});
