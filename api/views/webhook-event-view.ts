import type { WebhookEventRecord } from '../../core/webhooks/webhook-reader';

/** A webhook event as GET /v1/merchants/{id}/events and POST /v1/events/{id}/resend answer it. */
export function webhookEventView(record: WebhookEventRecord) {
  return {
    id: record.payload.eventId,
    type: record.payload.eventType,
    createdAt: record.payload.createdAt,
    deliveryStatus: record.deliveryStatus,
    attempts: record.attempts.map((attempt) => ({ at: attempt.at, status: attempt.status, httpStatus: attempt.httpStatus })),
  };
}
