import type { Principal } from '../../core/auth/principal';
import type { EventStore } from '../../core/eventstore/event-store';
import type { WebhookPublisher } from '../../core/webhooks/webhook-publisher';
import type { WebhookEventReader, WebhookEventRecord } from '../../core/webhooks/webhook-reader';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import { decodeSequenceCursor, encodeCursor, invalidCursor } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import { merchantEventsParams, merchantEventsQuery, webhookEventParams } from '../schemas/webhook-schemas';
import { parseInput } from '../validation';
import { webhookEventView } from '../views/webhook-event-view';

export type WebhookRouteDependencies = { store: EventStore; publisher: WebhookPublisher; reader: WebhookEventReader };

/**
 * A merchant's webhook events (issue 11): the operator and regulators read any merchant's, a merchant only its own
 * (anyone else's answers 404, as if it did not exist); the operator or the merchant queues one again.
 */
export function webhookRoutes(dependencies: WebhookRouteDependencies): RouteModule {
  const { store, publisher, reader } = dependencies;
  return (router, kit) => {
    router.get('/v1/merchants/:id/events', kit.allow('operator', 'regulator', 'merchant'), (request, response) => {
      const { id } = parseInput(merchantEventsParams, request.params, 'path');
      if (!mayRead(principalOf(request), id)) throw new HttpError('MERCHANT_NOT_FOUND', `there is no merchant ${id}`);
      const query = parseInput(merchantEventsQuery, request.query, 'query');
      const beforePosition = query.cursor === undefined ? null : decodeSequenceCursor('e', query.cursor);
      if (query.cursor !== undefined && beforePosition === null) throw invalidCursor();
      const events = reader.listEvents({
        merchantId: id,
        type: query.type ?? null,
        deliveryStatus: query.deliveryStatus ?? null,
        beforePosition,
        limit: query.limit,
      });
      const last = events[events.length - 1];
      response.json({
        events: events.map(webhookEventView),
        nextCursor: events.length === query.limit && last !== undefined ? encodeCursor('e', last.position.toString()) : null,
      });
    });

    router.post('/v1/events/:id/resend', kit.allow('operator', 'merchant'), async (request, response) => {
      const { id } = parseInput(webhookEventParams, request.params, 'path');
      const principal = principalOf(request);
      await kit.idempotency.run(request, response, principal, async (requestReference) => {
        const event = readableEvent(reader.findEvent(id), principal, id);
        await publisher.resend(event.merchantId, event.payload, requestReference, {
          correlationId: kit.commandContext(request).correlationId,
        });
        // The answer shows the event PENDING again: the read models have caught up with the queued delivery.
        await kit.waitForWrite(await store.headPosition());
        return { status: 202, body: webhookEventView(readableEvent(reader.findEvent(id), principal, id)) };
      });
    });
  };
}

function mayRead(principal: Principal, merchantId: string): boolean {
  return principal.role !== 'merchant' || principal.merchantId === merchantId;
}

function readableEvent(record: WebhookEventRecord | null, principal: Principal, eventId: string): WebhookEventRecord {
  if (record === null || !mayRead(principal, record.merchantId))
    throw new HttpError('WEBHOOK_EVENT_NOT_FOUND', `there is no webhook event ${eventId}`);
  return record;
}
