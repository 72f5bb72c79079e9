/**
 * The example app on Hono: token routes under /auth (with the OAuth2 `/auth/token` endpoint),
 * `GET /me` for any signed-in user, `GET /admin/dashboard` for admins only, and, when asked,
 * the browser example's page from the same origin. Nothing here is tied to a runtime: the
 * app is a `fetch` handler that Node, Bun and Deno serve alike (see server.ts).
 */

import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { authenticate, requireRole, tokenRoutes } from 'tokenward/hono';
import { dashboardBody, type ExampleContext, meBody } from '../shared/app-config.js';

/** The browser example's page, served by the Hono app when `page` is on. */
const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** Builds the Hono app on an already created context. */
export function createHonoApp(
  { auth, users, routeOptions }: ExampleContext,
  options: { page?: boolean } = {},
): Hono {
  const app = new Hono();
  // POST /auth/login, /auth/refresh, /auth/logout, /auth/token: a sub-app that reads its own body.
  app.route('/auth', tokenRoutes(auth, { ...routeOptions, oauth2: true }));
  app.get('/me', authenticate(auth), (c) => c.json(meBody(c.get('auth'), users)));
  app.get('/admin/dashboard', authenticate(auth), requireRole('admin'), (c) =>
    c.json(dashboardBody(c.get('auth'), users)),
  );
  if (options.page === true) {
    for (const [path, { file, type }] of Object.entries(PAGE_FILES)) {
      app.get(path, async (c) => {
        const body = await readFile(new URL(`../browser/public/${file}`, import.meta.url), 'utf8');
        // Only this origin's scripts run, and no other site may frame the page
        // (an injected script would see the access token in memory).
        return c.body(body, 200, {
          'content-type': type,
          'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
        });
      });
    }
  }
  return app;
}
