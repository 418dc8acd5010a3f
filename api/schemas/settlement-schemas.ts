import { z } from 'zod';
import { safeText } from './text';
import { participantIdPattern } from '../../core/participants/participant-profile';
import { settlementWindowStates } from '../../core/settlement/settlement-reader';
import { apiLimits } from '../api-limits';
import { currencyCode, cursorText, pageLimit } from './common-schemas';
/** Window ids are `<currency>-<number>`; whether one exists is the read model's answer (404), not the schema's. */
const windowId = z.string().regex(/^[A-Z]{3}-[0-9]{6,9}$/, 'a settlement window id looks like "PKR-000042"');

export const closeWindowSchema = z.strictObject({ currency: currencyCode }).meta({ id: 'CloseWindow' });

export const settleWindowSchema = z
  .strictObject({
    reference: safeText({ error: 'the RTGS confirmation reference is required' })
      .min(1, 'the reference must not be empty')
      .max(apiLimits.referenceLengthMax, `a reference has at most ${apiLimits.referenceLengthMax} characters`)
      .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'a reference is printable ASCII without leading or trailing spaces'),
  })
  .meta({ id: 'SettleWindow' });

export const windowIdParams = z.strictObject({ id: windowId });

export const statementParams = z.strictObject({
  id: windowId,
  participant: z.string().regex(participantIdPattern, 'a participant id is 2 to 16 capital letters, digits or "_"'),
});

export const reportQuery = z.strictObject({ format: z.enum(['json', 'csv']).optional() });

export const listWindowsQuery = z.strictObject({
  currency: currencyCode.optional(),
  state: z.enum(settlementWindowStates).optional(),
  limit: pageLimit(apiLimits.settlementWindowPageLimitMax, apiLimits.settlementWindowPageLimitDefault),
  cursor: cursorText.optional(),
});

const isoInstant = z.iso.datetime({ offset: true, error: 'an ISO-8601 date-time such as 2026-11-28T10:00:00Z' });

export const summaryQuery = z.strictObject({
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  currency: currencyCode.optional(),
});
