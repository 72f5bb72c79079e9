/**
 * Runs the shared scenario table over real HTTP against every adapter and
 * framework version, then checks that they all answered alike.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthError } from '../../src/errors.js';
import {
  createFixtures,
  type Fixtures,
  FRAMEWORKS,
  type FrameworkName,
  type RunningServer,
  startApp,
} from './support/apps.js';
import type { RequestSpec } from './support/client.js';
import { runScenario } from './support/compare.js';
import { WEB_UNSERVED_PATHS } from './support/fetch-apps.js';
import { foreignTokens, type Scenario, scenarios } from './support/scenarios.js';

let fixtures: Fixtures;
let table: Scenario[];
/** What each framework answered, step by step, reduced to what must be identical. */
const observed = new Map<FrameworkName, Map<string, string>>();

beforeAll(async () => {
  fixtures = await createFixtures();
  table = scenarios(await foreignTokens());
});

describe.each(FRAMEWORKS)('%s', (framework) => {
  let server: RunningServer;
  let untrusted: RunningServer;
  const answers = new Map<string, string>();
  observed.set(framework, answers);

  beforeAll(async () => {
    server = await startApp(framework, fixtures);
    untrusted = await startApp(framework, fixtures, false);
  });
  afterAll(async () => {
    await server?.close();
    await untrusted?.close();
  });

  it.each(
    // The table is built in beforeAll; vitest needs the names now, so they come from a dry build.
    scenarios({}).map((scenario) => scenario.name),
  )('%s', async (name) => {
    const scenario = table.find((s) => s.name === name)!;
    const serves = (request: RequestSpec) =>
      framework !== 'web' || !WEB_UNSERVED_PATHS.includes(request.path);
    await runScenario(scenario, { url: server.url, untrustedUrl: untrusted.url }, answers, serves);
  });
});

describe('every framework', () => {
  it('answered every step with the same status, error code, message, challenge and cookies', () => {
    const [first, ...others] = FRAMEWORKS;
    const reference = observed.get(first!)!;
    expect(reference.size).toBeGreaterThan(50);
    for (const framework of others.filter((name) => name !== 'web'))
      expect(Object.fromEntries(observed.get(framework)!)).toEqual(Object.fromEntries(reference));
  });

  it('tokenward/web answered every step it serves alike, and left out only the role and scope checks without authentication', () => {
    const reference = Object.fromEntries(observed.get('express5')!);
    const web = Object.fromEntries(observed.get('web')!);
    const missing = Object.keys(reference).filter((step) => !(step in web));
    expect(missing).toEqual([
      'a user is refused the admin dashboard / requireRole without authenticate answers 401 even with a valid token',
      'scopes: requireScope and requireAnyScope in every claim form, 403 naming the scopes / requireScope without authenticate: 401 even with a valid token',
    ]);
    for (const step of missing) delete reference[step];
    expect(web).toEqual(reference);
  });

  it('reported the server faults of the extension routes (CONFIG_INVALID too) instead of leaking them', () => {
    const codes = fixtures.serverFaults.map((error) =>
      isAuthError(error) ? error.code : 'not an AuthError',
    );
    const perFramework = ['CONFIG_INVALID', 'CONFIG_INVALID', 'not an AuthError'];
    expect(codes.sort()).toEqual(perFramework.flatMap((code) => FRAMEWORKS.map(() => code)));
  });

  it('reported the unexpected findUser failure instead of leaking it', () => {
    expect(fixtures.internalErrors).toHaveLength(FRAMEWORKS.length);
    for (const error of fixtures.internalErrors) expect((error as Error).message).toContain('unreachable');
  });
});
