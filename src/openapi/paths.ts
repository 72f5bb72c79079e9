/**
 * The path items of the token routes (`/login`, `/refresh`, `/logout`, `/token`) as they answer with the given options.
 * @packageDocumentation
 */

import type { AuthErrorCode } from '../errors.js';
import { refreshCookieName } from '../lib/http/cookies.js';
import { INTERNAL_ERROR_CODE } from '../lib/http/error-response.js';
import type { ResolvedOpenApiOptions } from './options.js';
import {
  BODY_CODES,
  type HeaderMap,
  JSON_MEDIA,
  noStoreHeaders,
  TOKEN_CHECK_CODES,
  tokenRouteErrorResponses,
} from './responses.js';
import { schemaRef } from './schemas.js';
import type {
  OpenApiOperation,
  OpenApiParameter,
  OpenApiPathItem,
  OpenApiRequestBody,
  OpenApiResponse,
} from './types.js';

const FORM_MEDIA = 'application/x-www-form-urlencoded';

/** The refresh cookie as the browser sees it: the name and `Path` the token routes set it with. */
interface DocumentedCookie {
  readonly name: string;
  readonly path: string;
}

/** The name and path from the cookie rules themselves (cookies.ts), so the document follows them. */
function documentedCookie(options: ResolvedOpenApiOptions): DocumentedCookie | undefined {
  const { cookie } = options;
  if (cookie === undefined) return undefined;
  return { name: refreshCookieName(cookie), path: cookie.path };
}

/** The path items of the token routes, keyed by their full path. */
export function buildPaths(options: ResolvedOpenApiOptions): { [path: string]: OpenApiPathItem } {
  const { prefix, oauth2, sessions, tag } = options;
  const bearer = options.schemeNames.bearer;
  const cookie = documentedCookie(options);

  // The refresh cookie is set on every token answer and cleared on logout and on a refresh that failed for good.
  const setCookie = (what: string): HeaderMap =>
    cookie === undefined
      ? {}
      : {
          'Set-Cookie': {
            description: `${what} \`${cookie.name}\` (HttpOnly, \`Path=${cookie.path}\`).`,
            schema: { type: 'string' },
          },
        };
  const cookieParameters = (): OpenApiParameter[] =>
    cookie === undefined
      ? []
      : [
          {
            name: cookie.name,
            in: 'cookie',
            required: false,
            description: 'The refresh token, set by the browser from the last token answer.',
            schema: { type: 'string' },
          },
        ];
  // Where the refresh cookie is in use, cross-site requests are refused (CSRF_REJECTED).
  const bodyCodes: readonly AuthErrorCode[] =
    cookie === undefined ? BODY_CODES : [...BODY_CODES, 'CSRF_REJECTED'];
  const refreshBody = (): { requestBody?: OpenApiRequestBody } =>
    cookie === undefined
      ? {
          requestBody: {
            required: true,
            content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardRefreshRequest') } },
          },
        }
      : {};
  const tokenAnswer = (description: string): OpenApiResponse => ({
    description,
    headers: { ...noStoreHeaders(), ...setCookie('Sets the refresh token in') },
    content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardTokenResponse') } },
  });
  // A throttled (429) or busy (503 LOGIN_BUSY) login says when to come back.
  const retryAfter = (status: 429 | 503): HeaderMap => ({
    'Retry-After': {
      description:
        status === 429
          ? 'Seconds to wait before trying again.'
          : 'Seconds to wait before trying again, on LOGIN_BUSY (a STORE_UNAVAILABLE answer has none).',
      schema: { type: 'string', pattern: '^[1-9][0-9]*$' },
      required: status === 429,
    },
  });
  const operation = (
    name: string,
    fields: Omit<OpenApiOperation, 'tags' | 'operationId'>,
  ): OpenApiOperation => ({ tags: [tag], operationId: `tokenward${name}`, ...fields });

  const paths: { [path: string]: OpenApiPathItem } = {
    [`${prefix}/login`]: {
      post: operation('Login', {
        summary: 'Log in with a user name and password',
        description:
          'Checks the password against the user `findUser` returns and starts a new refresh-token family.' +
          ' Wrong user and wrong password get the same answer, in the same time.' +
          ' Failed attempts are throttled per user name and per client address (429 TOO_MANY_ATTEMPTS,' +
          ' alike for known and unknown user names), and concurrent password checks are capped (503 LOGIN_BUSY).',
        requestBody: {
          required: true,
          content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardLoginRequest') } },
        },
        responses: {
          '200': tokenAnswer('The new access token (and refresh token).'),
          ...tokenRouteErrorResponses(
            [
              ...bodyCodes,
              'INVALID_CREDENTIALS',
              'TOO_MANY_ATTEMPTS',
              'LOGIN_BUSY',
              'CONFIG_INVALID',
              INTERNAL_ERROR_CODE,
            ],
            { '429': retryAfter(429), '503': retryAfter(503) },
          ),
        },
      }),
    },
    [`${prefix}/refresh`]: {
      post: operation('Refresh', {
        summary: 'Exchange the refresh token for a new pair',
        description:
          'Consumes the refresh token and answers a new pair of the same family (rotation). ' +
          'Presenting an already-used refresh token revokes the whole family.',
        parameters: cookieParameters(),
        ...refreshBody(),
        responses: {
          '200': tokenAnswer('The new access token (and refresh token).'),
          // A refresh token that failed for good has its cookie cleared, so the browser stops sending it.
          ...tokenRouteErrorResponses(
            [...bodyCodes, 'TOKEN_MISSING', ...TOKEN_CHECK_CODES, 'REFRESH_TOKEN_REUSED'],
            { '401': setCookie('Clears') },
          ),
        },
      }),
    },
    [`${prefix}/logout`]: {
      post: operation('Logout', {
        summary: 'Log out: revoke the refresh token (and the access token sent with it)',
        description:
          "Revokes the refresh token's family and, when an `Authorization: Bearer` access token comes along, that token. " +
          'Unknown or invalid tokens have nothing to revoke and still get 204.',
        parameters: cookieParameters(),
        ...refreshBody(),
        // The access token is optional here: the empty requirement says so.
        security: [{}, { [bearer]: [] }],
        responses: {
          '204': {
            description: 'Logged out.',
            headers: { ...noStoreHeaders(), ...setCookie('Clears') },
          },
          ...tokenRouteErrorResponses(bodyCodes),
        },
      }),
    },
  };
  if (sessions) {
    // Authenticated by the bearer access token (checked against revocations); the cookie routes' CSRF rules apply.
    const sessionCodes: readonly AuthErrorCode[] = [
      ...bodyCodes,
      'TOKEN_MISSING',
      ...TOKEN_CHECK_CODES,
      'TOKEN_REVOKED',
      'CONFIG_INVALID',
    ];
    const ended = (description: string, clears: boolean): OpenApiResponse => ({
      description,
      headers: {
        ...noStoreHeaders(),
        // Only when the session ended is the caller's own: that is a logout of this device.
        ...(clears && cookie !== undefined
          ? {
              'Set-Cookie': {
                description: `Clears \`${cookie.name}\` when the session ended is the caller's own.`,
                schema: { type: 'string' },
                required: false,
              },
            }
          : {}),
      },
    });
    paths[`${prefix}/sessions`] = {
      get: operation('ListSessions', {
        summary: "List the caller's sessions (devices)",
        description:
          "The caller's live sessions, newest first: when each started, was last refreshed and ends, and its label. " +
          'The session of the access token sent is marked `current: true`.',
        security: [{ [bearer]: [] }],
        responses: {
          '200': {
            description: 'The sessions.',
            headers: noStoreHeaders(),
            content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardSessionList') } },
          },
          ...tokenRouteErrorResponses(sessionCodes),
        },
      }),
      delete: operation('EndOtherSessions', {
        summary: "End every session but the caller's",
        description:
          'Ends every other session of the caller: their refresh tokens are refused, and their access tokens too where revocation is checked. The access token must name its session (`sid`).',
        security: [{ [bearer]: [] }],
        responses: {
          '204': ended('The other sessions are ended.', false),
          ...tokenRouteErrorResponses(sessionCodes),
        },
      }),
    };
    paths[`${prefix}/sessions/{id}`] = {
      delete: operation('EndSession', {
        summary: 'End one session (sign a device out)',
        description:
          'Ends the session with this id when it is one of the caller’s. An id that is not (another user’s, an ended one) ' +
          'changes nothing and gets the same 204.',
        security: [{ [bearer]: [] }],
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            description: 'The session id.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '204': ended('Ended, or nothing to end.', cookie !== undefined),
          ...tokenRouteErrorResponses(sessionCodes),
        },
      }),
    };
  }
  if (oauth2) {
    paths[`${prefix}/token`] = {
      post: operation('Token', {
        summary: 'OAuth2 token endpoint (password and refresh_token grants)',
        description:
          'RFC 6749 4.3 and 6: a form-encoded `grant_type=password` with `username` and `password`, ' +
          'or `grant_type=refresh_token`. Client credentials and `scope` are ignored.',
        parameters: cookieParameters(),
        requestBody: {
          required: true,
          content: { [FORM_MEDIA]: { schema: schemaRef('TokenwardOAuth2TokenRequest') } },
        },
        responses: {
          '200': {
            description: 'The RFC 6749 5.1 answer.',
            headers: { ...noStoreHeaders(), ...setCookie('Sets the refresh token in') },
            content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardOAuth2TokenResponse') } },
          },
          '400': {
            description:
              'The RFC 6749 5.2 answer: `invalid_request` for a malformed request (or one refused as plain HTTP or ' +
              'cross-site), `invalid_grant` for wrong credentials or a refresh token that is not valid, ' +
              '`unsupported_grant_type` for any other grant.',
            headers: noStoreHeaders(),
            content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardOAuth2Error') } },
          },
          '429': {
            description:
              'A throttled password grant: the RFC 6749 5.2 body with `temporarily_unavailable`, ' +
              'alike for known and unknown user names.',
            headers: { ...noStoreHeaders(), ...retryAfter(429) },
            content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardOAuth2Error') } },
          },
          // Server failures keep the common error body.
          ...tokenRouteErrorResponses(
            ['CONFIG_INVALID', INTERNAL_ERROR_CODE, 'STORE_UNAVAILABLE', 'JWKS_UNAVAILABLE', 'LOGIN_BUSY'],
            { '503': retryAfter(503) },
          ),
        },
      }),
    };
  }
  return paths;
}
