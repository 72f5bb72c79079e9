/**
 * Swagger UI with tokenward's document: Fastify (`@fastify/swagger` and
 * `@fastify/swagger-ui`) and Express (`swagger-ui-express`). Headless Chromium
 * opens the UI, logs in through the "Authorize" dialog's OAuth2 password flow,
 * and calls the protected `/me` with "Try it out".
 */

import { createServer } from 'node:http';
import fastifySwaggerUi from '@fastify/swagger-ui';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import swaggerUiExpress from 'swagger-ui-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as expressAdapter from '../../src/adapters/express.js';
import * as fastifyAdapter from '../../src/adapters/fastify.js';
import {
  mergeTokenwardOpenApi,
  type TokenwardOpenApiOptions,
  tokenwardErrorResponses,
  tokenwardOpenApi,
  tokenwardSecurity,
} from '../../src/openapi/index.js';
import { chromiumAvailable, type LaunchedChromium, launchChromium } from '../support/chromium.js';
import {
  createFixtures,
  type Fixtures,
  listen,
  PASSWORD_COST,
  type RunningServer,
  registerSwaggerRecipe,
  validateDocument,
} from './support.js';

/** Chromium on two shared cores: launching it and rendering Swagger UI take seconds. */
const BROWSER_TIMEOUT = 90_000;

/** Both apps document the routes the same way: mounted at /auth, with the OAuth2 token endpoint. */
const OPENAPI: TokenwardOpenApiOptions = { prefix: '/auth', oauth2: true };
const ME_SCHEMA = {
  type: 'object' as const,
  required: ['sub'],
  properties: {
    sub: { type: 'string' as const },
    roles: { type: 'array' as const, items: { type: 'string' as const } },
  },
};

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await createFixtures();
});

async function fastifyApp(): Promise<{ server: RunningServer; app: FastifyInstance }> {
  const { tokenward, tokenRoutes } = fastifyAdapter;
  const part = tokenwardOpenApi(OPENAPI);
  // Closing must not wait for the browser's keep-alive connections.
  const app = Fastify({ forceCloseConnections: true });
  await registerSwaggerRecipe(app, part, 'tokenward with Fastify');
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(tokenward, { auth: fixtures.auth });
  await app.register(tokenRoutes, {
    auth: fixtures.auth,
    findUser: fixtures.findUser,
    passwordHashCost: PASSWORD_COST,
    prefix: '/auth',
    oauth2: true,
  });
  app.get(
    '/me',
    {
      onRequest: [app.authenticate],
      schema: { security: tokenwardSecurity(OPENAPI), response: { 200: ME_SCHEMA } },
    },
    async (request) => request.auth,
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { app, server: { url: `http://127.0.0.1:${port}`, port, close: () => app.close() } };
}

function expressDocument() {
  return mergeTokenwardOpenApi(
    {
      openapi: '3.1.0',
      info: { title: 'tokenward with Express', version: '1.0.0' },
      paths: {
        '/me': {
          get: {
            operationId: 'me',
            security: tokenwardSecurity(OPENAPI),
            responses: {
              '200': { description: 'The claims.', content: { 'application/json': { schema: ME_SCHEMA } } },
              ...tokenwardErrorResponses(),
            },
          },
        },
      },
    },
    tokenwardOpenApi(OPENAPI),
  );
}

async function expressApp(): Promise<RunningServer> {
  const { authenticate, tokenRoutes } = expressAdapter;
  const app = express();
  app.use(
    '/auth',
    tokenRoutes(fixtures.auth, {
      findUser: fixtures.findUser,
      passwordHashCost: PASSWORD_COST,
      oauth2: true,
    }),
  );
  app.get('/me', authenticate(fixtures.auth), (req, res) => {
    res.json(req.auth);
  });
  app.use('/docs', swaggerUiExpress.serve, swaggerUiExpress.setup(expressDocument()));
  return listen(createServer(app));
}

describe('the documents the Swagger UI integrations serve', () => {
  it('Fastify: @fastify/swagger serves a valid document with tokenward’s path items, not its own', async () => {
    const { server } = await fastifyApp();
    try {
      const response = await fetch(`${server.url}/docs/json`);
      const document = (await response.json()) as Record<string, unknown>;
      const result = await validateDocument(document);
      expect(result.errors).toBeUndefined();
      const paths = document.paths as Record<string, Record<string, { operationId?: string }>>;
      expect(Object.keys(paths).sort()).toEqual([
        '/auth/login',
        '/auth/logout',
        '/auth/refresh',
        '/auth/sessions',
        '/auth/sessions/{id}',
        '/auth/token',
        '/me',
      ]);
      expect(paths['/auth/token']?.post?.operationId).toBe('tokenwardToken');
      expect(paths['/me']?.get).toMatchObject({ security: [{ bearerAuth: [] }, { oauth2Password: [] }] });
      const assets = await fetch(`${server.url}/docs/static/swagger-ui-bundle.js`);
      expect(assets.status).toBe(200);
      expect((await assets.text()).length).toBeGreaterThan(100_000);
    } finally {
      await server.close();
    }
  });

  it('Express: the merged document is valid', async () => {
    const result = await validateDocument(expressDocument());
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });
});

describe.skipIf(!chromiumAvailable('the Swagger UI browser test'))('Swagger UI in headless Chromium', () => {
  let browser: LaunchedChromium | undefined;
  let context: BrowserContext | undefined;
  /** Requests the page tried to send anywhere but the test server: there must be none. */
  const external: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    context = browser.context;
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      external.push(url.href);
      return route.abort();
    });
  }, BROWSER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
  });

  /** The OAuth2 box of the "Authorize" dialog (its login fields give way to "Authorized" once logged in). */
  function openOAuth2Dialog(page: Page) {
    return page.locator('.auth-container', { hasText: 'oauth2Password' });
  }

  async function logIn(page: Page, docsUrl: string, password: string) {
    await page.goto(docsUrl);
    await page.locator('button.btn.authorize').first().click();
    const oauth2 = openOAuth2Dialog(page);
    await oauth2.locator('#oauth_username').fill('alice');
    await oauth2.locator('#oauth_password').fill(password);
    // The dialog's button reads "Authorize" (its accessible name is "Apply credentials").
    await oauth2.locator('button.btn.modal-btn.auth.authorize').click();
    return oauth2;
  }

  /**
   * Logs in through the OAuth2 password flow of the "Authorize" dialog, then
   * runs "Try it out" on GET /me; answers what the UI shows and the
   * `Authorization` header the browser sent.
   */
  async function authorizeAndCallMe(docsUrl: string) {
    if (context === undefined) throw new Error('no browser');
    const page = await context.newPage();
    try {
      const oauth2 = await logIn(page, docsUrl, 'alice-password');
      // Swagger UI shows "Logout" in the scheme's box once the token endpoint answered with a token.
      await oauth2.locator('button', { hasText: 'Logout' }).waitFor({ timeout: 15_000 });
      await page.locator('.modal-ux button.btn-done').first().click();

      const operation = page.locator('.opblock-get', { has: page.locator('[data-path="/me"]') });
      await operation.locator('.opblock-summary').first().click();
      await operation.locator('button.try-out__btn').click();
      const sent = page.waitForRequest((request) => new URL(request.url()).pathname === '/me');
      await operation.locator('button.execute').click();
      const authorization = (await sent).headers().authorization;
      const live = operation.locator('.live-responses-table .response').first();
      await live.waitFor({ timeout: 15_000 });
      return {
        authorization,
        status: (await live.locator('.response-col_status').textContent())?.trim(),
        body: (await live.locator('.response-col_description').textContent()) ?? '',
      };
    } finally {
      await page.close();
    }
  }

  it(
    'Fastify (@fastify/swagger-ui): Authorize with the OAuth2 password flow, then GET /me answers the claims',
    async () => {
      const { server } = await fastifyApp();
      try {
        const { authorization, status, body } = await authorizeAndCallMe(`${server.url}/docs`);
        expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        expect(status).toBe('200');
        expect(body).toContain('"sub": "u-alice"');
        expect(body).toContain('"admin"');
      } finally {
        await server.close();
      }
      expect(external).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'Express (swagger-ui-express): Authorize with the OAuth2 password flow, then GET /me answers the claims',
    async () => {
      const server = await expressApp();
      try {
        const { authorization, status, body } = await authorizeAndCallMe(`${server.url}/docs/`);
        expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        expect(status).toBe('200');
        expect(body).toContain('"sub": "u-alice"');
        expect(body).toContain('"admin"');
      } finally {
        await server.close();
      }
      expect(external).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'shows a refused login in the dialog as the RFC 6749 invalid_grant, and stays logged out',
    async () => {
      const server = await expressApp();
      const page = await context!.newPage();
      try {
        const oauth2 = await logIn(page, `${server.url}/docs/`, 'wrong');
        await expect
          .poll(() => oauth2.locator('.errors').textContent(), { timeout: 15_000 })
          .toMatch(/invalid_grant/);
        expect(await oauth2.locator('button', { hasText: 'Logout' }).count()).toBe(0);
      } finally {
        await page.close();
        await server.close();
      }
    },
    BROWSER_TIMEOUT,
  );
});
