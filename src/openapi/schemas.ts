/**
 * The JSON Schemas of the token routes' bodies and of the error body, for `components.schemas`.
 * @packageDocumentation
 */

import { AUTH_ERROR_CODES, type AuthErrorCode } from '../errors.js';
import { INTERNAL_ERROR_CODE } from '../lib/http/error-response.js';
import { OAUTH2_TOKEN_ERROR_CODES } from '../lib/http/oauth2.js';
import type { JsonSchema, OpenApiReference } from './types.js';

/** The schemas tokenward adds to `components.schemas`. */
export interface TokenwardSchemas {
  /** The answer of `/login` and `/refresh`. */
  TokenwardTokenResponse: JsonSchema;
  /** The error body of every tokenward answer: `{ error: { code, message } }`. */
  TokenwardError: JsonSchema;
  /** The `/login` body. */
  TokenwardLoginRequest: JsonSchema;
  /** The `/refresh` and `/logout` body when the refresh cookie is off. */
  TokenwardRefreshRequest: JsonSchema;
  /** The `/token` form body (RFC 6749 4.3.2 and 6). */
  TokenwardOAuth2TokenRequest: JsonSchema;
  /** The `/token` answer (RFC 6749 5.1). */
  TokenwardOAuth2TokenResponse: JsonSchema;
  /** The `/token` error body (RFC 6749 5.2). */
  TokenwardOAuth2Error: JsonSchema;
  /** The `GET /sessions` answer: the caller's live sessions, newest first. */
  TokenwardSessionList: JsonSchema;
}

/** A code an answer of the token routes or of `authenticate` can carry: an `AuthError` code, or the generic 500's. */
export type AnswerCode = AuthErrorCode | typeof INTERNAL_ERROR_CODE;

/** The reference to one of tokenward's schemas. */
export function schemaRef(name: keyof TokenwardSchemas): OpenApiReference {
  return { $ref: `#/components/schemas/${name}` };
}

/** The HTTP status of an answer code: the error table's, and 500 for the generic answer to an unexpected failure. */
export function statusOf(code: AnswerCode): number {
  return code === INTERNAL_ERROR_CODE ? 500 : AUTH_ERROR_CODES[code].status;
}

/** Every code an error body can carry, in the error table's order, then the generic 500's. */
function allAnswerCodes(): AnswerCode[] {
  return [...(Object.keys(AUTH_ERROR_CODES) as AuthErrorCode[]), INTERNAL_ERROR_CODE];
}

/** The error body `{ error: { code, message } }` whose code is one of `codes`. */
export function errorBodySchema(codes: readonly AnswerCode[]): JsonSchema {
  return {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: {
            type: 'string',
            enum: [...codes],
            description: 'A stable tokenward error code (see the error table of the docs).',
          },
          message: {
            type: 'string',
            description: 'A human-readable explanation; never contains a token or a password.',
          },
        },
      },
    },
  };
}

/** The schemas, with the length limits `tokenRoutes` was given. */
export function buildSchemas(
  maxUsername: number | undefined,
  maxPassword: number | undefined,
): TokenwardSchemas & { [name: string]: JsonSchema } {
  const username: JsonSchema = {
    type: 'string',
    minLength: 1,
    ...(maxUsername === undefined ? {} : { maxLength: maxUsername }),
    description: 'The login name `findUser` receives.',
  };
  const password: JsonSchema = {
    type: 'string',
    minLength: 1,
    ...(maxPassword === undefined ? {} : { maxLength: maxPassword }),
    format: 'password',
    writeOnly: true,
    description: 'The password, checked against the bcrypt hash of the user.',
  };
  const expiresIn = (): JsonSchema => ({
    type: 'integer',
    minimum: 0,
    description: 'Seconds until the access token expires.',
  });
  return {
    TokenwardTokenResponse: {
      type: 'object',
      required: ['accessToken', 'tokenType', 'expiresIn'],
      properties: {
        accessToken: {
          type: 'string',
          description: 'The access token: a JWT to send as `Authorization: Bearer`.',
        },
        tokenType: { type: 'string', const: 'Bearer' },
        expiresIn: expiresIn(),
        refreshToken: {
          type: 'string',
          description: 'The refresh token: only when the refresh cookie is off (`cookie: false`).',
        },
      },
    },
    TokenwardError: errorBodySchema(allAnswerCodes()),
    TokenwardLoginRequest: {
      type: 'object',
      required: ['username', 'password'],
      properties: { username: { ...username }, password: { ...password } },
    },
    TokenwardRefreshRequest: {
      type: 'object',
      properties: {
        refreshToken: {
          type: 'string',
          description: 'The refresh token that the last token answer carried.',
        },
      },
    },
    TokenwardOAuth2TokenRequest: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: { type: 'string', enum: ['password', 'refresh_token'] },
        username: { ...username, description: 'With `grant_type=password`: the login name.' },
        password: { ...password, description: 'With `grant_type=password`: the password.' },
        refresh_token: {
          type: 'string',
          description:
            'With `grant_type=refresh_token` when the refresh cookie is off; else the cookie is used.',
        },
        scope: {
          type: 'string',
          description:
            'With `grant_type=password`: the requested scopes, space-separated (RFC 6749 3.3); granted within `grantScopes`.',
        },
      },
    },
    TokenwardOAuth2TokenResponse: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in'],
      properties: {
        access_token: { type: 'string', description: 'The access token (a JWT).' },
        token_type: { type: 'string', const: 'Bearer' },
        expires_in: expiresIn(),
        refresh_token: {
          type: 'string',
          description: 'The refresh token: only when the refresh cookie is off.',
        },
        scope: {
          type: 'string',
          description: 'The granted scopes, space-separated: only when some are granted.',
        },
      },
    },
    TokenwardOAuth2Error: {
      type: 'object',
      required: ['error'],
      properties: {
        error: { type: 'string', enum: [...OAUTH2_TOKEN_ERROR_CODES] },
        error_description: { type: 'string', description: 'A human-readable explanation.' },
      },
    },
    TokenwardSessionList: {
      type: 'object',
      required: ['sessions'],
      properties: {
        sessions: {
          type: 'array',
          description: "The caller's live sessions (one per login), newest first.",
          items: {
            type: 'object',
            required: ['id', 'createdAt', 'lastUsedAt', 'expiresAt', 'absoluteExpiresAt', 'current'],
            properties: {
              id: { type: 'string', description: 'The session id: the `sid` claim of its access tokens.' },
              createdAt: {
                type: 'integer',
                description: 'When it started (the login), in ms since the epoch.',
              },
              lastUsedAt: {
                type: 'integer',
                description: 'When it was last refreshed, in ms since the epoch.',
              },
              expiresAt: {
                type: 'integer',
                description: 'When it ends unless refreshed, in ms since the epoch.',
              },
              absoluteExpiresAt: {
                // No `type`: an integer or null, which the schema types of @fastify/swagger cannot spell.
                description:
                  'When it ends whatever happens (an integer, ms since the epoch), or null when unbounded.',
              },
              label: {
                type: 'string',
                maxLength: 100,
                description: 'What the login named it: a short user agent or a client name.',
              },
              current: { type: 'boolean', description: 'true on the session of the access token sent.' },
            },
          },
        },
      },
    },
  };
}
