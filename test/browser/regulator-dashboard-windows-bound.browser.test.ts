import type { Browser, Page, Route } from 'playwright-core';
import { launchHeadlessBrowser } from '../support/headless-browser';
import { issueRegulatorKey, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * The dashboard's settlement windows panel reads at most 50 pages of 100 windows, newest first. A switch that closes a
 * window every minute closes 1,440 a day, so a range four days back lies past those pages: a review on 2026-12-04
 * found the panel then showed the windows it had read, or "Nothing in this range.", as if that were all. The windows
 * list is answered here by the test (every page full, every window closed after the range began, a next page always
 * there) so that 5,000 windows need not be closed; every other call goes to a real switch.
 */

const pagesRead = 50;
const windowsPerPage = 100;

let sw: TestSwitch;
let regulatorKey: string;
let browser: Browser;
let closeBrowser: (() => Promise<void>) | undefined;
let page: Page;
let windowsPagesAsked = 0;

beforeAll(async () => {
  sw = await startTestSwitch();
  regulatorKey = await issueRegulatorKey(sw);
  ({ browser, close: closeBrowser } = await launchHeadlessBrowser());
  page = await browser.newPage();
  await page.route(/\/v1\/settlement\/windows\?/, answerWindowsPage);
}, 60_000);

afterAll(async () => {
  await closeBrowser?.();
  await sw?.close();
});

/** A full page of windows each opened and closed within the last minutes: the range's first window is always further back. */
async function answerWindowsPage(route: Route): Promise<void> {
  const pageIndex = windowsPagesAsked;
  windowsPagesAsked += 1;
  const nowMs = Date.now();
  const windows = Array.from({ length: windowsPerPage }, (_unused, index) => {
    const sequence = 1_000_000 - (pageIndex * windowsPerPage + index);
    const closedMs = nowMs - (pageIndex * windowsPerPage + index) * 10;
    return {
      id: `PKR-${String(sequence).padStart(6, '0')}`,
      currency: 'PKR',
      state: 'CLOSED',
      openedAt: new Date(closedMs - 10).toISOString(),
      closedAt: new Date(closedMs).toISOString(),
      settledAt: null,
      reference: null,
    };
  });
  await route.fulfill({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({ windows, nextCursor: `page-${pageIndex + 1}` }),
  });
}

/** Today in Karachi (UTC+05:00 all year), as the dashboard's default range. */
function todayInKarachi(): string {
  return new Date(Date.now() + 5 * 3_600_000).toISOString().slice(0, 10);
}

it('says that the windows panel stopped at its bound instead of showing what it read as the whole range', async () => {
  await page.goto(`${sw.url}/regulator`);
  await page.getByLabel('Regulator or operator key').fill(regulatorKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const today = todayInKarachi();
  await page.locator(`body[data-loaded="${today}/${today}/PKR/"]`).waitFor({ timeout: 30_000 });

  // Bounded: the panel asked for its 50 pages and no more.
  expect(windowsPagesAsked).toBe(pagesRead);
  const notice = page.locator('#windows-incomplete');
  await expect(notice.isVisible()).resolves.toBe(true);
  await expect(notice.textContent()).resolves.toContain('only the newest 5000 windows');
}, 60_000);
