/**
 * The session routes in the document (`sessions: true`): a valid 3.1 document, and
 * a real Express app's answers to each documented operation match what it documents.
 */

import { createServer } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenRoutes } from '../../src/adapters/express.js';
import { tokenwardOpenApi } from '../../src/openapi/index.js';
import {
  type Answer,
  appDocument,
  conformanceProblems,
  createFixtures,
  listen,
  PASSWORD_COST,
  type RunningServer,
  validateDocument,
} from './support.js';

let server: RunningServer;
let resolved: Record<string, unknown>;

beforeAll(async () => {
  const { auth, findUser } = await createFixtures();
  const app = express().use(
    '/auth',
    tokenRoutes(auth, {
      findUser,
      passwordHashCost: PASSWORD_COST,
      sessions: true,
      onInternalError: () => {},
    }),
  );
  server = await listen(createServer(app));
  const result = await validateDocument(appDocument({ prefix: '/auth', sessions: true }));
  expect(result.errors).toBeUndefined();
  resolved = result.resolved;
});
afterAll(() => server?.close());

async function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(server.url + path, { method, headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function login(agent: string): Promise<string> {
  const response = await fetch(`${server.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': agent },
    body: JSON.stringify({ username: 'bob', password: 'bob-password' }),
  });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

describe('the session routes in the OpenAPI document', () => {
  it('are there only with sessions: true', () => {
    expect(Object.keys(tokenwardOpenApi({}).paths)).not.toContain('/auth/sessions');
    const paths = tokenwardOpenApi({ sessions: true }).paths;
    expect(Object.keys(paths['/auth/sessions'] ?? {}).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(paths['/auth/sessions/{id}'] ?? {})).toEqual(['delete']);
  });

  it('document what the routes answer', async () => {
    const phone = await login(
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Safari/604.1',
    );
    const laptop = await login('curl/8.5.0');
    const sid = JSON.parse(Buffer.from(phone.split('.')[1] ?? '', 'base64url').toString()).sid as string;
    const checks: Array<[string, string, string, Answer]> = [
      [
        '/auth/sessions',
        'get',
        'listing',
        await call('GET', '/auth/sessions', { authorization: `Bearer ${laptop}` }),
      ],
      ['/auth/sessions', 'get', 'no token', await call('GET', '/auth/sessions')],
      [
        '/auth/sessions/{id}',
        'delete',
        'ending one',
        await call('DELETE', `/auth/sessions/${sid}`, { authorization: `Bearer ${laptop}` }),
      ],
      [
        '/auth/sessions/{id}',
        'delete',
        'an ended token',
        await call('DELETE', `/auth/sessions/${sid}`, { authorization: `Bearer ${phone}` }),
      ],
      [
        '/auth/sessions',
        'delete',
        'ending the others',
        await call('DELETE', '/auth/sessions', { authorization: `Bearer ${laptop}` }),
      ],
      ['/auth/sessions', 'delete', 'no token', await call('DELETE', '/auth/sessions')],
    ];
    expect(checks.map(([, , , answer]) => answer.status)).toEqual([200, 401, 204, 401, 204, 401]);
    for (const [path, method, name, answer] of checks) {
      expect(conformanceProblems(resolved, path, method, answer), name).toEqual([]);
    }
    const listing = JSON.parse(checks[0]![3].text) as {
      sessions: Array<{ label: string; current: boolean }>;
    };
    expect(listing.sessions.map((s) => [s.label, s.current])).toEqual([
      ['curl', true],
      ['Safari on iOS', false],
    ]);
  });
});
