// Types of contract.mjs, which stays plain JavaScript so that Bun, Deno and workerd run it as is.
import type * as Tokenward from '../../src/index.js';

/** The algorithms of the table. */
export declare const ALGORITHMS: readonly ['HS256', 'HS384', 'HS512', 'EdDSA', 'ES256', 'RS256'];
/** One of them. */
export type ContractAlgorithm = (typeof ALGORITHMS)[number];

/** A fresh key in the forms tokenward takes. */
export declare function makeKey(alg: ContractAlgorithm): Promise<{
  alg: ContractAlgorithm;
  key: Tokenward.KeyEntry | Record<string, string>;
  publicJwk?: Record<string, string>;
  publicPem?: string;
  pem?: string;
}>;

/** Runs the core contract for one algorithm; throws on any mismatch. */
export declare function runContract(
  tokenward: typeof Tokenward,
  alg: ContractAlgorithm,
): Promise<{
  alg: string;
  kid: string;
  checks: string[];
  key: Tokenward.KeysOption;
  token: string;
  now: number;
}>;

/** Hashes and verifies a password through tokenward/password. */
export declare function runPasswordContract(
  password: typeof import('../../src/password/index.js'),
): Promise<string[]>;
