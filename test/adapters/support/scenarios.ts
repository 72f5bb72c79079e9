/**
 * THE scenario table: requests and the answers every adapter, on every
 * framework version, must give. Steps of a scenario run in order and share state.
 */

import { createAuth } from '../../../src/create-auth.js';
import {
  ACCESS_COOKIE,
  ADMINS_ONLY,
  ALLOWED_ORIGIN,
  AUDIENCE,
  CUSTOM_TOKEN_HEADER,
  ISSUER,
  JWKS_SIGNING_KEY,
  OWN_ERROR_MESSAGE,
  OWN_REALM,
  READ_ONLY,
  SECRET,
} from './apps.js';
import { cookieValue, type Reply, type RequestSpec } from './client.js';

export const REFRESH_COOKIE = '__Host-refresh_token';
const JSON_HEADERS = { 'content-type': 'application/json' };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
const TOKEN_COOKIE = new RegExp(
  `^${REFRESH_COOKIE}=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Strict$`,
);
const CLEARED_COOKIE = `${REFRESH_COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; Secure; SameSite=Strict`;
const MISSING_CHALLENGE = 'Bearer realm="api"';

/** State a scenario's steps share: tokens by name. */
export type State = Map<string, string>;

export interface Expectation {
  status: number;
  /** `error.code` of the JSON body (or `delegated` of the test's own error handler); `null`: no error body. */
  code?: string | null;
  /** The exact `WWW-Authenticate`, a pattern, or `null` for none. */
  challenge?: string | RegExp | null;
  /** Other headers: exact value, pattern, or `null` for absent. */
  headers?: Record<string, string | RegExp | null>;
  /** The `Set-Cookie` lines: exact list, or one pattern per line. */
  setCookies?: readonly (string | RegExp)[];
  /** Fields of the JSON body, compared exactly (`undefined`: must be absent). */
  body?: Record<string, unknown>;
}

export interface Step {
  name: string;
  request(state: State): RequestSpec;
  expect: Expectation;
  /** Keeps what later steps need. */
  keep?(reply: Reply, state: State): void;
  /** Runs against a server that does not trust its proxy. */
  untrustedProxy?: boolean;
  /** Answered by Node or the framework before any adapter runs: only status, code and challenge must match. */
  beforeTheAdapter?: boolean;
}

export interface Scenario {
  name: string;
  steps: Step[];
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const refreshCookie = (token: string) => ({ cookie: `${REFRESH_COOKIE}=${token}` });

function loginStep(username: string, password: string, base = '/auth'): Step {
  return {
    name: `login ${username}`,
    request: () => ({
      method: 'POST',
      path: `${base}/login`,
      headers: JSON_HEADERS,
      body: JSON.stringify({ username, password }),
    }),
    expect: {
      status: 200,
      code: null,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': /^application\/json/ },
      ...(base === '/auth' ? { setCookies: [TOKEN_COOKIE] } : {}),
      body: { tokenType: 'Bearer', expiresIn: 900 },
    },
    keep(reply, state) {
      state.set(`${username}.access`, reply.json?.accessToken as string);
      const refresh =
        base === '/auth'
          ? cookieValue(reply.setCookies, REFRESH_COOKIE)
          : (reply.json?.refreshToken as string);
      state.set(`${username}.refresh`, refresh ?? '');
    },
  };
}

function get(path: string, headers: (state: State) => Record<string, string | string[]> = () => ({})) {
  return (state: State): RequestSpec => ({ path, headers: headers(state) });
}

function invalidToken(code: string): Expectation {
  return {
    status: 401,
    code,
    challenge: /^Bearer realm="api", error="invalid_token", error_description="(?:[^"\\]|\\.)+"$/,
  };
}

const badRequest: Expectation = {
  status: 400,
  code: 'REQUEST_INVALID',
  challenge: /^Bearer realm="api", error="invalid_request", error_description="(?:[^"\\]|\\.)+"$/,
};

const csrfRejected: Expectation = {
  status: 403,
  code: 'CSRF_REJECTED',
  challenge: /^Bearer realm="api", error="invalid_request", error_description="(?:[^"\\]|\\.)+"$/,
  setCookies: [],
};

/** Tokens minted by instances that differ from the server's in one way each. */
export async function foreignTokens(): Promise<Record<string, string>> {
  const base = { keys: SECRET, issuer: ISSUER, audience: AUDIENCE };
  const hour = 3600_000;
  return {
    expired: await createAuth({ ...base, clock: () => Date.now() - 2 * hour }).createAccessToken({
      sub: 'u-alice',
    }),
    future: await createAuth({ ...base, clock: () => Date.now() + hour }).createAccessToken({
      sub: 'u-alice',
    }),
    otherIssuer: await createAuth({ ...base, issuer: 'https://other.test' }).createAccessToken({
      sub: 'u-alice',
    }),
    otherKey: await createAuth({
      ...base,
      keys: 'another-secret-of-at-least-32-bytes-long!!',
    }).createAccessToken({
      sub: 'u-alice',
    }),
    ...(await scopedTokens()),
  };
}

/** Tokens of the server's own keys carrying scopes in each claim form, and in forms that never count. */
async function scopedTokens(): Promise<Record<string, string>> {
  const issuer = createAuth({ keys: SECRET, issuer: ISSUER, audience: AUDIENCE });
  const sub = 'u-carol';
  const token = (claims: Record<string, unknown>) => issuer.createAccessToken({ sub, ...claims });
  return {
    'scope: none': await token({}),
    'scope: read only': await token({ scope: ['read:notes'] }),
    'scope: read and write': await token({ scope: ['read:notes', 'write:notes'] }),
    'scp: array': await token({ scp: ['write:notes', 'read:notes'] }),
    'scp: string': await token({ scp: 'read:notes write:notes' }),
    'permissions: array': await token({ permissions: ['read:notes', 'write:notes'] }),
    'permissions: a string, never read': await token({ permissions: 'read:notes write:notes' }),
    'permissions: non-strings and a joined entry': await token({
      permissions: [1, null, { 'read:notes': true }, 'read:notes write:notes', 'READ:NOTES'],
    }),
    'scp: __proto__ entries': await token({ scp: ['__proto__', 'constructor', 'toString'] }),
  };
}

export function scenarios(foreign: Record<string, string>): Scenario[] {
  const withForeign = (name: string, code: string): Step => ({
    name: `${name} token`,
    request: get('/me', () => bearer(foreign[name]!)),
    expect: invalidToken(code),
  });
  return [
    {
      name: 'seed flow: admin logs in, reads, refreshes; the old refresh token is reused',
      steps: [
        loginStep('alice', 'alice-password'),
        {
          name: 'GET /me',
          request: get('/me', (s) => bearer(s.get('alice.access')!)),
          expect: {
            status: 200,
            code: null,
            body: { sub: 'u-alice', roles: ['admin'], iss: ISSUER, aud: AUDIENCE },
          },
        },
        {
          name: 'GET /admin/dashboard as admin',
          request: get('/admin/dashboard', (s) => bearer(s.get('alice.access')!)),
          expect: { status: 200, code: null, body: { dashboard: true } },
        },
        {
          name: 'refresh',
          request: (s) => ({
            method: 'POST',
            path: '/auth/refresh',
            headers: refreshCookie(s.get('alice.refresh')!),
          }),
          expect: {
            status: 200,
            code: null,
            setCookies: [TOKEN_COOKIE],
            headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
            body: { tokenType: 'Bearer', expiresIn: 900, refreshToken: undefined },
          },
          keep(reply, s) {
            s.set('alice.oldRefresh', s.get('alice.refresh')!);
            s.set('alice.refresh', cookieValue(reply.setCookies, REFRESH_COOKIE)!);
            s.set('alice.access', reply.json?.accessToken as string);
          },
        },
        {
          name: 'GET /me with the new access token',
          request: get('/me', (s) => bearer(s.get('alice.access')!)),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
        {
          name: 'reuse of the old refresh token',
          request: (s) => ({
            method: 'POST',
            path: '/auth/refresh',
            headers: refreshCookie(s.get('alice.oldRefresh')!),
          }),
          expect: { ...invalidToken('REFRESH_TOKEN_REUSED'), setCookies: [CLEARED_COOKIE] },
        },
        {
          name: 'the new refresh token fails too: its family is revoked',
          request: (s) => ({
            method: 'POST',
            path: '/auth/refresh',
            headers: refreshCookie(s.get('alice.refresh')!),
          }),
          expect: { ...invalidToken('TOKEN_REVOKED'), setCookies: [CLEARED_COOKIE] },
        },
      ],
    },
    {
      name: 'a user is refused the admin dashboard',
      steps: [
        loginStep('bob', 'bob-password'),
        {
          name: 'GET /admin/dashboard as user',
          request: get('/admin/dashboard', (s) => bearer(s.get('bob.access')!)),
          expect: {
            status: 403,
            code: 'FORBIDDEN',
            challenge:
              /^Bearer realm="api", error="insufficient_scope", error_description="(?:[^"\\]|\\.)+"$/,
          },
        },
        {
          name: 'requireRole without authenticate answers 401 even with a valid token',
          request: get('/role-only', (s) => bearer(s.get('bob.access')!)),
          expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE },
        },
      ],
    },
    {
      name: 'logout revokes and clears the cookie',
      steps: [
        loginStep('alice', 'alice-password'),
        {
          name: 'logout with the refresh cookie and the access token',
          request: (s) => ({
            method: 'POST',
            path: '/auth/logout',
            headers: { ...refreshCookie(s.get('alice.refresh')!), ...bearer(s.get('alice.access')!) },
          }),
          expect: {
            status: 204,
            code: null,
            setCookies: [CLEARED_COOKIE],
            headers: { 'cache-control': 'no-store' },
          },
        },
        {
          name: 'the refresh token is revoked',
          request: (s) => ({
            method: 'POST',
            path: '/auth/refresh',
            headers: refreshCookie(s.get('alice.refresh')!),
          }),
          expect: {
            ...invalidToken('TOKEN_REVOKED'),
            setCookies: [CLEARED_COOKIE],
            headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
          },
        },
        {
          name: 'the access token is revoked',
          request: get('/me', (s) => bearer(s.get('alice.access')!)),
          expect: invalidToken('TOKEN_REVOKED'),
        },
        {
          name: 'logout with a garbage cookie still answers 204',
          request: () => ({ method: 'POST', path: '/auth/logout', headers: refreshCookie('not.a.token') }),
          expect: { status: 204, code: null, setCookies: [CLEARED_COOKIE] },
        },
        {
          name: 'logout without any token answers 204',
          request: () => ({ method: 'POST', path: '/auth/logout' }),
          expect: { status: 204, code: null, setCookies: [CLEARED_COOKIE] },
        },
      ],
    },
    {
      name: 'login failures',
      steps: [
        ...[
          ['wrong password', JSON.stringify({ username: 'alice', password: 'wrong' })],
          ['unknown user', JSON.stringify({ username: 'mallory', password: 'alice-password' })],
        ].map(
          ([name, body]): Step => ({
            name: name!,
            request: () => ({ method: 'POST', path: '/auth/login', headers: JSON_HEADERS, body }),
            expect: {
              ...invalidToken('INVALID_CREDENTIALS'),
              setCookies: [],
              headers: { 'cache-control': 'no-store' },
            },
          }),
        ),
        ...[
          [
            'text/plain body',
            { 'content-type': 'text/plain' },
            '{"username":"alice","password":"alice-password"}',
          ],
          ['no content type', {}, '{"username":"alice","password":"alice-password"}'],
          ['invalid JSON', JSON_HEADERS, '{"username": "alice",'],
          ['a JSON array', JSON_HEADERS, '["alice","alice-password"]'],
          [
            'a username that is not a string',
            JSON_HEADERS,
            '{"username":["alice"],"password":"alice-password"}',
          ],
          ['no password', JSON_HEADERS, '{"username":"alice"}'],
          [
            'a 2000-character password',
            JSON_HEADERS,
            JSON.stringify({ username: 'alice', password: 'p'.repeat(2000) }),
          ],
          [
            'a 20 KiB body',
            JSON_HEADERS,
            JSON.stringify({ username: 'alice', password: 'x', pad: 'y'.repeat(20_000) }),
          ],
        ].map(
          ([name, headers, body]): Step => ({
            name: name as string,
            request: () => ({
              method: 'POST',
              path: '/auth/login',
              headers: headers as Record<string, string>,
              body: body as string,
            }),
            expect: badRequest,
          }),
        ),
        {
          name: 'a findUser that throws answers a generic 500',
          request: () => ({
            method: 'POST',
            path: '/broken-auth/login',
            headers: JSON_HEADERS,
            body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
          }),
          expect: {
            status: 500,
            code: 'INTERNAL_ERROR',
            challenge: null,
            body: { error: { code: 'INTERNAL_ERROR', message: 'internal error' } },
          },
        },
      ],
    },
    {
      name: 'Authorization header edge cases',
      steps: [
        loginStep('alice', 'alice-password', '/body-auth'),
        {
          name: 'no credentials',
          request: get('/me'),
          expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE },
        },
        {
          name: 'lower-case scheme',
          request: get('/me', (s) => ({ authorization: `bearer ${s.get('alice.access')}` })),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
        {
          name: 'two spaces (1*SP)',
          request: get('/me', (s) => ({ authorization: `Bearer  ${s.get('alice.access')}` })),
          expect: { status: 200, code: null },
        },
        {
          name: 'Bearer without a token',
          request: get('/me', () => ({ authorization: 'Bearer' })),
          expect: badRequest,
        },
        {
          name: 'two tokens',
          request: get('/me', (s) => ({
            authorization: `Bearer ${s.get('alice.access')} ${s.get('alice.access')}`,
          })),
          expect: badRequest,
        },
        {
          name: 'a token outside the b64token syntax',
          request: get('/me', () => ({ authorization: 'Bearer abc"def' })),
          expect: badRequest,
        },
        {
          name: 'another scheme',
          request: get('/me', () => ({ authorization: 'Basic YWxpY2U6cHc=' })),
          expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE },
        },
        {
          name: 'two Authorization headers',
          request: get('/me', (s) => ({
            authorization: [`Bearer ${s.get('alice.access')}`, `Bearer ${s.get('alice.access')}`],
          })),
          expect: badRequest,
        },
        {
          name: 'a token in the query string is ignored',
          request: (s) => ({ path: `/me?access_token=${s.get('alice.access')}` }),
          expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE },
        },
        {
          name: 'not a JWS',
          request: get('/me', () => bearer('abc')),
          expect: invalidToken('TOKEN_MALFORMED'),
        },
        {
          name: 'a 10 000-byte token',
          request: get('/me', () => bearer('a'.repeat(10_000))),
          expect: invalidToken('TOKEN_MALFORMED'),
        },
        {
          name: 'a 40 KiB header is refused before any adapter',
          beforeTheAdapter: true,
          request: get('/me', () => bearer('a'.repeat(40_000))),
          expect: { status: 431, code: null, challenge: null },
        },
        {
          name: 'a refresh token as an access token',
          request: get('/me', (s) => bearer(s.get('alice.refresh')!)),
          expect: invalidToken('TOKEN_TYPE_MISMATCH'),
        },
        withForeign('expired', 'TOKEN_EXPIRED'),
        withForeign('future', 'TOKEN_NOT_YET_VALID'),
        withForeign('otherIssuer', 'CLAIM_INVALID'),
        withForeign('otherKey', 'TOKEN_INVALID'),
        {
          name: 'the store is down: fail closed',
          request: get('/store-down/me', (s) => bearer(s.get('alice.access')!)),
          expect: { status: 503, code: 'STORE_UNAVAILABLE', challenge: null },
        },
      ],
    },
    {
      name: 'optional mode and delegated errors',
      steps: [
        loginStep('alice', 'alice-password', '/body-auth'),
        {
          name: 'anonymous passes',
          request: get('/optional'),
          expect: { status: 200, code: null, body: { sub: null } },
        },
        {
          name: 'a valid token is used',
          request: get('/optional', (s) => bearer(s.get('alice.access')!)),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
        {
          name: 'an invalid token is refused',
          request: get('/optional', () => bearer('abc')),
          expect: invalidToken('TOKEN_MALFORMED'),
        },
        {
          name: 'a malformed header is refused',
          request: get('/optional', () => ({ authorization: 'Bearer' })),
          expect: badRequest,
        },
        {
          name: 'the framework error handler gets the AuthError',
          request: get('/delegated'),
          expect: {
            status: 401,
            code: 'TOKEN_MISSING',
            challenge: null,
            body: { delegated: 'TOKEN_MISSING' },
          },
        },
        {
          name: 'the framework error handler is not reached on success',
          request: get('/delegated', (s) => bearer(s.get('alice.access')!)),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
      ],
    },
    {
      name: 'extension points: role message, sendAuthError, getToken, JWKS route, server faults',
      steps: [
        loginStep('alice', 'alice-password', '/body-auth'),
        loginStep('bob', 'bob-password', '/body-auth'),
        {
          name: 'requireRole with a message: the FORBIDDEN answer carries it',
          request: get('/admins-only', (s) => bearer(s.get('bob.access')!)),
          expect: {
            status: 403,
            code: 'FORBIDDEN',
            challenge: `Bearer realm="api", error="insufficient_scope", error_description="${ADMINS_ONLY}"`,
            body: { error: { code: 'FORBIDDEN', message: ADMINS_ONLY } },
          },
        },
        {
          name: 'requireRole with a message lets the role through',
          request: get('/admins-only', (s) => bearer(s.get('alice.access')!)),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
        {
          name: "sendAuthError answers the app's own AuthError like the middleware, in its realm",
          request: get('/own-error', (s) => bearer(s.get('alice.access')!)),
          expect: {
            status: 403,
            code: 'FORBIDDEN',
            challenge: `Bearer realm="${OWN_REALM}", error="insufficient_scope", error_description="${OWN_ERROR_MESSAGE}"`,
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: { error: { code: 'FORBIDDEN', message: OWN_ERROR_MESSAGE } },
          },
        },
        {
          name: "the middleware's own answer in that realm, for comparison",
          request: get('/own-error'),
          expect: { status: 401, code: 'TOKEN_MISSING', challenge: `Bearer realm="${OWN_REALM}"` },
        },
        {
          name: 'getToken: the token from the custom source',
          request: get('/getter/me', (s) => ({ [CUSTOM_TOKEN_HEADER]: s.get('alice.access')! })),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
        {
          name: 'getToken: nothing there, so the Authorization header as usual',
          request: get('/getter/me', (s) => bearer(s.get('bob.access')!)),
          expect: { status: 200, code: null, body: { sub: 'u-bob' } },
        },
        {
          name: 'getToken: nothing anywhere is TOKEN_MISSING',
          request: get('/getter/me'),
          expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE },
        },
        {
          name: 'getToken: its token wins over the header, and is verified',
          request: get('/getter/me', (s) => ({
            [CUSTOM_TOKEN_HEADER]: 'abc',
            ...bearer(s.get('alice.access')!),
          })),
          expect: invalidToken('TOKEN_MALFORMED'),
        },
        {
          name: 'getToken reading the query string is the explicit opt-in',
          request: (s) => ({ path: `/query-getter/me?access_token=${s.get('alice.access')}` }),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
        {
          name: 'a getToken returning something other than a string is a reported 500 CONFIG_INVALID',
          request: get('/wrong-getter/me'),
          expect: { status: 500, code: 'CONFIG_INVALID', challenge: null },
        },
        {
          name: 'a throwing getToken is a reported generic 500',
          request: get('/throwing-getter/me'),
          expect: {
            status: 500,
            code: 'INTERNAL_ERROR',
            challenge: null,
            body: { error: { code: 'INTERNAL_ERROR', message: 'internal error' } },
          },
        },
        {
          name: 'login on a verify-only instance: CONFIG_INVALID is a reported 500, not a 401',
          request: () => ({
            method: 'POST',
            path: '/verify-only-auth/login',
            headers: JSON_HEADERS,
            body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
          }),
          expect: {
            status: 500,
            code: 'CONFIG_INVALID',
            challenge: null,
            headers: { 'cache-control': 'no-store' },
            setCookies: [],
          },
        },
        {
          name: 'the JWKS route serves the public keys with caching headers',
          request: get('/.well-known/jwks.json'),
          expect: {
            status: 200,
            code: null,
            headers: {
              'cache-control': 'public, max-age=600',
              'content-type': 'application/json; charset=utf-8',
            },
            body: { keys: createAuth({ keys: JWKS_SIGNING_KEY }).jwks().keys },
          },
        },
        {
          name: 'the JWKS route answers HEAD without a body',
          request: () => ({ method: 'HEAD', path: '/.well-known/jwks.json' }),
          expect: { status: 200, code: null, headers: { 'cache-control': 'public, max-age=600' } },
        },
      ],
    },
    {
      name: 'access token in a cookie, and CSRF',
      steps: [
        loginStep('alice', 'alice-password', '/body-auth'),
        {
          name: 'GET with the cookie',
          request: get('/cookie/me', (s) => ({ cookie: `${ACCESS_COOKIE}=${s.get('alice.access')}` })),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
        {
          name: 'a token in both the header and the cookie',
          request: get('/cookie/me', (s) => ({
            cookie: `${ACCESS_COOKIE}=${s.get('alice.access')}`,
            ...bearer(s.get('alice.access')!),
          })),
          expect: badRequest,
        },
        {
          name: 'the cookie twice',
          request: get('/cookie/me', (s) => ({
            cookie: `${ACCESS_COOKIE}=${s.get('alice.access')}; ${ACCESS_COOKIE}=x`,
          })),
          expect: badRequest,
        },
        {
          name: 'a cookie POST from an evil origin',
          request: (s) => ({
            method: 'POST',
            path: '/cookie/action',
            headers: { cookie: `${ACCESS_COOKIE}=${s.get('alice.access')}`, origin: 'https://evil.example' },
          }),
          expect: { ...csrfRejected, setCookies: undefined },
        },
        {
          name: 'a cookie POST marked cross-site',
          request: (s) => ({
            method: 'POST',
            path: '/cookie/action',
            headers: { cookie: `${ACCESS_COOKIE}=${s.get('alice.access')}`, 'sec-fetch-site': 'cross-site' },
          }),
          expect: { ...csrfRejected, setCookies: undefined },
        },
        {
          name: 'a cookie POST from the allowed origin',
          request: (s) => ({
            method: 'POST',
            path: '/cookie/action',
            headers: {
              cookie: `${ACCESS_COOKIE}=${s.get('alice.access')}`,
              origin: ALLOWED_ORIGIN,
              'sec-fetch-site': 'cross-site',
            },
          }),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
        // The server's own origin is formed from Host and the scheme the framework judges
        // (here through the trusted proxy's X-Forwarded-Proto): a same-origin POST passes,
        // one whose scheme differs from the server's is another origin.
        ...(
          [
            ['a cookie POST from the own origin over plain HTTP', 'http', undefined, 200],
            ['a cookie POST from the own origin over HTTPS at the proxy', 'https', 'https', 200],
            ['a cookie POST from http:// to a server reached over HTTPS', 'http', 'https', 403],
            ['a cookie POST from https:// to a server reached over plain HTTP', 'https', undefined, 403],
          ] as const
        ).map(([name, scheme, forwardedProto, status]) => ({
          name,
          request: (s: State) => ({
            method: 'POST',
            path: '/cookie/action',
            raw: true,
            headers: {
              host: 'api.example',
              origin: `${scheme}://api.example`,
              cookie: `${ACCESS_COOKIE}=${s.get('alice.access')}`,
              ...(forwardedProto === undefined ? {} : { 'x-forwarded-proto': forwardedProto }),
            },
          }),
          expect:
            status === 200
              ? { status: 200, code: null, body: { sub: 'u-alice' } }
              : { ...csrfRejected, setCookies: undefined },
        })),
        {
          name: 'a bearer POST is never a CSRF concern',
          request: (s) => ({
            method: 'POST',
            path: '/cookie/action',
            headers: {
              ...bearer(s.get('alice.access')!),
              origin: 'https://evil.example',
              'sec-fetch-site': 'cross-site',
            },
          }),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
      ],
    },
    {
      name: 'token routes: CSRF, HTTPS and the body mode',
      steps: [
        loginStep('alice', 'alice-password'),
        ...(
          [
            ['an evil Origin', { origin: 'https://evil.example' }],
            ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
            ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
            ['Origin: null', { origin: 'null' }],
          ] as const
        ).map(
          ([name, headers]): Step => ({
            name: `refresh with ${name}`,
            request: (s) => ({
              method: 'POST',
              path: '/auth/refresh',
              headers: { ...refreshCookie(s.get('alice.refresh')!), ...headers },
            }),
            expect: csrfRejected,
          }),
        ),
        {
          name: 'refresh from the allowed origin (the token was not consumed by the refusals)',
          request: (s) => ({
            method: 'POST',
            path: '/auth/refresh',
            headers: {
              ...refreshCookie(s.get('alice.refresh')!),
              origin: ALLOWED_ORIGIN,
              'sec-fetch-site': 'cross-site',
            },
          }),
          expect: { status: 200, code: null, setCookies: [TOKEN_COOKIE] },
        },
        {
          name: 'refresh without a cookie',
          request: () => ({ method: 'POST', path: '/auth/refresh' }),
          expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE },
        },
        {
          name: 'plain HTTP is refused where HTTPS is required',
          request: () => ({
            method: 'POST',
            path: '/https-auth/login',
            headers: JSON_HEADERS,
            body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
          }),
          expect: {
            status: 403,
            code: 'HTTPS_REQUIRED',
            challenge: /^Bearer realm="api", error="invalid_request"/,
            setCookies: [],
          },
        },
        {
          name: 'X-Forwarded-Proto: https from a trusted proxy is HTTPS',
          request: () => ({
            method: 'POST',
            path: '/https-auth/login',
            headers: { ...JSON_HEADERS, 'x-forwarded-proto': 'https' },
            body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
          }),
          expect: {
            status: 200,
            code: null,
            setCookies: [/^__Host-refresh_token=[^;]+; Max-Age=604800; Path=\/;/],
          },
        },
        {
          name: 'X-Forwarded-Proto: https is ignored when the proxy is not trusted',
          untrustedProxy: true,
          request: () => ({
            method: 'POST',
            path: '/https-auth/login',
            headers: { ...JSON_HEADERS, 'x-forwarded-proto': 'https' },
            body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
          }),
          expect: { status: 403, code: 'HTTPS_REQUIRED', setCookies: [] },
        },
        {
          name: 'body mode: login answers the refresh token in the body, sets no cookie',
          request: () => ({
            method: 'POST',
            path: '/body-auth/login',
            headers: { ...JSON_HEADERS, origin: 'https://evil.example' },
            body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
          }),
          expect: { status: 200, code: null, setCookies: [], headers: { 'cache-control': 'no-store' } },
          keep(reply, s) {
            s.set('body.refresh', reply.json?.refreshToken as string);
          },
        },
        {
          name: 'body mode: refresh reads refreshToken from the JSON body',
          request: (s) => ({
            method: 'POST',
            path: '/body-auth/refresh',
            headers: JSON_HEADERS,
            body: JSON.stringify({ refreshToken: s.get('body.refresh') }),
          }),
          expect: { status: 200, code: null, setCookies: [], body: { tokenType: 'Bearer', expiresIn: 900 } },
          keep(reply, s) {
            s.set('body.refresh', reply.json?.refreshToken as string);
          },
        },
        {
          name: 'body mode: refresh without a body is a missing token',
          request: () => ({ method: 'POST', path: '/body-auth/refresh' }),
          expect: {
            status: 401,
            code: 'TOKEN_MISSING',
            challenge: MISSING_CHALLENGE,
            headers: { 'cache-control': 'no-store' },
          },
        },
        {
          name: 'body mode: refresh with a body that is not JSON',
          request: () => ({
            method: 'POST',
            path: '/body-auth/refresh',
            headers: { 'content-type': 'text/plain' },
            body: 'x',
          }),
          expect: badRequest,
        },
        {
          name: 'body mode: logout without a body answers 204',
          request: () => ({ method: 'POST', path: '/body-auth/logout' }),
          expect: { status: 204, code: null, setCookies: [] },
        },
        {
          name: 'body mode: logout',
          request: (s) => ({
            method: 'POST',
            path: '/body-auth/logout',
            headers: JSON_HEADERS,
            body: JSON.stringify({ refreshToken: s.get('body.refresh') }),
          }),
          expect: { status: 204, code: null, setCookies: [] },
        },
        {
          name: 'body mode: the logged-out refresh token is revoked',
          request: (s) => ({
            method: 'POST',
            path: '/body-auth/refresh',
            headers: JSON_HEADERS,
            body: JSON.stringify({ refreshToken: s.get('body.refresh') }),
          }),
          expect: invalidToken('TOKEN_REVOKED'),
        },
      ],
    },
    {
      name: 'token routes: one media type, form logins and the login field names',
      steps: [
        ...(
          [
            ['two media types', 'application/json, text/plain'],
            ['a media type without a subtype', 'json'],
          ] as const
        ).map(
          ([name, type]): Step => ({
            name: `login with ${name} in Content-Type`,
            request: () => ({
              method: 'POST',
              path: '/auth/login',
              headers: { 'content-type': type },
              body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
            }),
            expect: badRequest,
          }),
        ),
        {
          name: 'login with a form body',
          request: () => ({
            method: 'POST',
            path: '/auth/login',
            headers: FORM_HEADERS,
            body: 'username=alice&password=alice-password',
          }),
          expect: {
            status: 200,
            code: null,
            setCookies: [TOKEN_COOKIE],
            headers: { 'cache-control': 'no-store' },
            body: { tokenType: 'Bearer', expiresIn: 900 },
          },
          keep(reply, s) {
            s.set('form.refresh', cookieValue(reply.setCookies, REFRESH_COOKIE) ?? '');
          },
        },
        {
          name: 'refresh with two media types in Content-Type: the cookie route reads no body',
          request: (s) => ({
            method: 'POST',
            path: '/auth/refresh',
            headers: {
              ...refreshCookie(s.get('form.refresh')!),
              'content-type': 'application/json, text/plain',
            },
            body: '{}',
          }),
          expect: { status: 200, code: null, setCookies: [TOKEN_COOKIE] },
        },
        {
          name: 'a form login posted by another site is refused (login CSRF)',
          request: () => ({
            method: 'POST',
            path: '/auth/login',
            headers: { ...FORM_HEADERS, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
            body: 'username=alice&password=alice-password',
          }),
          expect: csrfRejected,
        },
        {
          name: 'login with the configured field names (JSON)',
          request: () => ({
            method: 'POST',
            path: '/fields-auth/login',
            headers: JSON_HEADERS,
            body: JSON.stringify({ email: 'alice', pass: 'alice-password' }),
          }),
          expect: { status: 200, code: null, setCookies: [TOKEN_COOKIE], body: { tokenType: 'Bearer' } },
        },
        {
          name: 'login with the configured field names (form)',
          request: () => ({
            method: 'POST',
            path: '/fields-auth/login',
            headers: FORM_HEADERS,
            body: 'email=alice&pass=alice-password',
          }),
          expect: { status: 200, code: null, setCookies: [TOKEN_COOKIE] },
        },
        {
          name: 'the default field names are not read where others are configured',
          request: () => ({
            method: 'POST',
            path: '/fields-auth/login',
            headers: JSON_HEADERS,
            body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
          }),
          expect: {
            ...badRequest,
            setCookies: [],
            body: {
              error: { code: 'REQUEST_INVALID', message: 'email must be a string of 1 to 256 characters' },
            },
          },
        },
        {
          name: 'a wrong password under the configured field names',
          request: () => ({
            method: 'POST',
            path: '/fields-auth/login',
            headers: JSON_HEADERS,
            body: JSON.stringify({ email: 'alice', pass: 'wrong' }),
          }),
          expect: { ...invalidToken('INVALID_CREDENTIALS'), setCookies: [] },
        },
      ],
    },
    {
      name: 'log out everywhere',
      steps: [
        loginStep('alice', 'alice-password'),
        ...(['first', 'second'] as const).map(
          (session): Step => ({
            ...loginStep('bob', 'bob-password'),
            name: `bob logs in (${session} session)`,
            keep(reply, s) {
              s.set(`bob.${session}.access`, reply.json?.accessToken as string);
              s.set(`bob.${session}.refresh`, cookieValue(reply.setCookies, REFRESH_COOKIE) ?? '');
            },
          }),
        ),
        {
          name: 'logout-all without an access token',
          request: (s) => ({
            method: 'POST',
            path: '/auth/logout-all',
            headers: refreshCookie(s.get('bob.second.refresh')!),
          }),
          expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE, setCookies: [] },
        },
        {
          name: 'logout-all with a refresh token as the bearer token',
          request: (s) => ({
            method: 'POST',
            path: '/auth/logout-all',
            headers: bearer(s.get('bob.second.refresh')!),
          }),
          expect: { ...invalidToken('TOKEN_TYPE_MISMATCH'), setCookies: [] },
        },
        {
          name: 'logout-all from another site',
          request: (s) => ({
            method: 'POST',
            path: '/auth/logout-all',
            headers: {
              ...bearer(s.get('bob.second.access')!),
              origin: 'https://evil.example',
              'sec-fetch-site': 'cross-site',
            },
          }),
          expect: csrfRejected,
        },
        {
          name: 'the refused attempts changed nothing',
          request: get('/me', (s) => bearer(s.get('bob.first.access')!)),
          expect: { status: 200, code: null, body: { sub: 'u-bob' } },
        },
        {
          name: 'logout-all with the second session',
          request: (s) => ({
            method: 'POST',
            path: '/auth/logout-all',
            headers: {
              ...bearer(s.get('bob.second.access')!),
              ...refreshCookie(s.get('bob.second.refresh')!),
            },
          }),
          expect: {
            status: 204,
            code: null,
            setCookies: [CLEARED_COOKIE],
            headers: { 'cache-control': 'no-store' },
          },
        },
        ...(['first', 'second'] as const).flatMap((session): Step[] => [
          {
            name: `the ${session} session's access token is revoked`,
            request: get('/me', (s) => bearer(s.get(`bob.${session}.access`)!)),
            expect: invalidToken('TOKEN_REVOKED'),
          },
          {
            name: `the ${session} session's refresh token is revoked`,
            request: (s) => ({
              method: 'POST',
              path: '/auth/refresh',
              headers: refreshCookie(s.get(`bob.${session}.refresh`)!),
            }),
            expect: { ...invalidToken('TOKEN_REVOKED'), setCookies: [CLEARED_COOKIE] },
          },
        ]),
        {
          name: "another user's session is untouched",
          request: get('/me', (s) => bearer(s.get('alice.access')!)),
          expect: { status: 200, code: null, body: { sub: 'u-alice' } },
        },
        {
          name: 'the route is served only where logoutAll is on',
          beforeTheAdapter: true,
          request: (s) => ({
            method: 'POST',
            path: '/body-auth/logout-all',
            headers: bearer(s.get('alice.access')!),
          }),
          expect: { status: 404 },
        },
      ],
    },
    {
      name: 'scopes: requireScope and requireAnyScope in every claim form, 403 naming the scopes',
      steps: scopeSteps(foreign),
    },
    // Sessions and devices (issue 16): see sessionSteps at the end of this file.
    { name: 'sessions and devices: list, end one, end the others', steps: sessionSteps() },
  ];
}

/** The challenge of a scope miss: RFC 6750 3.1's error and scope, then the message. */
function insufficientScope(scopes: string, message: string): Expectation {
  return {
    status: 403,
    code: 'FORBIDDEN',
    challenge: `Bearer realm="api", error="insufficient_scope", scope="${scopes}", error_description="${message}"`,
    body: { error: { code: 'FORBIDDEN', message } },
  };
}

function scopeSteps(foreign: Record<string, string>): Step[] {
  const withToken = (path: string, name: string) => get(path, () => bearer(foreign[name] ?? ''));
  const allMissing = insufficientScope(
    'read:notes write:notes',
    'this requires the scopes: read:notes write:notes',
  );
  const anyMissing = insufficientScope(
    'read:notes notes:admin',
    'this requires one of the scopes: read:notes notes:admin',
  );
  const carol: Expectation = { status: 200, code: null, body: { sub: 'u-carol' } };
  const passing = ['scope: read and write', 'scp: array', 'scp: string', 'permissions: array'];
  const refused = [
    'scope: none',
    'scope: read only',
    'permissions: a string, never read',
    'permissions: non-strings and a joined entry',
    'scp: __proto__ entries',
  ];
  return [
    {
      name: 'requireScope without a token: 401, no scope named',
      request: get('/scoped/all'),
      expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE },
    },
    {
      name: 'requireScope without authenticate: 401 even with a valid token',
      request: withToken('/scoped/unauthenticated', 'scope: read and write'),
      expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE },
    },
    ...passing.map(
      (name): Step => ({
        name: `requireScope passes with ${name}`,
        request: withToken('/scoped/all', name),
        expect: carol,
      }),
    ),
    ...refused.map(
      (name): Step => ({
        name: `requireScope refuses ${name}`,
        request: withToken('/scoped/all', name),
        expect: allMissing,
      }),
    ),
    {
      name: 'requireAnyScope passes with one of the scopes',
      request: withToken('/scoped/any', 'scope: read only'),
      expect: carol,
    },
    {
      name: 'requireAnyScope refuses a token without scopes',
      request: withToken('/scoped/any', 'scope: none'),
      expect: anyMissing,
    },
    {
      name: 'requireScope with a message answers it',
      request: withToken('/scoped/message', 'scope: read only'),
      expect: insufficientScope('write:notes', READ_ONLY),
    },
    {
      name: 'scopeClaims: an instance reading permissions only refuses the scope claim',
      request: withToken('/scoped/permissions-only', 'scope: read and write'),
      expect: insufficientScope('read:notes', 'this requires the scope: read:notes'),
    },
    {
      name: 'scopeClaims: an instance reading permissions only accepts them',
      request: withToken('/scoped/permissions-only', 'permissions: array'),
      expect: carol,
    },
  ];
}

// ---------------------------------------------------------------------------
// Sessions and devices (issue 16): GET /sessions, DELETE /sessions/:id and
// DELETE /sessions on the /auth mount (`sessions: true`).
// ---------------------------------------------------------------------------

const PHONE_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const LAPTOP_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const TABLET_AGENT =
  'Mozilla/5.0 (Linux; Android 14; Pixel Tablet) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** The `sid` claim of an access token, read without verifying (the server verifies). */
function sidOf(token: string | undefined): string {
  const payload = JSON.parse(Buffer.from((token ?? '').split('.')[1] ?? '', 'base64url').toString() || '{}');
  return String(payload.sid);
}

function sessionFailure(message: string): never {
  throw new Error(`sessions scenario: ${message}`);
}

function deviceLogin(device: string, agent: string): Step {
  return {
    ...loginStep('bob', 'bob-password'),
    name: `bob logs in on the ${device}`,
    request: () => ({
      method: 'POST',
      path: '/auth/login',
      headers: { ...JSON_HEADERS, 'user-agent': agent },
      body: JSON.stringify({ username: 'bob', password: 'bob-password' }),
    }),
    keep(reply, state) {
      state.set(`${device}.access`, reply.json?.accessToken as string);
      state.set(`${device}.refresh`, cookieValue(reply.setCookies, REFRESH_COOKIE) ?? '');
    },
  };
}

interface ListedSession {
  id: string;
  label?: string;
  current: boolean;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  absoluteExpiresAt: number | null;
}

/** A `GET /auth/sessions` as `device`, whose answer must list `labels` (newest first), `current` on `device`'s own. */
function listAs(name: string, device: string, labels: string[]): Step {
  return {
    name,
    request: get('/auth/sessions', (s) => bearer(s.get(`${device}.access`)!)),
    expect: {
      status: 200,
      code: null,
      headers: { 'cache-control': 'no-store', 'content-type': /^application\/json/ },
    },
    keep(reply, state) {
      const sessions = reply.json?.sessions as ListedSession[] | undefined;
      if (!Array.isArray(sessions)) sessionFailure('no sessions array');
      const listed = sessions.map((session) => session.label);
      if (JSON.stringify(listed) !== JSON.stringify(labels))
        sessionFailure(`listed ${JSON.stringify(listed)}, expected ${JSON.stringify(labels)}`);
      const own = sidOf(state.get(`${device}.access`));
      for (const session of sessions) {
        if (session.current !== (session.id === own)) sessionFailure(`current is wrong on ${session.label}`);
        if (!(session.createdAt <= session.lastUsedAt && session.lastUsedAt < session.expiresAt))
          sessionFailure(`times out of order on ${session.label}`);
        if (session.absoluteExpiresAt !== null)
          sessionFailure('the fixture has no absolute end: null expected');
      }
    },
  };
}

function endSession(device: string, target: (s: State) => string, headers: Record<string, string> = {}) {
  return (s: State): RequestSpec => ({
    method: 'DELETE',
    path: `/auth/sessions/${encodeURIComponent(target(s))}`,
    headers: { ...bearer(s.get(`${device}.access`)!), ...headers },
  });
}

const ended: Expectation = {
  status: 204,
  code: null,
  setCookies: [],
  headers: { 'cache-control': 'no-store' },
};

function sessionSteps(): Step[] {
  return [
    loginStep('alice', 'alice-password'),
    deviceLogin('phone', PHONE_AGENT),
    deviceLogin('laptop', LAPTOP_AGENT),
    {
      name: 'listing without an access token',
      request: get('/auth/sessions'),
      expect: { status: 401, code: 'TOKEN_MISSING', challenge: MISSING_CHALLENGE },
    },
    {
      name: 'listing with a refresh token as the bearer token',
      request: get('/auth/sessions', (s) => bearer(s.get('laptop.refresh')!)),
      expect: invalidToken('TOKEN_TYPE_MISMATCH'),
    },
    listAs("the laptop lists bob's two sessions, its own current", 'laptop', [
      'Firefox on Linux',
      'Safari on iOS',
    ]),
    listAs('the phone sees the same, its own current', 'phone', ['Firefox on Linux', 'Safari on iOS']),
    {
      name: "ending alice's session as bob answers 204 and changes nothing",
      request: endSession('laptop', (s) => sidOf(s.get('alice.access'))),
      expect: ended,
    },
    {
      name: 'an id that names no session answers alike',
      request: endSession('laptop', () => 'no-such-session'),
      expect: ended,
    },
    {
      name: "alice's session lives on",
      request: get('/me', (s) => bearer(s.get('alice.access')!)),
      expect: { status: 200, code: null, body: { sub: 'u-alice' } },
    },
    {
      name: 'ending the phone from another site is refused',
      request: endSession('laptop', (s) => sidOf(s.get('phone.access')), {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      }),
      expect: csrfRejected,
    },
    {
      name: 'the laptop ends the phone',
      request: endSession('laptop', (s) => sidOf(s.get('phone.access'))),
      expect: ended,
    },
    {
      name: "the phone's access token is refused at once",
      request: get('/me', (s) => bearer(s.get('phone.access')!)),
      expect: invalidToken('TOKEN_REVOKED'),
    },
    {
      name: "the phone's refresh token is refused and its cookie cleared",
      request: (s) => ({
        method: 'POST',
        path: '/auth/refresh',
        headers: refreshCookie(s.get('phone.refresh')!),
      }),
      expect: { ...invalidToken('TOKEN_REVOKED'), setCookies: [CLEARED_COOKIE] },
    },
    {
      name: 'the ended phone cannot list sessions any more',
      request: get('/auth/sessions', (s) => bearer(s.get('phone.access')!)),
      expect: invalidToken('TOKEN_REVOKED'),
    },
    listAs('the laptop is the only session left', 'laptop', ['Firefox on Linux']),
    deviceLogin('tablet', TABLET_AGENT),
    listAs('the tablet is listed first', 'laptop', ['Chrome on Android', 'Firefox on Linux']),
    {
      name: 'the laptop ends every other session',
      request: (s) => ({
        method: 'DELETE',
        path: '/auth/sessions',
        headers: bearer(s.get('laptop.access')!),
      }),
      expect: ended,
    },
    {
      name: "the tablet's access token is refused",
      request: get('/me', (s) => bearer(s.get('tablet.access')!)),
      expect: invalidToken('TOKEN_REVOKED'),
    },
    {
      name: 'the laptop itself still works',
      request: get('/me', (s) => bearer(s.get('laptop.access')!)),
      expect: { status: 200, code: null, body: { sub: 'u-bob' } },
    },
    {
      name: 'ending its own session logs the laptop out and clears its cookie',
      request: endSession('laptop', (s) => sidOf(s.get('laptop.access')), {
        ...refreshCookie('whatever'),
      }),
      expect: { ...ended, setCookies: [CLEARED_COOKIE] },
    },
    {
      name: "the laptop's access token is refused",
      request: get('/me', (s) => bearer(s.get('laptop.access')!)),
      expect: invalidToken('TOKEN_REVOKED'),
    },
    {
      name: 'HEAD /sessions is no route on any adapter',
      beforeTheAdapter: true,
      request: (s) => ({ method: 'HEAD', path: '/auth/sessions', headers: bearer(s.get('tablet.access')!) }),
      expect: { status: 404 },
    },
    {
      name: 'the session routes are left out where sessions is false',
      beforeTheAdapter: true,
      request: get('/body-auth/sessions', (s) => bearer(s.get('alice.access')!)),
      expect: { status: 404 },
    },
  ];
}
