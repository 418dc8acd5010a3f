import { randomUUID } from 'node:crypto';
import type { OnboardedMerchant } from '../support/gateway';
import type { PaymentNetwork } from '../support/payment-network';
import { shopAcquirer, shopPayer, startShopNetwork } from '../support/shop-network';
import { waitUntil } from '../support/wait-until';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * A static-QR payment (P2M without a checkout session) pays a merchant as a session's payment does, and its chargeback
 * shows in the merchant's payments the same way; so a dispute on it names the merchant, who reads and answers it and
 * is told by webhook. An outside test found such a dispute with merchantId null: the merchant could neither see nor
 * answer it, heard nothing, and then found the chargeback in its own payments.
 */
const ACQUIRER = shopAcquirer;
const PAYER = shopPayer;

let network: PaymentNetwork;
let receiver: WebhookReceiver;
let shop: OnboardedMerchant;

beforeAll(async () => {
  receiver = new WebhookReceiver();
  await receiver.start();
  ({ network, shop } = await startShopNetwork('QRSHOP', { merchant: { webhookUrl: receiver.url } }));
});

afterAll(async () => {
  await receiver.close();
  await network.close();
});

it('names the merchant of a static-QR payment on its dispute, who reads it, answers it and hears of it', async () => {
  const paid = await network.sw.client.post('/v1/transfers', {
    key: network.wallet(PAYER).key.key,
    body: {
      id: randomUUID(),
      payer: { type: 'WALLET', value: 'WRAVI0001' },
      payee: { type: 'MERCHANT', value: shop.id },
      amount: '40.00',
      currency: 'PKR',
      purpose: 'P2M',
    },
  });
  expect(paid.body).toMatchObject({ state: 'COMMITTED' });
  const opened = await network.sw.client.post('/v1/disputes', {
    key: network.wallet(PAYER).key.key,
    headers: { 'idempotency-key': randomUUID() },
    body: { transferId: (paid.body as { id: string }).id, category: 'NOT_AS_DESCRIBED', amount: '40.00', description: 'stale bread' },
  });
  expect(opened.status).toBe(201);
  const disputeId = (opened.body as { id: string }).id;
  expect(opened.body).toMatchObject({ merchantId: shop.id, respondent: ACQUIRER });

  expect((await network.sw.client.get(`/v1/disputes/${disputeId}`, { key: shop.apiKey })).status).toBe(200);
  const listed = await network.sw.client.get('/v1/disputes', { key: shop.apiKey });
  expect((listed.body as { disputes: { id: string }[] }).disputes.map((dispute) => dispute.id)).toEqual([disputeId]);
  const contested = await network.sw.client.post(`/v1/disputes/${disputeId}/respond`, {
    key: shop.apiKey,
    body: { action: 'CONTEST', note: 'baked this morning' },
  });
  expect(contested.body).toMatchObject({
    state: 'RESPONDED',
    timeline: [{ type: 'OPENED' }, { type: 'CONTEST', actor: `merchant:${shop.id}` }],
  });
  await waitUntil(
    () => receiver.received.some((request) => (JSON.parse(request.rawBody.toString('utf8')) as { type: string }).type === 'dispute.opened'),
    'the merchant hears of the claim',
    15_000,
  );
});
