import { z } from 'zod';
import { aliasPatterns } from '../../core/directory/alias-key';
import { apiLimits } from '../api-limits';
import { safeText } from './text';

/**
 * Schemas shared by every route. Those named with `.meta({ id })` become components of the OpenAPI document;
 * `Currency` and `Amount` are completed there with what the running switch carries (api/openapi.ts).
 */

/** A currency; whether the switch carries it is the route's answer, and the document lists the ones it does. */
export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'a currency is a three-letter ISO 4217 code such as "PKR"')
  .meta({ id: 'Currency' });

/**
 * Amounts travel as decimal strings; core/money.ts decides what a valid amount is (and answers INVALID_AMOUNT
 * with the reason), so the schema bounds only their size. The document adds the grammar and the maximum.
 */
export const amountText = safeText({ error: 'must be a decimal string such as "1500.00"' })
  .max(apiLimits.amountTextLengthMax, `an amount has at most ${apiLimits.amountTextLengthMax} characters`)
  .meta({ id: 'Amount' });
export const positiveAmountText = amountText.meta({ id: 'PositiveAmount' });

/**
 * A range `[from, to)` with both ends given must end after it starts; the refusal names `query.to`, the same
 * sentence on every list and report. The transfers list answered such a range with an empty page, and the audit
 * trail with '"from" is before "to"', until an outside test on 2026-12-04.
 */
export function toAfterFrom(query: { from?: string | undefined; to?: string | undefined }): boolean {
  return query.from === undefined || query.to === undefined || Date.parse(query.from) < Date.parse(query.to);
}
export const toAfterFromRefusal = { message: 'must be after from', path: ['to'] };

/** A cursor is what a previous page returned: never empty. */
export const cursorText = z
  .string()
  .min(1, 'a cursor is the nextCursor of a previous page, never empty')
  .max(apiLimits.cursorLengthMax, `a cursor has at most ${apiLimits.cursorLengthMax} characters`);

/** A page size given as a query parameter: a whole number from 1 to `max`. */
export function pageLimit(max: number, defaultLimit: number) {
  return z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/, `limit is a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((value) => value <= max, `limit is a whole number from 1 to ${max}`)
    .optional()
    .transform((value) => value ?? defaultLimit)
    .meta({ type: 'integer', minimum: 1, maximum: max, default: defaultLimit, description: `default ${defaultLimit}`, pattern: undefined });
}

export const freeText = (what: string) =>
  safeText().max(apiLimits.textLengthMax, `${what} has at most ${apiLimits.textLengthMax} characters`);

/** The grammar of each alias kind, for the document (core/directory/alias-key.ts checks it, answering INVALID_ALIAS). */
export function aliasValueVariants(types: readonly string[]): Record<string, unknown>[] {
  return types.map((type) => {
    const rule = (aliasPatterns as Record<string, { pattern: RegExp; description: string } | undefined>)[type];
    return {
      properties: { type: { const: type }, value: rule ? { pattern: rule.pattern.source, description: rule.description } : {} },
      required: ['type'],
    };
  });
}
