import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTokenStore } from '../../src/testing/index.js';
import { type PostgresServer, postgresAvailable, startPostgres } from './postgres-server.js';
import { PostgresTokenStore } from './store.js';

describe.skipIf(!postgresAvailable)('PostgresTokenStore (example)', () => {
  let server: PostgresServer;
  let pool: pg.Pool;

  beforeAll(async () => {
    server = await startPostgres();
    // Through the unix socket in the server's temp dir.
    pool = new pg.Pool({
      host: server.socketDir,
      port: server.port,
      user: server.user,
      database: server.database,
    });
    await new PostgresTokenStore(pool).migrate();
  });

  afterAll(async () => {
    await pool?.end();
    await server?.close();
  });

  describeTokenStore('with the conformance kit', {
    create: () => new PostgresTokenStore(pool),
    runner: { describe, it },
  });

  it('migrates idempotently', async () => {
    await new PostgresTokenStore(pool).migrate();
  });

  it('deletes expired rows of every table, and only those', async () => {
    const store = new PostgresTokenStore(pool);
    await store.deleteExpired(Number.MAX_SAFE_INTEGER);
    const now = 1_900_000_000_000;
    const family = { subject: 'u', tokenId: 'rt', absoluteExpiresAt: Number.POSITIVE_INFINITY, now };
    await store.createFamily({ ...family, familyId: 'short', expiresAt: now + 1000 });
    await store.createFamily({ ...family, familyId: 'long', expiresAt: now + 5000 });
    await store.revokeAccessToken({ subject: 'u', tokenId: 'at', expiresAt: now + 1000, now });
    await store.revokeSubject({ subject: 'u', revokedAt: now, expiresAt: now + 1000, now });
    expect(await store.deleteExpired(now + 999)).toBe(0);
    expect(await store.deleteExpired(now + 1000)).toBe(3);
    const { rows } = await pool.query('SELECT family_id FROM tokenward_families');
    expect(rows).toEqual([{ family_id: 'long' }]);
  });
});
