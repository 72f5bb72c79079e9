/**
 * Telling a real HMAC secret from key material given in its place.
 * @packageDocumentation
 */

import { nodeCrypto } from '../lib/platform.js';
import { base64urlToBytes, bytesToLatin1, utf8ToBytes } from '../tokens/base64url.js';
import { isDerKeyStructure } from './der.js';

// Base64 or base64url text, possibly wrapped over lines, as a DER key is pasted.
const BASE64_TEXT = /^[A-Za-z0-9+/_\-\s]+={0,2}\s*$/;
const OPENSSH_KEY = /^(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-|sk-(?:ssh-ed25519|ecdsa-sha2-))\S*\s/;

function isDerKey(bytes: Uint8Array): boolean {
  // Every DER key (SPKI, PKCS#8, PKCS#1) is an ASN.1 SEQUENCE.
  if (bytes.length < 16 || bytes[0] !== 0x30) return false;
  const crypto = nodeCrypto();
  if (crypto === undefined) return isDerKeyStructure(bytes);
  const { createPrivateKey, createPublicKey } = crypto;
  // node:crypto takes any ArrayBufferView as DER.
  const key = bytes as Buffer;
  const attempts = [
    () => createPublicKey({ key, format: 'der', type: 'spki' }),
    () => createPrivateKey({ key, format: 'der', type: 'pkcs8' }),
    () => createPublicKey({ key, format: 'der', type: 'pkcs1' }),
    () => createPrivateKey({ key, format: 'der', type: 'pkcs1' }),
    () => createPrivateKey({ key, format: 'der', type: 'sec1' }),
  ];
  return attempts.some((attempt) => {
    try {
      attempt();
      return true;
    } catch {
      return false;
    }
  });
}

function jsonKind(text: string): string | undefined {
  if (!text.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  if (typeof (parsed as { kty?: unknown }).kty === 'string') return 'the text of a JWK';
  if (Array.isArray((parsed as { keys?: unknown }).keys)) return 'the text of a JWKS';
  return undefined;
}

/**
 * What a would-be HMAC secret really is when it is key material: a PEM, a JWK
 * or JWKS as JSON text, an OpenSSH key line, DER bytes or DER in base64.
 * Answers `undefined` for anything else. Such "secrets" are often public: an
 * HMAC keyed with public bytes lets anyone forge tokens.
 */
export function describeKeyMaterial(secret: string | Uint8Array): string | undefined {
  const bytes = typeof secret === 'string' ? utf8ToBytes(secret) : secret;
  const text = (typeof secret === 'string' ? secret : bytesToLatin1(bytes)).trim();
  if (text.includes('-----BEGIN')) return 'a PEM key';
  if (OPENSSH_KEY.test(`${text} `)) return 'an OpenSSH key';
  const json = jsonKind(text);
  if (json !== undefined) return json;
  if (isDerKey(bytes)) return 'a DER-encoded key';
  if (text.length >= 24 && BASE64_TEXT.test(text)) {
    // base64url decoding takes the standard alphabet too.
    const decoded = base64urlToBytes(text.replace(/\s+/g, '').replace(/=+$/, ''));
    if (isDerKey(decoded)) return 'a base64-encoded DER key';
  }
  return undefined;
}
