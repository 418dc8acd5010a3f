import { rateLimitPerSecondSchema } from './rate-limit-schemas';
import { z } from 'zod';
import { purposeCodes } from '../../core/fx/purpose-codes';
import { accountTypes } from '../../core/directory/account';
import {
  merchantCategoryCodePattern,
  merchantCityLengthMax,
  merchantIdPattern,
  merchantNameLengthMax,
  webhookUrlLengthMax,
} from '../../core/gateway/merchant-profile';
import { apiLimits } from '../api-limits';
import { amountText } from './common-schemas';
import { httpUrl, participantId } from './participant-schemas';
import { isTaxNumber, taxNumberForms } from '../../core/gateway/merchant-tax-number';
import { safeText } from './text';

export const merchantId = z.string().regex(merchantIdPattern, 'a merchant id is 3 to 32 capital letters, digits or "_"');

/** A percentage with at most two decimals, from 0 to 100: "1.50" is 1.5 %. */
const percentText = z
  .string()
  .regex(
    /^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$/,
    'a percentage is a decimal string from "0" to "100" with at most two decimals, such as "1.50"',
  );

/** Issue 17: the merchant's NTN or CNIC (core/gateway/merchant-tax-number.ts), checked before anything else reads it. */
const taxNumber = z.string().max(20, taxNumberForms).refine(isTaxNumber, taxNumberForms).meta({
  description:
    'An NTN ("1234567" or "1234567-8"), or an individual exporter\'s CNIC ("12345-1234567-1" or 13 digits), which is personal data: sealed under that CNIC and erasable',
});

export const merchantFeesSchema = z
  .strictObject({ mdrPercent: percentText, interchangePercent: percentText, switchFee: amountText })
  .meta({ id: 'MerchantFees' });

const webhookUrl = httpUrl.refine((value) => value.length <= webhookUrlLengthMax, `a URL has at most ${webhookUrlLengthMax} characters`);

export const registerMerchantSchema = z
  .strictObject({
    id: merchantId,
    name: safeText()
      .trim()
      .min(1, 'the name must not be empty')
      .max(merchantNameLengthMax, `a name has at most ${merchantNameLengthMax} characters`),
    mcc: z.string().regex(merchantCategoryCodePattern, 'a merchant category code (ISO 18245) is 4 digits'),
    city: safeText()
      .trim()
      .min(1, 'the city must not be empty')
      .max(merchantCityLengthMax, `a city has at most ${merchantCityLengthMax} characters`),
    acquirer: participantId,
    settlementAccount: z.strictObject({
      type: z.enum(accountTypes),
      value: safeText()
        .min(1, 'the account must not be empty')
        .max(apiLimits.partyValueLengthMax, `an account has at most ${apiLimits.partyValueLengthMax} characters`),
    }),
    webhookUrl,
    fees: merchantFeesSchema.optional(),
    taxNumber: taxNumber.optional(),
  })
  .meta({ id: 'RegisterMerchant' });

/** Issue 17: in-bound foreign-currency payments, set by the operator or the merchant's acquirer. */
export const merchantInboundSchema = z
  .strictObject({
    enabled: z.boolean(),
    retentionShare: z
      .string()
      .regex(/^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$/, 'a share is a decimal string from 0 to 1 with at most 4 decimals, such as "0.35"'),
    purposeCodes: z
      .array(z.string().regex(/^[0-9]{4}$/, 'a purpose code is four digits'))
      .max(purposeCodes.length, `at most ${purposeCodes.length} purpose codes (the catalogue's size)`)
      .refine((codes) => new Set(codes).size === codes.length, 'each purpose code once'),
  })
  .meta({ id: 'MerchantInbound' });

export const changeMerchantSchema = z
  .strictObject({
    active: z.boolean().optional(),
    webhookUrl: webhookUrl.optional(),
    fees: merchantFeesSchema.optional(),
    // Requests per second per key and route class (api/rate-limit/), the operator's to set; null: the default.
    rateLimitPerSecond: rateLimitPerSecondSchema.optional(),
    inbound: merchantInboundSchema.optional(),
    // The operator or the acquirer sets it; null removes it.
    taxNumber: taxNumber.nullable().optional(),
  })
  .refine(
    (value) =>
      value.active !== undefined ||
      value.webhookUrl !== undefined ||
      value.fees !== undefined ||
      value.rateLimitPerSecond !== undefined ||
      value.inbound !== undefined ||
      value.taxNumber !== undefined,
    'give at least one of "active", "webhookUrl", "fees", "rateLimitPerSecond", "inbound" and "taxNumber"',
  )
  .meta({ id: 'ChangeMerchant', minProperties: 1 });

/** Issuing a key and rotating the webhook secret take no input; an empty body or {} is accepted. */
export const emptyBodySchema = z.strictObject({});

export const merchantIdParams = z.strictObject({ id: merchantId });
export const merchantKeyParams = z.strictObject({
  id: merchantId,
  keyId: z.string().regex(/^[0-9a-f]{16}$/, 'a key id is 16 hex characters'),
});
