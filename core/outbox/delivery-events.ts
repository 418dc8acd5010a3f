import type { JsonObject } from '../eventstore/event';

/** The events of an outbox stream (`outbox-<channel>`); every one names the delivery it is about. */
export type DeliveryQueued = {
  type: 'DeliveryQueued';
  data: { deliveryId: string; kind: string; destination: string; payload: JsonObject; fingerprint: string; queuedAt: string };
};

export type DeliveryAttemptFailed = {
  type: 'DeliveryAttemptFailed';
  data: {
    deliveryId: string;
    /** 1 for the first attempt. */
    attempt: number;
    failure: string;
    scope: 'destination' | 'delivery';
    attemptedAt: string;
    /** When to try again; null when this was the last attempt allowed (a DeliveryAbandoned follows). */
    nextAttemptAt: string | null;
  };
};

export type DeliverySucceeded = {
  type: 'DeliverySucceeded';
  data: { deliveryId: string; attempt: number; detail: string; deliveredAt: string };
};

/** The attempt limit was reached: an operator must look at it (the receiver has been failing for days). */
export type DeliveryAbandoned = {
  type: 'DeliveryAbandoned';
  data: { deliveryId: string; attempts: number; lastFailure: string; abandonedAt: string };
};

export type DeliveryEvent = DeliveryQueued | DeliveryAttemptFailed | DeliverySucceeded | DeliveryAbandoned;

export const deliveryEventTypes: readonly DeliveryEvent['type'][] = [
  'DeliveryQueued',
  'DeliveryAttemptFailed',
  'DeliverySucceeded',
  'DeliveryAbandoned',
];
