import type { Browser, Page } from 'playwright-core';
import { launchHeadlessBrowser } from '../support/headless-browser';
import { issueRegulatorKey, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * The dashboard's settlement windows panel, against a real switch in headless Chromium. An outside test on 2026-12-04
 * found the panel read only the API's newest page of windows (100), so once 101 windows had closed after the day's
 * first one, that window (and its report) vanished from the panel although it was open during the range shown.
 */

const windowsClosed = 101;

let sw: TestSwitch;
let regulatorKey: string;
let browser: Browser;
let closeBrowser: (() => Promise<void>) | undefined;
let page: Page;

beforeAll(async () => {
  sw = await startTestSwitch();
  regulatorKey = await issueRegulatorKey(sw);
  // Each window is settled as soon as it is closed, so that the switch's bound on unsettled windows never refuses a close.
  for (let closing = 0; closing < windowsClosed; closing += 1) {
    const closed = await sw.client.post('/v1/settlement/windows/close', { key: sw.operatorKey, body: { currency: 'PKR' } });
    if (closed.status !== 200) throw new Error(`closing a window: ${closed.status} ${closed.text}`);
    const windowId = (closed.body as { closed: { id: string } }).closed.id;
    const settled = await sw.client.post(`/v1/settlement/windows/${windowId}/settle`, {
      key: sw.operatorKey,
      body: { reference: `RTGS-${windowId}` },
    });
    if (settled.status !== 200) throw new Error(`settling ${windowId}: ${settled.status} ${settled.text}`);
  }
  ({ browser, close: closeBrowser } = await launchHeadlessBrowser());
  page = await browser.newPage();
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await sw?.close();
});

/** Today in Karachi (UTC+05:00 all year), as the dashboard's default range. */
function todayInKarachi(): string {
  return new Date(Date.now() + 5 * 3_600_000).toISOString().slice(0, 10);
}

it('shows every window open during the range, also those past the API’s first page', async () => {
  await page.goto(`${sw.url}/regulator`);
  await page.getByLabel('Regulator or operator key').fill(regulatorKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const today = todayInKarachi();
  await page.locator(`body[data-loaded="${today}/${today}/PKR/"]`).waitFor({ timeout: 30_000 });

  const windowIds = await page.locator('#windows-table tbody tr > :first-child').allTextContents();
  // The windows closed, and the one open now; the list is newest first, down to the switch's very first window.
  expect(windowIds).toHaveLength(windowsClosed + 1);
  expect(windowIds[0]).toBe(`PKR-${String(windowsClosed + 1).padStart(6, '0')}`);
  expect(windowIds[windowIds.length - 1]).toBe('PKR-000001');
}, 60_000);
