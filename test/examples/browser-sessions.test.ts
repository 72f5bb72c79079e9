/**
 * The browser example's sessions panel in real headless Chromium, with two
 * browsers (two profiles, two cookie jars) as two devices of one user: the
 * laptop lists both sessions, ends the phone's, then ends every other one.
 */

import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBrowserExample, startBrowserExample } from '../../examples/browser/app.js';
import { chromiumAvailable, type LaunchedChromium, launchChromium } from '../support/chromium.js';

const hasChromium = chromiumAvailable('the browser sessions test');

const PHONE_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe.skipIf(!hasChromium)('the sessions panel with two devices', { timeout: 90_000 }, () => {
  let app: RunningBrowserExample;
  const browsers: LaunchedChromium[] = [];
  let laptop: Page;
  let phone: Page;

  async function open(extraArgs: string[] = []): Promise<Page> {
    const browser = await launchChromium(extraArgs);
    browsers.push(browser);
    return browser.context.pages()[0] ?? (await browser.context.newPage());
  }

  async function signIn(page: Page): Promise<void> {
    await page.goto(app.url);
    await page.locator('#status[data-state="signed-out"]').waitFor();
    await page.locator('#login button[type="submit"]').click();
    await page.locator('#status[data-state="signed-in"]').waitFor();
  }

  /** Clicks "Show my sessions" and answers the listed labels, in order. */
  async function listed(page: Page): Promise<string[]> {
    const renders = async () => Number((await page.locator('#sessions').getAttribute('data-renders')) ?? '0');
    const before = await renders();
    const answer = page.waitForResponse(
      (r: Response) => r.url().endsWith('/auth/sessions') && r.request().method() === 'GET',
    );
    await page.locator('#list-sessions').click();
    expect((await answer).status()).toBe(200);
    // The list is rendered once the answer is read.
    await expect.poll(renders).toBe(before + 1);
    return page.locator('#sessions li .label').allTextContents();
  }

  beforeAll(async () => {
    app = await startBrowserExample();
    laptop = await open();
    phone = await open([`--user-agent=${PHONE_AGENT}`]);
  });

  afterAll(async () => {
    for (const browser of browsers) await browser.close();
    await app?.close();
  });

  it('lists both devices on each, newest first, each marking itself', async () => {
    await signIn(phone);
    await signIn(laptop);
    expect(await listed(laptop)).toEqual(['Chrome on Linux (this device)', 'Safari on iOS']);
    expect(await listed(phone)).toEqual(['Chrome on Linux', 'Safari on iOS (this device)']);
    // Only the other device has a sign-out button.
    expect(await laptop.locator('#sessions li[data-current="true"] .end-session').count()).toBe(0);
    expect(await laptop.locator('#sessions li[data-current="false"] .end-session').count()).toBe(1);
  });

  it('ends the phone from the laptop: the phone is signed out at its next call and after a reload', async () => {
    const ended = laptop.waitForResponse((r: Response) => r.request().method() === 'DELETE');
    await laptop.locator('#sessions li[data-current="false"] .end-session').click();
    expect((await ended).status()).toBe(204);
    await expect
      .poll(() => laptop.locator('#sessions li .label').allTextContents())
      .toEqual(['Chrome on Linux (this device)']);
    // The phone still holds its access token in memory: the server refuses it at once.
    const refused = phone.waitForResponse((r: Response) => r.url().endsWith('/me'));
    await phone.locator('#me').click();
    const answer = await refused;
    expect(answer.status()).toBe(401);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('TOKEN_REVOKED');
    await phone.locator('#status[data-state="signed-out"]').waitFor();
    // Its refresh cookie is dead too: a reload stays signed out.
    await phone.reload();
    await phone.locator('#status[data-state="signed-out"]').waitFor();
    // The laptop is untouched.
    await laptop.locator('#me').click();
    await expect.poll(() => laptop.locator('#output').textContent()).toContain('"username": "alice"');
  });

  it('signs every other device out from the laptop, which stays signed in', async () => {
    await phone.locator('#login button[type="submit"]').click();
    await phone.locator('#status[data-state="signed-in"]').waitFor();
    expect(await listed(laptop)).toEqual(['Safari on iOS', 'Chrome on Linux (this device)']);
    const ended = laptop.waitForResponse((r: Response) => r.request().method() === 'DELETE');
    await laptop.locator('#end-others').click();
    expect((await ended).status()).toBe(204);
    await expect
      .poll(() => laptop.locator('#sessions li .label').allTextContents())
      .toEqual(['Chrome on Linux (this device)']);
    await phone.reload();
    await phone.locator('#status[data-state="signed-out"]').waitFor();
    expect(await app.auth.listSessions('user-1').then((s) => s.map((x) => x.label))).toEqual([
      'Chrome on Linux',
    ]);
  });
});
