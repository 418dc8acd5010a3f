import { z } from 'zod';
import { currencyCode } from './common-schemas';
import { participantId } from './participant-schemas';

const isoInstant = z.iso.datetime({ offset: true, error: 'an ISO-8601 date-time such as 2026-11-28T10:00:00Z' });
/** The regulator's participant statistics (issue 13): transfers created in [from, to). */
export const participantStatisticsQuery = z.strictObject({
  from: isoInstant,
  to: isoInstant,
  currency: currencyCode.optional(),
  /** Only this participant's line (the dashboard's participant filter); its CSV then holds that line only. */
  participant: participantId.optional(),
});

export const timeseriesQuery = z.strictObject({
  from: isoInstant,
  to: isoInstant,
  bucket: z.enum(['hour', 'day']),
  currency: currencyCode.optional(),
  participant: participantId.optional(),
});
