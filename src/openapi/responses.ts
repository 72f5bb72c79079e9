/**
 * The error responses: those of the token routes, and those of the
 * application's operations protected by `authenticate`, as components and as
 * Fastify route schemas.
 * @packageDocumentation
 */

import { AUTH_ERROR_CODES, type AuthErrorCode } from '../errors.js';
import { INTERNAL_ERROR_CODE, isChallenged } from '../lib/http/error-response.js';
import { type AnswerCode, errorBodySchema, schemaRef, statusOf } from './schemas.js';
import type { JsonSchema, OpenApiHeader, OpenApiReference, OpenApiResponse } from './types.js';

/** The responses tokenward adds to `components.responses`, for the application's protected operations. */
export interface TokenwardResponses {
  /** 400: a malformed `Authorization` header, or several credentials at once. */
  TokenwardBadRequest: OpenApiResponse;
  /** 401: no access token, or one that is not valid. */
  TokenwardUnauthorized: OpenApiResponse;
  /** 403: a role the token lacks, or a cookie-carried request from a foreign origin. */
  TokenwardForbidden: OpenApiResponse;
  /** 503: the token store (or a remote JWKS) could not be reached. */
  TokenwardUnavailable: OpenApiResponse;
}

export const JSON_MEDIA = 'application/json';

// The codes each route can answer with, from the steps in src/lib/http: statuses come from the error table.
/** What reading a token route's request can fail with. */
export const BODY_CODES: readonly AuthErrorCode[] = [
  'REQUEST_INVALID',
  'HTTPS_REQUIRED',
  'STORE_UNAVAILABLE',
];
/** What checking a presented token can fail with. */
export const TOKEN_CHECK_CODES: readonly AuthErrorCode[] = [
  'TOKEN_MALFORMED',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'CLAIM_INVALID',
  'TOKEN_TYPE_MISMATCH',
  'TOKEN_REVOKED',
  'JWKS_UNAVAILABLE',
];
/** What `authenticate` and `requireRole` can answer on a protected operation. */
const PROTECTED_CODES: readonly AuthErrorCode[] = [
  'TOKEN_MISSING',
  'REQUEST_INVALID',
  ...TOKEN_CHECK_CODES,
  'FORBIDDEN',
  'CSRF_REJECTED',
  'STORE_UNAVAILABLE',
];

/** The component name of each protected-operation response, by status. */
const PROTECTED_RESPONSE_NAMES: { readonly [status: string]: keyof TokenwardResponses } = {
  '400': 'TokenwardBadRequest',
  '401': 'TokenwardUnauthorized',
  '403': 'TokenwardForbidden',
  '503': 'TokenwardUnavailable',
};

/** A header map of a response; built fresh for every response, so no two parts of a document share an object. */
export type HeaderMap = { [name: string]: OpenApiHeader };

function challengeHeader(): HeaderMap {
  return {
    'WWW-Authenticate': {
      description:
        'The RFC 6750 challenge: `Bearer realm="..."`, with `error` and `error_description` unless no credentials were sent.',
      schema: { type: 'string' },
    },
  };
}

/** `Cache-Control: no-store` and `Pragma: no-cache`, which every token-route answer carries. */
export function noStoreHeaders(): HeaderMap {
  return {
    'Cache-Control': {
      description: 'Always `no-store`: no cache keeps a token.',
      schema: { type: 'string', const: 'no-store' },
    },
    Pragma: {
      description: 'Always `no-cache`, for HTTP/1.0 caches.',
      schema: { type: 'string', const: 'no-cache' },
    },
  };
}

/** The answers of one status among a set of codes. */
interface StatusGroup {
  readonly status: number;
  readonly codes: readonly AnswerCode[];
  /** Whether the adapters send `WWW-Authenticate` with these answers. */
  readonly challenged: boolean;
}

/** The codes grouped by status, in ascending status order. */
function groupByStatus(codes: readonly AnswerCode[]): StatusGroup[] {
  const byStatus = new Map<number, AnswerCode[]>();
  for (const code of new Set(codes)) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return [...byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, group]) => ({
      status,
      codes: group,
      // The rule the adapters apply (error-response.ts); the generic 500 is never challenged.
      challenged: group.some(
        (code) => code !== INTERNAL_ERROR_CODE && isChallenged(status, AUTH_ERROR_CODES[code].bearerError),
      ),
    }));
}

function describeCodes(codes: readonly AnswerCode[]): string {
  return `${codes.map((code) => `\`${code}\``).join(', ')}.`;
}

/**
 * The error responses for a set of codes, one per status: the common error
 * body narrowed to the codes of that status, the challenge header for the
 * statuses that carry one, `commonHeaders` on each, and `extraHeaders` by status.
 */
export function errorResponses(
  codes: readonly AnswerCode[],
  extraHeaders: { [status: string]: HeaderMap } = {},
  commonHeaders: () => HeaderMap = () => ({}),
): { [status: string]: OpenApiResponse } {
  const responses: { [status: string]: OpenApiResponse } = {};
  for (const { status, codes: group, challenged } of groupByStatus(codes)) {
    responses[String(status)] = {
      description: describeCodes(group),
      headers: {
        ...(challenged ? challengeHeader() : {}),
        ...commonHeaders(),
        ...extraHeaders[String(status)],
      },
      content: {
        [JSON_MEDIA]: {
          schema: {
            allOf: [
              schemaRef('TokenwardError'),
              { properties: { error: { properties: { code: { enum: [...group] } } } } },
            ],
          },
        },
      },
    };
  }
  return responses;
}

/** The error responses of a token route: every answer there is `no-store`, failures too. */
export function tokenRouteErrorResponses(
  codes: readonly AnswerCode[],
  extraHeaders: { [status: string]: HeaderMap } = {},
): { [status: string]: OpenApiResponse } {
  return errorResponses(codes, extraHeaders, noStoreHeaders);
}

/** The `components.responses` entries of the protected-operation errors. */
export function buildResponses(): TokenwardResponses & { [name: string]: OpenApiResponse } {
  const responses = errorResponses(PROTECTED_CODES);
  const built: { [name: string]: OpenApiResponse } = {};
  for (const [status, name] of Object.entries(PROTECTED_RESPONSE_NAMES)) {
    const response = responses[status];
    // Every status named above comes from PROTECTED_CODES: a missing one is a bug in this file.
    if (response === undefined) throw new Error(`tokenward/openapi: no ${status} response was built`);
    built[name] = response;
  }
  return built as TokenwardResponses & { [name: string]: OpenApiResponse };
}

/**
 * A response as a Fastify route declares it in `schema.response`, which
 * `@fastify/swagger` turns into an OpenAPI response and Fastify compiles into a
 * serializer: self-contained (no `$ref`, which neither would resolve), with
 * each header given as its JSON Schema.
 */
export interface FastifyResponseSchema {
  /** What the response means. */
  description: string;
  /** The response headers worth knowing, each as its schema (with its description inside). */
  headers?: { [name: string]: JsonSchema };
  /** The body, by media type. */
  content: {
    [mediaType: string]: {
      /** The body's schema, inlined. */
      schema: JsonSchema;
    };
  };
}

/** Options of {@link tokenwardErrorResponses}. */
export interface TokenwardErrorResponsesOptions {
  /**
   * `'reference'` (the default): `$ref`s to the responses {@link tokenwardOpenApi}
   * puts in `components.responses`, for a document the application builds
   * itself (`mergeTokenwardOpenApi`, swagger-ui-express).
   *
   * `'fastify-schema'`: self-contained responses for a Fastify route's
   * `schema.response`, which `@fastify/swagger` documents. Fastify also
   * serializes answers of those statuses with them, so the route's own 400,
   * 401, 403 and 503 answers must have tokenward's error body (those of
   * `authenticate` and `requireRole` are sent as they are).
   */
  form?: 'reference' | 'fastify-schema';
}

/**
 * The error responses of an operation protected by `authenticate` (and
 * `requireRole`), by status: 400, 401, 403 and 503. By default references to
 * the responses {@link tokenwardOpenApi} puts in `components.responses`; with
 * `{ form: 'fastify-schema' }` the responses themselves, for a Fastify route's
 * `schema.response`.
 * @example
 * ```ts
 * // A document you build (Express):
 * const operation = {
 *   security: tokenwardSecurity(),
 *   responses: { '200': { description: 'The claims.' }, ...tokenwardErrorResponses() },
 * };
 * // A Fastify route documented by @fastify/swagger:
 * app.get('/me', {
 *   onRequest: [app.authenticate],
 *   schema: {
 *     security: tokenwardSecurity(),
 *     response: { 200: meSchema, ...tokenwardErrorResponses({ form: 'fastify-schema' }) },
 *   },
 * }, handler);
 * ```
 */
export function tokenwardErrorResponses(options?: { form?: 'reference' }): {
  [status: string]: OpenApiReference;
};
export function tokenwardErrorResponses(options: { form: 'fastify-schema' }): {
  [status: string]: FastifyResponseSchema;
};
export function tokenwardErrorResponses(
  options?: TokenwardErrorResponsesOptions,
): { [status: string]: OpenApiReference } | { [status: string]: FastifyResponseSchema };
export function tokenwardErrorResponses(
  options: TokenwardErrorResponsesOptions = {},
): { [status: string]: OpenApiReference } | { [status: string]: FastifyResponseSchema } {
  if (options.form === 'fastify-schema') return fastifyErrorResponses();
  const references: { [status: string]: OpenApiReference } = {};
  for (const [status, name] of Object.entries(PROTECTED_RESPONSE_NAMES)) {
    references[status] = { $ref: `#/components/responses/${name}` };
  }
  return references;
}

/** The protected-operation responses in the shape of a Fastify route's `schema.response`. */
function fastifyErrorResponses(): { [status: string]: FastifyResponseSchema } {
  const responses: { [status: string]: FastifyResponseSchema } = {};
  for (const { status, codes, challenged } of groupByStatus(PROTECTED_CODES)) {
    // The same description and headers as the components; the body inlined instead of referenced.
    const headers: { [name: string]: JsonSchema } = {};
    for (const [name, header] of Object.entries(challenged ? challengeHeader() : {})) {
      headers[name] = { ...header.schema, description: header.description };
    }
    responses[String(status)] = {
      description: describeCodes(codes),
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      content: { [JSON_MEDIA]: { schema: errorBodySchema(codes) } },
    };
  }
  return responses;
}
