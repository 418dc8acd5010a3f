import type { PaymentStatisticsReader } from '../../core/reports/payment-statistics-reader';
import { buildRegulatorSummary } from '../../core/reports/regulator-summary';
import { summaryHourRange } from '../../core/reports/statistics-hours';
import { HttpError } from '../http-error';
import type { RouteModule } from '../route-kit';
import { summaryQuery } from '../schemas/settlement-schemas';
import { parseInput } from '../validation';

export type ReportRouteDependencies = { statistics: PaymentStatisticsReader };

/**
 * The regulator's read API (issue 6 item 5): payment statistics by participant, purpose, outcome and hour.
 * Regulators and the operator read it; participants may not (403): it shows every participant's traffic.
 */
export function reportRoutes(dependencies: ReportRouteDependencies): RouteModule {
  return (router, kit) => {
    router.get('/v1/reports/summary', kit.allow('regulator', 'operator'), (request, response) => {
      const query = parseInput(summaryQuery, request.query, 'query');
      const carried = kit.dependencies.config.currencies;
      const currency = query.currency ?? (carried.length === 1 ? carried[0] : undefined);
      if (currency === undefined || !carried.includes(currency)) {
        throw new HttpError('VALIDATION_FAILED', `query.currency: one of ${carried.join(', ')}`, [
          { path: ['query', 'currency'], message: `one of ${carried.join(', ')}` },
        ]);
      }
      const range = summaryHourRange(query.from ?? null, query.to ?? null, kit.dependencies.now());
      response.json(buildRegulatorSummary(dependencies.statistics, currency, range));
    });
  };
}
