import { SqliteMerchantViewsReader } from '../../../adapters/readmodel-sqlite/projections/merchant-views-read-model';
import { merchantViewsProjection } from '../../../adapters/readmodel-sqlite/projections/merchant-views-projection';
import type { NewEvent } from '../../../core/eventstore/event';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import type { TransferInitiated } from '../../../core/transfers/transfer-events';
import { openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';

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
    { windowId: 'PKR-000001', collectedMinor: 33_333n, refundedMinor: 0n, mdrMinor: 500n },
    { windowId: 'PKR-000002', collectedMinor: 2_000n, refundedMinor: 10_000n, mdrMinor: 30n },
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
    { windowId: 'PKR-000001', collectedMinor: 10_000n, refundedMinor: 2_500n, mdrMinor: 150n },
    { windowId: 'PKR-000002', collectedMinor: 0n, refundedMinor: 7_500n, mdrMinor: 0n },
  ]);
  const [payment] = reader.listPayments({ merchantId: 'SHOP1', from: null, to: null, afterPosition: null, limit: 10 });
  expect(payment?.refundedMinor).toBe(10_000n);
});
