import { randomUUID } from 'node:crypto';
import { buildRegulatorSummary } from '../../../core/reports/regulator-summary';
import { summaryHourRange } from '../../../core/reports/statistics-hours';
import { startSettlementFixture, type SettlementFixture } from './settlement-fixture';

let fixture: SettlementFixture;

beforeAll(async () => {
  fixture = await startSettlementFixture([
    { id: 'INDUS', bankCode: 'INDU', netDebitCapMinor: 100_000n, customers: 1 },
    { id: 'RAVI', bankCode: 'RAVI', netDebitCapMinor: 10_000_000n, customers: 1 },
  ]);
});

afterAll(async () => {
  await fixture.close();
});

const empty = { count: 0, value: '0.00', committed: 0, committedValue: '0.00', aborted: 0, abortedValue: '0.00', successRate: null };

it('counts payments by participant, purpose, outcome, abort reason and hour, and nothing that is not a payment', async () => {
  const [indus, ravi] = fixture.customers;
  const outcomes = [
    await fixture.pay(indus!, ravi!, '300.00', randomUUID()),
    await fixture.pay(indus!, ravi!, '200.00', randomUUID(), 'BILL'),
    await fixture.pay(ravi!, indus!, '50.00', randomUUID()),
    // Over INDUS's cap (1000.00 with 500.00 used): refused.
    await fixture.pay(indus!, ravi!, '900.00', randomUUID()),
    // RAVI pays an account INDUS's wallet does not know: INDUS rejects the credit.
    await fixture.pay(ravi!, fixture.unknownAccountAlias, '10.00', randomUUID()),
  ];
  expect(outcomes.map((outcome) => outcome.abortReason)).toEqual([null, null, null, 'NET_DEBIT_CAP_EXCEEDED', 'PAYEE_REJECTED']);
  // Neither funds movements nor settlement postings are payments.
  await fixture.participants.recordFunds({
    participantId: 'INDUS',
    direction: 'IN',
    amountMinor: 500_000n,
    transferId: randomUUID(),
    reference: 'FUNDS-1',
  });
  const closed = await fixture.settlement.closeWindow({ currency: 'PKR', closedBy: 'operator', requestReference: null }, fixture.context());
  await fixture.settlement.settleWindow(
    { windowId: closed.closedWindowId, reference: 'RTGS-1', requestReference: null },
    fixture.context(),
  );
  await fixture.caughtUp();

  const now = new Date();
  const summary = buildRegulatorSummary(fixture.statisticsReader, 'PKR', summaryHourRange(null, null, now));
  expect(summary.totals).toEqual({
    count: 5,
    value: '1460.00',
    committed: 3,
    committedValue: '550.00',
    aborted: 2,
    abortedValue: '910.00',
    successRate: '0.6000',
  });
  expect(summary.byParticipant).toEqual([
    {
      participant: 'INDUS',
      sent: {
        count: 3,
        value: '1400.00',
        committed: 2,
        committedValue: '500.00',
        aborted: 1,
        abortedValue: '900.00',
        successRate: '0.6667',
      },
      received: {
        count: 2,
        value: '60.00',
        committed: 1,
        committedValue: '50.00',
        aborted: 1,
        abortedValue: '10.00',
        successRate: '0.5000',
      },
    },
    {
      participant: 'RAVI',
      sent: { count: 2, value: '60.00', committed: 1, committedValue: '50.00', aborted: 1, abortedValue: '10.00', successRate: '0.5000' },
      received: {
        count: 3,
        value: '1400.00',
        committed: 2,
        committedValue: '500.00',
        aborted: 1,
        abortedValue: '900.00',
        successRate: '0.6667',
      },
    },
  ]);
  expect(summary.byPurpose.map((row) => [row.purpose, row.count, row.committed])).toEqual([
    ['BILL', 1, 1],
    ['P2P', 4, 2],
  ]);
  expect(summary.abortReasons).toEqual([
    { reason: 'NET_DEBIT_CAP_EXCEEDED', count: 1, value: '900.00' },
    { reason: 'PAYEE_REJECTED', count: 1, value: '10.00' },
  ]);
  expect(summary.hourly).toHaveLength(24);
  const busy = summary.hourly.filter((hour) => hour.count > 0);
  expect(busy.reduce((total, hour) => total + hour.count, 0)).toBe(5);
  expect(summary.hourly.filter((hour) => hour.count === 0).every((hour) => hour.successRate === null)).toBe(true);

  const longAgo = buildRegulatorSummary(
    fixture.statisticsReader,
    'PKR',
    summaryHourRange('2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z', now),
  );
  expect(longAgo.totals).toEqual(empty);
  expect(longAgo.byParticipant).toEqual([]);
});
