import { z } from 'zod';
import {
  descriptionLengthMax,
  orderIdLengthMax,
  returnUrlLengthMax,
  sessionExpiresInSecondsMax,
  sessionExpiresInSecondsMin,
} from '../../core/gateway/checkout-session-profile';
import { currencyCode, positiveAmountText } from './common-schemas';
import { httpUrl } from './participant-schemas';
import { safeText } from './text';

const returnUrl = httpUrl.refine((value) => value.length <= returnUrlLengthMax, `a URL has at most ${returnUrlLengthMax} characters`);

export const createCheckoutSessionSchema = z
  .strictObject({
    amount: positiveAmountText,
    currency: currencyCode,
    orderId: safeText()
      .min(1, 'the order id must not be empty')
      .max(orderIdLengthMax, `an order id has at most ${orderIdLengthMax} characters`)
      .regex(/^[\x21-\x7e]+$/, 'an order id is printable ASCII without spaces'),
    description: safeText().max(descriptionLengthMax, `a description has at most ${descriptionLengthMax} characters`).optional(),
    expiresInSeconds: z
      .number({ error: 'expiresInSeconds must be a whole number of seconds' })
      .int('expiresInSeconds must be a whole number of seconds')
      .min(sessionExpiresInSecondsMin, `expiresInSeconds is at least ${sessionExpiresInSecondsMin}`)
      .max(sessionExpiresInSecondsMax, `expiresInSeconds is at most ${sessionExpiresInSecondsMax} (24 hours)`)
      .optional(),
    successUrl: returnUrl,
    cancelUrl: returnUrl,
  })
  .meta({ id: 'CreateCheckoutSession' });

/** Any string up to a bound: an id that is not a session id is simply a session that does not exist (404). */
export const sessionIdParams = z.strictObject({ id: z.string().min(1).max(64) });
