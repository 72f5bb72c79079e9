import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { isAuthError } from '../../src/errors.js';
import { type AuthOptions, createAuth } from '../../src/index.js';

/** A 32-byte test secret. */
export const SECRET = 'test-secret-that-is-at-least-32-bytes-long';

/** base64url of a JSON value or a raw string. */
export function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** Builds a compact JWS signed with HMAC-SHA256 over whatever header and payload are given. */
export function hs256(header: unknown, payload: unknown, secret: string | Buffer = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Builds a compact JWS signed with an Ed25519 private key. */
export function eddsa(header: unknown, payload: unknown, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

/** A fresh Ed25519 key pair. */
export function ed25519() {
  return generateKeyPairSync('ed25519');
}

/** The `code` of the AuthError a promise rejects with; fails the test on anything else. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (!isAuthError(error)) throw new Error(`expected an AuthError, got ${String(error)}`, { cause: error });
    return error.code;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The code and message of the AuthError `createAuth` throws at start-up, or `undefined` when it starts. */
export function startUpError(options: AuthOptions): { code: string; message: string } | undefined {
  try {
    createAuth(options);
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  return undefined;
}

/**
 * The `code` of the AuthError a synchronous action throws, `undefined` when it throws
 * nothing; fails the test on any other exception.
 */
export function codeOfSync(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (!isAuthError(error)) throw new Error(`expected an AuthError, got ${String(error)}`, { cause: error });
    return error.code;
  }
  return undefined;
}
