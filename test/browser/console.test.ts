/**
 * The Customer Service console in a real browser (Debian's Chromium through playwright-core) against
 * the local stack started here: sign-in as each kind of test user, the PAN search that leaves no PAN
 * in a URL, the history, storage or a log, actions on an MDES and a Visa token, a refused action with
 * its rule, delete with confirmation, device lost, the decisions and system pages, errors in words,
 * an expired session that keeps what was typed, one request per double click, an axe-core scan and a
 * screenshot of every screen, and the first screen's time to interactive (`npm run console:docs` writes both
 * into docs/console/ and bench/results/console.json; a plain run under .local/).
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { writeResults } from '../../bench/bench-report';
import { DEMO_PAN } from '../../local/mdes-simulator/vault';
import { type LocalStack, startLocalStack } from '../../local/stack/local-stack';
import { captureStdout } from '../fixtures/capture-stdout';
import { describeInBrowser, launchChromium } from './chromium';
import {
  MDES_CARD,
  mdesStatusEvent,
  mdesToken,
  openConsole,
  screenshot,
  UPDATE_CONSOLE_DOCS,
  seedDecisions,
  seriousViolations,
  signIn,
  VISA_CARD,
  visaToken,
} from './console-fixture';

const logs = captureStdout();
let stack: LocalStack;
let browser: Browser;
/** Everything the pages saw that could hold a PAN: URLs of every request and navigation, console lines. */
const seen: { urls: string[]; console: string[]; cspViolations: string[] } = {
  urls: [],
  console: [],
  cspViolations: [],
};
const interactive: number[] = [];

const MDES_TOKEN = 'cw1001';
const MDES_TUR = 'DSHRMC0000259339000000000000000000000000000cw101';
const MDES_REFUSED = 'cw1002';
const MDES_REFUSED_TUR = 'DSHRMC0000259339000000000000000000000000000cw102';

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'INFO' });
  await mdesToken(stack, MDES_TOKEN, MDES_TUR);
  await mdesToken(stack, MDES_REFUSED, MDES_REFUSED_TUR);
  for (const id of ['93001', '93002']) await visaToken(stack, id);
  for (const id of ['93011', '93012']) await visaToken(stack, id, 'lost-phone-cw');
  await seedDecisions(stack);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  logs.restore();
  if (interactive.length && UPDATE_CONSOLE_DOCS)
    writeResults('console', [
      {
        name: 'Console first screen interactive (navigation start → sign-in button enabled, local stack, headless Chromium)',
        value: Math.round(Math.max(...interactive)),
        unit: 'ms',
        target: 1000,
        detail: `worst of ${interactive.length} fresh pages: ${interactive.map((v) => Math.round(v)).join(', ')} ms`,
      },
    ]);
});

/** A fresh context (no shared memory) whose every URL and console line is recorded. */
async function freshContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(30_000); // generous: a busy 2-core CI machine; every wait is for a condition
  const watch = (page: Page) => {
    page.on('request', (r: Request) => seen.urls.push(r.url()));
    page.on('framenavigated', (f) => seen.urls.push(f.url()));
    page.on('console', (m) => {
      seen.console.push(m.text());
      if (/Content.Security.Policy/i.test(m.text())) seen.cspViolations.push(m.text());
    });
  };
  context.on('page', watch);
  return context;
}

async function signedIn(kind: 'read-only' | 'agent' | 'supervisor'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await freshContext();
  const { page, interactiveMs } = await openConsole(context, stack.url);
  interactive.push(interactiveMs);
  await signIn(page, kind);
  return { context, page };
}

/** Waits until the focus is where `condition` (evaluated in the page) says: focus moves after the render. */
const focused = (page: Page, condition: string) => page.waitForFunction(condition);
const go = (page: Page, hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);

/** The screen's heading has arrived and the screen finished loading. */
async function screen(page: Page, title: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await page.locator('.loading').first().waitFor({ state: 'detached' });
}

async function noSeriousViolations(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousViolations(page)).toEqual([]);
}

const statusBadge = (page: Page) => page.locator('.state-line .status');

describeInBrowser('Customer Service console (Chromium, local stack)', () => {
  let agent: { context: BrowserContext; page: Page };
  beforeAll(async () => {
    agent = await signedIn('agent');
  }, 60_000);
  afterAll(() => agent?.context.close());

  it('shows the sign-in screen interactive within a second, without inline script (CSP), accessible', async () => {
    const context = await freshContext();
    const { page, interactiveMs } = await openConsole(context, stack.url);
    interactive.push(interactiveMs);
    expect(interactiveMs).toBeLessThan(3000); // the ≤ 1 s target is reported in bench/results/console.json
    await page.getByRole('heading', { level: 1, name: 'Sign in to the Customer Service console' }).waitFor();
    await noSeriousViolations(page, 'sign-in');
    await context.close();
    expect(seen.cspViolations).toEqual([]);
  });

  it('signs in as an agent (code + PKCE in the pop-up): name, role, sign-out', async () => {
    const { page } = agent;
    await screen(page, 'Search');
    await expect(page.locator('.role').textContent()).resolves.toBe('agent');
    await noSeriousViolations(page, 'search');
  });

  it('signs in as a read-only agent: no action button anywhere, device lost unavailable', async () => {
    const { context, page } = await signedIn('read-only');
    await expect(page.locator('.role').textContent()).resolves.toBe('read-only agent');
    await go(page, `#/tokens/93001`);
    await screen(page, 'Token 93001');
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await expect(page.getByRole('button', { name: /Suspend|Resume|Delete/ }).count()).resolves.toBe(0);
    await expect(page.getByText('Read-only access').count()).resolves.toBe(1);
    await go(page, `#/cards/${VISA_CARD}`);
    await screen(page, `Card ${VISA_CARD}`);
    await expect(page.getByRole('button', { name: /every token/ }).count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: /Device lost…/ }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('signs in as a supervisor', async () => {
    const { context, page } = await signedIn('supervisor');
    await expect(page.locator('.role').textContent()).resolves.toBe('supervisor');
    await context.close();
  });

  it('searches by PAN: sent in a POST body only, masked on screen, in no URL, history, storage or log', async () => {
    const { page } = agent;
    await go(page, '#/search');
    await screen(page, 'Search');
    const bodies: string[] = [];
    const onRequest = (r: Request) => {
      if (r.url().endsWith('/cs/search')) bodies.push(`${r.method()} ${r.postData() ?? ''}`);
    };
    page.on('request', onRequest);
    await page.getByRole('radio', { name: 'Card number (PAN)' }).check();
    await page.getByRole('textbox', { name: 'Card number (PAN)' }).fill(DEMO_PAN);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: /Results for/ }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Searching' }).waitFor({ state: 'detached' });
    page.off('request', onRequest);
    expect(bodies).toEqual([`POST ${JSON.stringify({ AccountPan: DEMO_PAN })}`]);
    await expect(page.locator('.searched').textContent()).resolves.toBe(`•••• •••• •••• ${DEMO_PAN.slice(-4)}`);
    await expect(page.getByRole('textbox', { name: 'Card number (PAN)' }).inputValue()).resolves.toBe('');
    await noSeriousViolations(page, 'search-pan');

    expect((await page.content()).includes(DEMO_PAN)).toBe(false);
    expect(page.url()).not.toContain(DEMO_PAN);
    // The history: every URL any page of the test navigated to (hash changes included) or requested.
    const length = Number(await page.evaluate('history.length'));
    expect(seen.urls.length).toBeGreaterThan(length);
    expect(seen.urls.filter((u) => u.includes(DEMO_PAN))).toEqual([]);
    const storage = (await page.evaluate(`(async () => ({
      local: JSON.stringify(Object.entries(localStorage)),
      session: JSON.stringify(Object.entries(sessionStorage)),
      cookie: document.cookie,
      idb: JSON.stringify(await indexedDB.databases()),
      history: history.length,
    }))()`)) as Record<string, unknown>;
    expect(storage).toEqual({ local: '[]', session: '[]', cookie: '', idb: '[]', history: length });
    expect(await agent.context.cookies()).toEqual([]);
    expect(seen.console.filter((l) => l.includes(DEMO_PAN))).toEqual([]);
    expect(logs.text()).not.toContain(DEMO_PAN);
  });

  it('finds a card by id and shows its tokens grouped by wallet and device, refusals, card actions', async () => {
    const { page } = agent;
    await go(page, '#/search');
    await screen(page, 'Search');
    await page.getByRole('radio', { name: 'Card id' }).check();
    await page.getByRole('textbox', { name: 'Card id' }).fill(VISA_CARD);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: VISA_CARD }).first().click();
    await screen(page, `Card ${VISA_CARD}`);
    await page.getByRole('heading', { name: /lost-phone-cw/ }).waitFor();
    await expect(page.getByRole('button', { name: 'Suspend every token…' }).count()).resolves.toBe(1);
    await noSeriousViolations(page, 'card');
  });

  it('suspends and resumes an MDES token; the wallet’s own suspension is explained in words', async () => {
    const { page } = agent;
    await go(page, `#/tokens/${MDES_TOKEN}`);
    await screen(page, `Token ${MDES_TOKEN}`);
    await expect(statusBadge(page).textContent()).resolves.toBe('active');
    await noSeriousViolations(page, 'token');
    await page.getByRole('button', { name: 'Suspend…' }).click();
    await page.getByLabel('Reason').selectOption('FRAUD_SUSPECTED');
    await page.getByLabel(/Comment/).fill('cardholder called');
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await page.getByText(/Suspend: sent; the network accepted it/).waitFor();
    await page.getByText(/waiting for the network’s confirmation/).waitFor();
    expect(stack.mdes.vault.get(MDES_TUR)?.suspenders.has('I')).toBe(true);
    // The wallet suspends it too; then MDES's event reaches us: our token is suspended.
    stack.mdes.vault.get(MDES_TUR)?.suspenders.add('W');
    await mdesStatusEvent(stack, MDES_TOKEN, MDES_TUR, 'SUSPENDED');
    await statusBadge(page).filter({ hasText: 'suspended' }).waitFor();
    await page.getByText('Also suspended by the wallet: only the wallet can lift that.').waitFor();
    await noSeriousViolations(page, 'token-multi-suspender');

    await page.getByRole('button', { name: 'Resume…' }).click();
    await page.getByLabel('Reason').selectOption('DEVICE_LOST');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByText(/Resume: sent; the network accepted it/).waitFor();
    await page.getByText('Also suspended by the wallet: only the wallet can lift that.').waitFor();
    expect([...(stack.mdes.vault.get(MDES_TUR)?.suspenders ?? [])]).toEqual(['W']);
  });

  it('suspends and resumes a Visa token: the status follows Pismo’s event', async () => {
    const { page } = agent;
    await go(page, '#/tokens/93001');
    await screen(page, 'Token 93001');
    await expect(statusBadge(page).textContent()).resolves.toBe('active');
    await page.getByText(/Resume: not allowed\. Rule: .+/).waitFor();
    await page.getByRole('button', { name: 'Suspend…' }).click();
    await page.getByLabel('Reason').selectOption('DEVICE_LOST');
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await statusBadge(page).filter({ hasText: 'suspended' }).waitFor();
    await page.getByRole('button', { name: 'Resume…' }).click();
    await page.getByLabel('Reason').selectOption('CARDHOLDER_REQUEST');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await statusBadge(page).filter({ hasText: 'active' }).waitFor();
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    await expect(page.locator('table').last().textContent()).resolves.toMatch(/resume.*suspend|suspend.*resume/s);
  });

  it('a refused action shows the rule that forbids it (409), in words', async () => {
    const { page } = agent;
    // Our store says suspended (MDES's event) but only the wallet suspends it at MDES: the issuer has nothing to lift.
    stack.mdes.vault.get(MDES_REFUSED_TUR)?.suspenders.add('W');
    await mdesStatusEvent(stack, MDES_REFUSED, MDES_REFUSED_TUR, 'SUSPENDED');
    await go(page, `#/tokens/${MDES_REFUSED}`);
    await screen(page, `Token ${MDES_REFUSED}`);
    await statusBadge(page).filter({ hasText: 'suspended' }).waitFor();
    await page.getByRole('button', { name: 'Resume…' }).click();
    await page.getByLabel('Reason').selectOption('OTHER');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('Refused by a rule: nothing was sent to the network.').waitFor();
    await alert.getByText(/^Rule: .+/).waitFor();
    await noSeriousViolations(page, 'token-refused');
  });

  it('deletes a Visa token only after confirmation', async () => {
    const { page } = agent;
    await go(page, '#/tokens/93002');
    await screen(page, 'Token 93002');
    const deletes: string[] = [];
    page.on('request', (r) => r.url().endsWith('/tokens/93002/delete') && deletes.push(r.method()));
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByLabel('Reason').selectOption('CARDHOLDER_REQUEST');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByText('Delete token 93002? This cannot be undone.').waitFor();
    await focused(page, 'document.activeElement?.getAttribute("role") === "alertdialog"');
    expect(deletes).toEqual([]);
    await noSeriousViolations(page, 'token-delete-confirm');
    await confirm.getByRole('button', { name: 'No, keep it' }).click();
    expect(deletes).toEqual([]);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Yes, delete' }).click();
    await statusBadge(page).filter({ hasText: 'deleted' }).waitFor();
    expect(deletes).toEqual(['POST']);
  });

  it('device lost: suspends every token of one device in one step, with per-token results', async () => {
    const { page } = agent;
    await go(page, `#/cards/${VISA_CARD}`);
    await screen(page, `Card ${VISA_CARD}`);
    await page
      .getByRole('heading', { name: /lost-phone-cw/ })
      .getByRole('link', { name: 'Device lost…' })
      .click();
    await screen(page, 'Device lost');
    await expect(page.getByLabel('Device id').inputValue()).resolves.toBe('lost-phone-cw');
    await page.getByRole('button', { name: 'Suspend the device’s tokens…' }).click();
    await noSeriousViolations(page, 'device-lost');
    await page.getByRole('button', { name: 'Yes, suspend them' }).click();
    const results = page.getByRole('heading', { name: 'Results per token' });
    await results.waitFor();
    for (const id of ['93011', '93012'])
      await page.getByRole('row', { name: new RegExp(`${id} Suspension requested`) }).waitFor();
    await noSeriousViolations(page, 'device-lost-results');
  });

  it('shows the decisions: per day by decision and reason code, shadow disagreements, rule firings', async () => {
    const { page } = agent;
    await go(page, '#/decisions');
    await screen(page, 'Decisions');
    await page.getByRole('heading', { name: 'Per day, by decision and reason code' }).waitFor();
    await page.getByRole('heading', { name: 'Shadow-mode disagreements' }).waitFor();
    await page.getByRole('heading', { name: 'How often each rule fires' }).waitFor();
    await page
      .getByRole('cell', { name: /APPROVED \d+/ })
      .first()
      .waitFor();
    await noSeriousViolations(page, 'decisions');
  });

  it('shows the system: MDES status, circuit, days until each Mastercard key expires', async () => {
    const { page } = agent;
    await go(page, '#/system');
    await screen(page, 'System');
    await page.getByText(/closed: calls to MDES go through/).waitFor();
    await page.getByRole('heading', { name: /Mastercard keys/ }).waitFor();
    await noSeriousViolations(page, 'system');
  });

  it('says "Mastercard unavailable, nothing was changed" on a 502/503, and sends one request per double click', async () => {
    const { page } = agent;
    let calls = 0;
    await page.route('**/tokens/cw1002/suspend', async (route) => {
      calls += 1;
      await route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'MdesCircuitOpenError', message: 'MDES circuit open' }),
      });
    });
    await go(page, `#/tokens/${MDES_REFUSED}`);
    await screen(page, `Token ${MDES_REFUSED}`);
    await page.getByRole('button', { name: 'Suspend…' }).click();
    await page.getByLabel('Reason').selectOption('FRAUD_SUSPECTED');
    await page.getByRole('button', { name: 'Suspend', exact: true }).dblclick();
    await page.getByRole('alert').getByText('Mastercard unavailable, nothing was changed.').waitFor();
    expect(calls).toBe(1);
    await page.unroute('**/tokens/cw1002/suspend');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('an expired session asks to sign in again and keeps what was typed', async () => {
    const { page } = agent;
    await go(page, `#/tokens/${MDES_REFUSED}`);
    await screen(page, `Token ${MDES_REFUSED}`);
    await page.getByRole('button', { name: 'Suspend…' }).click();
    await page.getByLabel('Reason').selectOption('DEVICE_STOLEN');
    await page.getByLabel(/Comment/).fill('stolen on the bus, typed before expiry');
    // The API says the token expired (what the gateway answers once `exp` passes).
    await page.route('**/tokens/cw1002/suspend', (route) =>
      route.fulfill({ status: 401, contentType: 'application/json', body: '{"message":"Unauthorized"}' }),
    );
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await page.getByRole('dialog', { name: 'Your session has expired' }).waitFor();
    await noSeriousViolations(page, 'session-expired');
    await page.unroute('**/tokens/cw1002/suspend');
    await signIn(page, 'agent');
    await expect(page.getByLabel(/Comment/).inputValue()).resolves.toBe('stolen on the bus, typed before expiry');
    await expect(page.getByLabel('Reason').inputValue()).resolves.toBe('DEVICE_STOLEN');
  });

  it('is usable with the keyboard alone: search a card and open it', async () => {
    const { page } = agent;
    await go(page, '#/search');
    await screen(page, 'Search');
    await focused(page, 'document.activeElement?.id === "page-title"');
    await page.keyboard.press('Tab'); // the first radio (card id, checked)
    await page.keyboard.press('Tab'); // the search field
    await page.keyboard.type(MDES_CARD);
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: MDES_CARD }).first();
    await link.waitFor();
    await link.focus();
    await page.keyboard.press('Enter');
    await screen(page, `Card ${MDES_CARD}`);
    await focused(page, 'document.activeElement?.id === "page-title"');
  });

  it('signs out: the session and the screens’ state are forgotten', async () => {
    const { context, page } = await signedIn('agent');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect(page.getByRole('link', { name: 'Decisions' }).count()).resolves.toBe(0);
    await context.close();
    expect(seen.cspViolations).toEqual([]);
  });
});
