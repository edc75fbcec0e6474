/**
 * What the console's browser test needs around the local stack: the tokens it acts on (an MDES token
 * MDES knows, Visa tokens Pismo knows, two of them on one device), stored decisions, signing in
 * through the dev issuer's sign-in page as each kind of test user, and per-screen evidence
 * (a screenshot under docs/console/ and an axe-core scan).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { LocalStack } from '../../local/stack/local-stack';
import { eventLike } from '../../local/seed/pismo-events';
import { mdesActiveToken } from '../../local/seed/idv-events';
import { DECISION_SCENARIOS } from '../../local/pismo-simulator/scenarios';

/**
 * `npm run console:docs` (UPDATE_CONSOLE_DOCS=1) writes the committed screenshots (docs/console/) and
 * the first-screen time (bench/results/console.json); a plain `npm test` writes them under `.local/`,
 * so a test run leaves the checkout clean.
 */
export const UPDATE_CONSOLE_DOCS = process.env.UPDATE_CONSOLE_DOCS === '1';
export const SCREENSHOTS_DIR = UPDATE_CONSOLE_DOCS
  ? path.join(__dirname, '..', '..', 'docs', 'console')
  : path.join(__dirname, '..', '..', '.local', 'console-screenshots');

export const VISA_CARD = '5271995';
const VISA_ACCOUNT = '100002000';
export const MDES_CARD = '4995608';

/** The dev issuer's test users, by kind (as its sign-in page names them). */
export type UserKind = 'read-only' | 'agent' | 'supervisor';

/** An active Visa token of card 5271995 in our store and at Pismo. */
export async function visaToken(stack: LocalStack, tokenId: string, deviceId = `dev-${tokenId}`): Promise<void> {
  const event = eventLike('vts-token-resume', {
    eventId: `resume-${tokenId}`,
    tokenId,
    timestamp: new Date(Date.now() - 60_000).toISOString(),
  });
  (event.data.network_data as Record<string, unknown>).deviceID = deviceId;
  const res = await stack.pismo.send(`${stack.url}/pismo/events`, event);
  if (res.status >= 300) throw new Error(`seeding Visa token ${tokenId}: HTTP ${res.status}`);
  stack.pismo.tokenOperations.provision({ tokenId, cardId: VISA_CARD, accountId: VISA_ACCOUNT, network: 'vts' });
}

/** An MDES token active in our store and in the MDES simulator's vault as `tur`. */
export async function mdesToken(stack: LocalStack, tokenId: string, tur: string): Promise<void> {
  for (const event of mdesActiveToken(tokenId, tur)) {
    event.timestamp = new Date(Date.parse(String(event.timestamp)) - 120_000).toISOString();
    const res = await stack.pismo.send(`${stack.url}/pismo/events`, event);
    if (res.status >= 300) throw new Error(`seeding MDES token ${tokenId}: HTTP ${res.status}`);
  }
}

/** The network's word that an MDES token is now suspended/active (a Pismo token_resync), as MDES would send it. */
export async function mdesStatusEvent(stack: LocalStack, tokenId: string, tur: string, status: 'SUSPENDED' | 'ACTIVE') {
  const [ta] = mdesActiveToken(tokenId, tur);
  const event = {
    ...ta,
    timestamp: new Date().toISOString(),
    event_id: `resync-${tokenId}-${status.toLowerCase()}-${Date.now().toString(36)}`,
    event_type: 'token_resync',
    data: { card_id: Number(MDES_CARD), token_id: tokenId, token_status: status, token_unique_reference: tur },
  };
  const res = await stack.pismo.send(`${stack.url}/pismo/events`, event);
  if (res.status >= 300) throw new Error(`MDES status event for ${tokenId}: HTTP ${res.status}`);
}

/** Pismo's decision webhook, each scenario once: the decisions page has records to count. */
export async function seedDecisions(stack: LocalStack): Promise<void> {
  for (const scenario of DECISION_SCENARIOS)
    await stack.pismo.send(`${stack.url}/pismo/tokenization-decisions`, scenario.request);
}

/**
 * Signs in through the dev issuer's page in the sign-in pop-up, as the first test user of `kind`,
 * and waits until the console shows the signed-in shell. Returns the user's name as shown.
 */
export async function signIn(page: Page, kind: UserKind): Promise<void> {
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    page.getByRole('button', { name: /^Sign in( again)?$/ }).click(),
  ]);
  await popup.waitForLoadState('domcontentloaded');
  // local/dev-issuer/oidc.ts DEV_USERS: one test user of each kind.
  const name = { 'read-only': 'Rita Reader', agent: 'Ana Agent', supervisor: 'Sam Supervisor' }[kind];
  await popup.getByRole('button', { name }).click();
  await popup.waitForEvent('close');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A new page of `context` on the console, its first screen ready (the sign-in button enabled); ms to interactive. */
export async function openConsole(
  context: BrowserContext,
  url: string,
): Promise<{ page: Page; interactiveMs: number }> {
  const page = await context.newPage();
  await page.goto(`${url}/console`);
  await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
  // Since navigation start, as the browser counts it (what an agent waits for).
  const interactiveMs = await page.evaluate('performance.now()');
  return { page, interactiveMs: Number(interactiveMs) };
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core on the page as it is: the serious and critical violations (the test wants none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP (no inline script) does not apply to.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(
    'window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as AxeViolation[];
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
}

/** A full-page screenshot of the current screen: docs/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}
