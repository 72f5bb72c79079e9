/**
 * Headless Chromium for the browser tests: Debian's `chromium` driven by playwright-core.
 */

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where Debian's package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

// This machine reaches no network but the package registries: without the background
// networking flags Chromium's own connections are refused, many at a time.
const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Tells whether Chromium is installed. Under `CI=true` a missing browser throws (a browser
 * test must run there, never skip); elsewhere it warns that `what` is skipped.
 */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `${CHROMIUM_PATH} not found (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${message}: ${what} is required on CI`);
  console.warn(`Skipping ${what}: ${message}`);
  return false;
}

/** A headless Chromium with a fresh profile; `close` ends it and removes the profile. */
export interface LaunchedChromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches headless Chromium with a profile of its own, plus `extraArgs` (host rules, certificates). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<LaunchedChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'tokenward-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
