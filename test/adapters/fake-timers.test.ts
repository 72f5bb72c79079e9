/**
 * Applications test token expiry with fake timers (`vi.useFakeTimers()` and a later system
 * time). The adapters must keep answering then: none may wait on a timer the test has frozen
 * (the Express adapter hands over to the route through `setImmediate`, taken from `node:timers`
 * so that a faked global one cannot stall it).
 */

import { request } from 'node:http';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFixtures, type Fixtures, FRAMEWORKS, startApp } from './support/apps.js';

let fixtures: Fixtures;

beforeAll(async () => {
  fixtures = await createFixtures();
});

afterEach(() => {
  vi.useRealTimers();
});

/** GET with a bearer token through node:http, which needs no timer of its own. */
function get(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(FRAMEWORKS)('%s under fake timers', (framework) => {
  it('authenticates, and refuses the token once the fake clock passes its expiry', async () => {
    const server = await startApp(framework, fixtures);
    try {
      const token = await fixtures.auth.createAccessToken({ sub: 'u-alice', roles: ['admin'] });
      vi.useFakeTimers({ now: Date.now() });
      const fresh = await get(`${server.url}/me`, token);
      expect(fresh.status).toBe(200);
      expect(JSON.parse(fresh.body)).toMatchObject({ sub: 'u-alice' });

      vi.setSystemTime(Date.now() + 16 * 60 * 1000);
      const expired = await get(`${server.url}/me`, token);
      expect(expired.status).toBe(401);
      expect(JSON.parse(expired.body)).toMatchObject({ error: { code: 'TOKEN_EXPIRED' } });
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });
});
