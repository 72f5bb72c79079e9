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

  it('migrates a table made for tokenward 0.1 in place, and lists its families', async () => {
    // A schema of its own holding the 0.1 table as it was, with one family in it.
    await pool.query('DROP SCHEMA IF EXISTS legacy CASCADE; CREATE SCHEMA legacy');
    const legacy = new pg.Pool({
      host: server.socketDir,
      port: server.port,
      user: server.user,
      database: server.database,
      options: '-c search_path=legacy',
    });
    try {
      await legacy.query(`CREATE TABLE tokenward_families (
        subject text NOT NULL, family_id text NOT NULL, live_token_id text NOT NULL,
        previous_token_id text, rotated_at bigint NOT NULL, expires_at bigint NOT NULL,
        absolute_expires_at bigint, revoked boolean NOT NULL DEFAULT false,
        PRIMARY KEY (subject, family_id))`);
      const now = 1_900_000_000_000;
      await legacy.query(
        `INSERT INTO tokenward_families (subject, family_id, live_token_id, rotated_at, expires_at)
         VALUES ('u', 'old', 'rt', $1, $2)`,
        [now, now + 60_000],
      );
      const store = new PostgresTokenStore(legacy);
      await store.migrate();
      expect(await store.listSessions({ subject: 'u', now })).toEqual([
        {
          id: 'old',
          createdAt: now,
          lastUsedAt: now,
          expiresAt: now + 60_000,
          absoluteExpiresAt: Number.POSITIVE_INFINITY,
        },
      ]);
      // Its tokens keep working, and its access tokens are checked by session like new ones.
      expect(
        await store.isAccessTokenRevoked({
          subject: 'u',
          tokenId: 'at',
          issuedAt: now,
          now,
          sessionId: 'old',
        }),
      ).toBe(false);
      const rotated = await store.rotateRefreshToken({
        subject: 'u',
        familyId: 'old',
        tokenId: 'rt',
        issuedAt: now,
        now: now + 1000,
        nextTokenId: 'rt2',
        nextExpiresAt: now + 61_000,
        reuseGraceMs: 0,
      });
      expect(rotated).toEqual({ status: 'rotated', expiresAt: now + 61_000 });
      expect(await store.listSessions({ subject: 'u', now: now + 1000 })).toMatchObject([
        // Its creation time is the best known: its last rotation before the upgrade.
        { id: 'old', createdAt: now, lastUsedAt: now + 1000 },
      ]);
    } finally {
      await legacy.end();
      await pool.query('DROP SCHEMA IF EXISTS legacy CASCADE');
    }
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
