import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readModelPath } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { switchProjections } from '../../adapters/readmodel-sqlite/projections/switch-projections';
import { runRebuildCommand } from '../../scripts/rebuild-projection';
import { refundResponse } from '../../api/schemas/response-schemas';
import { RefundService } from '../../core/gateway/refund-service';
import { refundIdOf } from '../../core/gateway/refund-events';
import { derivedUuid } from '../../core/idempotency/idempotency-key';
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
let failedRefund: Refund | null = null;
beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '10000000.00' },
      // An acquirer that may owe nothing: a full refund of a payment whose fees it paid takes it below zero.
      { id: 'INDUS', bankCode: 'INDS', msisdn: '923000000003', netDebitCap: '0.00' },
      // A payer whose wallet is credited by advice: its refunds are advised too, as a P2P transfer to it would be.
      { id: 'SINDH', bankCode: 'SNDH', msisdn: '923000000004', creditMode: 'ADVICE' },
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

it('says in decimal amounts with their currency, as the API writes amounts, how much is left to refund', async () => {
  const sessionId = await paidSession(shop, '1500.00');
  expect(((await refund(shop, { sessionId, amount: '500.00' })).body as Refund).status).toBe('SUCCEEDED');
  const over = await refund(shop, { sessionId, amount: '1000.01' });
  expect({ status: over.status, body: over.body }).toEqual({
    status: 422,
    body: {
      error: {
        code: 'REFUND_EXCEEDS_PAYMENT',
        message:
          'body.amount: refunds of this payment would add up to more than was paid (1500.00 PKR): 1000.00 PKR is left to refund, ' +
          'and this refund is of 1000.01 PKR',
        details: [{ path: ['body', 'amount'], refundable: '1000.00', message: expect.any(String) }],
      },
    },
  });
});

it('advises a payer participant that is credited by advice (ADVICE), as a P2P transfer to it would be', async () => {
  const created = await network.sw.client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody({ amount: '80.00' }),
    headers: { 'idempotency-key': randomUUID() },
  });
  const sessionId = (created.body as { id: string }).id;
  const paid = await network.sw.client.post('/v1/transfers', {
    key: network.wallet('SINDH').key.key,
    body: {
      id: randomUUID(),
      payer: { type: 'WALLET', value: 'WSINDH0001' },
      payee: { type: 'MERCHANT', value: 'SHOP1' },
      amount: '80.00',
      currency: 'PKR',
      purpose: 'P2M',
      checkoutSessionId: sessionId,
    },
  });
  expect(paid.body).toMatchObject({ state: 'COMMITTED' });
  const refunded = (await refund(shop, { sessionId, amount: '80.00' })).body as Refund;
  expect(refunded.status).toBe('SUCCEEDED');
  const deadline = Date.now() + 5_000;
  const advised = () =>
    network
      .wallet('SINDH')
      .simulator.received('CREDIT_ADVICE')
      .find((message) => message.transferId === refunded.transferId);
  while (advised() === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(advised()?.body).toMatchObject({ amount: '80.00', payee: { type: 'WALLET', value: 'WSINDH0001' } });
});

it('never refunds more than was paid when many refunds are asked at once', async () => {
  const sessionId = await paidSession(shop, '1000.00');
  const answers = await Promise.all(Array.from({ length: 30 }, () => refund(shop, { sessionId, amount: '100.00' })));
  const succeeded = answers.filter((answer) => answer.status === 201 && (answer.body as Refund).status === 'SUCCEEDED');
  const refused = answers.filter((answer) => answer.status === 422 && errorCode(answer) === 'REFUND_EXCEEDS_PAYMENT');
  expect([succeeded.length, refused.length]).toEqual([10, 20]);
  expect(await network.sw.running.refunds.refundedAmounts.refundedMinor(await paymentOf(sessionId))).toBe(100_000n);
});

it('never refunds more than was paid when two switch processes race, each deciding on the event store alone', async () => {
  // A second refund service over the same store stands for another process: no in-process queue is shared, so only
  // the payment refunds stream's expected revision keeps the two from refunding more than was paid together.
  const running = network.sw.running;
  const otherProcess = new RefundService({
    store: running.store,
    checkout: running.gateway.checkout,
    directory: running.dependencies.readModels.directory,
    transfers: running.transfers.service,
    now: () => new Date(),
  });
  const merchant = running.gateway.merchantReader.findMerchant('SHOP1');
  if (merchant === null) throw new Error('SHOP1 is onboarded');
  const sessionId = await paidSession(shop, '500.00');
  const outcomes = await Promise.all([
    ...Array.from({ length: 15 }, async () => {
      const answer = await refund(shop, { sessionId, amount: '50.00' });
      return answer.status === 201 ? 'SUCCEEDED' : errorCode(answer);
    }),
    ...Array.from({ length: 15 }, async () => {
      try {
        const created = await otherProcess.create(merchant, { sessionId, amount: '50.00' }, randomUUID(), {
          now: new Date(),
          actor: 'merchant:SHOP1',
        });
        return created.refund.status;
      } catch (error) {
        return (error as { code?: string }).code;
      }
    }),
  ]);
  expect(outcomes.filter((outcome) => outcome === 'SUCCEEDED')).toHaveLength(10);
  expect(outcomes.filter((outcome) => outcome === 'REFUND_EXCEEDS_PAYMENT')).toHaveLength(20);
  expect(await running.refunds.refundedAmounts.refundedMinor(await paymentOf(sessionId))).toBe(50_000n);
});

it('finishes a refund a stopped process left PENDING before its transfer started, and tells the merchant', async () => {
  const running = network.sw.running;
  const sessionId = await paidSession(shop, '70.00');
  const paymentTransferId = await paymentOf(sessionId);
  // What a request writes before it runs the transfer, as if the process had died right after.
  const refundId = refundIdOf('SHOP1', 'stopped-before-the-transfer');
  const requestedAt = new Date(Date.now() - 10 * 60_000).toISOString();
  const metadata = { at: requestedAt, actor: 'merchant:SHOP1' };
  const appended = await running.store.appendMany([
    {
      stream: `refund-${refundId}`,
      events: [
        {
          id: randomUUID(),
          type: 'RefundRequested',
          data: {
            refundId,
            merchantId: 'SHOP1',
            sessionId,
            paymentTransferId,
            transferId: derivedUuid('refund', refundId),
            amountMinor: '2000',
            currency: 'PKR',
            reason: null,
            requestDigest: 'digest',
            at: requestedAt,
          },
          metadata,
        },
      ],
      expectedRevision: 'no_stream',
    },
    {
      stream: `payment-refunds-${paymentTransferId}`,
      events: [
        {
          id: randomUUID(),
          type: 'RefundAmountHeld',
          data: { refundId, paymentTransferId, amountMinor: '2000', at: requestedAt },
          metadata,
        },
      ],
      expectedRevision: 'any',
    },
  ]);
  await running.dependencies.readModels.waitForPosition(appended[appended.length - 1]?.position ?? 0n, 5_000);
  expect(((await network.sw.client.get(`/v1/refunds/${refundId}`, { key: shop.apiKey })).body as Refund).status).toBe('PENDING');
  expect(await running.refunds.sweepPendingRefunds()).toBeGreaterThanOrEqual(1);
  const read = (await network.sw.client.get(`/v1/refunds/${refundId}`, { key: shop.apiKey })).body as Refund;
  expect(read).toMatchObject({ status: 'SUCCEEDED', amount: '20.00' });
  expect(await running.transfers.service.find(read.transferId)).toMatchObject({ state: 'COMMITTED', purpose: 'REFUND' });
  const events = (await network.sw.client.get('/v1/merchants/SHOP1/events?type=refund.succeeded&limit=100', { key: shop.apiKey })).body as {
    events: { id: string }[];
  };
  const told = events.events.filter((event) => running.webhooks.reader.findEvent(event.id)?.payload.body.includes(refundId));
  expect(told).toHaveLength(1);
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
  const key = randomUUID();
  const failed = await refund(capped, { sessionId, amount: '333.33' }, key);
  expect(failed.status).toBe(201);
  expect(failed.body).toMatchObject({ status: 'FAILED', failureReason: 'NET_DEBIT_CAP_EXCEEDED' });
  failedRefund = failed.body as Refund;
  // A retry with the same key answers the same refund (and publishes nothing new: see the webhook test).
  expect(await refund(capped, { sessionId, amount: '333.33' }, key)).toMatchObject({ status: 200, body: failedRefund });
  expect(await network.sw.running.refunds.refundedAmounts.refundedMinor(await paymentOf(sessionId))).toBe(0n);
  // What the acquirer holds after its fees can still go back.
  const partial = await refund(capped, { sessionId, amount: '300.00' });
  expect(partial.body).toMatchObject({ status: 'SUCCEEDED' });
});

it('tells the merchant by webhook: refund.succeeded and refund.failed, with the refund as data.object, once each', async () => {
  const events = async (merchant: OnboardedMerchant, type: string) =>
    (
      (await network.sw.client.get(`/v1/merchants/${merchant.id}/events?type=${type}`, { key: merchant.apiKey })).body as {
        events: { id: string }[];
      }
    ).events;
  expect((await events(shop, 'refund.succeeded')).length).toBeGreaterThan(0);
  const published = await events(capped, 'refund.failed');
  const bodies = published.map((event) => {
    const record = network.sw.running.webhooks.reader.findEvent(event.id);
    return JSON.parse(record?.payload.body ?? '{}') as { type: string; data: { object: Refund } };
  });
  const forThisRefund = bodies.filter((body) => body.data.object.id === failedRefund?.id);
  expect(forThisRefund).toHaveLength(1);
  expect(forThisRefund[0]).toMatchObject({ type: 'refund.failed', data: { object: failedRefund } });
});

async function paymentOf(sessionId: string): Promise<string> {
  const read = await network.sw.client.get(`/v1/checkout/sessions/${sessionId}`, { key: network.sw.operatorKey });
  return (read.body as { transferId: string }).transferId;
}

it('shows a merchant its payments and balance: MDR half-even to the paisa, kept on a refund; net = collected − refunded − mdr', async () => {
  // SHOP3 (MDR 2.00 %) was paid 333.33 above (MDR 6.6666, so 6.67) and refunded 300.00 of it; its failed refund counts nothing.
  const payments = await network.sw.client.get('/v1/merchants/SHOP3/payments?limit=10', { key: capped.apiKey });
  expect(payments.status).toBe(200);
  expect(payments.body).toEqual({
    payments: [
      {
        sessionId: expect.stringMatching(/^cs_/) as unknown,
        orderId: 'ORD-1',
        transferId: expect.any(String) as unknown,
        amount: '333.33',
        currency: 'PKR',
        paidAt: expect.any(String) as unknown,
        payerParticipant: 'RAVI',
        refunded: '300.00',
        chargedBack: '0.00',
        mdr: '6.67',
        net: '26.66',
      },
    ],
    nextCursor: null,
  });
  const balance = await network.sw.client.get('/v1/merchants/SHOP3/balance?currency=PKR', { key: network.sw.operatorKey });
  const noInbound = {
    received: { count: 0, amount: '0.00', retained: '0.00', converted: '0.00' },
    conversions: { count: 0, amount: '0.00' },
    credited: '0.00',
  };
  expect(balance.body).toEqual({
    currency: 'PKR',
    collected: '333.33',
    refunded: '300.00',
    chargedBack: '0.00',
    mdr: '6.67',
    net: '26.66',
    // No in-bound payments (issue 17): the in-bound part is all zero.
    inbound: noInbound,
    byWindow: [
      {
        windowId: expect.any(String) as unknown,
        collected: '333.33',
        refunded: '300.00',
        chargedBack: '0.00',
        mdr: '6.67',
        net: '26.66',
        inbound: noInbound,
      },
    ],
  });
  // Paging by cursor walks SHOP1's payments one by one, each once.
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: unknown } = await network.sw.client.get(
      `/v1/merchants/SHOP1/payments?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`,
      { key: shop.apiKey },
    );
    const body = page.body as { payments: { transferId: string }[]; nextCursor: string | null };
    seen.push(...body.payments.map((payment) => payment.transferId));
    cursor = body.nextCursor;
  } while (cursor !== null);
  expect(new Set(seen).size).toBe(seen.length);
  const all = (await network.sw.client.get('/v1/merchants/SHOP1/payments?limit=500', { key: shop.apiKey })).body as {
    payments: { transferId: string }[];
  };
  expect(seen).toEqual(all.payments.map((payment) => payment.transferId));
  expect(seen.length).toBeGreaterThan(3);
  const future = await network.sw.client.get('/v1/merchants/SHOP1/payments?from=2999-01-01T00:00:00Z', { key: shop.apiKey });
  expect((future.body as { payments: unknown[] }).payments).toEqual([]);
  // Another merchant's views are not there for SHOP1.
  expect((await network.sw.client.get('/v1/merchants/SHOP3/balance?currency=PKR', { key: shop.apiKey })).status).toBe(404);
  expect((await network.sw.client.get('/v1/merchants/SHOP3/payments', { key: shop.apiKey })).status).toBe(404);
});

it('rebuilds the merchant views from position 0 into the same rows', async () => {
  const rows = (): unknown[] => {
    const db = new Database(readModelPath(network.sw.dataDir), { readonly: true });
    try {
      return [
        db.prepare('SELECT * FROM merchant_payments ORDER BY position').all(),
        db.prepare('SELECT * FROM merchant_window_totals ORDER BY merchant_id, currency, window_id').all(),
        db.prepare('SELECT * FROM merchant_view_pending_payments ORDER BY transfer_id').all(),
        db.prepare('SELECT * FROM merchant_view_pending_refunds ORDER BY refund_id').all(),
        db.prepare('SELECT * FROM merchant_view_pending_inbound ORDER BY payment_id').all(),
      ];
    } finally {
      db.close();
    }
  };
  const before = rows();
  expect((before[0] as unknown[]).length).toBeGreaterThan(3);
  const output: string[] = [];
  const exitCode = await runRebuildCommand(
    ['merchant-views', '--data-dir', network.sw.dataDir],
    switchProjections,
    { out: (line) => output.push(line), err: (line) => output.push(line) },
    {},
  );
  expect({ exitCode, output }).toMatchObject({ exitCode: 0 });
  expect(rows()).toEqual(before);
});
