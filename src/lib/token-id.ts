import { bytesToBase64url } from '../tokens/base64url.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// Random bytes drawn from the CSPRNG a pool at a time: one system call per 256
// ids instead of one per id. Each byte is handed out once.
const POOL_IDS = 256;
// Web Crypto's getRandomValues exists on every runtime (workerd refuses it only at
// global scope, so the pool is filled on first use, never when the module loads).
const pool = new Uint8Array(16 * POOL_IDS);
let poolOffset = pool.length;

function freshBytes(): Uint8Array {
  if (poolOffset === pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

/**
 * A new token id: a UUID version 7 (RFC 9562), whose first 48 bits are the
 * issuing time in milliseconds. The millisecond lets a subject-wide revocation
 * tell apart tokens issued in the same second before and after it.
 */
export function newTokenId(nowMs: number): string {
  const bytes = freshBytes();
  let time = Math.floor(nowMs);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = '';
  for (const byte of bytes) hex += HEX[byte];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** `true` for an id of the shape {@link newTokenId} makes (a UUIDv7): the `jti` of a token tokenward issued. */
export function isTokenId(value: unknown): boolean {
  return typeof value === 'string' && UUID_V7.test(value);
}

/**
 * The issuing time of a token in milliseconds: read from a UUIDv7 `jti` when it
 * agrees with `iat` (same second), else the start of the `iat` second.
 */
export function issuedAtMs(jti: unknown, iat: number): number {
  if (typeof jti === 'string' && UUID_V7.test(jti)) {
    const ms = Number.parseInt(jti.slice(0, 8) + jti.slice(9, 13), 16);
    if (Math.floor(ms / 1000) === iat) return ms;
  }
  return iat * 1000;
}

/** A new random family id (128 bits, base64url). */
export function newFamilyId(): string {
  return bytesToBase64url(crypto.getRandomValues(new Uint8Array(16)));
}
