import { z } from 'zod';
import { safeText } from './text';
import { transferPurposes } from '../../core/transfers/transfer-request';
import { transferPageLimitDefault, transferPageLimitMax } from '../../core/transfers/transfer-reader';

/** The most transfers one batch request carries: what one ledger tick takes. */
export const transferBatchSizeMax = 8190;

// Lower-cased, so that the same uuid written in either case names one transfer, not two.
const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a transfer id is a uuid')
  .transform((id) => id.toLowerCase());
const partyValue = safeText().min(1, 'the value must not be empty').max(64, 'a party value has at most 64 characters');

export const transferRequestSchema = z.strictObject({
  id: uuid,
  payer: z.strictObject({
    type: z.enum(['MSISDN', 'CNIC', 'IBAN', 'WALLET']),
    value: partyValue,
    name: safeText().trim().min(1).max(140, 'a payer name has at most 140 characters').optional(),
  }),
  payee: z.strictObject({ type: z.enum(['MSISDN', 'CNIC', 'MERCHANT', 'IBAN']), value: partyValue }),
  // The amount's grammar and its currency's decimals are checked by core/money.ts, with a precise reason.
  amount: safeText({ error: 'the amount is a decimal string such as "1500.00"' }).max(40, 'an amount has at most 40 characters'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'a currency is a three-letter ISO 4217 code'),
  purpose: z.enum(transferPurposes),
  note: safeText().max(140, 'a note has at most 140 characters').optional(),
});


/** Items are validated one by one, so that one bad item answers its own error and the rest go on. */
export const transferBatchSchema = z.strictObject({
  transfers: z
    .array(z.unknown())
    .min(1, 'a batch holds at least one transfer')
    .max(transferBatchSizeMax, `a batch holds at most ${transferBatchSizeMax} transfers`),
});

export const transferIdParams = z.strictObject({ id: uuid });

const isoInstant = z.iso.datetime({ offset: true, error: 'an ISO-8601 date-time such as 2026-11-28T10:00:00Z' });

export const transferListQuery = z.strictObject({
  state: z.enum(['COMMITTED', 'ABORTED', 'IN_FLIGHT']).optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(transferPageLimitMax).default(transferPageLimitDefault),
});
