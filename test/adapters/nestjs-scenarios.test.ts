/**
 * Runs the whole shared scenario table over real HTTP against the NestJS adapter on both of
 * Nest's platforms, and against Express 5 as the reference, then checks that they answered alike.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthError } from '../../src/errors.js';
import { createFixtures, type Fixtures, type RunningServer, startApp } from './support/apps.js';
import { runScenario } from './support/compare.js';
import { NEST_PLATFORMS, startNestApp } from './support/nest-apps.js';
import { foreignTokens, type Scenario, scenarios } from './support/scenarios.js';

// The table is built in beforeAll; vitest needs the names now, so they come from a dry build.
const NAMES = scenarios({}).map((scenario) => scenario.name);
const REFERENCE = 'express5';
const TARGETS = [REFERENCE, ...NEST_PLATFORMS] as const;

let fixtures: Fixtures;
let table: Scenario[];
const observed = new Map<string, Map<string, string>>();

beforeAll(async () => {
  fixtures = await createFixtures();
  table = scenarios(await foreignTokens());
});

describe.each(TARGETS)('%s', (target) => {
  let server: RunningServer;
  let untrusted: RunningServer;
  const answers = new Map<string, string>();
  observed.set(target, answers);

  beforeAll(async () => {
    const start = (trustProxy: boolean) =>
      target === REFERENCE
        ? startApp(REFERENCE, fixtures, trustProxy)
        : startNestApp(target, fixtures, trustProxy);
    server = await start(true);
    untrusted = await start(false);
  });
  afterAll(async () => {
    await server?.close();
    await untrusted?.close();
  });

  it.each(NAMES)('%s', async (name) => {
    const scenario = table.find((s) => s.name === name)!;
    await runScenario(scenario, { url: server.url, untrustedUrl: untrusted.url }, answers);
  });
});

describe('the Nest platforms', () => {
  it('answered every step of the table as Express does: status, error code, message, challenge and cookies', () => {
    const reference = Object.fromEntries(observed.get(REFERENCE)!);
    const steps = table.reduce((count, scenario) => count + scenario.steps.length, 0);
    expect(Object.keys(reference)).toHaveLength(steps);
    for (const platform of NEST_PLATFORMS)
      expect(Object.fromEntries(observed.get(platform)!)).toEqual(reference);
  });

  it('reported the server faults of the extension routes (CONFIG_INVALID too) instead of leaking them', () => {
    const codes = fixtures.serverFaults.map((error) =>
      isAuthError(error) ? error.code : 'not an AuthError',
    );
    const perTarget = ['CONFIG_INVALID', 'CONFIG_INVALID', 'not an AuthError'];
    expect(codes.sort()).toEqual(perTarget.flatMap((code) => TARGETS.map(() => code)));
  });

  it('reported the unexpected findUser failure instead of leaking it', () => {
    expect(fixtures.internalErrors).toHaveLength(TARGETS.length);
    for (const error of fixtures.internalErrors) expect((error as Error).message).toContain('unreachable');
  });
});
