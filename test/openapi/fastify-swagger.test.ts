/**
 * The Fastify recipes of docs/openapi.md with real Fastify and @fastify/swagger:
 * tokenward's document handed to the plugin keeps every route the plugin adds
 * (two methods on one URL included), and protected routes document their
 * 400/401/403/503 answers with `tokenwardErrorResponses({ form: 'fastify-schema' })`,
 * in a document the OpenAPI validator accepts and that the real answers match.
 */

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastifyApp } from '../../examples/fastify/app.js';
import { createExampleContext } from '../../examples/shared/app-config.js';
import { tokenRoutes, tokenward } from '../../src/adapters/fastify.js';
import {
  type TokenwardOpenApiOptions,
  tokenwardErrorResponses,
  tokenwardOpenApi,
  tokenwardSecurity,
} from '../../src/openapi/index.js';
import {
  conformanceProblems,
  createFixtures,
  type Fixtures,
  PASSWORD_COST,
  registerSwaggerRecipe,
  validateDocument,
} from './support.js';

const OPENAPI: TokenwardOpenApiOptions = { prefix: '/auth', oauth2: true };
const NOTE = {
  type: 'object' as const,
  required: ['text'],
  properties: { text: { type: 'string' as const } },
};

interface OpenApiOut {
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
}

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await createFixtures();
});

/**
 * The recipe as docs/openapi.md gives it: tokenward's parts handed to
 * @fastify/swagger, its URLs listed before any route is added, then two
 * protected methods on `/notes`.
 */
async function recipeApp(): Promise<{ app: FastifyInstance; part: ReturnType<typeof tokenwardOpenApi> }> {
  const part = tokenwardOpenApi(OPENAPI);
  const app = Fastify({ forceCloseConnections: true });
  await registerSwaggerRecipe(app, part, 'notes');
  await app.register(tokenward, { auth: fixtures.auth });
  await app.register(tokenRoutes, {
    auth: fixtures.auth,
    findUser: fixtures.findUser,
    passwordHashCost: PASSWORD_COST,
    ...OPENAPI,
  });
  const errors = tokenwardErrorResponses({ form: 'fastify-schema' });
  app.get(
    '/notes',
    {
      onRequest: [app.authenticate],
      schema: {
        operationId: 'listNotes',
        security: tokenwardSecurity(OPENAPI),
        response: { 200: { type: 'array', items: NOTE }, ...errors },
      },
    },
    async () => [{ text: 'hello' }],
  );
  app.post(
    '/notes',
    {
      onRequest: [app.authenticate, app.requireRole('admin')],
      schema: {
        operationId: 'addNote',
        security: tokenwardSecurity(OPENAPI),
        body: NOTE,
        response: { 201: NOTE, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(request.body),
  );
  await app.ready();
  return { app, part };
}

describe('tokenward’s document in @fastify/swagger', () => {
  it('keeps both methods of one URL, and tokenward’s own path items', async () => {
    const { app, part } = await recipeApp();
    try {
      const document = app.swagger() as unknown as OpenApiOut;
      expect(Object.keys(document.paths['/notes'] ?? {}).sort()).toEqual(['get', 'post']);
      expect(document.paths['/notes']?.post?.operationId).toBe('addNote');
      expect(document.paths['/auth/login']?.post?.operationId).toBe('tokenwardLogin');
      expect(document.paths['/auth/token']?.post?.operationId).toBe('tokenwardToken');
      // The part handed over was not written into.
      expect(Object.keys(part.paths)).toEqual([
        '/auth/login',
        '/auth/refresh',
        '/auth/logout',
        '/auth/sessions',
        '/auth/sessions/{id}',
        '/auth/token',
      ]);
    } finally {
      await app.close();
    }
  });

  it('keeps both methods of one URL in the Fastify example app', async () => {
    const app = await createFastifyApp(await createExampleContext());
    try {
      app.get('/notes', async () => []);
      app.post('/notes', async () => ({}));
      await app.ready();
      const document = app.swagger() as unknown as OpenApiOut;
      expect(Object.keys(document.paths['/notes'] ?? {}).sort()).toEqual(['get', 'post']);
      expect(document.paths['/me']?.get?.operationId).toBe('me');
      expect(document.paths['/auth/login']?.post?.operationId).toBe('tokenwardLogin');
    } finally {
      await app.close();
    }
  });
});

describe('protected Fastify routes documented with tokenwardErrorResponses({ form: "fastify-schema" })', () => {
  let app: FastifyInstance;
  let url: string;
  let resolved: Record<string, unknown>;

  beforeAll(async () => {
    ({ app } = await recipeApp());
    const result = await validateDocument(app.swagger());
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    resolved = result.resolved;
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app?.close());

  it('documents 400, 401, 403 and 503 with the challenge header where the adapters send one', () => {
    const operation = (resolved.paths as OpenApiOut['paths'])['/notes']?.post;
    const responses = operation?.responses as Record<string, { headers?: Record<string, unknown> }>;
    expect(Object.keys(responses).sort()).toEqual(['201', '400', '401', '403', '503']);
    for (const status of ['400', '401', '403']) {
      expect(Object.keys(responses[status]?.headers ?? {}), status).toEqual(['WWW-Authenticate']);
    }
    expect(responses['503']?.headers).toBeUndefined();
  });

  const bearer = async (roles: string[]) =>
    `Bearer ${(await fixtures.auth.issueTokens({ sub: 'u-test', roles })).accessToken}`;

  it.each([
    ['GET', 'no token', 401, async () => ({})],
    ['GET', 'a malformed Authorization header', 400, async () => ({ authorization: 'Bearer a b' })],
    ['GET', 'a token', 200, async () => ({ authorization: await bearer(['user']) })],
    ['POST', 'a token without the role', 403, async () => ({ authorization: await bearer(['user']) })],
    ['POST', 'an admin token', 201, async () => ({ authorization: await bearer(['admin']) })],
  ] as const)('%s /notes with %s answers %i as documented', async (method, _what, status, headers) => {
    const response = await fetch(`${url}/notes`, {
      method,
      headers: { ...(await headers()), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: JSON.stringify({ text: 'hi' }) } : {}),
    });
    const answer = { status: response.status, headers: response.headers, text: await response.text() };
    expect(answer.status).toBe(status);
    expect(conformanceProblems(resolved, '/notes', method.toLowerCase(), answer)).toEqual([]);
  });
});
