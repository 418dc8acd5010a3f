import { z } from 'zod';
import { merchantViewLimits } from '../../core/gateway/merchant-views-reader';
import { currencyCode, cursorText, pageLimit } from './common-schemas';

const isoInstant = z.iso.datetime({ offset: true, error: 'an ISO-8601 date-time such as 2026-11-28T10:00:00Z' });

export const merchantPaymentsQuery = z.strictObject({
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  cursor: cursorText.optional(),
  limit: pageLimit(merchantViewLimits.pageLimitMax, merchantViewLimits.pageLimitDefault),
});

export const merchantBalanceQuery = z.strictObject({ currency: currencyCode });
