import { z } from 'zod';
import { refundReasonLengthMax } from '../../core/gateway/refund-service';
import { positiveAmountText } from './common-schemas';
import { safeText } from './text';

export const createRefundSchema = z
  .strictObject({
    sessionId: z.string().min(1, 'name the checkout session to refund').max(64, 'a session id has at most 64 characters'),
    amount: positiveAmountText,
    reason: safeText().max(refundReasonLengthMax, `a reason has at most ${refundReasonLengthMax} characters`).optional(),
  })
  .meta({ id: 'CreateRefund' });

/** Any string up to a bound: an id that is not a refund id is simply a refund that does not exist (404). */
export const refundIdParams = z.strictObject({ id: z.string().min(1).max(64) });
