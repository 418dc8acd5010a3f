import { z } from 'zod';
import { cursorText, pageLimit, toAfterFrom, toAfterFromRefusal } from './common-schemas';

/** A page of audit entries: at most this many, 100 unless `limit` says otherwise. */
export const auditPageLimitMax = 500;
const auditPageLimitDefault = 100;

const isoInstant = z.iso.datetime({ offset: true, error: 'an ISO-8601 date-time such as 2026-11-28T10:00:00Z' });

/** `GET /v1/audit`: entries at or after `from` and before `to`, of one actor (`operator`, `regulator:<keyId>`, …). */
export const auditQuery = z
  .strictObject({
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    actor: z.string().min(1, 'an actor is never empty').max(64, 'an actor has at most 64 characters').optional(),
    cursor: cursorText.optional(),
    limit: pageLimit(auditPageLimitMax, auditPageLimitDefault),
  })
  .refine(toAfterFrom, toAfterFromRefusal);
