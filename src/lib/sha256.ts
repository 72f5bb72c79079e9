/**
 * SHA-256 and HMAC-SHA256 that answer synchronously on every runtime. SHA-256
 * uses `node:crypto` where it exists, else this file's implementation of
 * FIPS 180-4 (Web Crypto's digest is asynchronous, and key ids and login keys are
 * needed synchronously). The HMAC serves HS256 verification where `node:crypto`
 * is missing or slower than this (Deno: see {@link portableHmacPreferred}).
 * @packageDocumentation
 */
import { nodeCrypto, runtimeName } from './platform.js';

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL = new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// The message schedule: one array for every call (the functions below never interleave).
const W = new Uint32Array(64);

/** One compression of the 16 words in W[0..15] into `state`. */
function compress(state: Uint32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = state[0]! + a;
  state[1] = state[1]! + b;
  state[2] = state[2]! + c;
  state[3] = state[3]! + d;
  state[4] = state[4]! + e;
  state[5] = state[5]! + f;
  state[6] = state[6]! + g;
  state[7] = state[7]! + h;
}

/**
 * Hashes `length` bytes, read by `byteAt`, into `state`, which has already absorbed
 * `prefixBytes` bytes (whole blocks), then pads with the total length.
 */
function absorb(
  state: Uint32Array,
  length: number,
  byteAt: (index: number) => number,
  prefixBytes: number,
): void {
  const total = length + prefixBytes;
  // The message, a 0x80 byte, zeros, and the 64-bit bit length: whole blocks.
  const padded = Math.ceil((length + 9) / 64) * 64;
  for (let block = 0; block < padded; block += 64) {
    for (let word = 0; word < 16; word++) {
      let value = 0;
      for (let k = 0; k < 4; k++) {
        const index = block + word * 4 + k;
        const byte = index < length ? byteAt(index) : index === length ? 0x80 : 0;
        value = (value << 8) | byte;
      }
      W[word] = value;
    }
    if (block + 64 === padded) {
      W[14] = Math.floor((total * 8) / 0x100000000);
      W[15] = (total * 8) >>> 0;
    }
    compress(state);
  }
}

function digestOf(state: Uint32Array): Uint8Array {
  const digest = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const word = state[i]!;
    digest[i * 4] = word >>> 24;
    digest[i * 4 + 1] = (word >>> 16) & 0xff;
    digest[i * 4 + 2] = (word >>> 8) & 0xff;
    digest[i * 4 + 3] = word & 0xff;
  }
  return digest;
}

function portableSha256(message: Uint8Array): Uint8Array {
  const state = INITIAL.slice();
  absorb(state, message.length, (index) => message[index]!, 0);
  return digestOf(state);
}

/** The SHA-256 digest of some bytes, computed synchronously. */
export function sha256(message: Uint8Array): Uint8Array {
  const crypto = nodeCrypto();
  if (crypto !== undefined) return crypto.createHash('sha256').update(message).digest();
  return portableSha256(message);
}

/** For tests: the portable implementation, whatever the runtime has. */
export const sha256Portable: (message: Uint8Array) => Uint8Array = portableSha256;

/** The state after one block of the key XOR a pad byte (RFC 2104). */
function padState(key: Uint8Array, pad: number): Uint32Array {
  const state = INITIAL.slice();
  for (let word = 0; word < 16; word++) {
    let value = 0;
    for (let k = 0; k < 4; k++) value = (value << 8) | ((key[word * 4 + k] ?? 0) ^ pad);
    W[word] = value;
  }
  compress(state);
  return state;
}

/**
 * Hashes the latin1 bytes of a string into `state`, which has absorbed `prefixBytes`
 * bytes (whole blocks) already, then pads: the HMAC's hot loop, reading four characters
 * a word with no call per byte.
 */
function absorbLatin1(state: Uint32Array, input: string, prefixBytes: number): void {
  const length = input.length;
  const whole = length - (length % 64);
  for (let block = 0; block < whole; block += 64) {
    for (let word = 0, i = block; word < 16; word++, i += 4) {
      W[word] =
        ((input.charCodeAt(i) & 0xff) << 24) |
        ((input.charCodeAt(i + 1) & 0xff) << 16) |
        ((input.charCodeAt(i + 2) & 0xff) << 8) |
        (input.charCodeAt(i + 3) & 0xff);
    }
    compress(state);
  }
  absorb(state, length - whole, (index) => input.charCodeAt(whole + index) & 0xff, prefixBytes + whole);
}

/**
 * HMAC-SHA256 over the signing input of a JWS (a string of characters below 256,
 * read as latin1), keyed once: the key's inner and outer states are computed here,
 * so each call hashes only the input and one outer block.
 */
export function hmacSha256(secret: Uint8Array): (input: string) => Uint8Array {
  const key = secret.length > 64 ? portableSha256(secret) : secret;
  const inner = padState(key, 0x36);
  const outer = padState(key, 0x5c);
  const state = new Uint32Array(8);
  return (input) => {
    state.set(inner);
    absorbLatin1(state, input, 64);
    const innerDigest = digestOf(state);
    state.set(outer);
    absorb(state, 32, (index) => innerDigest[index]!, 64);
    return digestOf(state);
  };
}

/**
 * `true` where this file's HMAC-SHA256 is faster than `node:crypto`'s: on Deno, whose
 * `createHmac` costs about 17 µs a call against about 2.5 µs on Bun and Node
 * (bench/runtimes.bench.mjs: HS256 verification 1.3x jose with it on Deno).
 */
export function portableHmacPreferred(): boolean {
  return runtimeName() === 'Deno';
}
