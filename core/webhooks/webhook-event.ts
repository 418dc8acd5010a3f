import { createHash } from 'node:crypto';
import { assert } from '../assert';
import type { JsonObject } from '../eventstore/event';
import { DomainError } from '../errors';
import { merchantIdPattern } from '../gateway/merchant-profile';
import type { Delivery } from '../outbox/delivery';

/**
 * The events a merchant hears of (issue 11). Which gateway event becomes which webhook is wired where the gateway
 * records it; `dispute.*` are published by the dispute module for the merchant of a P2M payment.
 */
export const webhookEventTypes = [
  'checkout.session.completed',
  'checkout.session.expired',
  'refund.succeeded',
  'refund.failed',
  'dispute.opened',
  'dispute.resolved',
  'inbound_payment.completed',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** The body POSTed to the merchant's webhook URL, byte for byte the same on every try and every resend. */
export type WebhookEvent = {
  id: string;
  type: WebhookEventType;
  /** ISO-8601 UTC, as every time in the API. */
  createdAt: string;
  data: { object: JsonObject };
};

/** The outbox channel (stream `outbox-webhooks`) and the kind of its deliveries. */
export const webhookChannel = 'webhooks';
export const webhookDeliveryKind = 'WEBHOOK';

export const webhookLimits = {
  /** What the event stands for: a session id, a refund id. Letters, digits and `._:-`, so it fits a delivery id. */
  sourceIdPattern: /^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/,
  /** The serialized event: the view of a session or a refund is well under a KiB; the outbox takes 64 KiB. */
  eventBytesMax: 32 * 1024,
} as const;

/** `evt_` and 24 hex digits: the same merchant, type and source always give the same id. */
export const webhookEventIdPattern = /^evt_[0-9a-f]{24}$/;

/**
 * The event's id, derived from what it is about, so that publishing the same fact again (a retried command, a
 * replayed projection) is the same event and the merchant can deduplicate on it.
 */
export function webhookEventId(merchantId: string, type: WebhookEventType, sourceId: string): string {
  const digest = createHash('sha256').update(`${merchantId}\n${type}\n${sourceId}`, 'utf8').digest('hex');
  return `evt_${digest.slice(0, 24)}`;
}

export type WebhookPublication = {
  merchantId: string;
  type: WebhookEventType;
  /** The view the merchant reads (`data.object`): a checkout session, a refund. */
  object: JsonObject;
  /** The id of the gateway fact the event reports (a session id, a refund id): the event id derives from it. */
  sourceId: string;
  /** When the fact happened; the publishing instant when not given. */
  createdAt?: Date;
};

/** Checks a publication and builds its event; throws INVALID_WEBHOOK_EVENT, publishing nothing, when it is out of shape. */
export function buildWebhookEvent(publication: WebhookPublication, now: Date): WebhookEvent {
  const { merchantId, type, object, sourceId } = publication;
  if (typeof merchantId !== 'string' || !merchantIdPattern.test(merchantId))
    invalid(`a merchant id is 3 to 32 capital letters, digits and _ (got ${JSON.stringify(merchantId)})`);
  if (!(webhookEventTypes as readonly string[]).includes(type))
    invalid(`a webhook event type is one of ${webhookEventTypes.join(', ')} (got ${JSON.stringify(type)})`);
  if (typeof sourceId !== 'string' || !webhookLimits.sourceIdPattern.test(sourceId))
    invalid(`a source id is 1 to 80 letters, digits and . _ : - (got ${JSON.stringify(sourceId)})`);
  if (object === null || typeof object !== 'object' || Array.isArray(object)) invalid('a webhook event carries a JSON object');
  const event: WebhookEvent = {
    id: webhookEventId(merchantId, type, sourceId),
    type,
    createdAt: (publication.createdAt ?? now).toISOString(),
    data: { object },
  };
  const eventBytes = Buffer.byteLength(JSON.stringify(event), 'utf8');
  if (eventBytes > webhookLimits.eventBytesMax)
    invalid(`a webhook event is at most ${webhookLimits.eventBytesMax} bytes serialized; this one is ${eventBytes}`);
  return event;
}

/** What a webhook delivery carries: the event's serialized body, and its id, type and time for the projection. */
export type WebhookDeliveryPayload = { eventId: string; eventType: string; createdAt: string; body: string };

export function webhookDeliveryPayloadOf(event: WebhookEvent): WebhookDeliveryPayload {
  return { eventId: event.id, eventType: event.type, createdAt: event.createdAt, body: JSON.stringify(event) };
}

/** A resend's reference: 32 hex digits (so the longest delivery id is 76 characters, within the outbox's 128). */
const resendReferencePattern = /^[0-9a-f]{32}$/;

/**
 * The outbox delivery of an event. The first publication's delivery id is `WEBHOOK:<event id>`; a resend is a
 * delivery of its own (`WEBHOOK:<event id>:resend:<reference>`) carrying the very same payload. The event travels
 * as its serialized body, so every try and every resend POSTs the same bytes.
 */
export function webhookDelivery(merchantId: string, payload: WebhookDeliveryPayload, resendReference: string | null): Delivery {
  assert(resendReference === null || resendReferencePattern.test(resendReference), 'a resend reference is 32 hex digits');
  return {
    deliveryId: resendReference === null ? `WEBHOOK:${payload.eventId}` : `WEBHOOK:${payload.eventId}:resend:${resendReference}`,
    kind: webhookDeliveryKind,
    destination: merchantId,
    payload: { ...payload },
  };
}

/** Reads a webhook delivery's payload back; null when it is not one (another kind, or out of shape). */
export function webhookDeliveryPayload(kind: string, payload: JsonObject): WebhookDeliveryPayload | null {
  if (kind !== webhookDeliveryKind) return null;
  const { eventId, eventType, createdAt, body } = payload;
  if (typeof eventId !== 'string' || typeof eventType !== 'string' || typeof createdAt !== 'string' || typeof body !== 'string')
    return null;
  return { eventId, eventType, createdAt, body };
}

function invalid(message: string): never {
  throw new DomainError('INVALID_WEBHOOK_EVENT', message);
}

/**
 * A resend's reference: from the request's Idempotency-Key when it has one (so a retried request is one resend),
 * else from a fresh random id (every request is another resend).
 */
export function resendReference(idempotencyReference: string | null, randomId: () => string): string {
  const source = idempotencyReference ?? randomId();
  return createHash('sha256').update(source, 'utf8').digest('hex').slice(0, 32);
}
