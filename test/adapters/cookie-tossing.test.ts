/**
 * Cookie tossing, in a real headless Chromium over HTTPS with two host names
 * of one site: a page on a sibling subdomain (evil.example.test) plants its own
 * refresh cookies for the parent domain, and the token routes of
 * app.example.test (mounted at /auth, default cookie options) must neither
 * lock the signed-in victim out nor sign a signed-out victim into the
 * attacker's account. Both names resolve to 127.0.0.1; the certificate is made
 * here, self-signed.
 */

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, tokenRoutes } from '../../src/adapters/express.js';
import { type Auth, createAuth } from '../../src/create-auth.js';
import { hashPassword } from '../../src/password/index.js';
import { chromiumAvailable, type LaunchedChromium, launchChromium } from '../support/chromium.js';
import { listen, type RunningServer } from '../support/servers.js';

const hasChromium = chromiumAvailable('the cookie-tossing test');

const APP_HOST = 'app.example.test';
const EVIL_HOST = 'evil.example.test';
const PARENT = 'example.test';

/** A self-signed certificate for both host names, made with openssl in `dir`. */
async function selfSignedCertificate(dir: string): Promise<{ key: Buffer; cert: Buffer }> {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${APP_HOST}`,
      '-addext',
      `subjectAltName=DNS:${APP_HOST},DNS:${EVIL_HOST}`,
    ],
    { stdio: 'ignore' },
  );
  return { key: await readFile(keyFile), cert: await readFile(certFile) };
}

/**
 * The cookies the sibling plants for the whole site, all carrying the
 * attacker's own valid refresh token: the `__Secure-` one at the routes' old
 * path (which Chromium accepts: only `__Host-` forbids a domain), and the
 * ways around `__Host-` (with a domain, a lower-case prefix, a nameless
 * cookie whose value looks like the name), which Chromium must refuse.
 */
function plantedCookies(token: string): string[] {
  const site = `Domain=${PARENT}; Secure; HttpOnly; SameSite=Lax`;
  return [
    `__Secure-refresh_token=${token}; Path=/auth; ${site}`,
    `__Host-refresh_token=${token}; Path=/; ${site}`,
    `__host-refresh_token=${token}; Path=/; ${site}`,
    `=__Host-refresh_token=${token}; Path=/; ${site}`,
    `refresh_token=${token}; Path=/; ${site}`,
  ];
}

interface FetchResult {
  status: number;
  body: { accessToken?: string; sub?: string; error?: { code?: string } } | null;
}

describe.skipIf(!hasChromium)('cookie tossing from a sibling subdomain', { timeout: 60_000 }, () => {
  let dir: string;
  let auth: Auth;
  let appServer: RunningServer | undefined;
  let evilServer: RunningServer | undefined;
  let appUrl: string;
  let evilUrl: string;
  let attackerRefreshToken: string;
  let browser: LaunchedChromium | undefined;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenward-tossing-'));
    const tls = await selfSignedCertificate(dir);
    auth = createAuth({
      keys: 'a-cookie-tossing-test-secret-of-32-bytes!',
      issuer: 'https://app.example.test',
      audience: 'api',
      checkRevocation: true,
    });
    const users = new Map([
      ['alice', { sub: 'u-alice', passwordHash: await hashPassword('alice-password', { cost: 10 }) }],
    ]);

    const app = express();
    // The routes where the README mounts them, with the default cookie options.
    app.use(
      '/auth',
      tokenRoutes(auth, { findUser: (name) => users.get(name) ?? null, passwordHashCost: 10 }),
    );
    app.get('/me', authenticate(auth), (req, res) => {
      res.json({ sub: req.auth?.sub });
    });
    app.get('/', (_req, res) => {
      res.type('html').send('<!doctype html><title>app</title><p>app</p>');
    });
    appServer = await listen(createServer(tls, app));
    appUrl = `https://${APP_HOST}:${appServer.port}`;

    // The attacker holds a session of their own: the planted cookies carry its valid refresh token.
    attackerRefreshToken = (await auth.issueTokens({ sub: 'u-mallory' })).refreshToken;
    evilServer = await listen(
      createServer(tls, (_req, res) => {
        res.setHeader('set-cookie', plantedCookies(attackerRefreshToken));
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end('<!doctype html><title>totally harmless</title><p>hi</p>');
      }),
    );
    evilUrl = `https://${EVIL_HOST}:${evilServer.port}`;

    browser = await launchChromium([
      `--host-resolver-rules=MAP *.${PARENT} 127.0.0.1`,
      '--ignore-certificate-errors',
    ]);
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await browser?.close();
    await appServer?.close();
    await evilServer?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** A same-origin `fetch` from the app's page, as its own script would make it. */
  function fetchFromApp(path: string, init: { method?: string; body?: string; token?: string } = {}) {
    return page.evaluate(
      async ([url, options]): Promise<FetchResult> => {
        const headers: Record<string, string> = {};
        if (options.body !== undefined) headers['content-type'] = 'application/json';
        if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
        const response = await fetch(url, { method: options.method ?? 'GET', headers, body: options.body });
        const text = await response.text();
        return { status: response.status, body: text === '' ? null : JSON.parse(text) };
      },
      [path, init] as const,
    );
  }

  /** A refresh from the app's page, and the Cookie header Chromium sent with it. */
  async function refreshFromApp(): Promise<{ result: FetchResult; sentCookies: string }> {
    const sent = page.waitForRequest(`${appUrl}/auth/refresh`);
    const result = await fetchFromApp('/auth/refresh', { method: 'POST' });
    const headers = await (await sent).allHeaders();
    return { result, sentCookies: headers.cookie ?? '' };
  }

  /** The victim's browser visits the attacker's page on the sibling subdomain. */
  async function visitEvilPage() {
    await page.goto(`${evilUrl}/`);
    await page.goto(`${appUrl}/`);
  }

  async function appCookies() {
    return context.cookies(`${appUrl}/auth/refresh`);
  }

  it('sets the refresh cookie as __Host- with Path=/ although the routes are mounted at /auth', async () => {
    await page.goto(`${appUrl}/`);
    const login = await fetchFromApp('/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    });
    expect(login.status).toBe(200);
    const cookies = await appCookies();
    expect(cookies.map((cookie) => cookie.name)).toEqual(['__Host-refresh_token']);
    expect(cookies[0]).toMatchObject({
      domain: APP_HOST,
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
    });
  });

  it('the sibling can plant a __Secure- cookie for the app, but no __Host- one', async () => {
    await visitEvilPage();
    const cookies = await appCookies();
    const planted = cookies.filter((cookie) => cookie.value.includes(attackerRefreshToken));
    // The attack is real: Chromium sends these to the app's refresh route.
    expect(planted.map((cookie) => `${cookie.name} ${cookie.domain} ${cookie.path}`).sort()).toEqual([
      `__Secure-refresh_token .${PARENT} /auth`,
      `refresh_token .${PARENT} /`,
    ]);
    const host = cookies.filter((cookie) => cookie.name.toLowerCase() === '__host-refresh_token');
    expect(host).toHaveLength(1);
    expect(host[0]?.value).not.toContain(attackerRefreshToken);
  });

  it('a signed-in victim still refreshes into their own session', async () => {
    const { result: refreshed, sentCookies } = await refreshFromApp();
    expect(refreshed.status).toBe(200);
    // The server did get the planted cookies alongside the genuine one, and ignored them.
    expect(sentCookies).toContain(`__Secure-refresh_token=${attackerRefreshToken}`);
    expect(sentCookies).toContain('__Host-refresh_token=');
    const me = await fetchFromApp('/me', { token: refreshed.body?.accessToken });
    expect(me).toEqual({ status: 200, body: { sub: 'u-alice' } });
  });

  it('logs out although the planted cookies are sent along', async () => {
    const logout = await fetchFromApp('/auth/logout', { method: 'POST' });
    expect(logout.status).toBe(204);
    expect((await appCookies()).map((cookie) => cookie.name)).not.toContain('__Host-refresh_token');
  });

  it('a signed-out victim is not signed into the attacker’s account', async () => {
    // A browser that holds no session of the app at all, only what the sibling plants.
    await context.clearCookies();
    await visitEvilPage();
    const { result: refreshed, sentCookies } = await refreshFromApp();
    expect(sentCookies).toContain(`__Secure-refresh_token=${attackerRefreshToken}`);
    expect(sentCookies).not.toContain('__Host-refresh_token=');
    expect(refreshed).toEqual({
      status: 401,
      body: { error: { code: 'TOKEN_MISSING', message: 'no refresh token was sent' } },
    });
    // And the attacker's session was not touched: it is still theirs alone.
    expect((await auth.refresh(attackerRefreshToken)).accessToken).toMatch(/^eyJ/);
  });
});
