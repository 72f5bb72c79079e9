/**
 * A key for Web Crypto (`crypto.subtle`), used where `node:crypto` is missing.
 * Web Crypto imports keys asynchronously, while `createAuth` is synchronous: the
 * key is checked and described (JWK) when configured, and imported on first use.
 * @packageDocumentation
 */
import type { webcrypto } from 'node:crypto';
import type { JWK } from 'jose';
import { AuthError } from '../errors.js';
import { base64urlToBytes } from '../tokens/base64url.js';
import { ALGORITHMS, type JwsAlgorithm } from './algorithms.js';

type SubtleParams =
  | webcrypto.AlgorithmIdentifier
  | webcrypto.RsaHashedImportParams
  | webcrypto.EcKeyImportParams
  | webcrypto.HmacImportParams
  | webcrypto.EcdsaParams;
type CryptoKey = webcrypto.CryptoKey;

const HASH_NAMES = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;

/** The Web Crypto algorithm of a row of the table, for importing a key and for signing. */
export function subtleAlgorithm(alg: JwsAlgorithm): { importParams: SubtleParams; signParams: SubtleParams } {
  const spec = ALGORITHMS[alg];
  const hash = spec.hash === null ? undefined : HASH_NAMES[spec.hash];
  switch (spec.signatureEncoding) {
    case 'mac':
      return { importParams: { name: 'HMAC', hash }, signParams: 'HMAC' };
    case 'raw':
      return { importParams: 'Ed25519', signParams: 'Ed25519' };
    case 'ieee-p1363':
      return {
        importParams: { name: 'ECDSA', namedCurve: (spec as { curve: { jwk: string } }).curve.jwk },
        signParams: { name: 'ECDSA', hash },
      } as { importParams: SubtleParams; signParams: SubtleParams };
    case 'pkcs1':
      return {
        importParams: { name: 'RSASSA-PKCS1-v1_5', hash } as webcrypto.RsaHashedImportParams,
        signParams: 'RSASSA-PKCS1-v1_5',
      };
  }
}

/**
 * A checked key of one algorithm, held as a JWK (an `oct` JWK for a secret) and
 * imported into a `CryptoKey` once, on first use. An import the runtime refuses
 * is a CONFIG_INVALID when the key is first used.
 */
export class WebKey {
  /** The key as a JWK: public for a verification key, private for a signing key. */
  readonly jwk: Readonly<JWK>;
  /** The one algorithm this key serves. */
  readonly alg: JwsAlgorithm;
  /** What the key does. */
  readonly usage: 'sign' | 'verify';
  #imported: Promise<CryptoKey> | undefined;

  /** Describes a key; nothing is imported until {@link WebKey.cryptoKey} is called. */
  constructor(jwk: JWK, alg: JwsAlgorithm, usage: 'sign' | 'verify') {
    this.jwk = Object.freeze({ ...jwk });
    this.alg = alg;
    this.usage = usage;
  }

  /** The imported `CryptoKey`; the import runs once, its promise is shared. */
  cryptoKey(): Promise<CryptoKey> {
    this.#imported ??= this.#import();
    return this.#imported;
  }

  async #import(): Promise<CryptoKey> {
    const { importParams } = subtleAlgorithm(this.alg);
    try {
      if (this.jwk.kty === 'oct') {
        const secret = base64urlToBytes(this.jwk.k ?? '');
        return await crypto.subtle.importKey('raw', secret, importParams, false, [this.usage]);
      }
      // Web Crypto checks "alg" and "use" against what it imports for: only the key members go.
      const { alg: _alg, use: _use, kid: _kid, key_ops: _ops, ...members } = this.jwk;
      return await crypto.subtle.importKey('jwk', members as webcrypto.JsonWebKey, importParams, false, [
        this.usage,
      ]);
    } catch (error) {
      throw new AuthError(
        'CONFIG_INVALID',
        `keys: this runtime's Web Crypto could not import the ${this.alg} key (${(error as Error).message})`,
        { cause: error },
      );
    }
  }
}
