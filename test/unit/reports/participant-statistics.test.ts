import {
  bucketStartOf,
  participantStatisticsView,
  percent,
  timeseriesBuckets,
  timeseriesBucketsMax,
  timeseriesView,
  type ParticipantTotals,
} from '../../../core/reports/participant-statistics';

it('gives percents from 0 to 100 with two decimals, and 0 when there is nothing to divide', () => {
  expect([percent(1, 3), percent(2, 3), percent(0, 7), percent(7, 7), percent(0, 0), percent(1, 8)]).toEqual([
    33.33, 66.67, 0, 100, 0, 12.5,
  ]);
});

it('rounds the range out to whole buckets and refuses more than the maximum', () => {
  const hours = timeseriesBuckets(new Date('2026-11-28T10:15:00Z'), new Date('2026-11-28T12:00:01Z'), 'hour');
  expect(hours).toEqual({
    from: '2026-11-28T10:00:00.000Z',
    to: '2026-11-28T13:00:00.000Z',
    starts: ['2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z', '2026-11-28T12:00:00.000Z'],
  });
  const widest = timeseriesBuckets(
    new Date('2026-01-01T00:00:00Z'),
    new Date(Date.parse('2026-01-01T00:00:00Z') + timeseriesBucketsMax * 3_600_000),
    'hour',
  );
  expect('starts' in widest && widest.starts.length).toBe(timeseriesBucketsMax);
  const tooWide = timeseriesBuckets(
    new Date('2026-01-01T00:00:00Z'),
    new Date(Date.parse('2026-01-01T00:00:01Z') + timeseriesBucketsMax * 3_600_000),
    'hour',
  );
  expect(tooWide).toEqual({ tooMany: timeseriesBucketsMax + 1 });
});

it('starts a day bucket at midnight in Karachi (UTC+05:00, 19:00Z the day before), hours on the hour', () => {
  // 10:15Z is 15:15 in Karachi: the 28th there runs from 27th 19:00Z to 28th 19:00Z.
  expect(timeseriesBuckets(new Date('2026-11-28T10:15:00Z'), new Date('2026-11-29T10:15:00Z'), 'day')).toEqual({
    from: '2026-11-27T19:00:00.000Z',
    to: '2026-11-29T19:00:00.000Z',
    starts: ['2026-11-27T19:00:00.000Z', '2026-11-28T19:00:00.000Z'],
  });
  // A range that is already whole Karachi days is kept as it is.
  expect(timeseriesBuckets(new Date('2026-11-28T00:00:00+05:00'), new Date('2026-11-29T00:00:00+05:00'), 'day')).toEqual({
    from: '2026-11-27T19:00:00.000Z',
    to: '2026-11-28T19:00:00.000Z',
    starts: ['2026-11-27T19:00:00.000Z'],
  });
  // Half past midnight in Karachi is the new day there, still the old day in UTC.
  expect(bucketStartOf('2026-11-28T19:30:00.000Z', 'day')).toBe('2026-11-28T19:00:00.000Z');
  expect(bucketStartOf('2026-11-28T18:59:59.999Z', 'day')).toBe('2026-11-27T19:00:00.000Z');
  expect(bucketStartOf('2026-11-28T19:30:00.000Z', 'hour')).toBe('2026-11-28T19:00:00.000Z');
  expect(bucketStartOf('2026-11-28T10:59:59.999Z', 'hour')).toBe('2026-11-28T10:00:00.000Z');
});

it('fills empty buckets with zeros', () => {
  const view = timeseriesView(
    ['2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z'],
    [{ start: '2026-11-28T11:00:00.000Z', count: 2, valueMinor: 15_050n, approved: 1, businessDeclines: 1, technicalDeclines: 0 }],
    'PKR',
  );
  expect(view).toEqual([
    { start: '2026-11-28T10:00:00.000Z', count: 0, value: '0.00', approved: 0, businessDeclines: 0, technicalDeclines: 0 },
    { start: '2026-11-28T11:00:00.000Z', count: 2, value: '150.50', approved: 1, businessDeclines: 1, technicalDeclines: 0 },
  ]);
});

it('gives cap utilisation as the position over the cap now, 0 when the participant owes nothing', () => {
  const totals: ParticipantTotals = {
    participant: 'RAVI',
    asPayer: { count: 0, valueMinor: 0n, approved: 0, businessDeclines: 0, technicalDeclines: 0 },
    asPayee: { count: 0, valueMinor: 0n, approved: 0, businessDeclines: 0, technicalDeclines: 0 },
    reversals: { count: 0, delivered: 0 },
    p50CompletionMs: null,
    p99CompletionMs: null,
  };
  const owes = participantStatisticsView(totals, 'PKR', { positionMinor: 33_333n, netDebitCapMinor: 100_000n });
  expect([owes.position, owes.netDebitCap, owes.capUtilisationPercent]).toEqual(['333.33', '1000.00', 33.33]);
  expect(participantStatisticsView(totals, 'PKR', { positionMinor: -5_000n, netDebitCapMinor: 100_000n }).capUtilisationPercent).toBe(0);
  expect(participantStatisticsView(totals, 'PKR', null)).toMatchObject({ position: null, netDebitCap: null, capUtilisationPercent: 0 });
  expect(owes.reversals).toEqual({ count: 0, delivered: 0, deliveredPercent: 0 });
});
