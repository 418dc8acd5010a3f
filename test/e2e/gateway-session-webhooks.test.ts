import { randomUUID } from 'node:crypto';
import { webhookEventId } from '../../core/webhooks/webhook-event';
import { verifyWebhookSignature } from '../../simulators/merchant/webhook-signature';
import { onboardMerchant, sessionBody, type OnboardedMerchant } from '../support/gateway';
import { PaymentNetwork } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver';

/**
 * Session webhooks published from the log (issue 11): `checkout.session.completed` once a session is paid through
 * the pay page and the customer's wallet, `checkout.session.expired` within 5 s of the expiry on an injected clock;
 * each carries the session exactly as GET /v1/checkout/sessions/{id} answers it, signed with the merchant's secret.
 */
let offsetMs = 0;
const now = (): Date => new Date(Date.now() + offsetMs);
let network: PaymentNetwork;
let receiver: WebhookReceiver;
let shop: OnboardedMerchant & { webhookSecret: string };

beforeAll(async () => {
  receiver = new WebhookReceiver();
  await receiver.start();
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', requestToPay: { approveDelayMs: 20, declineNumbers: [] } },
    ],
    {},
    now,
  );
  shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SHOPHOOK', 'MARGALLA', { webhookUrl: receiver.url });
  network.wallet('MARGALLA').simulator.accounts.add({ walletNumber: 'WSHOPHOOK', name: 'Shop', balanceMinor: 0n });
});
afterAll(async () => {
  await network.close();
  await receiver.close();
});

type Received = { id: string; type: string; createdAt: string; data: { object: Record<string, unknown> } };
const parsed = (request: ReceivedWebhook): Received => JSON.parse(request.rawBody.toString('utf8')) as Received;

async function openSession(extra: Record<string, unknown> = {}): Promise<{ id: string }> {
  const answer = await network.sw.client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody(extra),
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(answer.status).toBe(201);
  return answer.body as { id: string };
}

async function webhookFor(sessionId: string, type: string, timeoutMs: number): Promise<ReceivedWebhook> {
  const find = () => receiver.received.find((request) => parsed(request).type === type && parsed(request).data.object['id'] === sessionId);
  await waitUntil(() => find() !== undefined, `${type} for ${sessionId}`, timeoutMs);
  return find() as ReceivedWebhook;
}

it('publishes checkout.session.completed with the session as the API reads it, signed, under its deterministic id', async () => {
  const session = await openSession();
  const form = await fetch(`${network.sw.url}/pay/${session.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ msisdn: '03000000002' }).toString(),
    redirect: 'manual',
  });
  expect(form.status).toBe(303);
  const request = await webhookFor(session.id, 'checkout.session.completed', 10_000);
  const header = request.headers['hisaab-signature'];
  expect(
    verifyWebhookSignature(request.rawBody, typeof header === 'string' ? header : undefined, shop.webhookSecret, now().getTime()),
  ).toEqual({
    ok: true,
  });
  const event = parsed(request);
  const read = await network.sw.client.get(`/v1/checkout/sessions/${session.id}`, { key: shop.apiKey });
  expect(event.id).toBe(webhookEventId('SHOPHOOK', 'checkout.session.completed', session.id));
  expect(event.data.object).toEqual(read.body);
  expect(event.data.object['status']).toBe('COMPLETED');
  expect(event.createdAt).toBe(event.data.object['completedAt']);
});

it('publishes checkout.session.expired within 5 s of the expiry on an injected clock', async () => {
  const session = await openSession({ expiresInSeconds: 60, orderId: 'ORD-EXPIRES' });
  // Nothing is published for an open session.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(receiver.received.filter((request) => parsed(request).data.object['id'] === session.id)).toEqual([]);
  offsetMs += 61_000;
  const movedAt = Date.now();
  const request = await webhookFor(session.id, 'checkout.session.expired', 5_000);
  expect(request.receivedAt.getTime() - movedAt).toBeLessThan(5_000);
  const event = parsed(request);
  expect(event.id).toBe(webhookEventId('SHOPHOOK', 'checkout.session.expired', session.id));
  const read = await network.sw.client.get(`/v1/checkout/sessions/${session.id}`, { key: shop.apiKey });
  expect(event.data.object).toEqual(read.body);
  expect(event.data.object['status']).toBe('EXPIRED');
});
