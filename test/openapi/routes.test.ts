/**
 * The document says what the token routes do: a real Express app answers each
 * documented operation, and every answer (status, JSON body, documented
 * headers) is checked against the response the document gives for its status.
 * Every documented status of every operation must be seen at least once.
 */

import { createServer } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, requireRole, tokenRoutes } from '../../src/adapters/express.js';
import {
  type OpenApiResponse,
  type TokenwardOpenApiOptions,
  tokenwardOpenApi,
} from '../../src/openapi/index.js';
import {
  type Answer,
  appDocument,
  conformanceProblems,
  createFixtures,
  documentedStatuses,
  type Fixtures,
  listen,
  PASSWORD_COST,
  type RunningServer,
  validateDocument,
} from './support.js';

/** Each mount of the token routes, with the options its document is generated from. */
const MOUNTS = {
  '/auth': { prefix: '/auth', oauth2: true },
  '/body': { prefix: '/body', oauth2: true, cookie: false },
  '/https': { prefix: '/https', oauth2: true },
  '/down': { prefix: '/down', oauth2: true, cookie: false },
  '/broken': { prefix: '/broken', oauth2: true, cookie: false },
  '/throttled': { prefix: '/throttled', oauth2: true, cookie: false },
} satisfies Record<string, TokenwardOpenApiOptions>;
type Mount = keyof typeof MOUNTS;

let fixtures: Fixtures;
let server: RunningServer;
const documents = new Map<Mount, Record<string, unknown>>();

beforeAll(async () => {
  fixtures = await createFixtures();
  const { auth, storeDownAuth, findUser } = fixtures;
  const quiet = { onInternalError: () => {}, passwordHashCost: PASSWORD_COST };
  const app = express();
  app.use('/auth', tokenRoutes(auth, { findUser, ...quiet, ...MOUNTS['/auth'] }));
  app.use('/body', tokenRoutes(auth, { findUser, ...quiet, ...MOUNTS['/body'] }));
  app.use('/https', tokenRoutes(auth, { findUser, ...quiet, ...MOUNTS['/https'], requireHttps: true }));
  app.use('/down', tokenRoutes(storeDownAuth, { findUser, ...quiet, ...MOUNTS['/down'] }));
  const failingFindUser = async (): Promise<null> => {
    throw new Error('database unreachable');
  };
  app.use('/broken', tokenRoutes(auth, { ...quiet, ...MOUNTS['/broken'], findUser: failingFindUser }));
  const oneAttempt = { loginThrottle: { username: { attempts: 1, window: 60 } } };
  app.use('/throttled', tokenRoutes(auth, { findUser, ...quiet, ...MOUNTS['/throttled'], ...oneAttempt }));
  app.get('/me', authenticate(auth), (req, res) => {
    res.json(req.auth);
  });
  app.get('/admin', authenticate(auth), requireRole('admin'), (req, res) => {
    res.json(req.auth);
  });
  app.get('/down-me', authenticate(storeDownAuth), (req, res) => {
    res.json(req.auth);
  });
  server = await listen(createServer(app));
  for (const [mount, options] of Object.entries(MOUNTS) as [Mount, TokenwardOpenApiOptions][]) {
    const result = await validateDocument(appDocument(options));
    expect(result.errors).toBeUndefined();
    documents.set(mount, result.resolved);
  }
});
afterAll(() => server?.close());

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const CROSS_SITE = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
/** The refresh cookie's name as the document gives it: the test follows the cookie rules wherever they go. */
const COOKIE = (() => {
  const refresh = tokenwardOpenApi(MOUNTS['/auth']).paths['/auth/refresh']?.post;
  const name = refresh?.parameters?.find((parameter) => parameter.in === 'cookie')?.name;
  if (name === undefined) throw new Error('the document of /auth names no refresh cookie');
  return name;
})();

/** Values carried from one scenario to the next (tokens, cookies). */
const state = new Map<string, string>();
function saved(key: string): string {
  const value = state.get(key);
  if (value === undefined) throw new Error(`no ${key} was saved by an earlier scenario`);
  return value;
}

interface Scenario {
  name: string;
  mount: Mount;
  /** The documented path the request is checked against (the protected routes all share `/me`'s operation). */
  documented: string;
  method: 'post' | 'get';
  path: string;
  headers?: () => Record<string, string>;
  body?: () => string;
  status: number;
  /** Keeps what later scenarios need. */
  keep?: (answer: Answer, json: Record<string, unknown> | undefined) => void;
}

function refreshCookieOf(answer: Answer): string {
  const cookie = answer.headers.getSetCookie().find((value) => value.startsWith(`${COOKIE}=`));
  return cookie?.split(';', 1)[0]?.slice(COOKIE.length + 1) ?? '';
}

const login = (username: string, password: string) => () => JSON.stringify({ username, password });
const post = (
  mount: Mount,
  route: string,
  rest: Omit<Scenario, 'mount' | 'documented' | 'method' | 'path'>,
) => ({
  mount,
  documented: `${mount}/${route}`,
  method: 'post' as const,
  path: `${mount}/${route}`,
  ...rest,
});
const get = (path: string, rest: Omit<Scenario, 'mount' | 'documented' | 'method' | 'path'>) => ({
  mount: '/auth' as const,
  documented: '/me',
  method: 'get' as const,
  path,
  ...rest,
});

const SCENARIOS: Scenario[] = [
  post('/auth', 'login', {
    name: 'login',
    headers: () => JSON_TYPE,
    body: login('alice', 'alice-password'),
    status: 200,
    keep: (answer, json) => {
      state.set('cookie', refreshCookieOf(answer));
      state.set('access', String(json?.accessToken));
      state.set('set-cookie', answer.headers.getSetCookie().join('\n'));
    },
  }),
  post('/auth', 'login', {
    name: 'login, wrong password',
    headers: () => JSON_TYPE,
    body: login('alice', 'x'),
    status: 401,
  }),
  post('/auth', 'login', {
    name: 'login, unknown user',
    headers: () => JSON_TYPE,
    body: login('eve', 'x'),
    status: 401,
  }),
  post('/auth', 'login', {
    name: 'login, invalid JSON',
    headers: () => JSON_TYPE,
    body: () => '{',
    status: 400,
  }),
  post('/auth', 'login', {
    name: 'login, no username',
    headers: () => JSON_TYPE,
    body: () => '{}',
    status: 400,
  }),
  post('/auth', 'login', {
    name: 'login, form body',
    headers: () => FORM_TYPE,
    body: () => 'username=alice',
    status: 400,
  }),
  post('/auth', 'login', {
    name: 'login, cross-site',
    headers: () => ({ ...JSON_TYPE, ...CROSS_SITE }),
    body: login('alice', 'alice-password'),
    status: 403,
  }),
  post('/auth', 'refresh', {
    name: 'refresh with the cookie',
    headers: () => ({ cookie: `${COOKIE}=${saved('cookie')}` }),
    status: 200,
    keep: (answer) => {
      state.set('old-cookie', saved('cookie'));
      state.set('cookie', refreshCookieOf(answer));
    },
  }),
  post('/auth', 'refresh', {
    name: 'refresh with a rotated cookie (reuse)',
    headers: () => ({ cookie: `${COOKIE}=${saved('old-cookie')}` }),
    status: 401,
  }),
  post('/auth', 'refresh', { name: 'refresh without a cookie', status: 401 }),
  post('/auth', 'refresh', {
    name: 'refresh with the cookie twice',
    headers: () => ({ cookie: `${COOKIE}=a; ${COOKIE}=b` }),
    status: 400,
  }),
  post('/auth', 'refresh', {
    name: 'refresh, cross-site',
    headers: () => ({ cookie: `${COOKIE}=${saved('cookie')}`, ...CROSS_SITE }),
    status: 403,
  }),
  post('/auth', 'logout', {
    name: 'logout with the cookie and the access token',
    headers: () => ({ cookie: `${COOKIE}=${saved('cookie')}`, authorization: `Bearer ${saved('access')}` }),
    status: 204,
  }),
  post('/auth', 'logout', { name: 'logout, cross-site', headers: () => CROSS_SITE, status: 403 }),
  post('/auth', 'token', {
    name: 'password grant',
    headers: () => FORM_TYPE,
    body: () => 'grant_type=password&username=alice&password=alice-password&scope=',
    status: 200,
    keep: (_answer, json) => state.set('oauth-access', String(json?.access_token)),
  }),
  post('/auth', 'token', {
    name: 'password grant, wrong password',
    headers: () => FORM_TYPE,
    body: () => 'grant_type=password&username=alice&password=nope',
    status: 400,
  }),
  post('/auth', 'token', {
    name: 'unsupported grant',
    headers: () => FORM_TYPE,
    body: () => 'grant_type=client_credentials',
    status: 400,
  }),
  post('/auth', 'token', {
    name: 'JSON body at the token endpoint',
    headers: () => JSON_TYPE,
    body: login('alice', 'alice-password'),
    status: 400,
  }),
  post('/body', 'login', {
    name: 'login, refresh token in the body',
    headers: () => JSON_TYPE,
    body: login('bob', 'bob-password'),
    status: 200,
    keep: (_answer, json) => state.set('body-refresh', String(json?.refreshToken)),
  }),
  post('/body', 'refresh', {
    name: 'refresh with the body field',
    headers: () => JSON_TYPE,
    body: () => JSON.stringify({ refreshToken: saved('body-refresh') }),
    status: 200,
    keep: (_answer, json) => state.set('body-refresh', String(json?.refreshToken)),
  }),
  post('/body', 'refresh', { name: 'refresh without a body', status: 401 }),
  post('/body', 'refresh', {
    name: 'refresh with a body that is not JSON',
    headers: () => ({ 'content-type': 'text/plain' }),
    body: () => 'refresh',
    status: 400,
  }),
  post('/body', 'refresh', {
    name: 'refresh with a garbage token',
    headers: () => JSON_TYPE,
    body: () => JSON.stringify({ refreshToken: 'not-a-jwt' }),
    status: 401,
  }),
  post('/body', 'token', {
    name: 'refresh grant',
    headers: () => FORM_TYPE,
    body: () => `grant_type=refresh_token&refresh_token=${saved('body-refresh')}`,
    status: 200,
    keep: (_answer, json) => state.set('body-refresh', String(json?.refresh_token)),
  }),
  post('/body', 'token', {
    name: 'refresh grant without a token',
    headers: () => FORM_TYPE,
    body: () => 'grant_type=refresh_token',
    status: 400,
  }),
  post('/throttled', 'login', {
    name: 'login, wrong password before the throttle',
    headers: () => JSON_TYPE,
    body: login('bob', 'wrong-password'),
    status: 401,
  }),
  post('/throttled', 'login', {
    name: 'login, throttled',
    headers: () => JSON_TYPE,
    body: login('bob', 'wrong-password'),
    status: 429,
  }),
  post('/throttled', 'token', {
    name: 'password grant, throttled',
    headers: () => FORM_TYPE,
    body: () => 'grant_type=password&username=bob&password=bob-password',
    status: 429,
  }),
  post('/down', 'login', {
    name: 'login, store down',
    headers: () => JSON_TYPE,
    body: login('alice', 'alice-password'),
    status: 503,
  }),
  post('/down', 'refresh', {
    name: 'refresh, store down',
    headers: () => JSON_TYPE,
    body: () => JSON.stringify({ refreshToken: saved('body-refresh') }),
    status: 503,
  }),
  post('/down', 'logout', {
    name: 'logout, store down',
    headers: () => JSON_TYPE,
    body: () => JSON.stringify({ refreshToken: saved('body-refresh') }),
    status: 503,
  }),
  post('/down', 'token', {
    name: 'password grant, store down',
    headers: () => FORM_TYPE,
    body: () => 'grant_type=password&username=alice&password=alice-password',
    status: 503,
  }),
  post('/body', 'logout', {
    name: 'logout with the body field',
    headers: () => JSON_TYPE,
    body: () => JSON.stringify({ refreshToken: saved('body-refresh') }),
    status: 204,
  }),
  post('/body', 'logout', { name: 'logout without a body', status: 204 }),
  post('/body', 'logout', {
    name: 'logout with a body that is not JSON',
    headers: () => ({ 'content-type': 'text/plain' }),
    body: () => 'logout',
    status: 400,
  }),
  post('/https', 'login', {
    name: 'login over plain HTTP where HTTPS is required',
    headers: () => JSON_TYPE,
    body: login('alice', 'alice-password'),
    status: 403,
  }),
  post('/https', 'token', {
    name: 'password grant over plain HTTP where HTTPS is required',
    headers: () => FORM_TYPE,
    body: () => 'grant_type=password&username=alice&password=alice-password',
    status: 400,
  }),
  post('/broken', 'login', {
    name: 'login, findUser fails',
    headers: () => JSON_TYPE,
    body: login('alice', 'alice-password'),
    status: 500,
  }),
  post('/broken', 'token', {
    name: 'password grant, findUser fails',
    headers: () => FORM_TYPE,
    body: () => 'grant_type=password&username=alice&password=alice-password',
    status: 500,
  }),
  get('/me', {
    name: 'protected, with the access token',
    headers: () => ({ authorization: `Bearer ${saved('oauth-access')}` }),
    status: 200,
  }),
  get('/me', { name: 'protected, no token', status: 401 }),
  get('/me', {
    name: 'protected, a forged token',
    headers: () => ({ authorization: 'Bearer a.b.c' }),
    status: 401,
  }),
  get('/me', {
    name: 'protected, Bearer without a token',
    headers: () => ({ authorization: 'Bearer' }),
    status: 400,
  }),
  post('/body', 'login', {
    name: 'login as a user without the admin role',
    headers: () => JSON_TYPE,
    body: login('bob', 'bob-password'),
    status: 200,
    keep: (_answer, json) => state.set('bob-access', String(json?.accessToken)),
  }),
  get('/admin', {
    name: 'protected by a role the token lacks',
    headers: () => ({ authorization: `Bearer ${saved('bob-access')}` }),
    status: 403,
  }),
  get('/down-me', {
    name: 'protected, store down',
    headers: () => ({ authorization: `Bearer ${saved('bob-access')}` }),
    status: 503,
  }),
];

/** Every operation and status seen, as `operationId status`. */
const seen = new Set<string>();

describe('the real answers match the documented responses', () => {
  it.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))('%s', async (_name, scenario) => {
    const headers = scenario.headers?.() ?? {};
    const response = await fetch(server.url + scenario.path, {
      method: scenario.method.toUpperCase(),
      headers,
      body: scenario.body?.(),
    });
    const answer: Answer = {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
    };
    expect(`${answer.status} ${answer.text}`).toMatch(new RegExp(`^${scenario.status} `));
    const resolved = documents.get(scenario.mount) ?? {};
    expect(conformanceProblems(resolved, scenario.documented, scenario.method, answer)).toEqual([]);
    const json = answer.text === '' ? undefined : (JSON.parse(answer.text) as Record<string, unknown>);
    scenario.keep?.(answer, json);
    seen.add(`${scenario.method} ${scenario.documented.replace(/^\/\w+\//, '/')} ${answer.status}`);
  });

  it('saw every documented status of every operation', () => {
    const documented = new Set<string>();
    for (const [mount, resolved] of documents) {
      const routes = ['login', 'refresh', 'logout', 'token'].map((route) => `${mount}/${route}`);
      for (const path of routes) {
        for (const status of documentedStatuses(resolved, path, 'post')) {
          documented.add(`post /${path.split('/')[2]} ${status}`);
        }
      }
      for (const status of documentedStatuses(resolved, '/me', 'get')) documented.add(`get /me ${status}`);
    }
    expect([...documented].filter((entry) => !seen.has(entry))).toEqual([]);
    expect(documented.size).toBeGreaterThan(20);
  });

  it('documents the refresh cookie by the name and Path the login set it with', () => {
    const setCookie = saved('set-cookie');
    const attributes = setCookie.split(';').map((part) => part.trim());
    const name = attributes[0]?.split('=', 1)[0];
    const path = attributes.find((attribute) => attribute.startsWith('Path='));
    expect(name).toBe(COOKIE);
    const login = tokenwardOpenApi(MOUNTS['/auth']).paths['/auth/login']?.post;
    const documented = (login?.responses['200'] as OpenApiResponse | undefined)?.headers?.['Set-Cookie'];
    expect(documented?.description).toContain(`\`${name}\``);
    expect(documented?.description).toContain(`\`${path}\``);
  });

  it('catches an answer that the document does not describe', () => {
    const resolved = documents.get('/auth') ?? {};
    const headers = new Headers({ 'content-type': 'application/json' });
    const wrongBody = { status: 200, headers, text: JSON.stringify({ access_token: 'x' }) };
    expect(conformanceProblems(resolved, '/auth/login', 'post', wrongBody).join()).toMatch(/does not match/);
    const undocumented = { status: 418, headers, text: '{}' };
    expect(conformanceProblems(resolved, '/auth/login', 'post', undocumented)).toEqual([
      'status 418 is not documented',
    ]);
    const noCacheHeader = new Headers({ 'content-type': 'application/json' });
    const body = JSON.stringify({ accessToken: 'a', tokenType: 'Bearer', expiresIn: 1 });
    const problems = conformanceProblems(resolved, '/auth/login', 'post', {
      status: 200,
      headers: noCacheHeader,
      text: body,
    });
    expect(problems).toContain('documented header Cache-Control is missing');
  });
});
