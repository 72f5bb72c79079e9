import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/index.js';
import { RedisTokenStore } from '../../src/stores/redis.js';
import { type RedisServer, redisAvailable, startRedisServer } from '../support/redis-server.js';

const SECRET = 'redis-eviction-test-secret-at-least-32-bytes';
const MAXMEMORY = '4mb';

function connect(server: RedisServer): Redis {
  return new Redis({ host: server.host, port: server.port, enableOfflineQueue: false, lazyConnect: true });
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
