import { z } from 'zod';
import { inboundFailureReasons, payerTypes } from '../../core/fx/inbound-payment-decider';
import { isCountryCode } from '../../core/fx/payer-country';
import { inboundPaymentListLimitMax, inwardRemittanceGroupings } from '../../core/fx/inward-remittance-report';
import { rateValidForSecondsMax } from '../../core/fx/fx-rate-decider';
import { merchantIdPattern } from '../../core/gateway/merchant-profile';
import { apiLimits } from '../api-limits';
import { amountText, currencyCode, freeText, pageLimit } from './common-schemas';
import { safeText } from './text';

/** Issue 17: foreign exchange (rates, quotes) and in-bound payments, at the edge. */

export const fxPairParams = z.strictObject({ from: currencyCode, to: currencyCode });

/**
 * A positive rate, at most 8 digits before the point and 8 after, written so that the pattern itself refuses zero
 * ("0", "0.00"): the OpenAPI document carries the pattern, so input it calls valid is never refused as malformed (a
 * check beside the pattern made schemathesis find a 400 for a rate the document allowed). A fraction below one needs
 * a non-zero digit among its 8 places; one alternative per count of leading zeros keeps the 8 without a lookahead.
 */
const positiveRatePattern = new RegExp(
  `^(?:[1-9][0-9]{0,7}(?:\\.[0-9]{1,8})?|0\\.(?:${Array.from({ length: 8 }, (_, zeros) => `${'0'.repeat(zeros)}[1-9][0-9]{0,${7 - zeros}}`).join('|')}))$`,
);

export const postRateSchema = z
  .strictObject({
    rate: safeText()
      .max(24, 'a rate has at most 24 characters')
      .regex(positiveRatePattern, 'a rate is a positive decimal string such as "278.4500", not zero'),
    validForSeconds: z
      .number({ error: 'validForSeconds must be a whole number of seconds' })
      .int('validForSeconds must be a whole number of seconds')
      .min(1, 'validForSeconds is at least 1')
      .max(rateValidForSecondsMax, `validForSeconds is at most ${rateValidForSecondsMax}`),
  })
  .meta({ id: 'PostFxRate' });

export const quoteRequestSchema = z
  .strictObject({ from: currencyCode, to: currencyCode, fromAmount: amountText.optional(), toAmount: amountText.optional() })
  .refine((value) => (value.fromAmount === undefined) !== (value.toAmount === undefined), {
    message: 'give exactly one of "fromAmount" and "toAmount"',
    path: ['fromAmount'],
  })
  .meta({ id: 'FxQuoteRequest' });

const uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'an in-bound payment id is a uuid')
  .transform((value) => value.toLowerCase());

const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, { error: 'a country is an ISO 3166-1 alpha-2 code such as "GB"', abort: true })
  .refine(isCountryCode, 'no country has this code: a country is an ISO 3166-1 alpha-2 code such as "GB"');

export const inboundPaymentSchema = z
  .strictObject({
    id: uuid,
    merchantId: z.string().regex(merchantIdPattern, 'a merchant id is 3 to 32 capital letters, digits and _'),
    amount: amountText,
    currency: currencyCode,
    quoteId: z
      .string()
      .regex(/^fxq_[0-9a-f]{24}$/, 'a quote id is the "id" of POST /v1/fx/quotes')
      .optional(),
    purposeCode: z.string().regex(/^[0-9]{4}$/, 'a purpose code is four digits (GET /v1/reference/purpose-codes)'),
    payer: z.strictObject({
      type: z.enum(payerTypes),
      name: freeText('a payer name').trim().min(1, 'the payer name must not be empty'),
      country: countryCode,
      taxId: safeText()
        .min(1)
        .max(32, 'a tax id has at most 32 characters')
        .regex(/^[A-Za-z0-9 ./-]+$/, 'a tax id is letters, digits, spaces and . / -')
        .optional(),
    }),
    invoiceNumber: safeText()
      .min(1)
      .max(apiLimits.referenceLengthMax, `an invoice number has at most ${apiLimits.referenceLengthMax} characters`)
      .regex(/^[\x20-\x7e]+$/, 'an invoice number is printable ASCII')
      .optional(),
    description: freeText('a description').optional(),
  })
  .meta({ id: 'InboundPaymentRequest' });

export const inboundPaymentIdParams = z.strictObject({ id: uuid });

export const certificateQuery = z.strictObject({
  format: z.enum(['pdf', 'json']).optional().meta({ description: 'pdf (the default) or json: the same facts' }),
});

export const inboundPaymentListQuery = z
  .strictObject({
    merchantId: z.string().regex(merchantIdPattern, 'a merchant id is 3 to 32 capital letters, digits and _'),
    limit: pageLimit(inboundPaymentListLimitMax, 50),
  })
  .meta({ id: 'InboundPaymentListQuery' });

const decimal = z.string().regex(/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/);
const instant = z.iso.datetime({ offset: true });

export const fxRateResponse = z
  .strictObject({ provider: z.string(), from: z.string(), to: z.string(), rate: decimal, validUntil: instant })
  .meta({ id: 'FxRate' });

export const fxQuoteResponse = z
  .strictObject({
    id: z.string(),
    provider: z.string(),
    from: z.string(),
    to: z.string(),
    rate: decimal,
    fromAmount: decimal,
    toAmount: decimal,
    expiresAt: instant,
  })
  .meta({ id: 'FxQuote' });

export const inboundPaymentResponse = z
  .strictObject({
    id: z.string(),
    status: z.enum(['PROCESSING', 'COMPLETED', 'FAILED']),
    failureReason: z.enum(inboundFailureReasons).nullable(),
    merchantId: z.string(),
    amount: decimal,
    currency: z.string(),
    retained: z.strictObject({ amount: decimal, currency: z.string() }),
    converted: z.strictObject({
      fromAmount: decimal,
      toAmount: decimal,
      fromCurrency: z.string(),
      toCurrency: z.string(),
      rate: decimal,
      provider: z.string(),
      quoteId: z.string().nullable(),
    }),
    purposeCode: z.string(),
    payer: z.strictObject({ type: z.enum(payerTypes), name: z.string(), country: z.string(), taxId: z.string().nullable() }),
    invoiceNumber: z.string().nullable(),
    description: z.string().nullable(),
    transferIds: z.array(z.string()),
    completedAt: instant,
  })
  .meta({ id: 'InboundPayment' });

export const purposeCodesResponse = z
  .strictObject({
    purposeCodes: z.array(
      z.strictObject({ code: z.string(), title: z.string(), description: z.string(), category: z.string(), source: z.string() }),
    ),
  })
  .meta({ id: 'PurposeCodes' });

export const inwardRemittancesQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true, error: 'from is an ISO-8601 instant such as 2026-12-01T00:00:00Z' }),
    to: z.iso.datetime({ offset: true, error: 'to is an ISO-8601 instant such as 2026-12-02T00:00:00Z' }),
    groupBy: z.enum(inwardRemittanceGroupings).optional(),
    /** Only receipts in this foreign currency (the dashboard's currency filter); absent: every currency. */
    currency: currencyCode.optional(),
  })
  .meta({ id: 'InwardRemittancesQuery' });

const remittanceLine = z.strictObject({
  group: z.string(),
  currency: z.string(),
  count: z.number().int(),
  b2bCount: z.number().int(),
  b2cCount: z.number().int(),
  amount: decimal,
  retained: decimal,
  converted: decimal,
  rupees: decimal,
  averageRate: decimal,
  b2bAmount: decimal.meta({ description: 'What business payers (payer.type BUSINESS) sent, in the currency' }),
  b2bRetained: decimal.meta({ description: 'The part of b2bAmount the exporters kept in the currency' }),
  b2bRupees: decimal.meta({ description: 'The rupees the rest of b2bAmount converted to' }),
  b2cAmount: decimal.meta({ description: 'What personal payers (payer.type PERSON) sent, in the currency' }),
  b2cRetained: decimal.meta({ description: 'The part of b2cAmount the exporters kept in the currency' }),
  b2cRupees: decimal.meta({ description: 'The rupees the rest of b2cAmount converted to' }),
});

export const inwardRemittancesResponse = z
  .strictObject({
    from: instant,
    to: instant,
    groupBy: z.enum(inwardRemittanceGroupings),
    groups: z.array(remittanceLine),
    totals: z.array(remittanceLine).meta({ description: 'One line per foreign currency, group "ALL"' }),
  })
  .meta({ id: 'InwardRemittances' });

export const inboundPaymentListResponse = z.strictObject({ payments: z.array(inboundPaymentResponse) }).meta({ id: 'InboundPaymentList' });

export const exportProceedsCertificateResponse = z
  .strictObject({
    reference: z.string(),
    date: instant,
    exporter: z.strictObject({
      merchantId: z.string(),
      name: z.string(),
      city: z.string(),
      taxNumber: z.string().nullable(),
      acquirer: z.string(),
    }),
    payer: z.strictObject({ name: z.string(), type: z.enum(payerTypes), country: z.string(), taxId: z.string().nullable() }),
    foreign: z.strictObject({ amount: decimal, currency: z.string() }),
    retained: z.strictObject({ amount: decimal, currency: z.string() }),
    converted: z
      .strictObject({
        fromAmount: decimal,
        fromCurrency: z.string(),
        toAmount: decimal,
        toCurrency: z.string(),
        rate: decimal,
        provider: z.string(),
      })
      .nullable()
      .meta({ description: 'null: no conversion, the exporter retained the whole amount (retentionShare 1)' }),
    purposeCode: z.strictObject({ code: z.string(), title: z.string(), description: z.string() }),
    invoiceNumber: z.string().nullable(),
    transferIds: z.array(z.string()),
  })
  .meta({ id: 'ExportProceedsCertificate' });
