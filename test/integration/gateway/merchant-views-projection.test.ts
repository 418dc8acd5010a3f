import { SqliteMerchantViewsReader } from '../../../adapters/readmodel-sqlite/projections/merchant-views-read-model';
import { merchantViewsProjection } from '../../../adapters/readmodel-sqlite/projections/merchant-views-projection';
import type { NewEvent } from '../../../core/eventstore/event';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import type { TransferInitiated } from '../../../core/transfers/transfer-events';
import { openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';
import { noInboundAmounts } from '../../../core/gateway/merchant-views-reader';
import type { InboundPaymentRecord } from '../../../core/fx/inbound-payment-decider';

/**
 * The merchant-views projection folded from a real event store: payments in the window open at their commit, refunds
 * in the window open when they succeed, aborted payments and failed refunds counting nothing, a payment its payer's
 * bank reversed reading as given back.
 */
let fixture: ProjectionFixture;
beforeEach(() => {
  fixture = openProjectionFixture('hisaab-merchant-views-');
});
afterEach(async () => fixture.close());

const at = '2026-12-03T08:00:00.000Z';
let eventNumber = 0;
const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: `00000000-0000-4000-8000-${String((eventNumber += 1)).padStart(12, '0')}`,
  type,
  data: data as NewEvent['data'],
  metadata: { at },
});

function initiated(transferId: string, amountMinor: string, mdrMinor: string, checkoutSessionId?: string): NewEvent {
  const data: TransferInitiated['data'] = {
    transferId,
    payerParticipant: 'RAVI',
    payeeParticipant: 'MARGALLA',
    payer: { type: 'WALLET', value: 'WRAVI0001' },
    payee: { type: 'MERCHANT', value: 'SHOP1' },
    payeeAccount: { type: 'WALLET', value: 'WSHOP1' },
    amountMinor,
    currency: 'PKR',
    purpose: 'P2M',
    note: null,
    creditMode: 'REQUEST',
    requestDigest: 'd',
    channel: 'api',
    createdAt: at,
    merchant: { id: 'SHOP1', settlementAccount: { type: 'WALLET', value: 'WSHOP1' }, mdrMinor },
    ...(checkoutSessionId === undefined ? {} : { checkoutSessionId }),
  };
  return event('TransferInitiated', data);
}

const noInbound = noInboundAmounts();
const committed = (transferId: string) => event('TransferCommitted', { transferId, completedAt: at });
const refundRequested = (refundId: string, paymentTransferId: string, amountMinor: string) =>
  event('RefundRequested', { refundId, paymentTransferId, amountMinor, merchantId: 'SHOP1', sessionId: 'cs_1', currency: 'PKR' });

async function project(events: readonly NewEvent[]): Promise<SqliteMerchantViewsReader> {
  let head = -1n;
  for (const each of events) head = (await fixture.store.append('merchant-views-test', [each], 'any')).position;
  const runner = new ProjectionRunner({ store: fixture.store, readModels: fixture.readModels, projections: [merchantViewsProjection] });
  await runner.start();
  await runner.waitForPosition(head, 10_000);
  await runner.stop();
  return new SqliteMerchantViewsReader(fixture.readModels.database);
}

it('counts a payment in the window of its commit and a refund in the window it succeeds in; aborted and failed count nothing', async () => {
  const reader = await project([
    event('SessionCreated', { sessionId: 'cs_1', orderId: 'ORD-1' }),
    initiated('pay-1', '33333', '500', 'cs_1'),
    committed('pay-1'),
    initiated('pay-aborted', '1000', '15'),
    event('TransferAborted', { transferId: 'pay-aborted', reason: 'PAYEE_REJECTED', detail: null, reversalQueued: false, completedAt: at }),
    event('SettlementWindowClosed', {
      windowId: 'PKR-000001',
      currency: 'PKR',
      closedAt: at,
      closedBy: 'operator',
      requestReference: null,
    }),
    event('SettlementWindowOpened', { windowId: 'PKR-000002', currency: 'PKR', sequence: 2, openedAt: at }),
    refundRequested('re_1', 'pay-1', '10000'),
    event('RefundSucceeded', { refundId: 're_1', at }),
    refundRequested('re_2', 'pay-1', '5000'),
    event('RefundFailed', { refundId: 're_2', failureReason: 'NET_DEBIT_CAP_EXCEEDED', at }),
    initiated('pay-static', '2000', '30'),
    committed('pay-static'),
  ]);
  expect(reader.windowTotals('SHOP1', 'PKR')).toEqual([
    { windowId: 'PKR-000001', collectedMinor: 33_333n, refundedMinor: 0n, chargedBackMinor: 0n, mdrMinor: 500n, inbound: noInbound },
    { windowId: 'PKR-000002', collectedMinor: 2_000n, refundedMinor: 10_000n, chargedBackMinor: 0n, mdrMinor: 30n, inbound: noInbound },
  ]);
  const payments = reader.listPayments({ merchantId: 'SHOP1', from: null, to: null, afterPosition: null, limit: 10 });
  expect(payments.map(({ transferId, sessionId, orderId, refundedMinor }) => ({ transferId, sessionId, orderId, refundedMinor }))).toEqual([
    { transferId: 'pay-1', sessionId: 'cs_1', orderId: 'ORD-1', refundedMinor: 10_000n },
    { transferId: 'pay-static', sessionId: null, orderId: null, refundedMinor: 0n },
  ]);
});

it('reads a payment its payer’s bank reversed as given back in full, in the window of the reversal', async () => {
  const reader = await project([
    initiated('pay-1', '10000', '150'),
    committed('pay-1'),
    refundRequested('re_1', 'pay-1', '2500'),
    event('RefundSucceeded', { refundId: 're_1', at }),
    event('SettlementWindowClosed', {
      windowId: 'PKR-000001',
      currency: 'PKR',
      closedAt: at,
      closedBy: 'operator',
      requestReference: null,
    }),
    event('SettlementWindowOpened', { windowId: 'PKR-000002', currency: 'PKR', sequence: 2, openedAt: at }),
    event('TransferReversed', { transferId: 'pay-1', reason: 'PAYER_REVERSED', reversedAt: at }),
  ]);
  expect(reader.windowTotals('SHOP1', 'PKR')).toEqual([
    { windowId: 'PKR-000001', collectedMinor: 10_000n, refundedMinor: 2_500n, chargedBackMinor: 0n, mdrMinor: 150n, inbound: noInbound },
    { windowId: 'PKR-000002', collectedMinor: 0n, refundedMinor: 7_500n, chargedBackMinor: 0n, mdrMinor: 0n, inbound: noInbound },
  ]);
  const [payment] = reader.listPayments({ merchantId: 'SHOP1', from: null, to: null, afterPosition: null, limit: 10 });
  expect(payment?.refundedMinor).toBe(10_000n);
});

it('counts a dispute chargeback on a payment in the window it was taken in, and a later reversal gives back only the rest', async () => {
  const chargeback = (amountMinor: string) =>
    event('ChargebackTaken', { transferId: 'pay-1', disputeId: 'dp_1', chargebackTransferId: 'chargeback-dp_1', amountMinor, at });
  const reader = await project([
    initiated('pay-1', '10000', '150'),
    committed('pay-1'),
    refundRequested('re_1', 'pay-1', '1000'),
    event('RefundSucceeded', { refundId: 're_1', at }),
    event('SettlementWindowClosed', {
      windowId: 'PKR-000001',
      currency: 'PKR',
      closedAt: at,
      closedBy: 'operator',
      requestReference: null,
    }),
    event('SettlementWindowOpened', { windowId: 'PKR-000002', currency: 'PKR', sequence: 2, openedAt: at }),
    chargeback('4000'),
    event('TransferReversed', { transferId: 'pay-1', reason: 'PAYER_REVERSED', reversedAt: at }),
  ]);
  expect(reader.windowTotals('SHOP1', 'PKR')).toEqual([
    { windowId: 'PKR-000001', collectedMinor: 10_000n, refundedMinor: 1_000n, chargedBackMinor: 0n, mdrMinor: 150n, inbound: noInbound },
    { windowId: 'PKR-000002', collectedMinor: 0n, refundedMinor: 5_000n, chargedBackMinor: 4_000n, mdrMinor: 0n, inbound: noInbound },
  ]);
  const [payment] = reader.listPayments({ merchantId: 'SHOP1', from: null, to: null, afterPosition: null, limit: 10 });
  expect(payment).toMatchObject({ refundedMinor: 6_000n, chargedBackMinor: 4_000n });
});

function inboundRecorded(paymentId: string, amounts: { amount: string; retained: string; rupees: string }): NewEvent {
  const data: InboundPaymentRecord = {
    paymentId,
    pspId: 'REMITLY',
    merchantId: 'SHOP1',
    amountMinor: amounts.amount,
    currency: 'USD',
    quoteId: null,
    purposeCode: '9184',
    payer: { type: 'BUSINESS', name: 'Acme Ltd', country: 'GB', taxId: null },
    invoiceNumber: null,
    description: null,
    acquirerId: 'MARGALLA',
    merchantName: 'Shop One',
    merchantCity: 'Karachi',
    retainedMinor: amounts.retained,
    convertedFromMinor: (BigInt(amounts.amount) - BigInt(amounts.retained)).toString(),
    convertedToMinor: amounts.rupees,
    toCurrency: 'PKR',
    rate: '278.4500',
    providerId: 'ALLIED',
    transferIds: [],
    completedAt: at,
  };
  return event('InboundPaymentCompleted', data);
}
const inboundPosted = (paymentId: string) => event('InboundPaymentPosted', { paymentId, postedAt: at });

it('counts an in-bound payment once posted, in each currency’s window open then; a failed or unposted one counts nothing', async () => {
  const reader = await project([
    initiated('pay-1', '10000', '150'),
    committed('pay-1'),
    // 100.00 USD, 35.00 kept, 65.00 converted into 18,099.25 rupees.
    inboundRecorded('in-1', { amount: '10000', retained: '3500', rupees: '1809925' }),
    inboundPosted('in-1'),
    // Failed after the crash sweep found its reservations expired: never counted.
    inboundRecorded('in-failed', { amount: '50000', retained: '17500', rupees: '9049625' }),
    event('InboundPaymentFailed', { paymentId: 'in-failed', reason: 'RESERVATION_EXPIRED', reversedTransferIds: [], failedAt: at }),
    event('SettlementWindowClosed', {
      windowId: 'USD-000001',
      currency: 'USD',
      closedAt: at,
      closedBy: 'operator',
      requestReference: null,
    }),
    event('SettlementWindowOpened', { windowId: 'USD-000002', currency: 'USD', sequence: 2, openedAt: at }),
    // Recorded before the USD close, posted after it: counted in the USD window open at the post.
    inboundRecorded('in-2', { amount: '3333', retained: '1166', rupees: '603378' }),
    inboundRecorded('in-kept-whole', { amount: '700', retained: '700', rupees: '0' }),
    inboundPosted('in-2'),
    inboundPosted('in-kept-whole'),
    // Recorded, not yet posted: not counted (yet).
    inboundRecorded('in-processing', { amount: '100', retained: '35', rupees: '18099' }),
  ]);
  expect(reader.windowTotals('SHOP1', 'USD')).toEqual([
    {
      windowId: 'USD-000001',
      collectedMinor: 0n,
      refundedMinor: 0n,
      chargedBackMinor: 0n,
      mdrMinor: 0n,
      inbound: {
        received: { count: 1, amountMinor: 10_000n, retainedMinor: 3_500n, convertedMinor: 6_500n },
        conversions: { count: 0, amountMinor: 0n },
      },
    },
    {
      windowId: 'USD-000002',
      collectedMinor: 0n,
      refundedMinor: 0n,
      chargedBackMinor: 0n,
      mdrMinor: 0n,
      inbound: {
        received: { count: 2, amountMinor: 4_033n, retainedMinor: 1_866n, convertedMinor: 2_167n },
        conversions: { count: 0, amountMinor: 0n },
      },
    },
  ]);
  // The checkout payment's rupee amounts are as they were; the rupees of the two conversions sit beside them.
  expect(reader.windowTotals('SHOP1', 'PKR')).toEqual([
    {
      windowId: 'PKR-000001',
      collectedMinor: 10_000n,
      refundedMinor: 0n,
      chargedBackMinor: 0n,
      mdrMinor: 150n,
      inbound: {
        received: { count: 0, amountMinor: 0n, retainedMinor: 0n, convertedMinor: 0n },
        conversions: { count: 2, amountMinor: 1_809_925n + 603_378n },
      },
    },
  ]);
  // None of them is a checkout payment.
  expect(reader.listPayments({ merchantId: 'SHOP1', from: null, to: null, afterPosition: null, limit: 10 })).toHaveLength(1);
  const pending = fixture.readModels.database.prepare('SELECT payment_id FROM merchant_view_pending_inbound').pluck().all();
  expect(pending).toEqual(['in-processing']);
});

it('rebuilds a read model written by version 1, whose window totals had no in-bound columns', async () => {
  fixture.readModels.transaction((tx) => {
    tx.exec(`CREATE TABLE merchant_window_totals (merchant_id TEXT NOT NULL, currency TEXT NOT NULL, window_id TEXT NOT NULL,
      sequence INTEGER NOT NULL, collected_minor INTEGER NOT NULL, refunded_minor INTEGER NOT NULL, charged_back_minor INTEGER NOT NULL,
      mdr_minor INTEGER NOT NULL, PRIMARY KEY (merchant_id, currency, window_id)) STRICT`);
    tx.exec(`INSERT INTO merchant_window_totals VALUES ('SHOP1', 'PKR', 'PKR-000001', 1, 999, 0, 0, 0)`);
    fixture.readModels.writeVersion(tx, 'merchant-views', 1);
  });
  const reader = await project([
    initiated('pay-1', '10000', '150'),
    committed('pay-1'),
    inboundRecorded('in-1', { amount: '10000', retained: '3500', rupees: '1809925' }),
    inboundPosted('in-1'),
  ]);
  expect(reader.windowTotals('SHOP1', 'PKR')).toEqual([
    {
      windowId: 'PKR-000001',
      collectedMinor: 10_000n,
      refundedMinor: 0n,
      chargedBackMinor: 0n,
      mdrMinor: 150n,
      inbound: { received: noInbound.received, conversions: { count: 1, amountMinor: 1_809_925n } },
    },
  ]);
  expect(fixture.readModels.transaction((tx) => fixture.readModels.readVersion(tx, 'merchant-views'))).toBe(2);
});
