import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createAuth } from '../../src/index.js';
import { RedisTokenStore } from '../../src/stores/redis.js';
import { type RedisServer, redisAvailable, startRedisServer } from '../support/redis-server.js';
import { SECRET } from '../support/tokens.js';

const MAXMEMORY = '4mb';

function connect(server: RedisServer, options: RedisOptions = {}): Redis {
  return new Redis({
    host: server.host,
    port: server.port,
    enableOfflineQueue: false,
    lazyConnect: true,
    ...options,
  });
}

async function evictedKeys(admin: Redis): Promise<number> {
  const info = await admin.info('stats');
  return Number(/^evicted_keys:(\d+)/m.exec(info)?.[1] ?? 'NaN');
}

/**
 * Writes an application's cache entries (1 KiB each, with a TTL, as caches do)
 * until Redis has evicted several times its memory limit's worth of keys.
 */
async function flood(admin: Redis): Promise<void> {
  const value = 'x'.repeat(1024);
  const batch = 500;
  for (let round = 0; round < 40; round++) {
    const pipeline = admin.pipeline();
    for (let i = 0; i < batch; i++) pipeline.set(`cache:${round}:${i}`, value, 'PX', 600_000);
    await pipeline.exec();
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisAvailable)('RedisTokenStore under a volatile-lru memory limit', () => {
  let server: RedisServer;
  let admin: Redis;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer({
      args: ['--maxmemory', MAXMEMORY, '--maxmemory-policy', 'volatile-lru'],
    });
    admin = new Redis({ host: server.host, port: server.port });
    client = connect(server);
    await client.connect();
  });

  afterAll(async () => {
    client?.disconnect();
    admin?.disconnect();
    await server?.close();
  });

  it('still refuses revoked tokens after a flood of other keys made Redis evict', async () => {
    const auth = createAuth({ keys: SECRET, store: new RedisTokenStore(client), checkRevocation: true });
    const revokedSubject = `subject-${randomUUID()}`;
    const deniedSubject = `denied-${randomUUID()}`;
    const familySubject = `family-${randomUUID()}`;
    const subjectPair = await auth.issueTokens({ sub: revokedSubject });
    const deniedPair = await auth.issueTokens({ sub: deniedSubject });
    const familyPair = await auth.issueTokens({ sub: familySubject });
    // Tokens issued strictly before the revocation's millisecond.
    await wait(5);
    await auth.revokeSubject(revokedSubject);
    await auth.revoke(deniedPair.accessToken);
    await auth.revoke(familyPair.refreshToken);

    const revoked = { code: 'TOKEN_REVOKED' };
    const expectAllRefused = async () => {
      await expect(auth.verifyToken(subjectPair.accessToken)).rejects.toMatchObject(revoked);
      await expect(auth.verifyToken(subjectPair.refreshToken, { type: 'refresh' })).rejects.toMatchObject(
        revoked,
      );
      await expect(auth.verifyToken(deniedPair.accessToken)).rejects.toMatchObject(revoked);
      await expect(auth.verifyToken(familyPair.refreshToken, { type: 'refresh' })).rejects.toMatchObject(
        revoked,
      );
      await expect(auth.refresh(familyPair.refreshToken)).rejects.toMatchObject(revoked);
    };
    await expectAllRefused();

    const evictedBefore = await evictedKeys(admin);
    await flood(admin);
    // The flood really made Redis evict, well beyond its own entries' worth.
    expect((await evictedKeys(admin)) - evictedBefore).toBeGreaterThan(5_000);

    await expectAllRefused();
    // The subject revocation refuses the refresh token at rotation as well.
    await expect(auth.refresh(subjectPair.refreshToken)).rejects.toMatchObject(revoked);
  });
});

describe.skipIf(!redisAvailable)("RedisTokenStore.ready() checks Redis's eviction policy", () => {
  const servers: RedisServer[] = [];
  const clients: Array<{ disconnect(): unknown } | { destroy(): unknown }> = [];
  let warnings: MockInstance<typeof process.emitWarning>;

  beforeAll(() => {
    warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
  });

  afterAll(async () => {
    warnings?.mockRestore();
    for (const client of clients) 'destroy' in client ? client.destroy() : client.disconnect();
    for (const server of servers) await server.close();
  });

  async function serverWith(args: string[]): Promise<RedisServer> {
    const server = await startRedisServer({ args });
    servers.push(server);
    return server;
  }

  async function readiness(server: RedisServer, ioredisOptions: RedisOptions = {}) {
    const ioredis = connect(server, ioredisOptions);
    clients.push(ioredis);
    const nodeRedis = createClient({ url: server.url, disableOfflineQueue: true });
    nodeRedis.on('error', () => {});
    clients.push(nodeRedis);
    const results = [];
    for (const client of [ioredis, nodeRedis]) {
      warnings.mockClear();
      const { eviction } = await new RedisTokenStore(client).ready();
      const emitted = warnings.mock.calls.map(([message, options]) => ({ message, options }));
      expect(emitted).toEqual(
        eviction.warning === undefined
          ? []
          : [
              {
                message: eviction.warning,
                options: { type: 'TokenwardWarning', code: 'TOKENWARD_REDIS_EVICTION' },
              },
            ],
      );
      results.push(eviction);
    }
    // Both clients read the same answer.
    expect(results[1]).toEqual(results[0]);
    return results[0];
  }

  it('finds nothing to warn about without a memory limit or with noeviction', async () => {
    expect(await readiness(await serverWith([]))).toEqual({
      evicts: 'nothing',
      policy: 'noeviction',
      warning: undefined,
    });
    expect(
      await readiness(await serverWith(['--maxmemory', '64mb', '--maxmemory-policy', 'noeviction'])),
    ).toEqual({ evicts: 'nothing', policy: 'noeviction', warning: undefined });
    // A policy without a limit never evicts either.
    expect(await readiness(await serverWith(['--maxmemory-policy', 'allkeys-lru']))).toMatchObject({
      evicts: 'nothing',
      warning: undefined,
    });
  });

  it('warns that volatile-* may evict sessions (revocations are kept) and allkeys-* revocations', async () => {
    const volatile = await readiness(
      await serverWith(['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru']),
    );
    expect(volatile).toMatchObject({ evicts: 'sessions', policy: 'volatile-lru' });
    expect(volatile?.warning).toMatch(/volatile-lru.*logs their users out.*noeviction/);
    const allkeys = await readiness(
      await serverWith(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']),
    );
    expect(allkeys).toMatchObject({ evicts: 'revocations', policy: 'allkeys-lru' });
    expect(allkeys?.warning).toMatch(/allkeys-lru.*revoked token would be accepted again.*noeviction/);
  });

  it('reads the policy from INFO when CONFIG is refused, and says so when both are', async () => {
    const noConfig = await serverWith([
      '--maxmemory',
      '64mb',
      '--maxmemory-policy',
      'allkeys-lfu',
      '--rename-command',
      'CONFIG',
      '',
    ]);
    expect(await readiness(noConfig)).toMatchObject({ evicts: 'revocations', policy: 'allkeys-lfu' });
    const neither = await serverWith([
      '--maxmemory',
      '64mb',
      '--maxmemory-policy',
      'allkeys-lru',
      '--rename-command',
      'CONFIG',
      '',
      '--rename-command',
      'INFO',
      '',
    ]);
    // ioredis's own ready check needs INFO: turned off, as such a server requires.
    const unchecked = await readiness(neither, { enableReadyCheck: false });
    expect(unchecked).toMatchObject({ evicts: 'unknown', policy: undefined });
    expect(unchecked?.warning).toMatch(/could not check.*maxmemory-policy/);
  });
});
