/**
 * The answers a {@link TokenStore} may give, checked in one place: the core
 * refuses anything else (STORE_UNAVAILABLE) and the conformance kit reports it.
 * @packageDocumentation
 */

import type {
  RefreshTokenState,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
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
 * A view of `store` whose reading methods answer only within the contract: an
 * answer outside it rejects with a {@link StoreAnswerError}. The writing methods
 * pass through (what they resolve with is ignored, as the contract's `void` says).
 */
export function contractCheckedStore(store: TokenStore): TokenStore {
  return {
    createFamily: (family) => store.createFamily(family),
    rotateRefreshToken: async (input) => checkRotationAnswer(await store.rotateRefreshToken(input), input),
    getRefreshTokenState: async (token) =>
      checkRefreshTokenStateAnswer(await store.getRefreshTokenState(token)),
    revokeFamily: (family) => store.revokeFamily(family),
    revokeAccessToken: (token) => store.revokeAccessToken(token),
    isAccessTokenRevoked: async (token) => checkRevokedAnswer(await store.isAccessTokenRevoked(token)),
    revokeSubject: (input) => store.revokeSubject(input),
  };
}
