/** The generated OpenAPI parts: a valid 3.1 document once merged, derived from the error table and the options. */

import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES, AuthError, isAuthError } from '../../src/errors.js';
import { bearerChallenge } from '../../src/lib/http/error-response.js';
import {
  mergeTokenwardOpenApi,
  type TokenwardOpenApiOptions,
  tokenwardErrorResponses,
  tokenwardOpenApi,
  tokenwardSecurity,
} from '../../src/openapi/index.js';
import { appDocument, validateDocument } from './support.js';

/** Every error response of the document with every option on: its status, the codes it narrows to, its headers. */
async function documentedErrors(): Promise<{ status: string; codes: string[]; headers: object }[]> {
  const { resolved } = await validateDocument(appDocument({ oauth2: true }));
  const paths = resolved.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
  const errors: { status: string; codes: string[]; headers: object }[] = [];
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const { headers, content } = response as {
          headers?: object;
          content?: { 'application/json'?: { schema?: { allOf?: unknown[] } } };
        };
        const narrowed = content?.['application/json']?.schema?.allOf?.[1] as
          | { properties: { error: { properties: { code: { enum: string[] } } } } }
          | undefined;
        if (narrowed === undefined) continue;
        errors.push({
          status,
          codes: narrowed.properties.error.properties.code.enum,
          headers: headers ?? {},
        });
      }
    }
  }
  return errors;
}

const VARIANTS: [string, TokenwardOpenApiOptions][] = [
  ['the defaults', {}],
  ['cookie off, OAuth2 on', { prefix: '/oauth', cookie: false, oauth2: true }],
  [
    'cookie on, OAuth2 on, custom names',
    { prefix: '/', oauth2: true, schemeNames: { bearer: 'jwt', oauth2: 'pw' } },
  ],
  ['cookie options, length limits', { cookie: { name: 'rt', path: '/auth/refresh' }, maxPasswordLength: 64 }],
];

describe('the merged document', () => {
  it.each(VARIANTS)('is a valid OpenAPI 3.1 document with %s', async (_name, options) => {
    const result = await validateDocument(appDocument(options));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('is judged invalid when broken, so the validation above can fail', async () => {
    const document = appDocument({});
    const broken = { ...document, paths: { ...document.paths, '/me': { get: { responses: 'none' } } } };
    expect((await validateDocument(broken)).valid).toBe(false);
  });

  it('names every error code in the error body enum, and the generic 500 code', () => {
    const { schemas } = tokenwardOpenApi().components;
    const code = schemas.TokenwardError.properties?.error;
    const codes = code !== undefined && 'properties' in code ? code.properties?.code : undefined;
    const listed = codes !== undefined && 'enum' in codes ? codes.enum : undefined;
    expect(new Set(listed)).toEqual(new Set([...Object.keys(AUTH_ERROR_CODES), 'INTERNAL_ERROR']));
  });

  it('documents each error status with codes of that status only', async () => {
    const errors = await documentedErrors();
    for (const { status, codes } of errors) {
      for (const code of codes) {
        const expected = code === 'INTERNAL_ERROR' ? 500 : AUTH_ERROR_CODES[code as 'FORBIDDEN'].status;
        expect(`${code} ${expected}`).toBe(`${code} ${status}`);
      }
    }
    expect(errors.flatMap(({ codes }) => codes).length).toBeGreaterThan(20);
  });
});

describe('tokenwardOpenApi', () => {
  it('documents the OAuth2 password flow and /token only with oauth2', () => {
    const plain = tokenwardOpenApi({ prefix: '/auth' });
    expect(Object.keys(plain.paths)).toEqual(['/auth/login', '/auth/refresh', '/auth/logout']);
    expect(plain.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    });
    const oauth2 = tokenwardOpenApi({ prefix: '/auth/', oauth2: true });
    expect(Object.keys(oauth2.paths)).toContain('/auth/token');
    expect(oauth2.components.securitySchemes.oauth2Password).toMatchObject({
      type: 'oauth2',
      flows: { password: { tokenUrl: '/auth/token', refreshUrl: '/auth/token', scopes: {} } },
    });
    const token = oauth2.paths['/auth/token']?.post;
    expect(Object.keys(token?.requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
  });

  it('uses a given token URL', () => {
    const part = tokenwardOpenApi({ oauth2: true, tokenUrl: 'https://api.example.com/auth/token' });
    expect(part.components.securitySchemes.oauth2Password).toMatchObject({
      flows: { password: { tokenUrl: 'https://api.example.com/auth/token' } },
    });
  });

  it('documents the refresh cookie by the name the browser gets, or the body field without it', () => {
    const cookieParameter = (options: TokenwardOpenApiOptions) =>
      Object.values(tokenwardOpenApi(options).paths).find(
        (item) => item.post?.operationId === 'tokenwardRefresh',
      )?.post?.parameters?.[0]?.name;
    expect(cookieParameter({ prefix: '/auth' })).toBe('__Host-refresh_token');
    expect(cookieParameter({ prefix: '/auth', cookie: { path: '/auth' } })).toBe('__Secure-refresh_token');
    expect(cookieParameter({ prefix: '/' })).toBe('__Host-refresh_token');
    expect(cookieParameter({ cookie: { name: 'rt', secure: false } })).toBe('rt');
    expect(cookieParameter({ cookie: false })).toBeUndefined();
    const refresh = tokenwardOpenApi({ cookie: false }).paths['/auth/refresh']?.post;
    expect(refresh?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/TokenwardRefreshRequest',
    });
  });

  it('mounts the routes where the adapters would: trailing slashes trimmed, the root as ""', () => {
    const paths = (prefix: string) => Object.keys(tokenwardOpenApi({ prefix }).paths);
    expect(paths('')).toEqual(['/login', '/refresh', '/logout']);
    expect(paths('/')).toEqual(['/login', '/refresh', '/logout']);
    expect(paths('/auth///')).toEqual(['/auth/login', '/auth/refresh', '/auth/logout']);
    // A long run of slashes is trimmed in one pass (a backtracking regex took quadratic time here).
    expect(paths(`/auth${'/'.repeat(100_000)}`)).toEqual(['/auth/login', '/auth/refresh', '/auth/logout']);
  });

  it('documents WWW-Authenticate exactly where the adapters send it', async () => {
    const errors = await documentedErrors();
    for (const { codes, headers } of errors) {
      const challenged = codes.some(
        (code) =>
          code !== 'INTERNAL_ERROR' && bearerChallenge(new AuthError(code as 'FORBIDDEN', 'x'), 'api'),
      );
      expect('WWW-Authenticate' in headers, codes.join()).toBe(challenged);
    }
    expect(errors.length).toBeGreaterThan(10);
  });

  it('refuses options tokenRoutes would refuse', () => {
    for (const options of [
      { prefix: 'auth' },
      { cookie: { name: '__Host-x' } },
      { cookie: { sameSite: 'None' as const, secure: false } },
    ]) {
      let thrown: unknown;
      try {
        tokenwardOpenApi(options);
      } catch (error) {
        thrown = error;
      }
      expect(isAuthError(thrown) && thrown.code).toBe('CONFIG_INVALID');
    }
  });

  it('gives the security requirements and error responses of a protected operation', () => {
    expect(tokenwardSecurity()).toEqual([{ bearerAuth: [] }]);
    expect(tokenwardSecurity({ oauth2: true, schemeNames: { oauth2: 'pw' } })).toEqual([
      { bearerAuth: [] },
      { pw: [] },
    ]);
    const part = tokenwardOpenApi();
    for (const ref of Object.values(tokenwardErrorResponses())) {
      const name = ref.$ref.replace('#/components/responses/', '');
      expect(Object.keys(part.components.responses)).toContain(name);
    }
  });
});

/** The objects reachable from a value, each as often as it is reached. */
function objectsOf(value: unknown, seen: object[] = []): object[] {
  if (typeof value !== 'object' || value === null) return seen;
  seen.push(value);
  for (const child of Object.values(value)) objectsOf(child, seen);
  return seen;
}

describe('the objects handed out', () => {
  // Tools write into what they are given (@fastify/swagger writes into `paths`): a shared object would carry
  // one document's change into another, or into another place of the same document.
  it('are never shared within a part, between two parts, or between a part and a merged document', () => {
    for (const [name, options] of VARIANTS) {
      const part = tokenwardOpenApi(options);
      const within = objectsOf(part);
      expect(new Set(within).size, name).toBe(within.length);
      const other = new Set(objectsOf(tokenwardOpenApi(options)));
      expect(
        within.filter((object) => other.has(object)),
        name,
      ).toEqual([]);
      const document = { openapi: '3.1.0', info: { title: 'app', version: '1' }, paths: {} };
      const merged = new Set(objectsOf(mergeTokenwardOpenApi(document, part)));
      expect(
        within.filter((object) => merged.has(object)),
        name,
      ).toEqual([]);
      const responses = [tokenwardErrorResponses(), tokenwardErrorResponses({ form: 'fastify-schema' })];
      const all = objectsOf(responses);
      expect(new Set(all).size, name).toBe(all.length);
    }
  });
});

describe('mergeTokenwardOpenApi', () => {
  const base = () => ({
    openapi: '3.1.0',
    info: { title: 'app', version: '1' },
    paths: { '/me': { get: { responses: { '200': { description: 'ok' } } } } },
    components: { schemas: { Mine: { type: 'object' as const } } },
    tags: [{ name: 'Authentication', description: 'the app says' }],
  });

  it('adds the parts without touching the original, and merging twice changes nothing', () => {
    const document = base();
    const snapshot = JSON.stringify(document);
    const part = tokenwardOpenApi({ oauth2: true });
    const merged = mergeTokenwardOpenApi(document, part);
    expect(JSON.stringify(document)).toBe(snapshot);
    expect(Object.keys(merged.paths)).toEqual(['/me', ...Object.keys(part.paths)]);
    expect(Object.keys(merged.components.schemas)).toEqual(['Mine', ...Object.keys(part.components.schemas)]);
    expect(merged.tags).toEqual([{ name: 'Authentication', description: 'the app says' }]);
    expect(mergeTokenwardOpenApi(merged, part)).toEqual(merged);
  });

  it('refuses to overwrite a different path or component of the same name', () => {
    const part = tokenwardOpenApi();
    const clash = { ...base(), paths: { '/auth/login': { get: {} } } };
    expect(() => mergeTokenwardOpenApi(clash, part)).toThrow(/paths already has a different "\/auth\/login"/);
    const schemeClash = { ...base(), components: { securitySchemes: { bearerAuth: { type: 'apiKey' } } } };
    expect(() => mergeTokenwardOpenApi(schemeClash, part)).toThrow(/components.securitySchemes/);
  });
});

describe('scopes', () => {
  const oauth2Scopes = { 'read:notes': 'Read notes', 'write:notes': 'Write notes' };

  it('lists the app scopes in the password flow, and an operation declares the scopes it requires', async () => {
    const options: TokenwardOpenApiOptions = { oauth2: true, oauth2Scopes };
    const notes = {
      post: {
        summary: 'Write a note',
        operationId: 'writeNote',
        security: tokenwardSecurity({ ...options, scopes: ['read:notes', 'write:notes'] }),
        responses: { '204': { description: 'Written.' }, ...tokenwardErrorResponses() },
      },
    };
    const document = appDocument(options, { '/notes': notes });
    const result = await validateDocument(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    const schemes = (
      document as unknown as { components: { securitySchemes: Record<string, { flows?: unknown }> } }
    ).components.securitySchemes;
    expect(schemes.oauth2Password?.flows).toEqual({
      password: { tokenUrl: '/auth/token', refreshUrl: '/auth/token', scopes: oauth2Scopes },
    });
    expect(notes.post.security).toEqual([
      { bearerAuth: ['read:notes', 'write:notes'] },
      { oauth2Password: ['read:notes', 'write:notes'] },
    ]);
    // Without the option, the flow lists no scopes, as before.
    expect(tokenwardOpenApi({ oauth2: true }).components.securitySchemes.oauth2Password).toMatchObject({
      flows: { password: { scopes: {} } },
    });
    const { schemas } = tokenwardOpenApi({ oauth2: true }).components;
    expect(schemas.TokenwardOAuth2TokenRequest?.properties?.scope).toMatchObject({ type: 'string' });
    expect(schemas.TokenwardOAuth2TokenResponse?.properties?.scope).toMatchObject({ type: 'string' });
    const error = schemas.TokenwardOAuth2Error?.properties?.error;
    expect(error !== undefined && 'enum' in error ? error.enum : []).toContain('invalid_scope');
  });

  it('refuses scope names that are not scope-tokens and descriptions that are not strings', () => {
    const bad: unknown[] = [
      { 'read notes': 'x' },
      { 'say"hi': 'x' },
      { '': 'x' },
      { 'read:notes': 42 },
      ['read:notes'],
      'read:notes',
    ];
    for (const oauth2Scopes of bad) {
      expect(() => tokenwardOpenApi({ oauth2: true, oauth2Scopes: oauth2Scopes as never })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
    for (const scopes of [['read notes'], [''], [42], 'read:notes']) {
      expect(() => tokenwardSecurity({ scopes: scopes as never })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
    // __proto__ is a scope name like any other, never a prototype.
    const proto = JSON.parse('{"__proto__": "Prototype scope"}') as Record<string, string>;
    const flows = tokenwardOpenApi({ oauth2: true, oauth2Scopes: proto }).components.securitySchemes
      .oauth2Password as { flows: { password: { scopes: Record<string, string> } } };
    expect(Object.hasOwn(flows.flows.password.scopes, '__proto__')).toBe(true);
  });
});
