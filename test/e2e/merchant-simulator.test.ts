import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { MerchantShop } from '../../simulators/merchant/merchant-shop';
import { onboardMerchant, type OnboardedMerchant } from '../support/gateway';
import { PaymentNetwork } from '../support/payment-network';
import { TsxChild } from '../support/tsx-child';

/**
 * The simulated shop (simulators/merchant) against the real switch: it opens a session, the customer pays through
 * the pay page and a simulated wallet, the shop receives and verifies `checkout.session.completed`, refunds part of
 * the payment and hears `refund.succeeded`; a forged, stale or unsigned webhook is refused 400, one matching any of
 * several v1 values is taken; and the CLI opens a session and prints its pay URL.
 */
let network: PaymentNetwork;
let merchant: OnboardedMerchant;
let shop: MerchantShop;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', requestToPay: { approveDelayMs: 20, declineNumbers: [] } },
    ],
  );
  merchant = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SIMSHOP', 'MARGALLA');
  network.wallet('MARGALLA').simulator.accounts.add({ walletNumber: 'WSIMSHOP', name: 'Sim Shop', balanceMinor: 0n });
  shop = new MerchantShop({ switchUrl: network.sw.url, apiKey: merchant.apiKey, webhookSecrets: [merchant.webhookSecret] });
  await shop.start();
  const patched = await network.sw.client.request('PATCH', '/v1/merchants/SIMSHOP', {
    key: network.sw.operatorKey,
    body: { webhookUrl: shop.webhookUrl },
  });
  expect(patched.status).toBe(200);
});
afterAll(async () => {
  await shop.close();
  await network.close();
});

it('opens a session, hears it completed with a verified signature, refunds part and hears that too', async () => {
  const session = await shop.createSession({ amount: '2500.00', orderId: 'SIM-1' });
  expect(session.payUrl).toBe(`${network.sw.url.replace('127.0.0.1', 'localhost')}/pay/${session.id}`);
  const form = await fetch(`${network.sw.url}/pay/${session.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ msisdn: '+923000000002' }).toString(),
    redirect: 'manual',
  });
  expect(form.status).toBe(303);
  const completed = await shop.waitForEvent(
    (event) => event.type === 'checkout.session.completed' && event.data.object['id'] === session.id,
    10_000,
  );
  expect(completed.data.object).toMatchObject({ status: 'COMPLETED', amount: '2500.00', orderId: 'SIM-1' });
  const refund = await shop.refund({ sessionId: session.id, amount: '1000.00', reason: 'one item returned' });
  expect(refund).toMatchObject({ sessionId: session.id, amount: '1000.00', status: 'SUCCEEDED' });
  const refunded = await shop.waitForEvent((event) => event.type === 'refund.succeeded' && event.data.object['id'] === refund.id, 10_000);
  expect(refunded.data.object).toMatchObject({ amount: '1000.00', status: 'SUCCEEDED' });
  // Its back office over HTTP: the rest of the payment, and then a paisa too many, refused as the switch refuses it.
  const rest = await fetch(`${shop.url}/refunds`, { method: 'POST', body: JSON.stringify({ sessionId: session.id, amount: '1500.00' }) });
  expect(rest.status).toBe(201);
  const over = await fetch(`${shop.url}/refunds`, { method: 'POST', body: JSON.stringify({ sessionId: session.id, amount: '0.01' }) });
  expect(over.status).toBe(422);
  expect(((await over.json()) as { error: { code: string } }).error.code).toBe('REFUND_EXCEEDS_PAYMENT');
  expect(shop.rejectedWebhooks).toBe(0);
});

it('refuses a webhook it cannot verify and takes one that any v1 value verifies', async () => {
  const body = JSON.stringify({
    id: 'evt_0123456789abcdef01234567',
    type: 'checkout.session.completed',
    createdAt: '2026-12-03T08:00:00.000Z',
    data: { object: { id: 'cs_x' } },
  });
  const sign = (secret: string, seconds: number): string => createHmac('sha256', secret).update(`${seconds}.${body}`).digest('hex');
  const nowSeconds = Math.floor(Date.now() / 1000);
  const post = (header: string | null) =>
    fetch(shop.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'hisaab-signature': header }) },
      body,
    });
  const rejectedBefore = shop.rejectedWebhooks;
  expect((await post(null)).status).toBe(400);
  expect((await post(`t=${nowSeconds},v1=${sign('whsec_forged', nowSeconds)}`)).status).toBe(400);
  // Signed with the right secret, but 301 s old: a replay.
  expect((await post(`t=${nowSeconds - 301},v1=${sign(merchant.webhookSecret, nowSeconds - 301)}`)).status).toBe(400);
  expect(shop.rejectedWebhooks).toBe(rejectedBefore + 3);
  // During a rotation the switch sends two v1 values; either matching is enough, and 299 s is within the tolerance.
  const then = nowSeconds - 299;
  expect((await post(`t=${then},v1=${sign('whsec_other', then)},v1=${sign(merchant.webhookSecret, then)}`)).status).toBe(200);
  expect(shop.receivedEvents.some((event) => event.id === 'evt_0123456789abcdef01234567')).toBe(true);
  // The same event again is acknowledged and handled once.
  expect((await post(`t=${then},v1=${sign(merchant.webhookSecret, then)}`)).status).toBe(200);
  expect(shop.receivedEvents.filter((event) => event.id === 'evt_0123456789abcdef01234567')).toHaveLength(1);
  expect(shop.duplicateWebhooks).toBeGreaterThanOrEqual(1);
});

it('runs as a CLI that opens a checkout and prints its pay URL', async () => {
  const child = new TsxChild(join('simulators', 'merchant', 'main.ts'), [
    '--switch-url',
    network.sw.url,
    '--key',
    merchant.apiKey,
    '--webhook-secret',
    merchant.webhookSecret,
    '--port',
    '0',
    '--checkout',
    '250.00',
  ]);
  try {
    const line = await child.waitForLine((text) => text.includes('checkout session opened'), 20_000);
    const opened = JSON.parse(line) as { payUrl: string; amount: string };
    expect(opened.amount).toBe('250.00');
    expect(opened.payUrl).toMatch(/\/pay\/cs_[A-Za-z0-9]{22}$/);
    expect(child.lines.some((text) => text.includes('"webhookUrl"'))).toBe(true);
  } finally {
    child.kill();
    await child.exited;
  }
}, 30_000);
