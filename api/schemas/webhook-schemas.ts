import { z } from 'zod';
import { webhookEventIdPattern, webhookEventTypes } from '../../core/webhooks/webhook-event';
import { webhookDeliveryStatuses, webhookReadLimits } from '../../core/webhooks/webhook-reader';
import { cursorText, pageLimit } from './common-schemas';
import { merchantId } from './merchant-schemas';

/** Whether a merchant or an event exists is the read model's answer (404), not the schema's: only the size is bounded here. */
export const merchantEventsParams = z.strictObject({ id: merchantId });

export const webhookEventParams = z.strictObject({
  id: z.string().regex(webhookEventIdPattern, 'a webhook event id is evt_ and 24 lower-case hexadecimal digits'),
});

export const merchantEventsQuery = z.strictObject({
  type: z.enum(webhookEventTypes).optional(),
  deliveryStatus: z.enum(webhookDeliveryStatuses).optional(),
  limit: pageLimit(webhookReadLimits.pageLimitMax, webhookReadLimits.pageLimitDefault),
  cursor: cursorText.optional(),
});
