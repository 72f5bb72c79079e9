/**
 * How the scenario runs judge an answer: against the step's expectation, and by the
 * fingerprint every adapter must share.
 */

import { expect } from 'vitest';
import { type Reply, type RequestSpec, send } from './client.js';
import type { Expectation, Scenario, State, Step } from './scenarios.js';

/** The error code of an answer: the JSON error body's, or the test apps' own error handler's. */
export function errorCode(reply: Reply): string | null {
  const error = reply.json?.error as { code?: unknown } | undefined;
  if (typeof error?.code === 'string') return error.code;
  return typeof reply.json?.delegated === 'string' ? reply.json.delegated : null;
}

/** Checks an answer against what the step expects. */
export function check(reply: Reply, expected: Expectation): void {
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
export function fingerprint(reply: Reply, step: Step): string {
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

/** Where a scenario's requests go: the app, and the same app behind a proxy it does not trust. */
export interface ScenarioServers {
  readonly url: string;
  readonly untrustedUrl: string;
}

/**
 * Runs a scenario's steps in order against one app, checks each answer, and records
 * each step's fingerprint in `answers` under `scenario / step`. Steps whose request
 * `serves` refuses are skipped.
 */
export async function runScenario(
  scenario: Scenario,
  servers: ScenarioServers,
  answers: Map<string, unknown>,
  serves: (request: RequestSpec) => boolean = () => true,
): Promise<void> {
  const state: State = new Map();
  for (const step of scenario.steps) {
    const request = step.request(state);
    // A step the adapter has no construct for is left out, and its absence checked by the caller.
    if (!serves(request)) continue;
    const reply = await send(step.untrustedProxy ? servers.untrustedUrl : servers.url, request);
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
}
