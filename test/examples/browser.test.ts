/**
 * The browser example in a real headless Chromium (Debian's `chromium`,
 * driven by playwright-core; no browser is ever downloaded), served by the
 * Express app and by the Hono app (`tokenward/hono` on `@hono/node-server`):
 * the refresh token stays out of reach of scripts, the session survives reloads
 * and access-token expiry, and pages of other origins cannot use the cookie.
 */

import { createServer } from 'node:http';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBrowserExample, startBrowserExample } from '../../examples/browser/app.js';
import { startHonoExample } from '../../examples/hono/node.js';
import { listen, type RunningExample } from '../../examples/shared/server.js';
import { chromiumAvailable, type LaunchedChromium, launchChromium } from '../support/chromium.js';

const hasChromium = chromiumAvailable('the browser end-to-end test');

const SIXTEEN_MINUTES = 16 * 60_000;

/** `METHOD /path STATUS` of every answer a page received from `origin`. */
function recordAnswers(page: Page, origin: string): string[] {
  const seen: string[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin === origin)
      seen.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
  });
  return seen;
}

/** A page of another origin that submits a form to the app's refresh route as soon as it loads: a CSRF attempt. */
function attackerPage(target: string): string {
  return `<!doctype html><title>totally harmless</title>
<form method="post" action="${target}/auth/refresh"></form>
<script>document.forms[0].submit();</script>`;
}

/** The apps serving the page and the API from one origin. */
const APPS: ReadonlyArray<[string, typeof startBrowserExample]> = [
  ['Express', startBrowserExample],
  ['Hono', startHonoExample],
];

// Generous: Chromium shares the machine with the other test files.
describe.skipIf(!hasChromium).each(APPS)(
  'the browser example on %s in Chromium',
  { timeout: 60_000 },
  (_name, start) => {
    let clockOffsetMs = 0;
    let app: RunningBrowserExample;
    let attacker: RunningExample;
    let browser: LaunchedChromium | undefined;
    let context: BrowserContext;
    let page: Page;
    let answers: string[];

    beforeAll(async () => {
      app = await start({ clock: () => Date.now() + clockOffsetMs });
      attacker = await listen(
        createServer((_req, res) => {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.end(attackerPage(app.url));
        }),
        0,
      );
      browser = await launchChromium();
      context = browser.context;
      page = context.pages()[0] ?? (await context.newPage());
      answers = recordAnswers(page, app.url);
    });

    afterAll(async () => {
      await browser?.close();
      await attacker?.close();
      await app?.close();
    });

    async function refreshCookie() {
      const cookies = await context.cookies(`${app.url}/auth/refresh`);
      return cookies.find((cookie) => cookie.name === 'refresh_token');
    }

    async function expectSignedIn(name: string) {
      await page.locator('#status[data-state="signed-in"]').waitFor();
      expect(await page.locator('#status').textContent()).toBe(`Signed in as ${name}`);
    }

    // Evaluated as strings: this project's TypeScript has no DOM types, the code runs in the page.

    /** What scripts of the app's origin can read, on a page inside the cookie's path too. */
    async function expectInvisibleToScripts(value: string) {
      expect(await page.evaluate<string>('document.cookie')).not.toContain(value);
      const inside = await context.newPage();
      try {
        // A 404 page under /auth: the cookie is sent there too, so only HttpOnly hides it.
        await inside.goto(`${app.url}/auth/nothing-here`);
        expect(await inside.evaluate<string>('document.cookie')).not.toContain(value);
      } finally {
        await inside.close();
      }
      const storage = await page.evaluate<number[]>('[localStorage.length, sessionStorage.length]');
      expect(storage).toEqual([0, 0]);
    }

    it('starts signed out (no cookie yet), then logs in with the form', async () => {
      await page.goto(app.url);
      await page.locator('#status[data-state="signed-out"]').waitFor();
      expect(answers).toContain('POST /auth/refresh 401');
      await page.locator('#login button[type="submit"]').click();
      await expectSignedIn('alice');
      expect(answers).toEqual(expect.arrayContaining(['POST /auth/login 200', 'GET /me 200']));
    });

    it('keeps the refresh token in an httpOnly, SameSite=Strict cookie that scripts never see', async () => {
      const cookie = await refreshCookie();
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
      expect(cookie?.value).toMatch(/^eyJ/);
      await expectInvisibleToScripts(cookie?.value ?? 'missing');
    });

    it('refreshes through the cookie when the access token has expired, then retries', async () => {
      const before = await refreshCookie();
      clockOffsetMs += SIXTEEN_MINUTES;
      answers.length = 0;
      await page.locator('#me').click();
      await expect.poll(() => answers).toEqual(['GET /me 401', 'POST /auth/refresh 200', 'GET /me 200']);
      await expect.poll(() => page.locator('#output').textContent()).toContain('"username": "alice"');
      const after = await refreshCookie();
      expect(after?.value).toMatch(/^eyJ/);
      expect(after?.value).not.toBe(before?.value);
      await expectInvisibleToScripts(after?.value ?? 'missing');
    });

    it('survives a reload: the page gets a new access token from the cookie', async () => {
      answers.length = 0;
      await page.reload();
      await expectSignedIn('alice');
      expect(answers).toEqual(expect.arrayContaining(['POST /auth/refresh 200', 'GET /me 200']));
      expect(answers).not.toContain('POST /auth/login 200');
      await expectInvisibleToScripts((await refreshCookie())?.value ?? 'missing');
    });

    /** Opens the attacker's page at `origin`; returns the answer to its forged refresh and the headers Chromium sent. */
    async function forgeRefresh(
      origin: string,
    ): Promise<{ status: number; body: unknown; sent: Record<string, string> }> {
      const victim = await context.newPage();
      try {
        const forged = victim.waitForResponse((response) => response.url() === `${app.url}/auth/refresh`);
        await victim.goto(origin);
        const answer: Response = await forged;
        return {
          status: answer.status(),
          body: await answer.json(),
          sent: await answer.request().allHeaders(),
        };
      } finally {
        await victim.close();
      }
    }

    it('a page of another site cannot use the cookie: SameSite=Strict withholds it, and the server refuses', async () => {
      const otherSite = attacker.url.replace('127.0.0.1', 'localhost');
      const { status, body, sent } = await forgeRefresh(otherSite);
      expect(sent.cookie ?? '').not.toContain('refresh_token=');
      expect(sent.origin).toBe(otherSite);
      expect(status).toBe(403);
      expect(body).toMatchObject({ error: { code: 'CSRF_REJECTED' } });
    });

    it('a page of the same site but another origin gets the cookie sent, and the Origin check refuses it', async () => {
      // 127.0.0.1 on another port is the same site: SameSite lets the cookie go; only the origin check stops it.
      const { status, body, sent } = await forgeRefresh(attacker.url);
      expect(sent.cookie ?? '').toContain('refresh_token=');
      expect(sent.origin).toBe(attacker.url);
      expect(sent['sec-fetch-site']).toBe('same-site');
      expect(status).toBe(403);
      expect(body).toMatchObject({ error: { code: 'CSRF_REJECTED' } });
    });

    it('the refused attempts changed nothing: the session still refreshes', async () => {
      answers.length = 0;
      await page.reload();
      await expectSignedIn('alice');
      expect(answers).toContain('POST /auth/refresh 200');
    });

    it('logs out: the cookie is cleared and a reload stays signed out', async () => {
      answers.length = 0;
      await page.locator('#logout').click();
      await page.locator('#status[data-state="signed-out"]').waitFor();
      expect(answers).toContain('POST /auth/logout 204');
      expect(await refreshCookie()).toBeUndefined();
      answers.length = 0;
      await page.reload();
      await page.locator('#status[data-state="signed-out"]').waitFor();
      expect(answers).toContain('POST /auth/refresh 401');
    });
  },
);
