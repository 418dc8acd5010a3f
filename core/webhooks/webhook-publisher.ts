import { isDomainError } from '../errors';
import { newId } from '../ids';
import type { EnqueueContext, Outbox } from '../outbox/outbox';
import {
  buildWebhookEvent,
  resendReference,
  webhookDelivery,
  webhookDeliveryPayloadOf,
  type WebhookDeliveryPayload,
  type WebhookPublication,
} from './webhook-event';

export type PublishedWebhook = {
  eventId: string;
  /** False when this event had been published already (the same merchant, type and source): nothing new was queued. */
  queued: boolean;
};

/**
 * Publishes merchant webhooks into the `webhooks` outbox (issue 11). This is the API the gateway calls when a fact a
 * merchant must hear of is recorded: `publish({ merchantId, type, object, sourceId })` resolves once the event is
 * durable in the outbox stream, and from then on it is delivered at least once, whatever restarts in between.
 * Call it after the fact itself is durable (a crash in between is covered by publishing again on recovery: the
 * event id derives from the source, so that is the same event).
 */
export class WebhookPublisher {
  constructor(
    private readonly outbox: Pick<Outbox, 'enqueue' | 'enqueueAttemptingFirst' | 'inspect'>,
    private readonly now: () => Date,
    /**
     * Whether an event was published before, from the read model: the outbox remembers only its most recent
     * finished deliveries, and an event it has forgotten must not go out again with another createdAt.
     */
    private readonly publishedBefore: (eventId: string) => boolean = () => false,
  ) {}

  async publish(publication: WebhookPublication, context: EnqueueContext = {}): Promise<PublishedWebhook> {
    return this.publishAs(publication, context, 'queued_first');
  }

  /**
   * `publish` for a caller whose own durable fact stands for the event until this resolves, and which publishes it
   * again after a crash (the session webhook follower): the first try goes out before the event is written to the
   * outbox, and is written with its outcome in one durable write (Outbox.enqueueAttemptingFirst).
   */
  async publishAttemptingFirst(publication: WebhookPublication, context: EnqueueContext = {}): Promise<PublishedWebhook> {
    return this.publishAs(publication, context, 'attempted_first');
  }

  private async publishAs(
    publication: WebhookPublication,
    context: EnqueueContext,
    order: 'queued_first' | 'attempted_first',
  ): Promise<PublishedWebhook> {
    const event = buildWebhookEvent(publication, this.now());
    const delivery = webhookDelivery(publication.merchantId, webhookDeliveryPayloadOf(event), null);
    // Published before, perhaps at another instant: the event stands as first published, with its first createdAt.
    if (this.outbox.inspect(delivery.deliveryId).status !== 'none' || this.publishedBefore(event.id))
      return { eventId: event.id, queued: false };
    try {
      const { queued } =
        order === 'queued_first'
          ? await this.outbox.enqueue(delivery, context)
          : await this.outbox.enqueueAttemptingFirst(delivery, context);
      return { eventId: event.id, queued };
    } catch (error) {
      // Two publications of one fact racing, with different instants: the first one stands.
      if (isDomainError(error) && error.code === 'DELIVERY_CONFLICT') return { eventId: event.id, queued: false };
      throw error;
    }
  }

  /**
   * Queues an event again (POST /v1/events/{id}/resend): a new delivery of the same payload, so the merchant gets
   * the same event id and body. The request's idempotency reference, when it has one, makes a retried request one resend.
   */
  async resend(
    merchantId: string,
    payload: WebhookDeliveryPayload,
    idempotencyReference: string | null,
    context: EnqueueContext = {},
  ): Promise<{ deliveryId: string }> {
    const delivery = webhookDelivery(merchantId, payload, resendReference(idempotencyReference, newId));
    await this.outbox.enqueue(delivery, context);
    return { deliveryId: delivery.deliveryId };
  }
}
