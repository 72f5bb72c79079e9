/** The framework-free HTTP layer, on its own: the rules the scenario table cannot reach over HTTP. */

import { describe, expect, it } from 'vitest';
import { createAuth } from '../../src/create-auth.js';
import { AuthError } from '../../src/errors.js';
import { createAuthenticator } from '../../src/lib/http/authenticate.js';
import { bearerFromHeader } from '../../src/lib/http/bearer.js';
import { resolveRefreshCookie, serializeRefreshCookie } from '../../src/lib/http/cookies.js';
import { checkCsrf, resolveCsrfPolicy } from '../../src/lib/http/csrf.js';
import { bearerChallenge, errorAnswer, quoteHeaderValue } from '../../src/lib/http/error-response.js';
import { nodeRequestView } from '../../src/lib/http/node-request.js';
import type { HttpRequestView } from '../../src/lib/http/types.js';
import { codeOfSync } from '../support/tokens.js';

function request(headers: Record<string, string>, method = 'POST'): HttpRequestView {
  return nodeRequestView({ method, headers, rawHeaders: Object.entries(headers).flat() });
}

describe('quoteHeaderValue', () => {
  it('drops CR, LF, other controls and non-ASCII, and escapes quotes and backslashes', () => {
    expect(quoteHeaderValue('a"b\\c\r\nSet-Cookie: x=1\u0000é')).toBe('"a\\"b\\\\cSet-Cookie: x=1"');
  });

  it('bounds the length', () => {
    expect(quoteHeaderValue('x'.repeat(1000))).toHaveLength(202);
  });
});

describe('bearerChallenge', () => {
  it('puts no error attribute for missing credentials (RFC 6750 3.1)', () => {
    expect(bearerChallenge(new AuthError('TOKEN_MISSING', 'authentication is required'), 'api')).toBe(
      'Bearer realm="api"',
    );
  });

  it('escapes a realm and a message that try to break the header', () => {
    const challenge = bearerChallenge(new AuthError('TOKEN_INVALID', 'bad "x"\r\nX-Evil: 1'), 'r"\n');
    expect(challenge).toBe(
      'Bearer realm="r\\"", error="invalid_token", error_description="bad \\"x\\"X-Evil: 1"',
    );
  });

  it('gives none for a 503', () => {
    expect(bearerChallenge(new AuthError('STORE_UNAVAILABLE', 'down'), 'api')).toBeUndefined();
  });
});

describe('errorAnswer', () => {
  it('hides anything that is not an AuthError behind a generic 500', () => {
    const answer = errorAnswer(new Error('password=hunter2 at db.internal'), 'api');
    expect(answer.status).toBe(500);
    expect(answer.body).toBe('{"error":{"code":"INTERNAL_ERROR","message":"internal error"}}');
    expect(answer.headers['www-authenticate']).toBeUndefined();
  });
});

describe('bearerFromHeader', () => {
  it('reads one b64token, scheme in any case, after one or more spaces', () => {
    expect(bearerFromHeader(request({ authorization: 'BEARER a.b-c_d~e+f/g==' }))).toBe('a.b-c_d~e+f/g==');
    expect(bearerFromHeader(request({ authorization: 'Bearer   tok' }))).toBe('tok');
  });

  it.each(['Bearer', 'Bearer ', 'Bearer\ttok', 'Bearer a b', 'Bearer a,b', 'Bearer =abc', ''])(
    'refuses %j',
    (value) => {
      expect(codeOfSync(() => bearerFromHeader(request({ authorization: value })))).toBe('REQUEST_INVALID');
    },
  );

  it('sees a second Authorization header that Node drops from req.headers', () => {
    const view = nodeRequestView({
      method: 'GET',
      headers: { authorization: 'Bearer a' },
      rawHeaders: ['Authorization', 'Bearer a', 'authorization', 'Bearer b'],
    });
    expect(codeOfSync(() => bearerFromHeader(view))).toBe('REQUEST_INVALID');
  });

  it('takes another scheme for no bearer credentials', () => {
    expect(bearerFromHeader(request({ authorization: 'Basic abc' }))).toBeUndefined();
    expect(bearerFromHeader(request({ authorization: 'Bearerx abc' }))).toBeUndefined();
  });
});

describe('the refresh cookie', () => {
  const token = 'aaa.bbb.ccc';

  it('is __Host- prefixed at Path=/ without a domain, by default', () => {
    const cookie = resolveRefreshCookie({}, false);
    expect(serializeRefreshCookie(cookie, token, 60)).toBe(
      '__Host-refresh_token=aaa.bbb.ccc; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('is __Secure- prefixed on an explicit narrower path or with a domain', () => {
    expect(serializeRefreshCookie(resolveRefreshCookie({ path: '/auth' }, false), token, 60)).toMatch(
      /^__Secure-refresh_token=.*; Path=\/auth;/,
    );
    const withDomain = resolveRefreshCookie({ domain: 'example.com', path: '/' }, false);
    expect(serializeRefreshCookie(withDomain, token, 60)).toBe(
      '__Secure-refresh_token=aaa.bbb.ccc; Max-Age=60; Path=/; Domain=example.com; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('has no prefix and no Secure only when secure: false is explicit', () => {
    const cookie = resolveRefreshCookie({ secure: false, sameSite: 'Lax', name: 'rt', path: '/auth' }, false);
    expect(serializeRefreshCookie(cookie, undefined, 0)).toBe(
      'rt=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth; HttpOnly; SameSite=Lax',
    );
  });

  it.each([
    ['secure: false where HTTPS is enforced', { secure: false }, true],
    ['SameSite=None without Secure', { secure: false, sameSite: 'None' as const }, false],
    ['a prefixed name', { name: '__Host-x' }, false],
    ['a name with a space', { name: 'a b' }, false],
    ['a relative path', { path: 'auth' }, false],
    ['a path with a semicolon', { path: '/a;Secure' }, false],
    ['a domain with a semicolon', { domain: 'a.com; x' }, false],
  ])('refuses %s', (_name, options, enforced) => {
    expect(codeOfSync(() => resolveRefreshCookie(options, enforced))).toBe('CONFIG_INVALID');
  });
});

describe('checkCsrf', () => {
  const policy = resolveCsrfPolicy({ allowedOrigins: ['https://app.example'] });
  const host = { host: 'api.example' };

  it.each([
    [
      'a safe method, whatever its origin',
      { ...host, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      'GET',
      true,
    ],
    ['no Origin and no Fetch Metadata (not a current browser)', host, 'POST', true],
    ['Sec-Fetch-Site: same-origin', { ...host, 'sec-fetch-site': 'same-origin' }, 'POST', true],
    ['Sec-Fetch-Site: none (typed by the user)', { ...host, 'sec-fetch-site': 'none' }, 'POST', true],
    ['the own origin', { ...host, origin: 'https://api.example' }, 'POST', true],
    ['the own host over the other scheme', { ...host, origin: 'http://api.example' }, 'POST', false],
    [
      'an allowed origin, cross-site',
      { ...host, origin: 'https://app.example', 'sec-fetch-site': 'cross-site' },
      'POST',
      true,
    ],
    ['an evil origin', { ...host, origin: 'https://evil.example' }, 'POST', false],
    ['Origin: null', { ...host, origin: 'null' }, 'POST', false],
    ['Sec-Fetch-Site: cross-site', { ...host, 'sec-fetch-site': 'cross-site' }, 'DELETE', false],
    ['Sec-Fetch-Site: same-site', { ...host, 'sec-fetch-site': 'same-site' }, 'POST', false],
  ])('%s', (_name, headers, method, passes) => {
    expect(codeOfSync(() => checkCsrf(request(headers, method), true, policy))).toBe(
      passes ? undefined : 'CSRF_REJECTED',
    );
  });

  it('accepts same-site only when allowed', () => {
    const lenient = resolveCsrfPolicy({ allowSameSite: true });
    expect(
      codeOfSync(() => checkCsrf(request({ 'sec-fetch-site': 'same-site' }), true, lenient)),
    ).toBeUndefined();
  });

  it.each(['app.example', 'https://app.example/path', 'ftp://app.example', '*'])(
    'refuses the allowed origin %j',
    (origin) => {
      expect(codeOfSync(() => resolveCsrfPolicy({ allowedOrigins: [origin] }))).toBe('CONFIG_INVALID');
    },
  );
});

describe('authenticate with getToken', () => {
  const auth = createAuth({ keys: 'an-http-shared-test-secret-of-32-bytes-or-more' });
  const view = request({}, 'GET');
  const never = () => false;
  const reported: unknown[] = [];
  const reporter = (error: unknown) => reported.push(error);

  it('answers an AuthError the source throws with that error, unreported', async () => {
    const authenticator = createAuthenticator(auth, {
      getToken: async () => {
        throw new AuthError('REQUEST_INVALID', 'the token header is repeated');
      },
    });
    const outcome = await authenticator.authenticate({}, view, never, reporter);
    expect(outcome.kind === 'answer' && outcome.answer.status).toBe(400);
    expect(reported).toEqual([]);
  });

  it('awaits an asynchronous source, and lets an anonymous request through in optional mode', async () => {
    const token = await auth.createAccessToken({ sub: 'u1' });
    const found = createAuthenticator(auth, { getToken: async () => token });
    const outcome = await found.authenticate({}, view, never, reporter);
    expect(outcome.kind === 'ok' && outcome.value?.sub).toBe('u1');
    const nothing = createAuthenticator(auth, { optional: true, getToken: () => null });
    expect(await nothing.authenticate({}, view, never, reporter)).toEqual({ kind: 'ok', value: undefined });
  });
});
