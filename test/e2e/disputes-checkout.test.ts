import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { onboardMerchant, sessionBody, type OnboardedMerchant } from '../support/gateway';
import { PaymentNetwork } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver';

/**
 * Issue 12 on a real P2M payment (issue 11): a checkout session paid through the gateway (pay page, request to pay,
 * the customer's wallet paying the merchant), then disputed by the payer's wallet over HTTP. The dispute names the
 * merchant, the merchant reads and answers it with its own key, and its webhook endpoint receives `dispute.opened`
 * and `dispute.resolved`, each signed with its webhook secret as the README says a merchant verifies them.
 */

type Dispute = {
  id: string;
  transferId: string;
  state: string;
  outcome: string | null;
  claimant: string;
  respondent: string;
  merchantId: string | null;
  chargebackTransferId: string | null;
};
type WebhookEvent = { id: string; type: string; data: { object: Dispute } };

const ACQUIRER = 'MARGALLA';
const PAYER = 'RAVI';

let network: PaymentNetwork;
let receiver: WebhookReceiver;
let shop: OnboardedMerchant;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: ACQUIRER, bankCode: 'MRGL', msisdn: '923000000001' },
      { id: PAYER, bankCode: 'RAVI', msisdn: '923000000002', requestToPay: { approveDelayMs: 20, declineNumbers: [] } },
    ],
  );
  receiver = new WebhookReceiver();
  await receiver.start();
  shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'DISPUTEDSHOP', ACQUIRER, { webhookUrl: receiver.url });
  // A request that does not carry a valid signature is refused, so an unsigned event would never count as delivered.
  receiver.decide = (request) => (signedBy(request, shop.webhookSecret) ? 200 : 400);
  network.wallet(ACQUIRER).simulator.accounts.add({ walletNumber: `W${shop.id}`, name: `${shop.id} Store`, balanceMinor: 0n });
});

afterAll(async () => {
  await receiver.close();
  await network.close();
});

/**
 * The merchant's own check, written from the README (not the switch's signing code): `t=<seconds>,v1=<hex>[,v1=…]`,
 * HMAC-SHA256 of `t + "." + raw body` under the webhook secret, within 300 s.
 */
function signedBy(request: ReceivedWebhook, secret: string): boolean {
  const header = request.headers['hisaab-signature'];
  if (typeof header !== 'string') return false;
  const fields = header.split(',').map((field) => field.trim().split('='));
  const timestamp = Number(fields.find(([name]) => name === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(request.rawBody).digest();
  return fields.some(
    ([name, value]) =>
      name === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value) && timingSafeEqual(Buffer.from(value, 'hex'), expected),
  );
}

function disputeEvents(): { event: WebhookEvent; request: ReceivedWebhook }[] {
  return receiver.received
    .map((request) => ({ event: JSON.parse(request.rawBody.toString('utf8')) as WebhookEvent, request }))
    .filter(({ event }) => event.type.startsWith('dispute.'));
}

/** Pays a session the real way: the pay page's form, a request to pay to the customer's wallet, which pays it. */
async function payCheckoutSession(amount: string): Promise<{ sessionId: string; transferId: string }> {
  const opened = await network.sw.client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody({ amount }),
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(opened.status).toBe(201);
  const sessionId = (opened.body as { id: string }).id;
  const submitted = await fetch(`${network.sw.url}/pay/${sessionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ msisdn: '03000000002' }).toString(),
    redirect: 'manual',
  });
  expect(submitted.status).toBe(303);
  let session = { status: '', transferId: null as string | null };
  await waitUntil(async () => {
    session = (await network.sw.client.get(`/v1/checkout/sessions/${sessionId}`, { key: shop.apiKey })).body as typeof session;
    return session.status === 'COMPLETED';
  }, 'the customer’s wallet pays the session');
  expect(session.transferId).toEqual(expect.any(String));
  return { sessionId, transferId: session.transferId ?? '' };
}

it('a dispute on a paid checkout session names the merchant, who reads and accepts it with its own key and receives signed webhooks', async () => {
  const { transferId } = await payCheckoutSession('75.00');
  const payment = await network.sw.client.get(`/v1/transfers/${transferId}`, { key: network.sw.operatorKey });
  expect(payment.body).toMatchObject({ state: 'COMMITTED', payerParticipant: PAYER, payeeParticipant: ACQUIRER });

  const opened = await network.sw.client.post('/v1/disputes', {
    key: network.wallet(PAYER).key.key,
    headers: { 'idempotency-key': randomUUID() },
    body: { transferId, category: 'NOT_AS_DESCRIBED', amount: '75.00', description: 'the parcel held something else' },
  });
  expect(opened.status).toBe(201);
  const dispute = opened.body as Dispute;
  expect(dispute).toMatchObject({ merchantId: shop.id, claimant: PAYER, respondent: ACQUIRER, state: 'OPEN', outcome: null });
  // The merchant matches the dispute to its session by the switch's id, which the session's transferId carries.
  expect(dispute).toMatchObject({ switchTransferId: transferId });

  // The merchant reads and lists it with its own key.
  const read = await network.sw.client.get(`/v1/disputes/${dispute.id}`, { key: shop.apiKey });
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ id: dispute.id, merchantId: shop.id, state: 'OPEN' });
  const listed = (await network.sw.client.get('/v1/disputes', { key: shop.apiKey })).body as { disputes: Dispute[] };
  expect(listed.disputes.map((listedDispute) => listedDispute.id)).toEqual([dispute.id]);
  await waitUntil(() => disputeEvents().some(({ event }) => event.type === 'dispute.opened'), 'the merchant hears of the claim', 15_000);

  // The merchant answers for its acquirer: accepting resolves for the customer, with a chargeback.
  const accepted = await network.sw.client.post(`/v1/disputes/${dispute.id}/respond`, {
    key: shop.apiKey,
    body: { action: 'ACCEPT', note: 'wrong item shipped; refunding' },
  });
  expect(accepted.status).toBe(200);
  expect(accepted.body).toMatchObject({ state: 'RESOLVED', outcome: 'CLAIMANT', chargebackTransferId: `chargeback-${dispute.id}` });
  await waitUntil(
    () => disputeEvents().some(({ event }) => event.type === 'dispute.resolved'),
    'the merchant hears of the outcome',
    15_000,
  );

  const events = disputeEvents();
  expect(events.map(({ event }) => event.type).sort()).toEqual(['dispute.opened', 'dispute.resolved']);
  for (const { event, request } of events) {
    expect(signedBy(request, shop.webhookSecret)).toBe(true);
    expect(signedBy(request, 'whsec_not_the_merchants')).toBe(false);
    expect(request.headers['hisaab-event-id']).toBe(event.id);
    expect(event.data.object).toMatchObject({ id: dispute.id, merchantId: shop.id, transferId: dispute.transferId });
    // The claim's description is the payer's personal data, sealed in the log: a webhook body, kept as written in the
    // outbox, leaves it out (the merchant reads it with GET), while the evidence references come along.
    expect(event.data.object).not.toHaveProperty('description');
    expect(event.data.object).toMatchObject({ evidence: [] });
  }
  const resolved = events.find(({ event }) => event.type === 'dispute.resolved')?.event;
  expect(resolved?.data.object).toMatchObject({ state: 'RESOLVED', outcome: 'CLAIMANT', chargebackTransferId: `chargeback-${dispute.id}` });
  const openedEvent = events.find(({ event }) => event.type === 'dispute.opened')?.event;
  expect(openedEvent?.data.object).toMatchObject({ state: 'OPEN' });
});
