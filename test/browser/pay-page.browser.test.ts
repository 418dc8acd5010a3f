import { randomUUID } from 'node:crypto';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { onboardMerchant, sessionBody, type OnboardedMerchant } from '../support/gateway';
import { launchHeadlessBrowser } from '../support/headless-browser';
import { PaymentNetwork } from '../support/payment-network';

/**
 * The hosted pay page in a real headless Chromium (issue 11): the QR image decodes to the session's qr; paying by
 * mobile number through a simulated wallet shows "Paid" and the link to successUrl without a reload; a declined
 * request to pay shows "Declined"; and the whole payment can be made with the keyboard alone.
 */
let network: PaymentNetwork;
let shop: OnboardedMerchant;
let browser: Browser;
let closeBrowser: () => Promise<void>;
beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', requestToPay: { approveDelayMs: 300, declineNumbers: [] } },
    ],
  );
  shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SHOP1', 'MARGALLA', { name: 'Shop One' });
  network.wallet('MARGALLA').simulator.accounts.add({ walletNumber: 'WSHOP1', name: 'Shop One', balanceMinor: 0n });
  ({ browser, close: closeBrowser } = await launchHeadlessBrowser());
}, 120_000);
afterAll(async () => {
  await closeBrowser?.();
  await network?.close();
});

async function openSession(): Promise<{ id: string; qr: string; payUrl: string }> {
  const answer = await network.sw.client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody({ successUrl: 'https://shop.example/thanks?order=ORD-1' }),
    headers: { 'idempotency-key': randomUUID() },
  });
  return answer.body as { id: string; qr: string; payUrl: string };
}

async function newPage(): Promise<{ page: Page; violations: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return { page, violations };
}

it('shows the merchant, the amount and a QR image that decodes to the session qr; paying by number shows Paid and the successUrl link', async () => {
  const session = await openSession();
  const { page, violations } = await newPage();
  const response = await page.goto(session.payUrl);
  expect(response?.status()).toBe(200);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src 'self'/);
  expect(csp).not.toContain('unsafe-inline');
  await expect(page.locator('h1').textContent()).resolves.toBe('Pay Shop One');
  await expect(page.locator('.amount').textContent()).resolves.toBe('1500.00 PKR');

  const source = (await page.locator('img.qr').getAttribute('src')) ?? '';
  const png = PNG.sync.read(Buffer.from(source.replace(/^data:image\/png;base64,/, ''), 'base64'));
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(decoded?.data).toBe(session.qr);

  await page.getByLabel('Mobile number').fill('0300 0000002');
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.waitForURL(session.payUrl);
  const status = page.getByRole('status');
  await expect(status.textContent()).resolves.toContain('Waiting for approval');
  // pay.js polls and updates the status in place: no reload.
  await page.getByText('Paid', { exact: true }).waitFor({ timeout: 15_000 });
  const link = page.getByRole('link', { name: 'Return to Shop One' });
  await expect(link.getAttribute('href')).resolves.toBe('https://shop.example/thanks?order=ORD-1');
  await expect(page.locator('#pay-form').isHidden()).resolves.toBe(true);
  expect(violations).toEqual([]);
});

it('shows Declined when the wallet declines, and an unknown number in a role="alert"', async () => {
  const session = await openSession();
  const { page } = await newPage();
  await page.goto(session.payUrl);
  await page.getByLabel('Mobile number').fill('03009999999');
  await page.getByRole('button', { name: 'Pay' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('No wallet or bank account is registered for this mobile number');
  await expect(page.getByLabel('Mobile number').getAttribute('aria-invalid')).resolves.toBe('true');

  network.wallet('RAVI').simulator.setRequestToPayBehaviour({ approveDelayMs: 100, declineNumbers: ['923000000002'] });
  try {
    await page.getByLabel('Mobile number').fill('+92 300 0000002');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.getByText(/^Declined/).waitFor({ timeout: 15_000 });
    await expect(page.getByRole('status').textContent()).resolves.toContain('Declined');
  } finally {
    network.wallet('RAVI').simulator.setRequestToPayBehaviour({ approveDelayMs: 300, declineNumbers: [] });
  }
});

it('can be paid with the keyboard alone: Tab to the number, type it, Enter, then Tab to the return link', async () => {
  const session = await openSession();
  const { page } = await newPage();
  await page.goto(session.payUrl);
  await page.keyboard.press('Tab');
  await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe('msisdn');
  await page.keyboard.type('923000000002');
  await page.keyboard.press('Tab');
  await expect(page.evaluate('document.activeElement && document.activeElement.textContent')).resolves.toBe('Pay');
  await page.keyboard.press('Enter');
  await page.waitForURL(session.payUrl);
  await page.getByText('Paid', { exact: true }).waitFor({ timeout: 15_000 });
  await page.keyboard.press('Tab');
  await expect(page.evaluate('document.activeElement && document.activeElement.href')).resolves.toBe(
    'https://shop.example/thanks?order=ORD-1',
  );
});
