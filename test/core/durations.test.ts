/**
 * Duration options given as strings, as they come from `process.env`: a good one
 * is read, a bad one is CONFIG_INVALID at start-up, naming the option.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import type { AuthOptions } from '../../src/index.js';
import { SECRET, startUpError } from '../support/tokens.js';

const DURATION_OPTIONS = [
  'accessTokenTtl',
  'refreshTokenTtl',
  'refreshFamilyTtl',
  'clockTolerance',
  'refreshReuseGrace',
] as const satisfies readonly (keyof AuthOptions)[];

/** What each option resolves to in the configuration, in seconds. */
const RESOLVED: Record<(typeof DURATION_OPTIONS)[number], (options: AuthOptions) => number | undefined> = {
  accessTokenTtl: (options) => resolveConfig(options).accessTtl,
  refreshTokenTtl: (options) => resolveConfig(options).refreshTtl,
  refreshFamilyTtl: (options) => resolveConfig(options).familyTtl,
  clockTolerance: (options) => resolveConfig(options).clockTolerance,
  refreshReuseGrace: (options) => resolveConfig(options).reuseGraceMs / 1000,
};

describe.each(DURATION_OPTIONS)('%s from the environment', (option) => {
  it('reads a duration string, its unit spelt short or long', () => {
    const fromEnv: Record<string, string> = { short: '20m', long: ' 20 minutes ', seconds: '1200s' };
    for (const value of Object.values(fromEnv)) {
      expect(RESOLVED[option]({ keys: SECRET, [option]: value }), value).toBe(1200);
    }
  });

  it('refuses a bad value with CONFIG_INVALID naming the option, not echoing the value', () => {
    for (const value of ['soon', '', '   ', '15', '-5m', '15 fortnights', '1e3s', 'NaNs']) {
      const error = startUpError({ keys: SECRET, [option]: value });
      expect(error?.code, JSON.stringify(value)).toBe('CONFIG_INVALID');
      expect(error?.message).toContain(option);
      // (The message's own examples contain digits and units: only the words are looked for.)
      for (const word of ['soon', 'fortnights', 'NaN']) expect(error?.message).not.toContain(word);
    }
  });

  it('refuses a value of the wrong type given past the type checker', () => {
    for (const value of [true, {}, [], Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(startUpError({ keys: SECRET, [option]: value as never })?.code).toBe('CONFIG_INVALID');
    }
  });
});
