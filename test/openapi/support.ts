import fastifySwagger from '@fastify/swagger';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { type Auth, createAuth } from '../../src/create-auth.js';
import {
  mergeTokenwardOpenApi,
  type TokenwardOpenApi,
  type TokenwardOpenApiOptions,
  tokenwardErrorResponses,
  tokenwardOpenApi,
  tokenwardSecurity,
} from '../../src/openapi/index.js';
import { hashPassword } from '../../src/password/index.js';
import { unreachableStore } from '../support/broken-stores.js';
import { listen, type RunningServer } from '../support/servers.js';

import { SECRET } from '../support/tokens.js';

export { listen, type RunningServer, SECRET };
export const PASSWORD_COST = 10;

export interface TestUser {
  sub: string;
  passwordHash: string;
  roles: string[];
}

export interface Fixtures {
  auth: Auth;
  /** Same keys and rules, but its store is down. */
  storeDownAuth: Auth;
  findUser(username: string): Promise<TestUser | null>;
}

export async function createFixtures(): Promise<Fixtures> {
  // A spent refresh token is replayed at once to document reuse: no grace window here.
  const options = {
    keys: SECRET,
    issuer: 'https://openapi.test',
    audience: 'api',
    checkRevocation: true,
    refreshReuseGrace: 0,
  };
  const users = new Map<string, TestUser>([
    [
      'alice',
      {
        sub: 'u-alice',
        passwordHash: await hashPassword('alice-password', { cost: PASSWORD_COST }),
        roles: ['admin'],
      },
    ],
    [
      'bob',
      {
        sub: 'u-bob',
        passwordHash: await hashPassword('bob-password', { cost: PASSWORD_COST }),
        roles: ['user'],
      },
    ],
  ]);
  return {
    auth: createAuth(options),
    storeDownAuth: createAuth({ ...options, store: unreachableStore(), storeTimeoutMs: 1000 }),
    findUser: async (username) => users.get(username) ?? null,
  };
}

/** A document as an application writes it: its own protected operations, then tokenward merged in. */
export function appDocument(options: TokenwardOpenApiOptions, extraPaths: Record<string, unknown> = {}) {
  const claims = {
    description: 'The access token claims.',
    content: {
      'application/json': {
        schema: {
          type: 'object' as const,
          required: ['sub', 'roles'],
          properties: {
            sub: { type: 'string' as const },
            roles: { type: 'array' as const, items: { type: 'string' as const } },
          },
        },
      },
    },
  };
  const protectedGet = (summary: string) => ({
    get: {
      summary,
      operationId: summary.replace(/\W/g, ''),
      security: tokenwardSecurity(options),
      responses: { '200': claims, ...tokenwardErrorResponses() },
    },
  });
  return mergeTokenwardOpenApi(
    {
      openapi: '3.1.0',
      info: { title: 'tokenward OpenAPI test', version: '1.0.0' },
      paths: { '/me': protectedGet('The caller claims'), ...extraPaths },
    },
    tokenwardOpenApi(options),
  );
}

export interface ValidatedDocument {
  valid: boolean;
  errors: unknown;
  /** The document with every `$ref` replaced by what it points at. */
  resolved: Record<string, unknown>;
}

export async function validateDocument(document: object): Promise<ValidatedDocument> {
  const validator = new Validator();
  // A deep copy: the validator must judge the JSON an HTTP client would get, not shared objects.
  const result = await validator.validate(JSON.parse(JSON.stringify(document)) as Record<string, unknown>);
  return {
    valid: result.valid,
    errors: result.errors,
    resolved: result.valid ? validator.resolveRefs() : {},
  };
}

/** A real HTTP answer, as fetch received it. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

interface DocumentedResponse {
  headers?: Record<string, { schema: object }>;
  content?: Record<string, { schema: object }>;
}

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new Error(`the document has no ${where}`);
  return value as Record<string, unknown>;
}

/** The documented response of an operation for a status, from a resolved document. */
export function documentedResponse(
  resolved: Record<string, unknown>,
  path: string,
  method: string,
  status: number,
): DocumentedResponse | undefined {
  const operation = record(record(record(resolved.paths, 'paths')[path], path)[method], `${method} ${path}`);
  const responses = record(operation.responses, `responses of ${method} ${path}`);
  return responses[String(status)] as DocumentedResponse | undefined;
}

/**
 * The problems of a real answer against the documentation: an undocumented
 * status, a body that does not match the documented schema, a documented header
 * that is missing or wrong, or a challenge or cookie the documentation does not mention.
 */
export function conformanceProblems(
  resolved: Record<string, unknown>,
  path: string,
  method: string,
  answer: Answer,
): string[] {
  const documented = documentedResponse(resolved, path, method, answer.status);
  if (documented === undefined) return [`status ${answer.status} is not documented`];
  const problems: string[] = [];
  const media = answer.headers.get('content-type')?.split(';', 1)[0]?.trim();
  if (documented.content === undefined) {
    if (answer.text !== '') problems.push(`a body was sent, none is documented: ${answer.text}`);
  } else {
    const entry = media === undefined ? undefined : documented.content[media];
    if (entry === undefined) {
      problems.push(`media type ${String(media)} is not documented`);
    } else {
      const validate = ajv.compile(entry.schema);
      if (!validate(JSON.parse(answer.text))) {
        problems.push(`body ${answer.text} does not match: ${ajv.errorsText(validate.errors)}`);
      }
    }
  }
  const headers = documented.headers ?? {};
  const documentedNames = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  for (const [name, header] of Object.entries(headers)) {
    const value = answer.headers.get(name);
    if (value === null) {
      // A header documented as optional (`required: false`, e.g. Retry-After on a 503 that is not LOGIN_BUSY) may be absent.
      if ((header as { required?: boolean }).required === false) continue;
      problems.push(`documented header ${name} is missing`);
      continue;
    }
    const validate = ajv.compile(header.schema);
    if (!validate(value))
      problems.push(`header ${name}: ${value} does not match: ${ajv.errorsText(validate.errors)}`);
  }
  for (const name of ['www-authenticate', 'set-cookie', 'cache-control']) {
    if (answer.headers.has(name) && !documentedNames.has(name))
      problems.push(`header ${name} is not documented`);
  }
  return problems;
}

/** The statuses an operation documents. */
export function documentedStatuses(
  resolved: Record<string, unknown>,
  path: string,
  method: string,
): string[] {
  const operation = record(record(record(resolved.paths, 'paths')[path], path)[method], `${method} ${path}`);
  return Object.keys(record(operation.responses, 'responses'));
}

/**
 * The Fastify recipe of docs/openapi.md: tokenward's part as @fastify/swagger's
 * starting document, its URLs listed before any route is added (the plugin
 * writes every route it documents into the `paths` it is given), and the token
 * routes hidden from the plugin, since tokenward's path items describe them.
 */
export async function registerSwaggerRecipe(app: FastifyInstance, part: TokenwardOpenApi, title: string) {
  const documented = new Set(Object.keys(part.paths));
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title, version: '1.0.0' },
      components: part.components,
      paths: { ...part.paths },
      tags: part.tags,
    },
    transform: ({ schema, url }) => ({
      schema: documented.has(url) ? { ...schema, hide: true } : schema,
      url,
    }),
  });
}
