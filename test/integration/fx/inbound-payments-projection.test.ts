import {
  SqliteInwardRemittanceReader,
  SqliteUnfinishedInboundPayments,
} from '../../../adapters/readmodel-sqlite/projections/inbound-payments-read-model';
import { inboundPaymentsProjection } from '../../../adapters/readmodel-sqlite/projections/inbound-payments-projection';
import type { NewEvent } from '../../../core/eventstore/event';
import type { InboundPaymentRecord } from '../../../core/fx/inbound-payment-decider';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';

/**
 * The inbound-payments projection folded from a real event store: a recorded payment is unfinished until it is
 * posted or failed, and a failed one leaves the merchant's list (and so the regulator's report). A read model written
 * by version 1 (no unfinished table) is rebuilt on upgrade.
 */
let fixture: ProjectionFixture;
beforeEach(() => {
  fixture = openProjectionFixture('hisaab-inbound-payments-');
});
afterEach(async () => fixture.close());

const at = '2026-12-03T09:00:00.000Z';
let eventNumber = 0;
const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: `00000000-0000-4000-8000-${String((eventNumber += 1)).padStart(12, '0')}`,
  type,
  data: data as NewEvent['data'],
  metadata: { at },
});

function recorded(paymentId: string): NewEvent {
  const data: InboundPaymentRecord = {
    paymentId,
    pspId: 'REMITLY',
    merchantId: 'KARACHI_SOFT',
    amountMinor: '10000',
    currency: 'USD',
    quoteId: null,
    purposeCode: '9184',
    payer: { type: 'BUSINESS', name: 'Acme Ltd', country: 'GB', taxId: null },
    invoiceNumber: null,
    description: null,
    acquirerId: 'MARGALLA',
    merchantName: 'Karachi Soft',
    merchantCity: 'Karachi',
    retainedMinor: '3500',
    convertedFromMinor: '6500',
    convertedToMinor: '1809925',
    toCurrency: 'PKR',
    rate: '278.4500',
    providerId: 'ALLIED',
    transferIds: [],
    completedAt: at,
  };
  return event('InboundPaymentCompleted', data);
}

async function project(events: readonly NewEvent[]): Promise<void> {
  let head = -1n;
  for (const each of events) head = (await fixture.store.append('inbound-test', [each], 'any')).position;
  const runner = new ProjectionRunner({ store: fixture.store, readModels: fixture.readModels, projections: [inboundPaymentsProjection] });
  await runner.start();
  await runner.waitForPosition(head, 10_000);
  await runner.stop();
}

it('lists a recorded payment as unfinished until it is posted or failed; a failed one leaves the merchant’s list', async () => {
  await project([
    recorded('p-1'),
    recorded('p-2'),
    recorded('p-3'),
    event('InboundPaymentPosted', { paymentId: 'p-1', postedAt: at }),
    event('InboundPaymentFailed', { paymentId: 'p-2', reason: 'RESERVATION_EXPIRED', reversedTransferIds: [], failedAt: at }),
  ]);
  const unfinished = new SqliteUnfinishedInboundPayments(fixture.readModels.database);
  expect(unfinished.listUnfinished(at, 10)).toEqual(['p-3']);
  // Recorded after the instant asked for: not yet due.
  expect(unfinished.listUnfinished('2026-12-03T08:59:59.999Z', 10)).toEqual([]);
  expect(new SqliteInwardRemittanceReader(fixture.readModels.database).merchantPaymentIds('KARACHI_SOFT', 10).sort()).toEqual([
    'p-1',
    'p-3',
  ]);
});

it('rebuilds a read model written by version 1, which had no unfinished table', async () => {
  fixture.readModels.transaction((tx) => {
    tx.exec(`CREATE TABLE inbound_payments (payment_id TEXT PRIMARY KEY, psp_id TEXT NOT NULL, merchant_id TEXT NOT NULL,
      acquirer_id TEXT NOT NULL, provider_id TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL,
      retained_minor INTEGER NOT NULL, converted_from_minor INTEGER NOT NULL, converted_to_minor INTEGER NOT NULL,
      purpose_code TEXT NOT NULL, payer_type TEXT NOT NULL, payer_country TEXT NOT NULL, completed_at TEXT NOT NULL,
      completed_day TEXT NOT NULL) STRICT`);
    fixture.readModels.writeVersion(tx, inboundPaymentsProjection.name, 1);
  });
  await project([recorded('p-9')]);
  expect(new SqliteUnfinishedInboundPayments(fixture.readModels.database).listUnfinished(at, 10)).toEqual(['p-9']);
});
