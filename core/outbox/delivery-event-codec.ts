import { assert } from '../assert';
import type { EventMetadata, NewEvent, RecordedEvent } from '../eventstore/event';
import { newId } from '../ids';
import { deliveryEventTypes, type DeliveryEvent } from './delivery-events';

/** The name of a channel's outbox stream (docs/ARCHITECTURE.md section 3): `outbox-wallet-http`, `outbox-webhooks`, ... */
export function outboxStream(channel: string): string {
  assert(
    /^[a-z0-9][a-z0-9-]{0,39}$/.test(channel),
    `an outbox channel is 1 to 40 lower-case letters, digits and -, got ${JSON.stringify(channel)}`,
  );
  return `outbox-${channel}`;
}

export function toNewEvent(event: DeliveryEvent, metadata: EventMetadata): NewEvent {
  return { id: newId(), type: event.type, data: event.data, metadata };
}

/**
 * Reads back an event of an outbox stream. Only the outbox writes these streams, so anything else there is
 * a programmer error (or a corrupted store) and stops the outbox loudly rather than being skipped.
 */
export function fromRecordedEvent(recorded: RecordedEvent): DeliveryEvent {
  assert(
    (deliveryEventTypes as readonly string[]).includes(recorded.type),
    `${recorded.stream} holds an unknown event type ${recorded.type}`,
  );
  assert(typeof recorded.data['deliveryId'] === 'string', `${recorded.stream} event ${recorded.revision} names no delivery`);
  return { type: recorded.type, data: recorded.data } as DeliveryEvent;
}
