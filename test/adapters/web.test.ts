/**
 * The Fetch API side of the shared layer, where the scenario table cannot reach: the body reader
 * over a Web stream, HTTPS and address judgement behind a trusted proxy, joined Authorization
 * fields, `tokenward/web` called directly with `Request`s, and what `tokenward/web` loads.
 */

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as web from '../../src/adapters/web.js';
import { createAuth } from '../../src/create-auth.js';
import { bearerFromHeader } from '../../src/lib/http/bearer.js';
import { readBody } from '../../src/lib/http/body.js';
import {
  fetchRequestView,
  forwardedClientAddress,
  isHttpsRequest,
} from '../../src/lib/http/fetch-request.js';
import { nodeRequestView } from '../../src/lib/http/node-request.js';
import { hashPassword } from '../../src/password/index.js';
import { codeOf, codeOfSync } from '../support/tokens.js';

const auth = createAuth({ keys: 'a-web-adapter-test-secret-of-32-bytes!!!' });

function jsonRequest(
  body: ConstructorParameters<typeof Request>[1] extends infer I
    ? I extends { body?: infer B }
      ? B
      : never
    : never,
  headers: Record<string, string> = {},
): Request {
  return new Request('https://api.example/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
}

const bodyOf = (request: Request, timeoutMs?: number) =>
  readBody(
    fetchRequestView(request),
    { stream: request.body },
    { limit: 64, accept: ['json', 'form'], ...(timeoutMs === undefined ? {} : { timeoutMs }) },
  );

describe('the body reader over a Web stream', () => {
  it('reads a JSON object and a form', async () => {
    expect((await bodyOf(jsonRequest('{"a":1}'))).fields).toEqual({ a: 1 });
    const form = new Request('https://api.example/x', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2',
    });
    expect({ ...(await bodyOf(form)).fields }).toEqual({ a: '1', b: '2' });
  });

  it('stops a streamed body at the limit, whatever length it announced', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(40).fill(0x20));
      },
    });
    expect(await codeOf(bodyOf(jsonRequest(endless)))).toBe('REQUEST_INVALID');
    expect(pulled).toBeLessThan(5);
  });

  it('cuts off a body that stops arriving', async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'));
      },
    });
    await expect(bodyOf(jsonRequest(stalled), 20)).rejects.toThrow(/took longer than 20 ms/);
  });

  it('never lets a field named __proto__ reach a prototype', async () => {
    const json = await bodyOf(jsonRequest('{"__proto__":{"polluted":true}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(json.fields)).toBe(Object.prototype);
    const form = new Request('https://api.example/x', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '__proto__=x&constructor=y',
    });
    const fields = (await bodyOf(form)).fields;
    expect(Object.hasOwn(fields, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(fields)).toBeNull();
  });

  it('refuses invalid UTF-8', async () => {
    expect(await codeOf(bodyOf(jsonRequest(new Uint8Array([0x7b, 0xff, 0x7d]))))).toBe('REQUEST_INVALID');
  });
});

describe('HTTPS and the client address of a Request', () => {
  const at = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

  it("judges by the URL's scheme unless the proxy is trusted", () => {
    expect(isHttpsRequest(at('https://a.example/'), false)).toBe(true);
    expect(isHttpsRequest(at('http://a.example/', { 'x-forwarded-proto': 'https' }), false)).toBe(false);
    expect(isHttpsRequest(at('http://a.example/', { 'x-forwarded-proto': 'https, http' }), true)).toBe(true);
    expect(isHttpsRequest(at('https://a.example/', { 'x-forwarded-proto': 'http' }), true)).toBe(false);
  });

  it('reads Forwarded: proto= from a trusted proxy', () => {
    const forwarded = (value: string) => at('http://a.example/', { forwarded: value });
    expect(isHttpsRequest(forwarded('for=192.0.2.1;proto=https'), true)).toBe(true);
    expect(isHttpsRequest(forwarded('Proto="HTTPS";for=x, proto=http'), true)).toBe(true);
    expect(isHttpsRequest(forwarded('for=192.0.2.1'), true)).toBe(false);
    expect(isHttpsRequest(forwarded('proto=https'), false)).toBe(false);
  });

  it("takes the address the proxy added, not the client's claims before it", () => {
    expect(forwardedClientAddress(at('http://a/', { 'x-forwarded-for': '6.6.6.6, 192.0.2.7' }))).toBe(
      '192.0.2.7',
    );
    expect(forwardedClientAddress(at('http://a/'))).toBeUndefined();
  });
});

describe('several Authorization fields joined by the Fetch API', () => {
  const joined = (value: string) =>
    fetchRequestView(new Request('https://a/', { headers: { authorization: value } }));

  it('are refused as Node refuses them', () => {
    const message = 'several Authorization headers were sent';
    expect(() => bearerFromHeader(joined('Bearer a, Bearer b'))).toThrow(message);
    expect(() => bearerFromHeader(joined('Basic x, Bearer b'))).toThrow(message);
    const node = nodeRequestView({
      headers: { authorization: 'Bearer a' },
      rawHeaders: ['authorization', 'Bearer a', 'authorization', 'Bearer b'],
    });
    expect(() => bearerFromHeader(node)).toThrow(message);
  });

  it('are not confused with one credential whose parameters hold commas', () => {
    expect(bearerFromHeader(joined('Digest username="a, b c", realm="r", nonce="n"'))).toBeUndefined();
    expect(codeOfSync(() => bearerFromHeader(joined('Bearer a,b')))).toBe('REQUEST_INVALID');
  });
});

describe('tokenward/web called with Requests', () => {
  it('answers the token routes under the prefix only, and undefined elsewhere', async () => {
    const passwordHash = await hashPassword('pw', { cost: 10 });
    const routes = web.tokenRoutes(auth, {
      findUser: (name) => (name === 'ann' ? { sub: 'u1', passwordHash } : null),
      passwordHashCost: 10,
      prefix: '/auth/',
    });
    const login = (url: string, method = 'POST') =>
      new Request(url, {
        method,
        headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
        ...(method === 'POST' ? { body: JSON.stringify({ username: 'ann', password: 'pw' }) } : {}),
      });
    expect(await routes(login('https://api.example/login'))).toBeUndefined();
    expect(await routes(login('https://api.example/auth/login', 'GET'))).toBeUndefined();
    const answer = await routes(login('https://api.example/auth/login?next=/'));
    expect(answer?.status).toBe(200);
    expect(answer?.headers.get('cache-control')).toBe('no-store');
    expect(answer?.headers.getSetCookie()).toHaveLength(1);
    const { accessToken } = (await answer!.json()) as { accessToken: string };
    const me = await web.authenticate(auth)(
      new Request('https://api.example/me', { headers: { authorization: `Bearer ${accessToken}` } }),
    );
    expect(me.ok && me.claims.sub).toBe('u1');
  });

  it('answers roles it lacks with 403, and rejects with the AuthError when delegating', async () => {
    const { accessToken } = await auth.issueTokens({ sub: 'u2', roles: ['user'] });
    const request = new Request('https://api.example/', {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const refused = await web.authenticate(auth, { roles: ['admin'] })(request);
    expect(refused.ok ? 200 : refused.response.status).toBe(403);
    expect(
      await codeOf(web.authenticate(auth, { delegateErrors: true })(new Request('https://api.example/'))),
    ).toBe('TOKEN_MISSING');
  });

  it('refuses options of the wrong type when built', () => {
    expect(codeOfSync(() => web.authenticate(auth, { trustProxy: 'yes' as unknown as boolean }))).toBe(
      'CONFIG_INVALID',
    );
    expect(codeOfSync(() => web.authenticate(auth, { roles: [] as unknown as ['admin'] }))).toBe(
      'CONFIG_INVALID',
    );
    expect(codeOfSync(() => web.tokenRoutes(auth, { findUser: () => null, prefix: 'auth' }))).toBe(
      'CONFIG_INVALID',
    );
  });
});

describe('what the Fetch adapters load', () => {
  const sources = [
    'src/adapters/web.ts',
    'src/adapters/hono.ts',
    'src/lib/http/fetch-adapter.ts',
    'src/lib/http/fetch-request.ts',
    'src/lib/http/node-request.ts',
    'src/lib/http/types.ts',
    'src/lib/http/body.ts',
    'src/lib/http/bearer.ts',
    'src/lib/http/cookies.ts',
    'src/lib/http/csrf.ts',
    'src/lib/http/authenticate.ts',
    'src/lib/http/error-response.ts',
    'src/lib/http/outcome.ts',
    'src/lib/http/oauth2.ts',
    'src/lib/http/token-routes.ts',
  ];

  it.each(sources)('%s imports no node: module', async (file) => {
    const text = await readFile(new URL(`../../${file}`, import.meta.url), 'utf8');
    expect(text).not.toMatch(/from 'node:/);
  });

  it('tokenward/web never imports hono, directly or through the shared layer', async () => {
    const seen = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(new URL(`../../${file}`, import.meta.url), 'utf8');
      for (const [, specifier] of text.matchAll(/^(?:import|export)[^;]*? from '([^']+)'/gms)) {
        expect(specifier).not.toMatch(/^hono(\/|$)/);
        if (specifier!.startsWith('.')) {
          const target = new URL(
            specifier!.replace(/\.js$/, '.ts'),
            new URL(`../../${file}`, import.meta.url),
          );
          await visit(target.pathname.slice(new URL('../../', import.meta.url).pathname.length));
        }
      }
    };
    await visit('src/adapters/web.ts');
    expect(seen.size).toBeGreaterThan(10);
    expect(seen.has('src/adapters/hono.ts')).toBe(false);
  });
});
