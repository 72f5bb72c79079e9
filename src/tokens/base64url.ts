/**
 * The one rule for the base64url parts of a compact JWS: what counts as their
 * canonical spelling, and whether a part decodes to well-formed UTF-8.
 * @packageDocumentation
 */
import { nodeBuffer } from '../lib/platform.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Tells whether a base64url string is in its one canonical spelling: only the
 * base64url alphabet, no padding, a length an encoder produces, and zero bits
 * where the last character has bits to spare. The empty string (zero bytes) is
 * canonical. Without this rule several strings would verify as the same token.
 * Equivalently, a string is canonical exactly when re-encoding the bytes it
 * decodes to gives it back (the form `scratch-decode.ts` checks).
 */
export function isCanonicalBase64url(part: string): boolean {
  if (!BASE64URL.test(part)) return false;
  const spare = part.length % 4;
  if (spare === 0) return true;
  if (spare === 1) return false;
  const last = ALPHABET.indexOf(part[part.length - 1]!);
  return (last & (spare === 2 ? 0b1111 : 0b11)) === 0;
}

/**
 * Tells whether a base64url part (a protected header) decodes to well-formed
 * UTF-8. jose decodes the header with a fatal UTF-8 decoder and refuses the token
 * otherwise, so tokenward does too, though it parses the header leniently.
 */
export function isUtf8Base64url(part: string): boolean {
  try {
    strictUtf8.decode(base64urlToBytes(part));
    return true;
  } catch {
    return false;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** The bytes a base64url string encodes (leniently, as `Buffer.from(part, 'base64url')` reads it). */
export function base64urlToBytes(part: string): Uint8Array<ArrayBuffer> {
  const buffer = nodeBuffer();
  if (buffer !== undefined) return buffer.from(part, 'base64url');
  // atob wants the standard alphabet with whole quanta; characters outside the
  // alphabet are dropped, as Buffer drops them.
  let base64 = part
    .replace(/[^A-Za-z0-9+/_-]/g, '')
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  if (base64.length % 4 === 1) base64 = base64.slice(0, -1);
  base64 += '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The text of the UTF-8 bytes a base64url string encodes, malformed sequences replaced by U+FFFD. */
export function base64urlToUtf8(part: string): string {
  const buffer = nodeBuffer();
  if (buffer !== undefined) return buffer.from(part, 'base64url').toString('utf8');
  return utf8.decode(base64urlToBytes(part));
}

/** The canonical base64url spelling (no padding) of some bytes. */
export function bytesToBase64url(bytes: Uint8Array): string {
  const buffer = nodeBuffer();
  if (buffer !== undefined) {
    return buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  }
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The base64url spelling of a string's UTF-8 bytes. */
export function utf8ToBase64url(text: string): string {
  const buffer = nodeBuffer();
  if (buffer !== undefined) return buffer.from(text, 'utf8').toString('base64url');
  return bytesToBase64url(encoder.encode(text));
}

/** The UTF-8 bytes of a string (an unpaired surrogate becomes U+FFFD, as with Buffer). */
export function utf8ToBytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The text of UTF-8 bytes, each malformed sequence replaced by U+FFFD. */
export function bytesToUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Each byte as the character of that code (latin1), as `Buffer#toString('latin1')` reads bytes. */
export function bytesToLatin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return text;
}

/** The bytes of a string whose characters are all below 256 (the ASCII signing input of a JWS). */
export function latin1ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const buffer = nodeBuffer();
  if (buffer !== undefined) return buffer.from(text, 'latin1');
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
