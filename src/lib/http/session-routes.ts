/**
 * The session routes (`GET /sessions`, `DELETE /sessions/:id`, `DELETE /sessions`) and the
 * login's session label, as framework-free steps the token routes mount.
 * @packageDocumentation
 */

import type { Auth } from '../../create-auth.js';
import { AuthError } from '../../errors.js';
import { sessionLabel } from '../../tokens/issue.js';
import { bearerFromHeader } from './bearer.js';
import { jsonAnswer } from './error-response.js';
import type { HttpAnswer, HttpRequestView } from './types.js';

/** Options of `tokenRoutes` for sessions, shared by the adapters. */
export interface SessionRoutesOptions {
  /**
   * `true` to add the device page's routes, each authenticated by the caller's bearer
   * access token (`Authorization: Bearer`, checked against revocations whatever
   * `checkRevocation` says): `GET /sessions` (the caller's live sessions, newest first,
   * the one its `sid` names marked `current: true`), `DELETE /sessions/:id` (ends that
   * session; 204 also for an id that is not the caller's, which changes nothing) and
   * `DELETE /sessions` (ends all but the caller's own; 204). Same HTTPS and CSRF rules
   * as the other routes. The store must list sessions (`listSessions`). Default `false`:
   * an app opts in to new routes.
   */
  sessions?: boolean;
  /**
   * The label a login gives its session, shown on the device page: `(request) => label`
   * (1 to 100 characters, never a secret), or `false` for none. Default: a short form of
   * the `User-Agent` header, such as `Firefox on Linux`.
   */
  sessionLabel?:
    | false
    | ((request: {
        /** The value of a request header (lower-case name), or `undefined` when there is none. */
        header(name: string): string | undefined;
      }) => string | undefined | Promise<string | undefined>);
}

/** The session routes, by what they do. */
export type SessionRoute = 'sessions' | 'end-session' | 'end-other-sessions';

/** One route a `tokenRoutes` serves: its name, method and path under the mount path (`:id` a parameter). */
export interface TokenRouteEndpoint<Route extends string = string> {
  /** The route's name. */
  readonly route: Route;
  /** Its HTTP method. */
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Its path under the mount path; `:id` stands for a session id. */
  readonly path: string;
}

/** The session routes' endpoints. */
export const SESSION_ENDPOINTS: readonly TokenRouteEndpoint<SessionRoute>[] = [
  { route: 'sessions', method: 'GET', path: '/sessions' },
  { route: 'end-other-sessions', method: 'DELETE', path: '/sessions' },
  { route: 'end-session', method: 'DELETE', path: '/sessions/:id' },
];

const SESSIONS_PATH = '/sessions';

/** The session route a request is, if any: `path` is the request's path under the mount path. */
export function sessionRouteOf(method: string | undefined, path: string): SessionRoute | undefined {
  if (path === SESSIONS_PATH) {
    if (method === 'GET') return 'sessions';
    if (method === 'DELETE') return 'end-other-sessions';
    return undefined;
  }
  if (method !== 'DELETE' || !path.startsWith(`${SESSIONS_PATH}/`)) return undefined;
  const id = path.slice(SESSIONS_PATH.length + 1);
  return id !== '' && !id.includes('/') ? 'end-session' : undefined;
}

/** The `:id` of `DELETE /sessions/:id`, percent-decoded; `undefined` when it cannot be decoded (it names nothing). */
function sessionIdOf(path: string | undefined): string | undefined {
  if (path === undefined || !path.startsWith(`${SESSIONS_PATH}/`)) return undefined;
  try {
    return decodeURIComponent(path.slice(SESSIONS_PATH.length + 1));
  } catch {
    return undefined;
  }
}

// Checked in order: the first browser token found names the browser (Edge and Opera also say Chrome).
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:Chrome|CriOS|HeadlessChrome)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];
const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\bAndroid\b/, 'Android'],
  [/\b(?:iPhone|iPod)\b/, 'iOS'],
  [/\biPad\b/, 'iPadOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * A short, readable form of a `User-Agent` (`Firefox on Linux`, `Safari on iOS`, or
 * a client's own product name such as `curl`), or `undefined` without one. Only
 * printable ASCII is kept, at most 100 characters.
 */
export function shortUserAgent(userAgent: string | undefined): string | undefined {
  if (typeof userAgent !== 'string') return undefined;
  const text = userAgent.replace(/[^\x20-\x7e]/g, '').slice(0, 512);
  const browser =
    BROWSERS.find(([pattern]) => pattern.test(text))?.[1] ??
    // Not a browser: the first product token (`curl/8.5.0` -> `curl`).
    /^[A-Za-z][\w.-]{0,39}/.exec(text)?.[0];
  if (browser === undefined) return undefined;
  const system = SYSTEMS.find(([pattern]) => pattern.test(text))?.[1];
  return system === undefined ? browser : `${browser} on ${system}`;
}

function defaultLabel(request: HttpRequestView): string | undefined {
  return shortUserAgent(request.header('user-agent'));
}

/**
 * Checks the `sessionLabel` option and makes the label step of a login: the label for a
 * request, `undefined` for none.
 * @throws AuthError CONFIG_INVALID for an option that is neither `false` nor a function.
 */
export function resolveSessionLabel(
  option: SessionRoutesOptions['sessionLabel'],
): (request: HttpRequestView) => Promise<string | undefined> {
  if (option === false) return async () => undefined;
  if (option === undefined) {
    // A user agent that does not make a valid label (all of it looking like a token) is no label.
    return async (request) => {
      try {
        return sessionLabel(defaultLabel(request));
      } catch {
        return undefined;
      }
    };
  }
  if (typeof option !== 'function')
    throw new AuthError('CONFIG_INVALID', 'sessionLabel must be a function (request) => label, or false');
  return async (request) => {
    const label = await option(request);
    try {
      return sessionLabel(label ?? undefined);
    } catch (error) {
      // The app's function answered what a label may not be: its bug, a 500, never the client's 401.
      throw new Error(`sessionLabel answered an invalid label: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
}

/** What the session steps need from the token routes around them. */
export interface SessionStepContext {
  /** The headers every answer carries (no caching). */
  readonly noStore: Record<string, string>;
  /** The headers that clear the refresh cookie, or none when cookies are off. */
  clearCookie(): Record<string, string>;
}

/** The session routes' steps, bound to an `Auth` instance. */
export type SessionSteps = Record<
  SessionRoute,
  (request: HttpRequestView, path: string | undefined) => Promise<HttpAnswer>
>;

/** Binds the session steps to `auth`; each answers, or throws an AuthError the token routes answer. */
export function createSessionSteps<Claims extends object, Role extends string>(
  auth: Auth<Claims, Role>,
  context: SessionStepContext,
): SessionSteps {
  /** The caller, by the bearer access token of the header, checked against revocations (an ended session is refused). */
  async function caller(request: HttpRequestView): Promise<{ sub: string; sid: string | undefined }> {
    // The header only: the refresh cookie travels on its own and proves less.
    const token = bearerFromHeader(request);
    if (token === undefined) throw new AuthError('TOKEN_MISSING', 'no access token was sent');
    const claims = await auth.verifyToken(token, { checkRevocation: true });
    return { sub: claims.sub, sid: typeof claims.sid === 'string' ? claims.sid : undefined };
  }

  const noContent = (headers: Record<string, string> = {}): HttpAnswer => ({
    status: 204,
    headers: { ...context.noStore, ...headers },
    body: undefined,
  });

  return {
    async sessions(request) {
      const { sub, sid } = await caller(request);
      const sessions = (await auth.listSessions(sub)).map((session) => ({
        ...session,
        current: session.id === sid,
      }));
      return jsonAnswer(200, { sessions }, context.noStore);
    },

    async 'end-session'(request, path) {
      const { sub, sid } = await caller(request);
      const id = sessionIdOf(path);
      // An id that cannot be decoded names no session: nothing to end, the same answer.
      if (id === undefined || id === '') return noContent();
      await auth.revokeSession(sub, id);
      // Ending one's own session is a logout of this device: the cookie goes too.
      return noContent(id === sid ? context.clearCookie() : {});
    },

    async 'end-other-sessions'(request) {
      const { sub, sid } = await caller(request);
      if (sid === undefined) {
        throw new AuthError(
          'REQUEST_INVALID',
          'the access token belongs to no session (no sid): log in to end the other sessions',
        );
      }
      await auth.revokeOtherSessions(sub, sid);
      return noContent();
    },
  };
}
