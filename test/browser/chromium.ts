/**
 * The browser the console tests drive: Debian's `chromium` package through playwright-core (a
 * browser download is impossible here). In CI (`CI=true`) a missing browser fails the suite loudly;
 * elsewhere the browser tests are skipped with one line saying how to install it, so `npm test`
 * passes for a new user without it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian's package puts it (overridable for other systems). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
];

/** True when the browser tests can run; throws in CI when they cannot. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true')
    throw new Error(
      `CI: no Chromium at ${CHROMIUM_PATH}; the console's browser tests must run (apt-get install chromium)`,
    );
  process.stderr.write(
    `!!! Console browser tests SKIPPED: no Chromium at ${CHROMIUM_PATH}. Install it: sudo apt-get install chromium\n`,
  );
  return false;
}

/** `describe` when Chromium is there, `describe.skip` otherwise (CI: throws). */
export const describeInBrowser: jest.Describe = (chromiumAvailable() ? describe : describe.skip) as jest.Describe;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
