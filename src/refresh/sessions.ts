import type { AuthConfig } from '../config.js';
import { AuthError } from '../errors.js';
import { assertListsSessions } from '../stores/store-answers.js';
import type { SessionRecord } from '../stores/token-store.js';
import type { Session } from '../types.js';

/**
 * How many list-then-revoke passes `revokeOtherSessions` makes at most. A login
 * that lands between a listing and its revocations is found by the next
 * listing; only a flood of logins outlasts this many.
 */
const MAX_REVOKE_PASSES = 5;

/** The longest session id looked up; family ids are 22 characters, so a longer one names nothing. */
const MAX_SESSION_ID_LENGTH = 256;

function requireSubject(subject: unknown, method: string): string {
  if (typeof subject !== 'string' || subject === '')
    throw new AuthError('CLAIM_INVALID', `${method} needs a subject`);
  return subject;
}

function requireSessionId(id: unknown, method: string): string {
  if (typeof id !== 'string' || id === '')
    throw new AuthError('CLAIM_INVALID', `${method} needs a session id`);
  return id;
}

function publicSession(record: SessionRecord): Session {
  const session: Session = {
    id: record.id,
    createdAt: record.createdAt,
    lastUsedAt: record.lastUsedAt,
    expiresAt: record.expiresAt,
    // JSON has no Infinity: an unbounded session says null.
    absoluteExpiresAt: Number.isFinite(record.absoluteExpiresAt) ? record.absoluteExpiresAt : null,
  };
  if (record.label !== undefined) session.label = record.label;
  return session;
}

/**
 * The subject's live sessions, newest first, in one store read.
 * @throws AuthError CONFIG_INVALID when the store has no `listSessions` (a 0.1 store).
 */
export async function listSessions(config: AuthConfig, subject: unknown): Promise<Session[]> {
  const sub = requireSubject(subject, 'listSessions');
  const now = config.clock();
  // The contract-checked store's listSessions says CONFIG_INVALID itself for a 0.1 store.
  const records = await config.storeCall((store) =>
    (store.listSessions as NonNullable<typeof store.listSessions>)({ subject: sub, now }),
  );
  // Newest first whatever order the store kept; a stable sort keeps its order among equal times.
  return records.sort((a, b) => b.createdAt - a.createdAt).map(publicSession);
}

/**
 * Ends one session of the subject: its refresh token is refused, and with
 * revocation checks on, its access tokens too. An id that is not one of the
 * subject's sessions (another subject's, an ended one, one never issued)
 * changes nothing, and the answer is the same.
 * @throws AuthError CONFIG_INVALID when the store has no `listSessions` (a 0.1 store).
 */
export async function revokeSession(config: AuthConfig, subject: unknown, sessionId: unknown): Promise<void> {
  const sub = requireSubject(subject, 'revokeSession');
  const id = requireSessionId(sessionId, 'revokeSession');
  await config.storeCall(async (store) => {
    // Checked even for an id that names nothing: the set-up is wrong whatever the id.
    assertListsSessions(store);
    if (id.length > MAX_SESSION_ID_LENGTH) return;
    await store.revokeFamily({ subject: sub, familyId: id, now: config.clock() });
  });
  config.emit({ type: 'session-revoked', subject: sub, familyId: id, reason: 'revokeSession' });
}

/**
 * Ends every session of the subject but `keepId` and answers how many ended.
 * It lists and revokes until a listing shows no other session, so a session
 * created while it runs is either ended with the rest or created after the
 * last listing (after the call, as far as anyone can tell).
 * @throws AuthError CONFIG_INVALID when the store has no `listSessions` (a 0.1 store).
 */
export async function revokeOtherSessions(
  config: AuthConfig,
  subject: unknown,
  keepId: unknown,
): Promise<number> {
  const sub = requireSubject(subject, 'revokeOtherSessions');
  const keep = requireSessionId(keepId, 'revokeOtherSessions');
  let ended = 0;
  for (let pass = 0; pass < MAX_REVOKE_PASSES; pass++) {
    const others = (await listSessions(config, sub)).filter((session) => session.id !== keep);
    if (others.length === 0) break;
    const now = config.clock();
    await config.storeCall((store) =>
      Promise.all(others.map((session) => store.revokeFamily({ subject: sub, familyId: session.id, now }))),
    );
    for (const session of others) {
      config.emit({
        type: 'session-revoked',
        subject: sub,
        familyId: session.id,
        reason: 'revokeOtherSessions',
      });
    }
    ended += others.length;
  }
  return ended;
}
