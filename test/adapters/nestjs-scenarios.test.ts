/**
 * Runs the shared scenario table over real HTTP against the NestJS adapter on both of Nest's
 * platforms, and against Express 5 as the reference, then checks that they answered alike.
 * The table's steps on routes that need per-route `authenticate` options (optional
 * authentication, a cookie-carried token, `getToken`, another instance, another realm, a role
 * check without authentication) are left out: the Nest app has one module-wide guard.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthError } from '../../src/errors.js';
import { createFixtures, type Fixtures, type RunningServer, startApp } from './support/apps.js';
import { runScenario } from './support/compare.js';
import { NEST_PLATFORMS, NEST_SERVED_PATHS, startNestApp } from './support/nest-apps.js';
import { foreignTokens, type Scenario, type Step, scenarios } from './support/scenarios.js';

/** Whether the Nest app serves the step's request. */
function servedByNest(step: Step): boolean {
  const path = (step.request(new Map()).path ?? '').split('?')[0] ?? '';
  return NEST_SERVED_PATHS.some((served) =>
    served.endsWith('/') ? path.startsWith(served) : path === served,
  );
}

/** The table with the steps the Nest app serves (the same for every target, so the answers compare). */
function nestTable(all: Scenario[]): Scenario[] {
  return all
    .map((scenario) => ({ ...scenario, steps: scenario.steps.filter(servedByNest) }))
    .filter((scenario) => scenario.steps.length > 1);
}

const NAMES = nestTable(scenarios({})).map((scenario) => scenario.name);
const REFERENCE = 'express5';
const TARGETS = [REFERENCE, ...NEST_PLATFORMS] as const;

let fixtures: Fixtures;
let table: Scenario[];
const observed = new Map<string, Map<string, string>>();

beforeAll(async () => {
  fixtures = await createFixtures();
  table = nestTable(scenarios(await foreignTokens()));
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
  it('run most of the table', () => {
    expect(NAMES.length).toBeGreaterThan(scenarios({}).length * 0.75);
  });

  it('answered every step as Express does: status, error code, message, challenge and cookies', () => {
    const reference = Object.fromEntries(observed.get(REFERENCE)!);
    expect(Object.keys(reference).length).toBeGreaterThan(30);
    for (const platform of NEST_PLATFORMS)
      expect(Object.fromEntries(observed.get(platform)!)).toEqual(reference);
  });

  it('reported the server fault of the verify-only instance instead of leaking it', () => {
    const codes = fixtures.serverFaults.map((error) =>
      isAuthError(error) ? error.code : 'not an AuthError',
    );
    expect(codes).toEqual(TARGETS.map(() => 'CONFIG_INVALID'));
  });

  it('reported the unexpected findUser failure instead of leaking it', () => {
    expect(fixtures.internalErrors).toHaveLength(TARGETS.length);
    for (const error of fixtures.internalErrors) expect((error as Error).message).toContain('unreachable');
  });
});
