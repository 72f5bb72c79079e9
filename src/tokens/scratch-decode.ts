// Decoding a token's payload and signature with Buffer.from allocates from Buffer's shared
// pool, which a busy verifier exhausts every few dozen tokens (a new 8 KiB slab each time).
// Verification is synchronous, so one reused buffer per use serves every token instead.

const MAX_SCRATCH_BYTES = 16 * 1024;

let textScratch: Buffer = Buffer.allocUnsafe(0);
let signatureScratch: Buffer = Buffer.allocUnsafe(0);

/** A buffer of at least `bytes`, grown (never past MAX_SCRATCH_BYTES) from `current`. */
function ensure(current: Buffer, bytes: number): Buffer {
  return current.length >= bytes ? current : Buffer.allocUnsafe(Math.max(bytes, 1024));
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
  const bytes = decodedBytes(part);
  let buffer: Buffer;
  let length: number;
  if (bytes > MAX_SCRATCH_BYTES) {
    buffer = Buffer.from(part, 'base64url');
    length = buffer.length;
  } else {
    textScratch = ensure(textScratch, bytes);
    buffer = textScratch;
    length = buffer.write(part, 0, 'base64url');
  }
  if (buffer.toString('base64url', 0, length) !== part) return undefined;
  return buffer.toString('utf8', 0, length);
}

/**
 * The bytes a base64url string encodes, as a view of a reused buffer: valid only until the
 * next call, so it must be used (by a synchronous verifier) before anything else decodes.
 */
export function base64urlView(part: string): Buffer {
  const bytes = decodedBytes(part);
  if (bytes > MAX_SCRATCH_BYTES) return Buffer.from(part, 'base64url');
  signatureScratch = ensure(signatureScratch, bytes);
  const written = signatureScratch.write(part, 0, 'base64url');
  return signatureScratch.subarray(0, written);
}
