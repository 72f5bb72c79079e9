/**
 * `tokenward/openapi`: the OpenAPI 3.1 description of tokenward's token routes
 * and security schemes, as plain data to merge into an application's document
 * (for `@fastify/swagger`, `swagger-ui-express`, or any other OpenAPI tool).
 *
 * Framework-free: it imports no framework and touches no request.
 * @packageDocumentation
 */

import { AUTH_ERROR_CODES, AuthError, type AuthErrorCode } from '../errors.js';
import { type RefreshCookieOptions, refreshCookieName, resolveRefreshCookie } from '../lib/http/cookies.js';
import { INTERNAL_ERROR_CODE } from '../lib/http/error-response.js';
import type {
  HttpBearerSecurityScheme,
  JsonSchema,
  OAuth2PasswordSecurityScheme,
  OpenApiHeader,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiPathItem,
  OpenApiReference,
  OpenApiRequestBody,
  OpenApiResponse,
  OpenApiTag,
  SecurityRequirement,
  TokenwardSecurityScheme,
} from './types.js';

export type {
  HttpBearerSecurityScheme,
  JsonSchema,
  JsonSchemaType,
  OAuth2PasswordSecurityScheme,
  OpenApiHeader,
  OpenApiMediaType,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiPathItem,
  OpenApiReference,
  OpenApiRequestBody,
  OpenApiResponse,
  OpenApiTag,
  SecurityRequirement,
  TokenwardSecurityScheme,
} from './types.js';

/** The names of the security schemes in `components.securitySchemes`. */
export interface TokenwardSchemeNames {
  /** The HTTP bearer (JWT) scheme. Default `bearerAuth`. */
  bearer?: string;
  /** The OAuth2 password-flow scheme. Default `oauth2Password`. */
  oauth2?: string;
}

/**
 * What to document: pass the options given to `tokenRoutes` (`cookie`,
 * `oauth2`, the length limits) and where the routes are mounted, so that the
 * document says what those routes do.
 */
export interface TokenwardOpenApiOptions {
  /** Where the token routes are mounted (`app.use('/auth', ...)`, Fastify's `prefix`). Default `/auth`. */
  prefix?: string;
  /**
   * The `cookie` option of `tokenRoutes`: the refresh token travels in that
   * cookie, or, with `false`, in the JSON body as `refreshToken`. Default: the cookie.
   */
  cookie?: false | RefreshCookieOptions;
  /**
   * The `oauth2` option of `tokenRoutes`: `true` documents `POST {prefix}/token`
   * (RFC 6749 password and refresh grants) and the OAuth2 password-flow
   * security scheme that Swagger UI's "Authorize" dialog logs in with. Default `false`.
   */
  oauth2?: boolean;
  /**
   * The OAuth2 flow's `tokenUrl` (and `refreshUrl`). Default `{prefix}/token`,
   * resolved against the document's `servers`; give an absolute URL when they
   * do not point at the application.
   */
  tokenUrl?: string;
  /** The `maxUsernameLength` option of `tokenRoutes`, documented as the user name's `maxLength`. */
  maxUsernameLength?: number;
  /** The `maxPasswordLength` option of `tokenRoutes`, documented as the password's `maxLength`. */
  maxPasswordLength?: number;
  /** The names of the security schemes. */
  schemeNames?: TokenwardSchemeNames;
  /** The tag of the token-route operations. Default `Authentication`. */
  tag?: string;
}

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
}

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

/** What {@link tokenwardOpenApi} returns: the parts of an OpenAPI 3.1 document to merge into the application's. */
export interface TokenwardOpenApi {
  /** The components. */
  components: {
    /** The bearer JWT scheme, and the OAuth2 password flow when `oauth2` is on. */
    securitySchemes: { [name: string]: TokenwardSecurityScheme };
    // The index signatures let these stand where OpenAPI typings expect records (e.g. @fastify/swagger's options).
    /** The request and response bodies. */
    schemas: TokenwardSchemas & { [name: string]: JsonSchema };
    /** The error responses of protected operations (see {@link tokenwardErrorResponses}). */
    responses: TokenwardResponses & { [name: string]: OpenApiResponse };
  };
  /** `POST {prefix}/login`, `/refresh`, `/logout`, and `/token` when `oauth2` is on. */
  paths: { [path: string]: OpenApiPathItem };
  /** The tag of the token-route operations. */
  tags: OpenApiTag[];
}

const DEFAULT_PREFIX = '/auth';
const DEFAULT_BEARER_SCHEME = 'bearerAuth';
const DEFAULT_OAUTH2_SCHEME = 'oauth2Password';
const DEFAULT_TAG = 'Authentication';
const JSON_MEDIA = 'application/json';
const FORM_MEDIA = 'application/x-www-form-urlencoded';

/** A code an answer of the token routes or of `authenticate` can carry: an `AuthError` code, or the generic 500's. */
type AnswerCode = AuthErrorCode | typeof INTERNAL_ERROR_CODE;

function schemaRef(name: keyof TokenwardSchemas): OpenApiReference {
  return { $ref: `#/components/schemas/${name}` };
}

function responseRef(name: keyof TokenwardResponses): OpenApiReference {
  return { $ref: `#/components/responses/${name}` };
}

/** The HTTP status of an answer code: the error table's, and 500 for the generic answer to an unexpected failure. */
function statusOf(code: AnswerCode): number {
  return code === INTERNAL_ERROR_CODE ? 500 : AUTH_ERROR_CODES[code].status;
}

/** Every code an error body can carry, in the error table's order, then the generic 500's. */
function allAnswerCodes(): AnswerCode[] {
  return [...(Object.keys(AUTH_ERROR_CODES) as AuthErrorCode[]), INTERNAL_ERROR_CODE];
}

// The codes each route can answer with, from the steps in src/lib/http: statuses come from the error table.
const BODY_CODES: readonly AuthErrorCode[] = ['REQUEST_INVALID', 'HTTPS_REQUIRED', 'STORE_UNAVAILABLE'];
const TOKEN_CHECK_CODES: readonly AuthErrorCode[] = [
  'TOKEN_MALFORMED',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'CLAIM_INVALID',
  'TOKEN_TYPE_MISMATCH',
  'TOKEN_REVOKED',
  'JWKS_UNAVAILABLE',
];
const PROTECTED_CODES: readonly AuthErrorCode[] = [
  'TOKEN_MISSING',
  'REQUEST_INVALID',
  ...TOKEN_CHECK_CODES,
  'FORBIDDEN',
  'CSRF_REJECTED',
  'STORE_UNAVAILABLE',
];

const CHALLENGE_HEADER: OpenApiHeader = {
  description:
    'The RFC 6750 challenge: `Bearer realm="..."`, with `error` and `error_description` unless no credentials were sent.',
  schema: { type: 'string' },
};

const NO_STORE_HEADERS: { [name: string]: OpenApiHeader } = {
  'Cache-Control': {
    description: 'Always `no-store`: no cache keeps a token.',
    schema: { type: 'string', const: 'no-store' },
  },
  Pragma: {
    description: 'Always `no-cache`, for HTTP/1.0 caches.',
    schema: { type: 'string', const: 'no-cache' },
  },
};

function errorBodySchema(codes: readonly AnswerCode[]): JsonSchema {
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

/** The error responses of a token route: every answer there is `no-store`, failures too. */
function tokenRouteErrorResponses(
  codes: readonly AnswerCode[],
  extraHeaders: { [status: string]: { [name: string]: OpenApiHeader } } = {},
): { [status: string]: OpenApiResponse } {
  return errorResponses(codes, extraHeaders, NO_STORE_HEADERS);
}

/**
 * The error responses for a set of codes, one per status: the common error
 * body narrowed to the codes of that status, the challenge header for the
 * statuses that carry one, `commonHeaders` on each, and `extraHeaders` by status.
 */
function errorResponses(
  codes: readonly AnswerCode[],
  extraHeaders: { [status: string]: { [name: string]: OpenApiHeader } } = {},
  commonHeaders: { [name: string]: OpenApiHeader } = {},
): { [status: string]: OpenApiResponse } {
  const byStatus = new Map<number, AnswerCode[]>();
  for (const code of new Set(codes)) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: { [status: string]: OpenApiResponse } = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    // The adapters challenge 401 and 403, and a 400 that has an RFC 6750 error value (error-response.ts).
    const challenged = group.some((code) => {
      if (code === INTERNAL_ERROR_CODE) return false;
      return status === 401 || status === 403 || AUTH_ERROR_CODES[code].bearerError !== undefined;
    });
    responses[String(status)] = {
      description: `${group.map((code) => `\`${code}\``).join(', ')}.`,
      headers: {
        ...(challenged ? { 'WWW-Authenticate': CHALLENGE_HEADER } : {}),
        ...commonHeaders,
        ...extraHeaders[String(status)],
      },
      content: {
        [JSON_MEDIA]: {
          schema: {
            allOf: [
              schemaRef('TokenwardError'),
              { properties: { error: { properties: { code: { enum: group } } } } },
            ],
          },
        },
      },
    };
  }
  return responses;
}

function buildSchemas(
  maxUsername: number | undefined,
  maxPassword: number | undefined,
): TokenwardOpenApi['components']['schemas'] {
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
  const expiresIn: JsonSchema = {
    type: 'integer',
    minimum: 0,
    description: 'Seconds until the access token expires.',
  };
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
        expiresIn,
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
      properties: { username, password },
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
      },
    },
    TokenwardOAuth2TokenResponse: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in'],
      properties: {
        access_token: { type: 'string', description: 'The access token (a JWT).' },
        token_type: { type: 'string', const: 'Bearer' },
        expires_in: expiresIn,
        refresh_token: {
          type: 'string',
          description: 'The refresh token: only when the refresh cookie is off.',
        },
      },
    },
    TokenwardOAuth2Error: {
      type: 'object',
      required: ['error'],
      properties: {
        error: { type: 'string', enum: ['invalid_request', 'invalid_grant', 'unsupported_grant_type'] },
        error_description: { type: 'string', description: 'A human-readable explanation.' },
      },
    },
  };
}

function buildResponses(): TokenwardOpenApi['components']['responses'] {
  const responses = errorResponses(PROTECTED_CODES);
  const pick = (status: string): OpenApiResponse => {
    const response = responses[status];
    // Every status below comes from PROTECTED_CODES: a missing one is a bug in this file.
    if (response === undefined) throw new Error(`tokenward/openapi: no ${status} response was built`);
    return response;
  };
  return {
    TokenwardBadRequest: pick('400'),
    TokenwardUnauthorized: pick('401'),
    TokenwardForbidden: pick('403'),
    TokenwardUnavailable: pick('503'),
  };
}

function normalizePrefix(prefix: string): string {
  if (!prefix.startsWith('/')) throw new AuthError('CONFIG_INVALID', 'prefix must start with /');
  return prefix.replace(/\/+$/, '');
}

/**
 * The OpenAPI 3.1 parts describing tokenward: the security schemes, the
 * schemas of the token routes' bodies, the error responses of protected
 * operations, and the path items of the token routes as they answer with the
 * given options.
 * @throws AuthError CONFIG_INVALID for a prefix without a leading `/` or cookie options `tokenRoutes` refuses.
 * @example
 * ```ts
 * import { mergeTokenwardOpenApi, tokenwardOpenApi } from 'tokenward/openapi';
 *
 * const routeOptions = { findUser, cookie: false as const, oauth2: true };
 * app.use('/auth', tokenRoutes(auth, routeOptions));
 * const document = mergeTokenwardOpenApi(
 *   { openapi: '3.1.0', info: { title: 'API', version: '1.0.0' }, paths: {} },
 *   tokenwardOpenApi({ prefix: '/auth', ...routeOptions }),
 * );
 * ```
 */
export function tokenwardOpenApi(options: TokenwardOpenApiOptions = {}): TokenwardOpenApi {
  const prefix = normalizePrefix(options.prefix ?? DEFAULT_PREFIX);
  const oauth2 = options.oauth2 === true;
  const { bearer, oauth2: oauth2Name } = schemeNamesOf(options);
  const tag = options.tag ?? DEFAULT_TAG;
  // Resolved like tokenRoutes resolves it, so the documented cookie name is the one the browser gets.
  const cookie = options.cookie === false ? undefined : resolveRefreshCookie(options.cookie ?? {}, false);
  const cookieName = cookie === undefined ? undefined : refreshCookieName(cookie);
  const tokenUrl = options.tokenUrl ?? `${prefix}/token`;

  const securitySchemes: { [name: string]: TokenwardSecurityScheme } = {};
  const bearerScheme: HttpBearerSecurityScheme = {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: `An access token from \`POST ${prefix}/login\`${oauth2 ? ` or \`${prefix}/token\`` : ''}.`,
  };
  securitySchemes[bearer] = bearerScheme;
  if (oauth2) {
    const oauth2Scheme: OAuth2PasswordSecurityScheme = {
      type: 'oauth2',
      description:
        'The OAuth2 password grant (RFC 6749 4.3) of the token endpoint; the client id is not checked.',
      flows: { password: { tokenUrl, refreshUrl: tokenUrl, scopes: {} } },
    };
    securitySchemes[oauth2Name] = oauth2Scheme;
  }

  // The refresh cookie is set on every token answer and cleared on logout and on a refresh that failed for good.
  const setCookie = (what: string): { [name: string]: OpenApiHeader } =>
    cookieName === undefined
      ? {}
      : {
          'Set-Cookie': { description: `${what} \`${cookieName}\` (HttpOnly).`, schema: { type: 'string' } },
        };
  const cookieParameter: OpenApiParameter[] =
    cookieName === undefined
      ? []
      : [
          {
            name: cookieName,
            in: 'cookie',
            required: false,
            description: 'The refresh token, set by the browser from the last token answer.',
            schema: { type: 'string' },
          },
        ];
  // Where the refresh cookie is in use, cross-site requests are refused (CSRF_REJECTED).
  const bodyCodes: readonly AuthErrorCode[] =
    cookieName === undefined ? BODY_CODES : [...BODY_CODES, 'CSRF_REJECTED'];
  const refreshBody: OpenApiRequestBody | undefined =
    cookieName === undefined
      ? {
          required: true,
          content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardRefreshRequest') } },
        }
      : undefined;
  const tokenAnswer = (description: string): OpenApiResponse => ({
    description,
    headers: { ...NO_STORE_HEADERS, ...setCookie('Sets the refresh token in') },
    content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardTokenResponse') } },
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
          ' Wrong user and wrong password get the same answer, in the same time.',
        requestBody: {
          required: true,
          content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardLoginRequest') } },
        },
        responses: {
          '200': tokenAnswer('The new access token (and refresh token).'),
          ...tokenRouteErrorResponses([
            ...bodyCodes,
            'INVALID_CREDENTIALS',
            'CONFIG_INVALID',
            INTERNAL_ERROR_CODE,
          ]),
        },
      }),
    },
    [`${prefix}/refresh`]: {
      post: operation('Refresh', {
        summary: 'Exchange the refresh token for a new pair',
        description:
          'Consumes the refresh token and answers a new pair of the same family (rotation). ' +
          'Presenting an already-used refresh token revokes the whole family.',
        parameters: cookieParameter,
        ...(refreshBody === undefined ? {} : { requestBody: refreshBody }),
        responses: {
          '200': tokenAnswer('The new access token (and refresh token).'),
          // A refresh token that failed for good has its cookie cleared, so the browser stops sending it.
          ...tokenRouteErrorResponses(
            [...bodyCodes, 'TOKEN_MISSING', ...TOKEN_CHECK_CODES, 'REFRESH_TOKEN_REUSED'],
            {
              '401': setCookie('Clears'),
            },
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
        parameters: cookieParameter,
        ...(refreshBody === undefined ? {} : { requestBody: refreshBody }),
        // The access token is optional here: the empty requirement says so.
        security: [{}, { [bearer]: [] }],
        responses: {
          '204': {
            description: 'Logged out.',
            headers: { ...NO_STORE_HEADERS, ...setCookie('Clears') },
          },
          ...tokenRouteErrorResponses(bodyCodes),
        },
      }),
    },
  };
  if (oauth2) {
    paths[`${prefix}/token`] = {
      post: operation('Token', {
        summary: 'OAuth2 token endpoint (password and refresh_token grants)',
        description:
          'RFC 6749 4.3 and 6: a form-encoded `grant_type=password` with `username` and `password`, ' +
          'or `grant_type=refresh_token`. Client credentials and `scope` are ignored.',
        parameters: cookieParameter,
        requestBody: {
          required: true,
          content: { [FORM_MEDIA]: { schema: schemaRef('TokenwardOAuth2TokenRequest') } },
        },
        responses: {
          '200': {
            description: 'The RFC 6749 5.1 answer.',
            headers: { ...NO_STORE_HEADERS, ...setCookie('Sets the refresh token in') },
            content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardOAuth2TokenResponse') } },
          },
          '400': {
            description:
              'The RFC 6749 5.2 answer: `invalid_request` for a malformed request (or one refused as plain HTTP or ' +
              'cross-site), `invalid_grant` for wrong credentials or a refresh token that is not valid, ' +
              '`unsupported_grant_type` for any other grant.',
            headers: NO_STORE_HEADERS,
            content: { [JSON_MEDIA]: { schema: schemaRef('TokenwardOAuth2Error') } },
          },
          // Server failures keep the common error body.
          ...tokenRouteErrorResponses([
            'CONFIG_INVALID',
            INTERNAL_ERROR_CODE,
            'STORE_UNAVAILABLE',
            'JWKS_UNAVAILABLE',
          ]),
        },
      }),
    };
  }

  return {
    components: {
      securitySchemes,
      schemas: buildSchemas(options.maxUsernameLength, options.maxPasswordLength),
      responses: buildResponses(),
    },
    paths,
    tags: [{ name: tag, description: 'Log in, refresh and log out (tokenward).' }],
  };
}

function schemeNamesOf(
  options: Pick<TokenwardOpenApiOptions, 'schemeNames'>,
): Required<TokenwardSchemeNames> {
  return {
    bearer: options.schemeNames?.bearer ?? DEFAULT_BEARER_SCHEME,
    oauth2: options.schemeNames?.oauth2 ?? DEFAULT_OAUTH2_SCHEME,
  };
}

/**
 * The `security` list of an operation protected by `authenticate`: the bearer
 * scheme, or the OAuth2 password scheme when `oauth2` is on (the requirements
 * are alternatives; both send `Authorization: Bearer`).
 * @example
 * ```ts
 * const openapi = { oauth2: true };
 * paths['/me'] = {
 *   get: { security: tokenwardSecurity(openapi), responses: { ...tokenwardErrorResponses(), '200': meResponse } },
 * };
 * ```
 */
export function tokenwardSecurity(
  options: Pick<TokenwardOpenApiOptions, 'oauth2' | 'schemeNames'> = {},
): SecurityRequirement[] {
  const names = schemeNamesOf(options);
  const requirements: SecurityRequirement[] = [{ [names.bearer]: [] }];
  if (options.oauth2 === true) requirements.push({ [names.oauth2]: [] });
  return requirements;
}

/**
 * The error responses of an operation protected by `authenticate` (and
 * `requireRole`): references to the 400, 401, 403 and 503 responses that
 * {@link tokenwardOpenApi} puts in `components.responses`.
 * @example
 * ```ts
 * const operation = {
 *   security: tokenwardSecurity(),
 *   responses: { '200': { description: 'The claims.' }, ...tokenwardErrorResponses() },
 * };
 * ```
 */
export function tokenwardErrorResponses(): { [status: string]: OpenApiReference } {
  return {
    '400': responseRef('TokenwardBadRequest'),
    '401': responseRef('TokenwardUnauthorized'),
    '403': responseRef('TokenwardForbidden'),
    '503': responseRef('TokenwardUnavailable'),
  };
}

/** The parts of an OpenAPI document that {@link mergeTokenwardOpenApi} reads and extends. */
export interface OpenApiDocumentLike {
  /** The path items. */
  paths?: { [path: string]: unknown };
  /** The components, by section (`schemas`, `securitySchemes`, ...). */
  components?: { [section: string]: { [name: string]: unknown } | undefined };
  /** The tags. */
  tags?: OpenApiTag[];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mergeEntries(
  where: string,
  existing: { [name: string]: unknown } | undefined,
  added: { [name: string]: unknown },
): { [name: string]: unknown } {
  const merged: { [name: string]: unknown } = { ...existing };
  for (const [name, value] of Object.entries(added)) {
    // Overwriting the application's own entry would silently change its API description.
    if (name in merged && !sameJson(merged[name], value)) {
      throw new AuthError('CONFIG_INVALID', `${where} already has a different ${JSON.stringify(name)}`);
    }
    merged[name] = value;
  }
  return merged;
}

/**
 * A copy of the document with tokenward's paths, components and tag added
 * (the document itself is left unchanged). Merging twice changes nothing.
 * @throws AuthError CONFIG_INVALID when the document already has a different
 * path, component or security scheme of the same name.
 * @example
 * ```ts
 * const document = mergeTokenwardOpenApi(
 *   { openapi: '3.1.0', info: { title: 'API', version: '1.0.0' }, paths: { '/me': mePathItem } },
 *   tokenwardOpenApi({ prefix: '/auth' }),
 * );
 * app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));
 * ```
 */
export function mergeTokenwardOpenApi<Document extends OpenApiDocumentLike>(
  document: Document,
  part: TokenwardOpenApi,
): Document {
  const components: { [section: string]: { [name: string]: unknown } | undefined } = {
    ...document.components,
  };
  for (const [section, entries] of Object.entries(part.components)) {
    // A spread copy: the named-entry interfaces become plain records.
    components[section] = mergeEntries(`components.${section}`, components[section], { ...entries });
  }
  const tags = [...(document.tags ?? [])];
  for (const tag of part.tags) if (!tags.some((existing) => existing.name === tag.name)) tags.push(tag);
  return {
    ...document,
    paths: mergeEntries('paths', document.paths, part.paths),
    components,
    tags,
  };
}
