/**
 * What a run of contract.mjs must answer on any runtime: every algorithm of the table, each
 * having passed every step of the core contract.
 */

import { expect } from 'vitest';
import { ALGORITHMS } from './contract.mjs';

/** Asserts that `results` (contract.mjs's, one per algorithm) cover every algorithm and step. */
export function expectContract(results: readonly { alg: string; checks: readonly string[] }[]): void {
  expect(results.map((result) => result.alg)).toEqual([...ALGORITHMS]);
  for (const result of results) {
    expect(result.checks, result.alg).toEqual(
      expect.arrayContaining([
        'issue+verify',
        'error codes',
        'rotate+replay',
        'revoke',
        'expiry',
        'kid rotation',
      ]),
    );
  }
}
