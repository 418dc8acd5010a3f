import { randomUUID } from 'node:crypto';
import { refundResponse } from '../../api/schemas/response-schemas';
import { onboardMerchant, sessionBody, type OnboardedMerchant } from '../support/gateway';
import { errorCode } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';

/**
 * Refunds of paid checkout sessions over the real switch (issue 11): a refund is a transfer, purpose REFUND, from the
 * acquirer back to the payer's participant, credited to the payer's own account; partial refunds never add up to more
 * than was paid, also when many are asked at once; the acquirer's net debit cap can refuse one (FAILED).
 */
let network: PaymentNetwork;
let shop: OnboardedMerchant;
let other: OnboardedMerchant;
let capped: OnboardedMerchant;
beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '10000000.00' },
      // An acquirer that may owe nothing: a full refund of a payment whose fees it paid takes it below zero.
      { id: 'INDUS', bankCode: 'INDS', msisdn: '923000000003', netDebitCap: '0.00' },
    ],
  );
  shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SHOP1', 'MARGALLA');
  other = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SHOP2', 'MARGALLA');
  capped = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SHOP3', 'INDUS', {
    fees: { mdrPercent: '2.00', interchangePercent: '1.00', switchFee: '1.00' },
  });
  for (const [merchant, acquirer] of [
    [shop, 'MARGALLA'],
    [other, 'MARGALLA'],
    [capped, 'INDUS'],
  ] as const) {
    network.wallet(acquirer).simulator.accounts.add({ walletNumber: `W${merchant.id}`, name: `${merchant.id} Store`, balanceMinor: 0n });
  }
});
afterAll(async () => {
  await network.close();
});

type Refund = {
  id: string;
  sessionId: string;
  transferId: string;
  amount: string;
  currency: string;
  status: string;
  failureReason: string | null;
};

async function paidSession(merchant: OnboardedMerchant, amount: string, payer = { type: 'WALLET', value: 'WRAVI0001' }): Promise<string> {
  const created = await network.sw.client.post('/v1/checkout/sessions', {
    key: merchant.apiKey,
    body: sessionBody({ amount }),
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(created.status).toBe(201);
  const sessionId = (created.body as { id: string }).id;
  const paid = await network.sw.client.post('/v1/transfers', {
    key: network.wallet('RAVI').key.key,
    body: {
      id: randomUUID(),
      payer,
      payee: { type: 'MERCHANT', value: merchant.id },
      amount,
      currency: 'PKR',
      purpose: 'P2M',
      checkoutSessionId: sessionId,
    },
  });
  expect(paid.body).toMatchObject({ state: 'COMMITTED' });
  return sessionId;
}

function refund(merchant: OnboardedMerchant, body: Record<string, unknown>, idempotencyKey: string | null = randomUUID()) {
  return network.sw.client.post('/v1/refunds', {
    key: merchant.apiKey,
    body,
    headers: idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey },
  });
}

it('refunds part of a payment back to the payer through its wallet, as a REFUND transfer; the key makes a retry the same refund', async () => {
  const sessionId = await paidSession(shop, '1500.00', { type: 'MSISDN', value: '923000000002' });
  const key = randomUUID();
  const answer = await refund(shop, { sessionId, amount: '500.00', reason: 'one item returned' }, key);
  expect(answer.status).toBe(201);
  const body = answer.body as Refund;
  expect(body).toMatchObject({ sessionId, amount: '500.00', currency: 'PKR', status: 'SUCCEEDED', failureReason: null });
  expect(body.id).toMatch(/^re_[A-Za-z0-9]{22}$/);
  // The answer is what /openapi.json documents.
  expect(refundResponse.safeParse(body).success).toBe(true);
  // The payer's wallet was asked to credit its customer's own account (the MSISDN's wallet), purpose REFUND.
  const credit = network
    .wallet('RAVI')
    .simulator.received('CREDIT_REQUEST')
    .find((message) => message.transferId === body.transferId);
  expect(credit?.body).toMatchObject({
    amount: '500.00',
    payee: { type: 'WALLET', value: 'WRAVI0001' },
    payer: { participant: 'MARGALLA' },
  });
  const transfer = await network.sw.running.transfers.service.find(body.transferId);
  expect(transfer).toMatchObject({ state: 'COMMITTED', payerParticipant: 'MARGALLA', payeeParticipant: 'RAVI', purpose: 'REFUND' });

  const again = await refund(shop, { sessionId, amount: '500.00', reason: 'one item returned' }, key);
  expect([again.status, (again.body as Refund).id]).toEqual([200, body.id]);
  const conflict = await refund(shop, { sessionId, amount: '400.00' }, key);
  expect([conflict.status, errorCode(conflict)]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);
  const read = await network.sw.client.get(`/v1/refunds/${body.id}`, { key: shop.apiKey });
  expect(read.body).toEqual(body);
  expect((await network.sw.client.get(`/v1/refunds/${body.id}`, { key: network.sw.operatorKey })).status).toBe(200);
  // The rest can be refunded, and not a paisa more.
  expect(((await refund(shop, { sessionId, amount: '1000.00' })).body as Refund).status).toBe('SUCCEEDED');
  const over = await refund(shop, { sessionId, amount: '0.01' });
  expect([over.status, errorCode(over)]).toEqual([422, 'REFUND_EXCEEDS_PAYMENT']);
  expect(await network.sw.running.refunds.refundedAmounts.refundedMinor(await paymentOf(sessionId))).toBe(150_000n);
});

it('never refunds more than was paid when many refunds are asked at once', async () => {
  const sessionId = await paidSession(shop, '1000.00');
  const answers = await Promise.all(Array.from({ length: 30 }, () => refund(shop, { sessionId, amount: '100.00' })));
  const succeeded = answers.filter((answer) => answer.status === 201 && (answer.body as Refund).status === 'SUCCEEDED');
  const refused = answers.filter((answer) => answer.status === 422 && errorCode(answer) === 'REFUND_EXCEEDS_PAYMENT');
  expect([succeeded.length, refused.length]).toEqual([10, 20]);
  expect(await network.sw.running.refunds.refundedAmounts.refundedMinor(await paymentOf(sessionId))).toBe(100_000n);
});

it('refuses a session that is not paid (409) and reaches only its own merchant’s sessions and refunds (404)', async () => {
  const open = await network.sw.client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody(),
    headers: { 'idempotency-key': randomUUID() },
  });
  const unpaid = await refund(shop, { sessionId: (open.body as { id: string }).id, amount: '1.00' });
  expect([unpaid.status, errorCode(unpaid)]).toEqual([409, 'SESSION_NOT_PAID']);
  const missingKey = await refund(shop, { sessionId: (open.body as { id: string }).id, amount: '1.00' }, null);
  expect([missingKey.status, errorCode(missingKey)]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);

  const sessionId = await paidSession(shop, '50.00');
  const foreign = await refund(other, { sessionId, amount: '1.00' });
  expect([foreign.status, errorCode(foreign)]).toEqual([404, 'SESSION_NOT_FOUND']);
  const mine = (await refund(shop, { sessionId, amount: '10.00' })).body as Refund;
  const peek = await network.sw.client.get(`/v1/refunds/${mine.id}`, { key: other.apiKey });
  expect([peek.status, errorCode(peek)]).toEqual([404, 'REFUND_NOT_FOUND']);
  const bad = await refund(shop, { sessionId, amount: '-1.00' });
  expect(bad.status).toBe(400);
});

it('records a refund the acquirer’s net debit cap refuses as FAILED, NET_DEBIT_CAP_EXCEEDED, and gives its amount back', async () => {
  const sessionId = await paidSession(capped, '333.33');
  const failed = await refund(capped, { sessionId, amount: '333.33' });
  expect(failed.status).toBe(201);
  expect(failed.body).toMatchObject({ status: 'FAILED', failureReason: 'NET_DEBIT_CAP_EXCEEDED' });
  expect(await network.sw.running.refunds.refundedAmounts.refundedMinor(await paymentOf(sessionId))).toBe(0n);
  // What the acquirer holds after its fees can still go back.
  const partial = await refund(capped, { sessionId, amount: '300.00' });
  expect(partial.body).toMatchObject({ status: 'SUCCEEDED' });
});

it('tells the merchant by webhook: refund.succeeded and refund.failed, once the outcome is durable', async () => {
  const events = async (merchant: OnboardedMerchant, type: string) =>
    (
      (await network.sw.client.get(`/v1/merchants/${merchant.id}/events?type=${type}`, { key: merchant.apiKey })).body as {
        events: unknown[];
      }
    ).events;
  expect((await events(shop, 'refund.succeeded')).length).toBeGreaterThan(0);
  expect((await events(capped, 'refund.failed')).length).toBe(1);
});

async function paymentOf(sessionId: string): Promise<string> {
  const read = await network.sw.client.get(`/v1/checkout/sessions/${sessionId}`, { key: network.sw.operatorKey });
  return (read.body as { transferId: string }).transferId;
}
