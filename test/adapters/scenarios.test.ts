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
import { type Reply, send } from './support/client.js';
import {
  type Expectation,
  foreignTokens,
  type Scenario,
  type State,
  type Step,
  scenarios,
} from './support/scenarios.js';

let fixtures: Fixtures;
let table: Scenario[];
/** What each framework answered, step by step, reduced to what must be identical. */
const observed = new Map<FrameworkName, Map<string, string>>();

beforeAll(async () => {
  fixtures = await createFixtures();
  table = scenarios(await foreignTokens());
});

function errorCode(reply: Reply): string | null {
  const error = reply.json?.error as { code?: unknown } | undefined;
  if (typeof error?.code === 'string') return error.code;
  return typeof reply.json?.delegated === 'string' ? reply.json.delegated : null;
}

function check(reply: Reply, expected: Expectation): void {
  expect(reply.status).toBe(expected.status);
  if (expected.code !== undefined) expect(errorCode(reply)).toBe(expected.code);
  if (expected.challenge !== undefined) {
    const challenge = reply.headers.get('www-authenticate') ?? null;
    if (expected.challenge instanceof RegExp) expect(challenge).toMatch(expected.challenge);
    else expect(challenge).toBe(expected.challenge);
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = reply.headers.get(name) ?? null;
    if (value instanceof RegExp) expect(actual).toMatch(value);
    else expect(actual).toBe(value);
  }
  if (expected.setCookies !== undefined) {
    expect(reply.setCookies).toHaveLength(expected.setCookies.length);
    expected.setCookies.forEach((line, index) => {
      if (line instanceof RegExp) expect(reply.setCookies[index]).toMatch(line);
      else expect(reply.setCookies[index]).toBe(line);
    });
  }
  for (const [name, value] of Object.entries(expected.body ?? {})) expect(reply.json?.[name]).toEqual(value);
}

/** The parts of an answer every framework must give identically (tokens blanked out). */
function fingerprint(reply: Reply, step: Step): string {
  const blank = (text: string) =>
    text.replace(/[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '<jwt>');
  const error = reply.json?.error as Record<string, unknown> | undefined;
  if (step.beforeTheAdapter) {
    return JSON.stringify({
      status: reply.status,
      code: errorCode(reply),
      challenge: reply.headers.get('www-authenticate') ?? null,
    });
  }
  return JSON.stringify({
    status: reply.status,
    code: errorCode(reply),
    message: error?.message ?? null,
    challenge: reply.headers.get('www-authenticate') ?? null,
    contentType: reply.headers.get('content-type') ?? null,
    cacheControl: reply.headers.get('cache-control') ?? null,
    setCookies: reply.setCookies.map(blank),
  });
}

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
    const state: State = new Map();
    for (const step of scenario.steps) {
      const base = step.untrustedProxy ? untrusted.url : server.url;
      const reply = await send(base, step.request(state));
      try {
        check(reply, step.expect);
      } catch (error) {
        throw new Error(
          `step "${step.name}": ${(error as Error).message}\n${reply.status} ${reply.text.slice(0, 300)}`,
        );
      }
      step.keep?.(reply, state);
      answers.set(`${scenario.name} / ${step.name}`, fingerprint(reply, step));
    }
  });
});

describe('every framework', () => {
  it('answered every step with the same status, error code, message, challenge and cookies', () => {
    const [first, ...others] = FRAMEWORKS;
    const reference = observed.get(first!)!;
    expect(reference.size).toBeGreaterThan(50);
    for (const framework of others)
      expect(Object.fromEntries(observed.get(framework)!)).toEqual(Object.fromEntries(reference));
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
