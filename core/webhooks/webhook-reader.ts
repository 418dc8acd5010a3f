import type { WebhookDeliveryPayload } from './webhook-event';

export const webhookDeliveryStatuses = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

export type WebhookAttempt = {
  at: string;
  /** SUCCEEDED when the merchant answered 2xx; FAILED otherwise. */
  status: 'SUCCEEDED' | 'FAILED';
  /** The merchant's HTTP status, or null when it gave none (refused, timed out, no endpoint). */
  httpStatus: number | null;
};

/** One webhook event as its merchant's list shows it. */
export type WebhookEventRecord = {
  merchantId: string;
  payload: WebhookDeliveryPayload;
  /** The status of its latest delivery (a resend makes it PENDING again). */
  deliveryStatus: WebhookDeliveryStatus;
  /** The newest `attemptsShownMax`, oldest first, over every delivery of the event. */
  attempts: WebhookAttempt[];
  /** The log position of its first publication: the list's order and cursor. */
  position: bigint;
};

export const webhookReadLimits = {
  /** Attempts shown per event: the schedule makes 12 in three days; resends add theirs. */
  attemptsShownMax: 50,
  pageLimitMax: 100,
  pageLimitDefault: 20,
} as const;

export type WebhookEventQuery = {
  merchantId: string;
  type: string | null;
  deliveryStatus: WebhookDeliveryStatus | null;
  /** Events published before this position (the previous page's last), newest first. */
  beforePosition: bigint | null;
  limit: number;
};

/** The read side of webhook events, answered from the webhook-events projection. */
export interface WebhookEventReader {
  findEvent(eventId: string): WebhookEventRecord | null;
  listEvents(query: WebhookEventQuery): WebhookEventRecord[];
}
