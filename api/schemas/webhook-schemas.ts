import { z } from 'zod';
import { webhookEventTypes, webhookLimits } from '../../core/webhooks/webhook-event';
import { webhookDeliveryStatuses, webhookReadLimits } from '../../core/webhooks/webhook-reader';
import { cursorText, pageLimit } from './common-schemas';

/** Whether a merchant or an event exists is the read model's answer (404), not the schema's: only the size is bounded here. */
export const merchantEventsParams = z.strictObject({
  id: z.string().regex(webhookLimits.merchantIdPattern, 'a merchant id is 3 to 32 capital letters, digits and _'),
});

export const webhookEventParams = z.strictObject({
  id: z.string().regex(/^evt_[0-9a-f]{24}$/, 'a webhook event id is evt_ and 24 lower-case hexadecimal digits'),
});

export const merchantEventsQuery = z.strictObject({
  type: z.enum(webhookEventTypes).optional(),
  deliveryStatus: z.enum(webhookDeliveryStatuses).optional(),
  limit: pageLimit(webhookReadLimits.pageLimitMax, webhookReadLimits.pageLimitDefault),
  cursor: cursorText.optional(),
});

const instant = z.iso.datetime({ offset: true });

export const webhookEventResponse = z
  .strictObject({
    id: z.string().meta({ examples: ['evt_3f2a9c1b7d5e4a6f8b0c2d1e'] }),
    type: z.enum(webhookEventTypes),
    createdAt: instant,
    deliveryStatus: z.enum(webhookDeliveryStatuses),
    attempts: z
      .array(
        z.strictObject({
          at: instant,
          status: z.enum(['SUCCEEDED', 'FAILED']),
          httpStatus: z.number().int().nullable().meta({ description: "The merchant's HTTP status; null when it gave none" }),
        }),
      )
      .max(webhookReadLimits.attemptsShownMax)
      .meta({ description: `Every try of every delivery, oldest first; the newest ${webhookReadLimits.attemptsShownMax} are kept` }),
  })
  .meta({ id: 'WebhookEvent' });

export const webhookEventPageResponse = z
  .strictObject({ events: z.array(webhookEventResponse), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookEventPage' });
