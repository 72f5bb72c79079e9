/**
 * The answers a {@link TokenStore} may give, checked in one place: the core
 * refuses anything else (STORE_UNAVAILABLE) and the conformance kit reports it.
 * @packageDocumentation
 */

import type {
  ListSessionsInput,
  RefreshTokenState,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
  SessionRecord,
  TokenStore,
} from './token-store.js';

const ROTATION_STATUSES: ReadonlySet<unknown> = new Set(['rotated', 'reused', 'revoked', 'expired']);
const REFRESH_TOKEN_STATES: ReadonlySet<unknown> = new Set(['active', 'consumed', 'revoked', 'unknown']);

/** A store answer outside the {@link TokenStore} contract. Its message says which method gave what. */
export class StoreAnswerError extends Error {
  override readonly name = 'StoreAnswerError';
}

/** A short, bounded rendering of an answer for an error message (never a token: stores hold none). */
function describeAnswer(answer: unknown): string {
  if (typeof answer === 'string') return JSON.stringify(answer.slice(0, 40));
  if (typeof answer !== 'object' || answer === null) return String(answer);
  try {
    const text = JSON.stringify(answer, (_key, value: unknown) =>
      typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
    );
    return text.length > 120 ? `${text.slice(0, 120)}…` : text;
  } catch {
    return Object.prototype.toString.call(answer);
  }
}

function outsideContract(method: keyof TokenStore, answer: unknown, rule: string): never {
  throw new StoreAnswerError(
    `TokenStore.${method} answered ${describeAnswer(answer)}, outside the contract: ${rule}`,
  );
}

/**
 * Checks an answer of `rotateRefreshToken`: a known status, and for `rotated` a
 * finite `expiresAt` after `now` and no later than `nextExpiresAt`, so that no
 * refresh token is ever signed with a missing, endless or stretched expiry.
 */
export function checkRotationAnswer(
  answer: unknown,
  input: Pick<RotateRefreshTokenInput, 'now' | 'nextExpiresAt'>,
): RotateRefreshTokenResult {
  if (typeof answer !== 'object' || answer === null) {
    outsideContract('rotateRefreshToken', answer, 'it must be an object with a status');
  }
  const { status, expiresAt } = answer as { status?: unknown; expiresAt?: unknown };
  if (!ROTATION_STATUSES.has(status)) {
    outsideContract(
      'rotateRefreshToken',
      answer,
      'status must be "rotated", "reused", "revoked" or "expired"',
    );
  }
  if (status !== 'rotated') return { status } as RotateRefreshTokenResult;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
    outsideContract('rotateRefreshToken', answer, 'a rotated answer needs a finite expiresAt (Unix ms)');
  }
  if (expiresAt <= input.now || expiresAt > input.nextExpiresAt) {
    outsideContract(
      'rotateRefreshToken',
      answer,
      `expiresAt must be after now (${input.now}) and no later than nextExpiresAt (${input.nextExpiresAt})`,
    );
  }
  return { status, expiresAt };
}

/** Checks an answer of `getRefreshTokenState`: one of the four states. */
export function checkRefreshTokenStateAnswer(answer: unknown): RefreshTokenState {
  if (!REFRESH_TOKEN_STATES.has(answer)) {
    outsideContract(
      'getRefreshTokenState',
      answer,
      'the state must be "active", "consumed", "revoked" or "unknown"',
    );
  }
  return answer as RefreshTokenState;
}

/** Checks an answer of `isAccessTokenRevoked`: a boolean, never a value that merely looks false. */
export function checkRevokedAnswer(answer: unknown): boolean {
  if (typeof answer !== 'boolean')
    outsideContract('isAccessTokenRevoked', answer, 'it must be true or false');
  return answer;
}

/**
 * A store without `listSessions` asked to list: a store written for tokenward 0.1.
 * The core answers it with CONFIG_INVALID (the app's set-up, not an outage).
 */
export class MissingStoreMethodError extends Error {
  override readonly name = 'MissingStoreMethodError';
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

/**
 * Checks an answer of `listSessions`: an array of sessions, each with a string
 * `id`, numeric times (`expiresAt` finite and after `now`), and a string `label`
 * or none. The records are copied, so nothing else the store put in them leaks out.
 */
export function checkSessionsAnswer(answer: unknown, input: Pick<ListSessionsInput, 'now'>): SessionRecord[] {
  if (!Array.isArray(answer)) outsideContract('listSessions', answer, 'it must be an array of sessions');
  return answer.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) {
      outsideContract('listSessions', entry, 'each session must be an object');
    }
    const { id, createdAt, lastUsedAt, expiresAt, absoluteExpiresAt, label } = entry as Record<
      string,
      unknown
    >;
    if (typeof id !== 'string' || id === '') outsideContract('listSessions', entry, 'id must be a string');
    if (!isTime(createdAt) || !isTime(lastUsedAt) || !isTime(absoluteExpiresAt)) {
      outsideContract('listSessions', entry, 'createdAt, lastUsedAt and absoluteExpiresAt must be numbers');
    }
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt <= input.now) {
      outsideContract('listSessions', entry, `expiresAt must be a finite time after now (${input.now})`);
    }
    if (label !== undefined && label !== null && typeof label !== 'string') {
      outsideContract('listSessions', entry, 'label must be a string or absent');
    }
    const session: SessionRecord = { id, createdAt, lastUsedAt, expiresAt, absoluteExpiresAt };
    if (typeof label === 'string') session.label = label;
    return session;
  });
}

// The store behind each checked view, to tell whether it lists sessions at all.
const storeBehind = new WeakMap<TokenStore, TokenStore>();

/**
 * Throws a {@link MissingStoreMethodError} unless the store (or the store behind
 * a checked view) has `listSessions`: the mark of a store that keeps sessions,
 * without which ending one could not end its access tokens.
 */
export function assertListsSessions(store: TokenStore): void {
  const behind = storeBehind.get(store) ?? store;
  if (typeof behind.listSessions !== 'function') {
    throw new MissingStoreMethodError(
      'the token store has no listSessions method (a store written for tokenward 0.1): implement listSessions (see docs/custom-store.md) to list and end sessions',
    );
  }
}

/**
 * A view of `store` whose reading methods answer only within the contract: an
 * answer outside it rejects with a {@link StoreAnswerError}. The writing methods
 * pass through (what they resolve with is ignored, as the contract's `void` says).
 */
export function contractCheckedStore(store: TokenStore): TokenStore {
  const view: TokenStore = {
    createFamily: (family) => store.createFamily(family),
    rotateRefreshToken: async (input) => checkRotationAnswer(await store.rotateRefreshToken(input), input),
    getRefreshTokenState: async (token) =>
      checkRefreshTokenStateAnswer(await store.getRefreshTokenState(token)),
    revokeFamily: (family) => store.revokeFamily(family),
    revokeAccessToken: (token) => store.revokeAccessToken(token),
    isAccessTokenRevoked: async (token) => checkRevokedAnswer(await store.isAccessTokenRevoked(token)),
    revokeSubject: (input) => store.revokeSubject(input),
    // Always present on the view, so that a missing one is reported by name rather than as "not a function".
    async listSessions(input) {
      assertListsSessions(store);
      return checkSessionsAnswer(
        await (store.listSessions as NonNullable<TokenStore['listSessions']>).call(store, input),
        input,
      );
    },
  };
  storeBehind.set(view, store);
  return view;
}
