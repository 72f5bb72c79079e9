/**
 * A tokenward TokenStore on PostgreSQL, with the `pg` driver: an example of a
 * store of your own, proven with the conformance kit (see store.test.ts).
 */

import type { Pool, PoolClient } from 'pg';
import type {
  AccessTokenRef,
  ListSessionsInput,
  NewRefreshFamily,
  RefreshFamilyRef,
  RefreshTokenRef,
  RefreshTokenState,
  RevokeAccessTokenInput,
  RevokeSubjectInput,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
  SessionRecord,
  TokenStore,
} from '../../src/stores/token-store.js';

/**
 * The tables the store needs. Times are Unix milliseconds (`bigint`); every row
 * has an `expires_at` after which it is dead and {@link PostgresTokenStore.deleteExpired}
 * removes it.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS tokenward_families (
  subject             text    NOT NULL,
  family_id           text    NOT NULL,
  live_token_id       text    NOT NULL,
  previous_token_id   text,
  rotated_at          bigint  NOT NULL,
  expires_at          bigint  NOT NULL,
  absolute_expires_at bigint,             -- NULL: no absolute end
  revoked             boolean NOT NULL DEFAULT false,
  PRIMARY KEY (subject, family_id)
);
CREATE INDEX IF NOT EXISTS tokenward_families_expires_at ON tokenward_families (expires_at);
-- Sessions (tokenward 0.2): added to a 0.1 table in place. A family recorded before
-- has NULL times here and is listed with its rotation time instead.
ALTER TABLE tokenward_families ADD COLUMN IF NOT EXISTS created_at   bigint;
ALTER TABLE tokenward_families ADD COLUMN IF NOT EXISTS last_used_at bigint;
ALTER TABLE tokenward_families ADD COLUMN IF NOT EXISTS label        text;

CREATE TABLE IF NOT EXISTS tokenward_subject_revocations (
  subject    text   PRIMARY KEY,
  revoked_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS tokenward_subject_revocations_expires_at ON tokenward_subject_revocations (expires_at);

CREATE TABLE IF NOT EXISTS tokenward_denied_access_tokens (
  subject    text   NOT NULL,
  token_id   text   NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (subject, token_id)
);
CREATE INDEX IF NOT EXISTS tokenward_denied_access_tokens_expires_at ON tokenward_denied_access_tokens (expires_at);
`;

interface FamilyRow {
  live_token_id: string;
  previous_token_id: string | null;
  rotated_at: string;
  absolute_expires_at: string | null;
  revoked: boolean;
  subject_revoked: boolean;
}

// A subject revocation that is still alive at $now and came after the token's issue time.
const SUBJECT_REVOKED = (subject: string, issuedAt: string, now: string) => `EXISTS (
  SELECT 1 FROM tokenward_subject_revocations s
  WHERE s.subject = ${subject} AND s.expires_at > ${now} AND s.revoked_at > ${issuedAt})`;

/** A {@link TokenStore} on PostgreSQL through a `pg` pool you own. Run {@link migrate} once first. */
export class PostgresTokenStore implements TokenStore {
  constructor(private readonly pool: Pool) {}

  /** Creates the tables and indexes if they do not exist. */
  async migrate(): Promise<void> {
    await this.pool.query(SCHEMA_SQL);
  }

  /** Deletes every row that has expired at `now`; run it periodically (a timer, a cron job). */
  async deleteExpired(now: number = Date.now()): Promise<number> {
    const result = await this.pool.query(
      `WITH f AS (DELETE FROM tokenward_families WHERE expires_at <= $1 RETURNING 1),
            s AS (DELETE FROM tokenward_subject_revocations WHERE expires_at <= $1 RETURNING 1),
            a AS (DELETE FROM tokenward_denied_access_tokens WHERE expires_at <= $1 RETURNING 1)
       SELECT (SELECT count(*) FROM f) + (SELECT count(*) FROM s) + (SELECT count(*) FROM a) AS removed`,
      [now],
    );
    return Number(result.rows[0]?.removed ?? 0);
  }

  async createFamily(family: NewRefreshFamily): Promise<void> {
    if (family.expiresAt <= family.now) return;
    await this.pool.query(
      `INSERT INTO tokenward_families
         (subject, family_id, live_token_id, previous_token_id, rotated_at, expires_at, absolute_expires_at, revoked,
          created_at, last_used_at, label)
       VALUES ($1, $2, $3, NULL, $4, $5, $6, false, $4, $4, $7)
       ON CONFLICT (subject, family_id) DO UPDATE SET
         live_token_id = excluded.live_token_id, previous_token_id = NULL, rotated_at = excluded.rotated_at,
         expires_at = excluded.expires_at, absolute_expires_at = excluded.absolute_expires_at, revoked = false,
         created_at = excluded.created_at, last_used_at = excluded.last_used_at, label = excluded.label`,
      [
        family.subject,
        family.familyId,
        family.tokenId,
        family.now,
        family.expiresAt,
        Number.isFinite(family.absoluteExpiresAt) ? family.absoluteExpiresAt : null,
        family.label ?? null,
      ],
    );
  }

  async rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    return this.#transaction(async (client) => {
      // FOR UPDATE: concurrent rotations of one family queue here, and each sees
      // the row as the previous one left it: exactly one consumes the live token.
      const { rows } = await client.query<FamilyRow>(
        `SELECT live_token_id, previous_token_id, rotated_at, absolute_expires_at, revoked,
                ${SUBJECT_REVOKED('$1', '$3', '$4')} AS subject_revoked
           FROM tokenward_families
          WHERE subject = $1 AND family_id = $2 AND expires_at > $4
            FOR UPDATE`,
        [input.subject, input.familyId, input.issuedAt, input.now],
      );
      const family = rows[0];
      if (family === undefined || family.revoked || family.subject_revoked) return { status: 'revoked' };
      const absoluteExpiresAt =
        family.absolute_expires_at === null ? Number.POSITIVE_INFINITY : Number(family.absolute_expires_at);
      if (input.now >= absoluteExpiresAt) return { status: 'expired' };

      const isLive = input.tokenId === family.live_token_id;
      const isRetryWithinGrace =
        input.reuseGraceMs > 0 &&
        input.tokenId === family.previous_token_id &&
        input.now < Number(family.rotated_at) + input.reuseGraceMs;
      if (!isLive && !isRetryWithinGrace) {
        await client.query(
          'UPDATE tokenward_families SET revoked = true WHERE subject = $1 AND family_id = $2',
          [input.subject, input.familyId],
        );
        return { status: 'reused' };
      }

      const expiresAt = Math.min(input.nextExpiresAt, absoluteExpiresAt);
      // A retry keeps the previous token and its rotation time, so retries cannot stretch the window.
      await client.query(
        `UPDATE tokenward_families
            SET live_token_id = $3, expires_at = $4,
                previous_token_id = CASE WHEN $5 THEN live_token_id ELSE previous_token_id END,
                rotated_at = CASE WHEN $5 THEN $6 ELSE rotated_at END,
                last_used_at = $6, created_at = COALESCE(created_at, rotated_at)
          WHERE subject = $1 AND family_id = $2`,
        [input.subject, input.familyId, input.nextTokenId, expiresAt, isLive, input.now],
      );
      return { status: 'rotated', expiresAt };
    });
  }

  async getRefreshTokenState(token: RefreshTokenRef): Promise<RefreshTokenState> {
    const { rows } = await this.pool.query<Pick<FamilyRow, 'live_token_id' | 'revoked' | 'subject_revoked'>>(
      `SELECT live_token_id, revoked, ${SUBJECT_REVOKED('$1', '$3', '$4')} AS subject_revoked
         FROM tokenward_families
        WHERE subject = $1 AND family_id = $2 AND expires_at > $4`,
      [token.subject, token.familyId, token.issuedAt, token.now],
    );
    const family = rows[0];
    if (family === undefined) return 'unknown';
    if (family.revoked || family.subject_revoked) return 'revoked';
    return token.tokenId === family.live_token_id ? 'active' : 'consumed';
  }

  async revokeFamily(family: RefreshFamilyRef): Promise<void> {
    await this.pool.query(
      'UPDATE tokenward_families SET revoked = true WHERE subject = $1 AND family_id = $2 AND expires_at > $3',
      [family.subject, family.familyId, family.now],
    );
  }

  async revokeAccessToken(token: RevokeAccessTokenInput): Promise<void> {
    if (token.expiresAt <= token.now) return;
    await this.pool.query(
      `INSERT INTO tokenward_denied_access_tokens (subject, token_id, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (subject, token_id) DO UPDATE
         SET expires_at = GREATEST(tokenward_denied_access_tokens.expires_at, excluded.expires_at)`,
      [token.subject, token.tokenId, token.expiresAt],
    );
  }

  async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    const { rows } = await this.pool.query<{ revoked: boolean }>(
      // The session (when the token names one) in the same query: a revoked family revokes it.
      `SELECT EXISTS (
                SELECT 1 FROM tokenward_denied_access_tokens
                 WHERE subject = $1 AND token_id = $2 AND expires_at > $4)
           OR ${SUBJECT_REVOKED('$1', '$3', '$4')}
           OR ($5::text IS NOT NULL AND EXISTS (
                SELECT 1 FROM tokenward_families
                 WHERE subject = $1 AND family_id = $5 AND expires_at > $4 AND revoked)) AS revoked`,
      [token.subject, token.tokenId, token.issuedAt, token.now, token.sessionId ?? null],
    );
    return rows[0]?.revoked === true;
  }

  async revokeSubject(input: RevokeSubjectInput): Promise<void> {
    // An expired row (not yet deleted) is replaced; a live one only ever grows.
    await this.pool.query(
      `INSERT INTO tokenward_subject_revocations AS r (subject, revoked_at, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (subject) DO UPDATE SET
         revoked_at = CASE WHEN r.expires_at > $4 THEN GREATEST(r.revoked_at, excluded.revoked_at)
                           ELSE excluded.revoked_at END,
         expires_at = CASE WHEN r.expires_at > $4 THEN GREATEST(r.expires_at, excluded.expires_at)
                           ELSE excluded.expires_at END`,
      [input.subject, input.revokedAt, input.expiresAt, input.now],
    );
  }

  /** The subject's live sessions, newest first: one query on the primary key's subject prefix. */
  async listSessions(input: ListSessionsInput): Promise<SessionRecord[]> {
    const { rows } = await this.pool.query<{
      family_id: string;
      created_at: string;
      last_used_at: string;
      expires_at: string;
      absolute_expires_at: string | null;
      label: string | null;
    }>(
      `SELECT family_id, COALESCE(created_at, rotated_at) AS created_at,
              COALESCE(last_used_at, rotated_at) AS last_used_at, expires_at, absolute_expires_at, label
         FROM tokenward_families f
        WHERE subject = $1 AND expires_at > $2 AND NOT revoked
          AND NOT ${SUBJECT_REVOKED('$1', 'COALESCE(f.last_used_at, f.rotated_at)', '$2')}
        ORDER BY COALESCE(created_at, rotated_at) DESC, family_id`,
      [input.subject, input.now],
    );
    return rows.map((row) => {
      const session: SessionRecord = {
        id: row.family_id,
        createdAt: Number(row.created_at),
        lastUsedAt: Number(row.last_used_at),
        expiresAt: Number(row.expires_at),
        absoluteExpiresAt:
          row.absolute_expires_at === null ? Number.POSITIVE_INFINITY : Number(row.absolute_expires_at),
      };
      if (row.label !== null) session.label = row.label;
      return session;
    });
  }

  async #transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let failure: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      // Releasing with the error discards the connection instead of pooling a broken one.
      client.release(failure);
    }
  }
}
