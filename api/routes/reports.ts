import {
  participantStatisticsCsvHeader,
  participantStatisticsRangeDaysMax,
  participantStatisticsView,
  timeseriesBuckets,
  timeseriesBucketsMax,
  timeseriesCsvHeader,
  timeseriesTotals,
  timeseriesView,
  type ParticipantStatisticsReader,
  type ParticipantStanding,
} from '../../core/reports/participant-statistics';
import type { PaymentStatisticsReader } from '../../core/reports/payment-statistics-reader';
import { buildRegulatorSummary } from '../../core/reports/regulator-summary';
import { summaryHours, summaryRangeHoursMax } from '../../core/reports/statistics-hours';
import { tableCsv } from '../../core/reports/table-csv';
import { HttpError } from '../http-error';
import { sendCsv, wantsCsv } from '../route-helpers';
import type { RouteKit, RouteModule } from '../route-kit';
import { participantStatisticsQuery, timeseriesQuery } from '../schemas/report-schemas';
import { summaryQuery } from '../schemas/settlement-schemas';
import { parseInput } from '../validation';

export type ReportRouteDependencies = { statistics: PaymentStatisticsReader; participantStatistics: ParticipantStatisticsReader };

const dayMs = 24 * 60 * 60 * 1000;

/**
 * The regulator's read API: payment statistics by participant, purpose, outcome and hour (issue 6 item 5), and
 * per participant with the business / technical split and over time (issue 13). Regulators and the operator read
 * it; participants may not (403): it shows every participant's traffic. The issue 13 reports also answer CSV.
 */
export function reportRoutes(dependencies: ReportRouteDependencies): RouteModule {
  return (router, kit) => {
    router.get('/v1/reports/summary', kit.allow('regulator', 'operator'), (request, response) => {
      const query = parseInput(summaryQuery, request.query, 'query');
      const currency = reportCurrency(kit, query.currency);
      const range = summaryHours(query.from ?? null, query.to ?? null, kit.dependencies.now());
      if ('tooMany' in range) {
        throw new HttpError(
          'REPORT_RANGE_TOO_WIDE',
          `the range holds ${range.tooMany} hours; a summary covers at most ${summaryRangeHoursMax} (31 days): ask for a shorter range`,
          [{ path: ['query', 'to'], message: `at most ${summaryRangeHoursMax} hours after from (rounded to whole hours)` }],
        );
      }
      response.json(buildRegulatorSummary(dependencies.statistics, currency, range));
    });

    router.get('/v1/reports/participants', kit.allow('regulator', 'operator'), async (request, response) => {
      const query = parseInput(participantStatisticsQuery, request.query, 'query');
      const currency = reportCurrency(kit, query.currency);
      const { from, to } = orderedRange(query.from, query.to);
      if (to.getTime() - from.getTime() > participantStatisticsRangeDaysMax * dayMs) {
        throw new HttpError(
          'REPORT_RANGE_TOO_WIDE',
          `a participants report covers at most ${participantStatisticsRangeDaysMax} days; ask for a shorter range`,
          [{ path: ['query', 'to'], message: `at most ${participantStatisticsRangeDaysMax} days after from` }],
        );
      }
      const totals = dependencies.participantStatistics.participants({ currency, from: from.toISOString(), to: to.toISOString() });
      const participants = [];
      for (const row of totals.filter((line) => query.participant === undefined || line.participant === query.participant))
        participants.push(participantStatisticsView(row, currency, await standingOf(kit, row.participant, currency)));
      if (wantsCsv(request, response)) {
        sendCsv(response, tableCsv(participantStatisticsCsvHeader, participants), `participants-${currency}.csv`);
        return;
      }
      response.json({ participants });
    });

    router.get('/v1/reports/timeseries', kit.allow('regulator', 'operator'), (request, response) => {
      const query = parseInput(timeseriesQuery, request.query, 'query');
      const currency = reportCurrency(kit, query.currency);
      const { from, to } = orderedRange(query.from, query.to);
      const buckets = timeseriesBuckets(from, to, query.bucket);
      if ('tooMany' in buckets) {
        throw new HttpError(
          'REPORT_RANGE_TOO_WIDE',
          `the range holds ${buckets.tooMany} ${query.bucket} buckets; a timeseries has at most ${timeseriesBucketsMax}: ${
            // Day buckets are the largest there are: suggesting them to a request that asked for them helps nobody.
            query.bucket === 'hour' ? 'ask for a shorter range or bucket=day' : 'ask for a shorter range'
          }`,
          [{ path: ['query', 'to'], message: `at most ${timeseriesBucketsMax} buckets` }],
        );
      }
      const found = dependencies.participantStatistics.buckets(
        { currency, from: buckets.from, to: buckets.to },
        query.bucket,
        query.participant ?? null,
      );
      const view = timeseriesView(buckets.starts, found, currency);
      if (wantsCsv(request, response)) {
        sendCsv(response, tableCsv(timeseriesCsvHeader, view), `timeseries-${currency}-${query.bucket}.csv`);
        return;
      }
      response.json({ buckets: view, totals: timeseriesTotals(found, currency) });
    });
  };
}

/** The participant's position and cap now; null when it is unknown or has no accounts in this currency. */
async function standingOf(kit: RouteKit, participantId: string, currency: string): Promise<ParticipantStanding | null> {
  const record = kit.dependencies.readModels.participants.findParticipant(participantId);
  if (record === null || record.currency !== currency) return null;
  const balances = await kit.dependencies.ledger.balances(participantId, currency);
  if (balances === null) return null;
  return { positionMinor: balances.positionMinor, netDebitCapMinor: record.netDebitCapMinor };
}

/** The currency asked for, or the rupee (every switch carries it; issue 17 added the others). */
function reportCurrency(kit: RouteKit, asked: string | undefined): string {
  const carried = kit.dependencies.config.currencies;
  const currency = asked ?? (carried.includes('PKR') ? 'PKR' : carried[0]);
  if (currency === undefined || !carried.includes(currency)) {
    throw new HttpError('VALIDATION_FAILED', `query.currency: one of ${carried.join(', ')}`, [
      { path: ['query', 'currency'], message: `one of ${carried.join(', ')}` },
    ]);
  }
  return currency;
}

function orderedRange(fromText: string, toText: string): { from: Date; to: Date } {
  const from = new Date(fromText);
  const to = new Date(toText);
  if (from.getTime() >= to.getTime()) {
    throw new HttpError('VALIDATION_FAILED', 'query.to: must be after from', [{ path: ['query', 'to'], message: 'must be after from' }]);
  }
  return { from, to };
}
