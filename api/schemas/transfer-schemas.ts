import { z } from 'zod';
import { safeText } from './text';
import { aliasPatterns, isAliasType } from '../../core/directory/alias-key';
import { transferPurposes } from '../../core/transfers/transfer-request';
import { apiLimits } from '../api-limits';
import {
  aliasValueVariants,
  positiveAmountText,
  currencyCode,
  cursorText,
  freeText,
  pageLimit,
  toAfterFrom,
  toAfterFromRefusal,
} from './common-schemas';

/** The most transfers one batch request carries: what one ledger tick takes (api/api-limits.ts). */
export const transferBatchSizeMax = apiLimits.transferBatchSizeMax;

// Lower-cased, so that the same uuid written in either case names one transfer, not two.
const uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'a transfer id is a uuid')
  .transform((id) => id.toLowerCase());
const partyValue = safeText()
  .min(1, 'the value must not be empty')
  .max(apiLimits.partyValueLengthMax, `a party value has at most ${apiLimits.partyValueLengthMax} characters`);

export const payerTypes = ['MSISDN', 'CNIC', 'IBAN', 'WALLET'] as const;
export const payeeTypes = ['MSISDN', 'CNIC', 'MERCHANT', 'IBAN'] as const;

/**
 * A payer named by an alias is named in that alias's grammar, as a payee is (core/directory/alias-key.ts), so that
 * the transfer record never holds a payer identity the directory could not hold.
 */
function payerAliasGrammar(payer: { type: string; value: string }, context: z.RefinementCtx): void {
  if (!isAliasType(payer.type)) return;
  const rule = aliasPatterns[payer.type];
  if (!rule.pattern.test(payer.value))
    context.addIssue({ code: 'custom', path: ['value'], message: `a ${payer.type} payer is ${rule.description}` });
}

export const transferRequestSchema = z
  .strictObject({
    id: uuid,
    payer: z
      .strictObject({
        type: z.enum(payerTypes),
        value: partyValue,
        name: freeText('a payer name').trim().min(1).optional(),
      })
      .superRefine(payerAliasGrammar)
      .meta({ oneOf: aliasValueVariants(payerTypes) }),
    payee: z.strictObject({ type: z.enum(payeeTypes), value: partyValue }).meta({ oneOf: aliasValueVariants(payeeTypes) }),
    // The amount's grammar and its currency's decimals are checked by core/money.ts, with a precise reason.
    amount: positiveAmountText,
    currency: currencyCode,
    purpose: z.enum(transferPurposes),
    note: freeText('a note').optional(),
    checkoutSessionId: z
      .string()
      .regex(/^cs_[A-Za-z0-9]{22}$/, 'a checkout session id is cs_ and 22 letters or digits')
      .optional()
      .meta({ description: 'The checkout session a P2M transfer pays (from the request to pay, or the QR tag 62-05)' }),
  })
  .meta({ id: 'TransferRequest' });

/** Items are validated one by one, so that one bad item answers its own error and the rest go on. */
export const transferBatchSchema = z
  .strictObject({
    transfers: z
      .array(z.unknown())
      .min(1, 'a batch holds at least one transfer')
      .max(transferBatchSizeMax, `a batch holds at most ${transferBatchSizeMax} transfers`)
      .meta({ items: { description: 'a TransferRequest; an item that is not one gets its own error result, and the others go on' } }),
  })
  .meta({ id: 'TransferBatchRequest' });

export const transferIdParams = z.strictObject({ id: uuid });

const isoInstant = z.iso.datetime({ offset: true, error: 'an ISO-8601 date-time such as 2026-11-28T10:00:00Z' });

export const transferStates = ['COMMITTED', 'ABORTED', 'IN_FLIGHT'] as const;

export const transferListQuery = z
  .strictObject({
    state: z.enum(transferStates).optional(),
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    cursor: cursorText.optional(),
    limit: pageLimit(apiLimits.transferPageLimitMax, apiLimits.transferPageLimitDefault),
  })
  .refine(toAfterFrom, toAfterFromRefusal);
