import type Database from 'better-sqlite3';
import { assert } from '../../../core/assert';
import {
  webhookDeliveryStatuses,
  webhookReadLimits,
  type WebhookAttempt,
  type WebhookDeliveryStatus,
  type WebhookEventQuery,
  type WebhookEventReader,
  type WebhookEventRecord,
} from '../../../core/webhooks/webhook-reader';
import { preparedStatement } from '../statement-cache';
import { openedWebhookBody } from '../../../core/personal-data/personal-event-fields';
import { plainTextOpener, type SealedTextOpener } from '../../../core/personal-data/sealed-text';

type EventRow = {
  event_id: string;
  merchant_id: string;
  type: string;
  created_at: string;
  body: string;
  delivery_status: string;
  position: bigint;
};

type AttemptRow = { at: string; status: string; http_status: bigint | null };

const eventColumns = 'event_id, merchant_id, type, created_at, body, delivery_status, position';

/** WebhookEventReader over the webhook-events projection. Its tables must exist: run the projection's setup first. */
export class SqliteWebhookEventReader implements WebhookEventReader {
  constructor(
    private readonly database: Database.Database,
    /** Rows hold an in-bound payer's fields sealed inside the body, as the log does (core/personal-data). */
    private readonly opener: SealedTextOpener = plainTextOpener,
  ) {}

  findEvent(eventId: string): WebhookEventRecord | null {
    const row = preparedStatement(this.database, `SELECT ${eventColumns} FROM webhook_events WHERE event_id = ?`).get(eventId) as
      EventRow | undefined;
    return row === undefined ? null : this.record(row);
  }

  listEvents(query: WebhookEventQuery): WebhookEventRecord[] {
    assert(Number.isSafeInteger(query.limit) && query.limit >= 1 && query.limit <= webhookReadLimits.pageLimitMax, 'a page is bounded');
    const rows = preparedStatement(
      this.database,
      `SELECT ${eventColumns} FROM webhook_events
        WHERE merchant_id = @merchantId AND (@type IS NULL OR type = @type)
          AND (@deliveryStatus IS NULL OR delivery_status = @deliveryStatus) AND (@beforePosition IS NULL OR position < @beforePosition)
        ORDER BY position DESC LIMIT @limit`,
    ).all({
      merchantId: query.merchantId,
      type: query.type,
      deliveryStatus: query.deliveryStatus,
      beforePosition: query.beforePosition,
      limit: query.limit,
    }) as EventRow[];
    return rows.map((row) => this.record(row));
  }

  private record(row: EventRow): WebhookEventRecord {
    assert((webhookDeliveryStatuses as readonly string[]).includes(row.delivery_status), `unknown delivery status ${row.delivery_status}`);
    const attempts = preparedStatement(
      this.database,
      'SELECT at, status, http_status FROM webhook_attempts WHERE event_id = ? ORDER BY position LIMIT ?',
    ).all(row.event_id, webhookReadLimits.attemptsShownMax) as AttemptRow[];
    return {
      merchantId: row.merchant_id,
      payload: {
        eventId: row.event_id,
        eventType: row.type,
        createdAt: row.created_at,
        body: openedWebhookBody(row.type, row.body, (text) => this.opener.open(text)),
      },
      deliveryStatus: row.delivery_status as WebhookDeliveryStatus,
      attempts: attempts.map((attempt): WebhookAttempt => ({
        at: attempt.at,
        status: attempt.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
        httpStatus: attempt.http_status === null ? null : Number(attempt.http_status),
      })),
      position: row.position,
    };
  }
}
