// Decoding a token's payload and signature with Buffer.from allocates from Buffer's shared
// pool, which a busy verifier exhausts every few dozen tokens (a new 8 KiB slab each time).
// Verification is synchronous, so one reused buffer per use serves every token instead.
// Where the runtime has no Buffer (workerd), the Web-platform decoders of base64url.ts serve.

import { nodeBuffer } from '../lib/platform.js';
import { base64urlToBytes, bytesToUtf8, isCanonicalBase64url } from './base64url.js';

const MAX_SCRATCH_BYTES = 16 * 1024;

let textScratch: Buffer | undefined;
let signatureScratch: Buffer | undefined;

/** A buffer of at least `bytes`, grown (never past MAX_SCRATCH_BYTES) from `current`. */
function ensure(buffer: typeof Buffer, current: Buffer | undefined, bytes: number): Buffer {
  return current !== undefined && current.length >= bytes
    ? current
    : buffer.allocUnsafe(Math.max(bytes, 1024));
}

// A base64url string of n characters holds at most floor(3n / 4) bytes.
const decodedBytes = (part: string): number => Math.floor((part.length * 3) / 4);

/**
 * The UTF-8 text a non-empty base64url string encodes (as `Buffer.from(part, 'base64url')
 * .toString('utf8')` gives it), or `undefined` unless the string is in its one canonical
 * spelling (the rule of base64url.ts). The decoder is lenient, but the encoder writes one
 * canonical string per byte sequence: a string is canonical exactly when re-encoding what
 * it decodes to gives it back, which costs less here than checking its characters, since
 * the bytes are decoded anyway (test/core/fast-path.test.ts checks the two forms agree).
 */
export function canonicalBase64urlToUtf8(part: string): string | undefined {
  if (part === '') return undefined;
  const buffer = nodeBuffer();
  if (buffer === undefined) {
    return isCanonicalBase64url(part) ? bytesToUtf8(base64urlToBytes(part)) : undefined;
  }
  const bytes = decodedBytes(part);
  let decoded: Buffer;
  let length: number;
  if (bytes > MAX_SCRATCH_BYTES) {
    decoded = buffer.from(part, 'base64url');
    length = decoded.length;
  } else {
    textScratch = ensure(buffer, textScratch, bytes);
    decoded = textScratch;
    length = decoded.write(part, 0, 'base64url');
  }
  if (decoded.toString('base64url', 0, length) !== part) return undefined;
  return decoded.toString('utf8', 0, length);
}

/**
 * The bytes a base64url string encodes, as a view of a reused buffer: valid only until the
 * next call, so it must be used (by a synchronous verifier) before anything else decodes.
 */
export function base64urlView(part: string): Uint8Array {
  const buffer = nodeBuffer();
  if (buffer === undefined) return base64urlToBytes(part);
  const bytes = decodedBytes(part);
  if (bytes > MAX_SCRATCH_BYTES) return buffer.from(part, 'base64url');
  signatureScratch = ensure(buffer, signatureScratch, bytes);
  const written = signatureScratch.write(part, 0, 'base64url');
  return signatureScratch.subarray(0, written);
}
