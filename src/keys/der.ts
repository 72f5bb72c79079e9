/**
 * Reading PEM and DER keys without `node:crypto`: the few ASN.1 structures keys
 * come in (SPKI, PKCS#8, PKCS#1, SEC1), read into what key import checks (key
 * type, curve, modulus size) and the JWK Web Crypto imports. Used where the
 * runtime has no `node:crypto`; where it has one, `node:crypto` reads keys.
 * @packageDocumentation
 */
import type { JWK } from 'jose';
import { bytesToBase64url } from '../tokens/base64url.js';

/** What key import needs to know of a key, as `node:crypto`'s `KeyObject` tells it. */
export interface KeyShape {
  readonly type: 'secret' | 'public' | 'private';
  readonly asymmetricKeyType?: string | undefined;
  readonly asymmetricKeyDetails?: { readonly namedCurve?: string; readonly modulusLength?: number };
  readonly symmetricKeySize?: number | undefined;
}

/** An asymmetric key read from PEM, DER or a JWK: its shape and its JWKs. */
export interface ParsedKey extends KeyShape {
  readonly type: 'public' | 'private';
  /** The public JWK (members as `node:crypto` exports them), when the key is a usable type. */
  readonly publicJwk: JWK | undefined;
  /** The private JWK, for a private key of a usable type. */
  readonly privateJwk: JWK | undefined;
}

/** A key that cannot be read: the message says why. */
export class KeyReadError extends Error {}

interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
  readonly next: number;
}

function readTlv(bytes: Uint8Array, offset: number): Tlv {
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  if (tag === undefined || length === undefined) throw new KeyReadError('truncated DER');
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new KeyReadError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] ?? Number.NaN);
    start += count;
  }
  const end = start + length;
  if (!(end <= bytes.length)) throw new KeyReadError('truncated DER');
  return { tag, value: bytes.subarray(start, end), next: end };
}

/** The members of a constructed value (a SEQUENCE, or a context-tagged wrapper). */
function children(value: Uint8Array): Tlv[] {
  const list: Tlv[] = [];
  for (let offset = 0; offset < value.length; ) {
    const tlv = readTlv(value, offset);
    list.push(tlv);
    offset = tlv.next;
  }
  return list;
}

function expect(tlv: Tlv | undefined, tag: number, what: string): Uint8Array {
  if (tlv?.tag !== tag) throw new KeyReadError(`expected ${what}`);
  return tlv.value;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const OID = 0x06;

function sequence(bytes: Uint8Array): Tlv[] {
  const outer = readTlv(bytes, 0);
  if (outer.tag !== SEQUENCE || outer.next !== bytes.length) throw new KeyReadError('not a DER SEQUENCE');
  return children(outer.value);
}

function bitString(value: Uint8Array): Uint8Array {
  if (value[0] !== 0) throw new KeyReadError('a BIT STRING with unused bits');
  return value.subarray(1);
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

// Algorithm and curve object identifiers (DER content, in hex), named as node:crypto names them.
const KEY_TYPES: Readonly<Record<string, string>> = {
  '2a864886f70d010101': 'rsa',
  '2a864886f70d01010a': 'rsa-pss',
  '2a8648ce3d0201': 'ec',
  '2b6570': 'ed25519',
  '2b6571': 'ed448',
  '2b656e': 'x25519',
  '2b656f': 'x448',
  '2a8648ce380401': 'dsa',
  '2a864886f70d010301': 'dh',
};
const CURVES: Readonly<Record<string, { node: string; jwk: string; size: number }>> = {
  '2a8648ce3d030107': { node: 'prime256v1', jwk: 'P-256', size: 32 },
  '2b81040022': { node: 'secp384r1', jwk: 'P-384', size: 48 },
  '2b81040023': { node: 'secp521r1', jwk: 'P-521', size: 66 },
  '2b8104000a': { node: 'secp256k1', jwk: 'secp256k1', size: 32 },
};

/** An unsigned big-endian integer without its sign byte, base64url as a JWK member. */
function unsigned(value: Uint8Array): string {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  return bytesToBase64url(value.subarray(start));
}

function bitLength(value: Uint8Array): number {
  let start = 0;
  while (start < value.length && value[start] === 0) start++;
  if (start === value.length) return 0;
  return (value.length - start - 1) * 8 + (32 - Math.clz32(value[start]!));
}

function rsaPublic(
  n: Uint8Array,
  e: Uint8Array,
): Pick<ParsedKey, 'asymmetricKeyType' | 'asymmetricKeyDetails'> & {
  jwk: JWK;
} {
  return {
    asymmetricKeyType: 'rsa',
    asymmetricKeyDetails: { modulusLength: bitLength(n) },
    jwk: { kty: 'RSA', n: unsigned(n), e: unsigned(e) },
  };
}

function rsaPrivateKey(der: Uint8Array): ParsedKey {
  const [, n, e, d, p, q, dp, dq, qi] = sequence(der).map((tlv) => expect(tlv, INTEGER, 'an INTEGER'));
  if (qi === undefined) throw new KeyReadError('an incomplete RSA private key');
  const pub = rsaPublic(n!, e!);
  const member = (value: Uint8Array): string => unsigned(value);
  return {
    type: 'private',
    ...pub,
    publicJwk: pub.jwk,
    privateJwk: {
      ...pub.jwk,
      d: member(d!),
      p: member(p!),
      q: member(q!),
      dp: member(dp!),
      dq: member(dq!),
      qi: member(qi),
    },
  };
}

function ecPoint(point: Uint8Array, size: number): { x: string; y: string } {
  if (point[0] !== 0x04 || point.length !== 1 + 2 * size) {
    throw new KeyReadError('only uncompressed EC points are supported');
  }
  return {
    x: bytesToBase64url(point.subarray(1, 1 + size)),
    y: bytesToBase64url(point.subarray(1 + size)),
  };
}

function curveOf(oid: Uint8Array | undefined): { node: string; jwk: string; size: number } | string {
  const curve = oid === undefined ? undefined : CURVES[hex(oid)];
  return curve ?? 'an unknown curve';
}

function ecShape(
  curve: ReturnType<typeof curveOf>,
): Pick<ParsedKey, 'asymmetricKeyType' | 'asymmetricKeyDetails'> {
  return {
    asymmetricKeyType: 'ec',
    asymmetricKeyDetails: { namedCurve: typeof curve === 'string' ? curve : curve.node },
  };
}

/** A SEC1 ECPrivateKey, with the curve of its PKCS#8 wrapper when it names none itself. */
function ecPrivateKey(der: Uint8Array, wrapperCurve?: Uint8Array): ParsedKey {
  const members = sequence(der);
  const d = expect(members[1], OCTET_STRING, 'the EC private key');
  let curveOid = wrapperCurve;
  let point: Uint8Array | undefined;
  for (const member of members.slice(2)) {
    if (member.tag === 0xa0) curveOid = expect(children(member.value)[0], OID, 'a curve');
    if (member.tag === 0xa1) point = bitString(expect(children(member.value)[0], BIT_STRING, 'a point'));
  }
  const curve = curveOf(curveOid);
  const shape = ecShape(curve);
  if (typeof curve === 'string')
    return { type: 'private', ...shape, publicJwk: undefined, privateJwk: undefined };
  if (point === undefined) {
    throw new KeyReadError('this EC private key carries no public key; give it as a JWK (with "x" and "y")');
  }
  const publicJwk: JWK = { kty: 'EC', ...ecPoint(point, curve.size), crv: curve.jwk };
  return { type: 'private', ...shape, publicJwk, privateJwk: { ...publicJwk, d: bytesToBase64url(d) } };
}

function spki(der: Uint8Array): ParsedKey {
  const [algorithm, key] = sequence(der);
  const [oid, params] = children(expect(algorithm, SEQUENCE, 'an algorithm'));
  const keyType = KEY_TYPES[hex(expect(oid, OID, 'an algorithm OID'))] ?? 'unknown';
  const bits = bitString(expect(key, BIT_STRING, 'a public key'));
  if (keyType === 'rsa') {
    const [n, e] = sequence(bits).map((tlv) => expect(tlv, INTEGER, 'an INTEGER'));
    const pub = rsaPublic(n!, e!);
    return { type: 'public', ...pub, publicJwk: pub.jwk, privateJwk: undefined };
  }
  if (keyType === 'ec') {
    const curve = curveOf(params?.tag === OID ? params.value : undefined);
    const shape = ecShape(curve);
    if (typeof curve === 'string')
      return { type: 'public', ...shape, publicJwk: undefined, privateJwk: undefined };
    return {
      type: 'public',
      ...shape,
      publicJwk: { kty: 'EC', ...ecPoint(bits, curve.size), crv: curve.jwk },
      privateJwk: undefined,
    };
  }
  if (keyType === 'ed25519') {
    if (bits.length !== 32) throw new KeyReadError('an Ed25519 public key has 32 bytes');
    return {
      type: 'public',
      asymmetricKeyType: 'ed25519',
      publicJwk: { crv: 'Ed25519', x: bytesToBase64url(bits), kty: 'OKP' },
      privateJwk: undefined,
    };
  }
  return { type: 'public', asymmetricKeyType: keyType, publicJwk: undefined, privateJwk: undefined };
}

function pkcs8(der: Uint8Array): ParsedKey {
  const members = sequence(der);
  const [oid, params] = children(expect(members[1], SEQUENCE, 'an algorithm'));
  const keyType = KEY_TYPES[hex(expect(oid, OID, 'an algorithm OID'))] ?? 'unknown';
  const inner = expect(members[2], OCTET_STRING, 'a private key');
  if (keyType === 'rsa') return rsaPrivateKey(inner);
  if (keyType === 'ec') return ecPrivateKey(inner, params?.tag === OID ? params.value : undefined);
  if (keyType === 'ed25519') {
    const seed = expect(readTlv(inner, 0), OCTET_STRING, 'an Ed25519 seed');
    // OneAsymmetricKey (PKCS#8 v2) may carry the public key as [1]; v1 does not.
    const publicKey = members.find((member) => member.tag === 0x81 || member.tag === 0xa1);
    if (publicKey === undefined) {
      throw new KeyReadError(
        'an Ed25519 PKCS#8 key without its public key cannot be read without node:crypto; give it as a JWK (with "x" and "d")',
      );
    }
    const x =
      publicKey.tag === 0x81
        ? publicKey.value.subarray(1)
        : bitString(expect(children(publicKey.value)[0], BIT_STRING, 'a public key'));
    const publicJwk: JWK = { crv: 'Ed25519', x: bytesToBase64url(x), kty: 'OKP' };
    return {
      type: 'private',
      asymmetricKeyType: 'ed25519',
      publicJwk,
      privateJwk: { ...publicJwk, d: bytesToBase64url(seed) },
    };
  }
  return { type: 'private', asymmetricKeyType: keyType, publicJwk: undefined, privateJwk: undefined };
}

function pkcs1Public(der: Uint8Array): ParsedKey {
  const [n, e] = sequence(der).map((tlv) => expect(tlv, INTEGER, 'an INTEGER'));
  const pub = rsaPublic(n!, e!);
  return { type: 'public', ...pub, publicJwk: pub.jwk, privateJwk: undefined };
}

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Reads a PEM key (SPKI, PKCS#8, PKCS#1 or SEC1); throws a {@link KeyReadError}. */
export function readPemKey(pem: string): ParsedKey {
  const match = PEM.exec(pem);
  if (match === null) throw new KeyReadError('not a PEM key');
  const [, label, body] = match as unknown as [string, string, string];
  if (body.includes(':')) throw new KeyReadError('an encrypted PEM key needs a passphrase');
  let der: Uint8Array;
  try {
    der = base64ToBytes(body);
  } catch {
    throw new KeyReadError('the PEM body is not base64');
  }
  switch (label) {
    case 'PUBLIC KEY':
      return spki(der);
    case 'PRIVATE KEY':
      return pkcs8(der);
    case 'RSA PUBLIC KEY':
      return pkcs1Public(der);
    case 'RSA PRIVATE KEY':
      return rsaPrivateKey(der);
    case 'EC PRIVATE KEY':
      return ecPrivateKey(der);
    case 'ENCRYPTED PRIVATE KEY':
      throw new KeyReadError('an encrypted PEM key needs a passphrase');
    default:
      throw new KeyReadError(`unsupported PEM type "${label}"`);
  }
}

/** `true` when the bytes are a DER key in one of the structures keys come in (SPKI, PKCS#8, PKCS#1, SEC1). */
export function isDerKeyStructure(bytes: Uint8Array): boolean {
  const readers = [spki, pkcs8, pkcs1Public, rsaPrivateKey, (der: Uint8Array) => ecPrivateKey(der)];
  return readers.some((read) => {
    try {
      read(bytes);
      return true;
    } catch (error) {
      // A key of a recognised structure that is merely unusable here is still a key.
      return (
        error instanceof KeyReadError && /carries no public key|without its public key/.test(error.message)
      );
    }
  });
}

const JWK_CURVES: Readonly<Record<string, string>> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  secp256k1: 'secp256k1',
};
const OKP_TYPES: Readonly<Record<string, string>> = {
  Ed25519: 'ed25519',
  Ed448: 'ed448',
  X25519: 'x25519',
  X448: 'x448',
};

function member(jwk: JWK, name: string): string {
  const value = (jwk as Record<string, unknown>)[name];
  if (typeof value !== 'string' || value === '') throw new KeyReadError(`the JWK has no "${name}"`);
  return value;
}

const PRIVATE_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi'],
  EC: ['d'],
  OKP: ['d'],
};

/** Reads an asymmetric JWK (RSA, EC, OKP) into its shape; throws a {@link KeyReadError}. */
export function readAsymmetricJwk(jwk: JWK): ParsedKey {
  const type = typeof jwk.d === 'string' ? 'private' : 'public';
  let shape: Pick<ParsedKey, 'asymmetricKeyType' | 'asymmetricKeyDetails'>;
  let publicJwk: JWK;
  if (jwk.kty === 'RSA') {
    const n = member(jwk, 'n');
    publicJwk = { kty: 'RSA', n, e: member(jwk, 'e') };
    shape = {
      asymmetricKeyType: 'rsa',
      asymmetricKeyDetails: { modulusLength: bitLength(base64urlBytes(n)) },
    };
  } else if (jwk.kty === 'EC') {
    const crv = member(jwk, 'crv');
    const namedCurve = JWK_CURVES[crv];
    if (namedCurve === undefined) throw new KeyReadError(`unsupported curve "${crv}"`);
    publicJwk = { kty: 'EC', x: member(jwk, 'x'), y: member(jwk, 'y'), crv };
    shape = { asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve } };
  } else if (jwk.kty === 'OKP') {
    const crv = member(jwk, 'crv');
    const keyType = OKP_TYPES[crv];
    if (keyType === undefined) throw new KeyReadError(`unsupported curve "${crv}"`);
    publicJwk = { crv, x: member(jwk, 'x'), kty: 'OKP' };
    shape = { asymmetricKeyType: keyType };
  } else {
    throw new KeyReadError(`unsupported key type "${String(jwk.kty)}"`);
  }
  let privateJwk: JWK | undefined;
  if (type === 'private') {
    const privateMembers: Record<string, string> = {};
    for (const name of PRIVATE_MEMBERS[jwk.kty] ?? []) privateMembers[name] = member(jwk, name);
    privateJwk = { ...publicJwk, ...privateMembers };
  }
  return { type, ...shape, publicJwk, privateJwk };
}

function base64urlBytes(text: string): Uint8Array {
  return base64ToBytes(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
}
