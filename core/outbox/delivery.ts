import type { JsonObject } from '../eventstore/event';
import { DomainError } from '../errors';

/**
 * One message to deliver store-and-forward: a reversal or a credit advice to a payee's provider, later a
 * merchant webhook. The transport of the outbox's channel decides where and how (URL, secret, ISO 8583 link)
 * from `destination` at delivery time, so an endpoint or a secret changed in between is honoured.
 */
export type Delivery = {
  /** Chosen by the producer so that queueing twice is recognised: `REVERSAL:<transferId>`. */
  deliveryId: string;
  /** What the message is, for the transport: `REVERSAL`, `CREDIT_ADVICE`, `WEBHOOK`, ... */
  kind: string;
  /** Who receives it: a participant id or a merchant id. */
  destination: string;
  payload: JsonObject;
};

export const deliveryLimits = {
  deliveryIdLengthMax: 128,
  kindLengthMax: 40,
  destinationLengthMax: 64,
  /** Serialized payload: a credit message is a few hundred bytes, a webhook a few KiB. */
  payloadBytesMax: 64 * 1024,
  /** A failure's description is kept in events: long error texts are cut here. */
  failureLengthMax: 300,
} as const;

const deliveryIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const kindPattern = /^[A-Z][A-Z0-9_]*$/;
const destinationPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Checks a delivery before it is queued; throws DomainError INVALID_DELIVERY with the reason, queues nothing. */
export function checkDelivery(delivery: Delivery): void {
  const { deliveryId, kind, destination, payload } = delivery;
  if (typeof deliveryId !== 'string' || deliveryId.length > deliveryLimits.deliveryIdLengthMax || !deliveryIdPattern.test(deliveryId)) {
    invalid(`a delivery id is 1 to ${deliveryLimits.deliveryIdLengthMax} letters, digits and . _ : - (got ${JSON.stringify(deliveryId)})`);
  }
  if (typeof kind !== 'string' || kind.length > deliveryLimits.kindLengthMax || !kindPattern.test(kind)) {
    invalid(`a delivery kind is 1 to ${deliveryLimits.kindLengthMax} capital letters, digits and _ (got ${JSON.stringify(kind)})`);
  }
  if (
    typeof destination !== 'string' ||
    destination.length > deliveryLimits.destinationLengthMax ||
    !destinationPattern.test(destination)
  ) {
    invalid(
      `a delivery destination is 1 to ${deliveryLimits.destinationLengthMax} letters, digits and . _ : - (got ${JSON.stringify(destination)})`,
    );
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) invalid('a delivery payload is a JSON object');
  const payloadBytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (payloadBytes > deliveryLimits.payloadBytesMax) {
    invalid(`a delivery payload is at most ${deliveryLimits.payloadBytesMax} bytes; this one is ${payloadBytes}`);
  }
}

function invalid(message: string): never {
  throw new DomainError('INVALID_DELIVERY', message);
}

/** Cuts a failure description to the length kept in events. */
export function boundFailure(failure: string): string {
  return failure.length <= deliveryLimits.failureLengthMax ? failure : `${failure.slice(0, deliveryLimits.failureLengthMax - 1)}…`;
}
