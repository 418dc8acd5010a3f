import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import { outboxStream } from '../../../core/outbox/delivery-event-codec';
import type { DeliveryEvent } from '../../../core/outbox/delivery-events';
import { webhookChannel, webhookDeliveryPayload } from '../../../core/webhooks/webhook-event';
import { webhookReadLimits } from '../../../core/webhooks/webhook-reader';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';

const handledTypes = ['DeliveryQueued', 'DeliveryAttemptFailed', 'DeliverySucceeded', 'DeliveryAbandoned'] as const;
const webhookStream = outboxStream(webhookChannel);

/**
 * Merchant webhook events and their deliveries (issue 11), folded from the `outbox-webhooks` stream (the other
 * outboxes write the same event types into their own streams, which are skipped). An event's first DeliveryQueued
 * adds it; a resend's DeliveryQueued makes it PENDING again and it then follows that latest delivery: DELIVERED on
 * its success, FAILED when the schedule gives it up. Every attempt of every delivery is listed, the newest
 * `attemptsShownMax` kept. Everything here comes from the events alone, so a rebuild writes the same rows.
 */
export const webhookEventsProjection: Projection<SqliteReadModelTx> = {
  name: 'webhook-events',
  handles: handledTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS webhook_events (
        event_id           TEXT PRIMARY KEY,
        merchant_id        TEXT NOT NULL,
        type               TEXT NOT NULL,
        created_at         TEXT NOT NULL,
        body               TEXT NOT NULL,
        delivery_status    TEXT NOT NULL,
        latest_delivery_id TEXT NOT NULL,
        position           INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS webhook_events_by_merchant ON webhook_events (merchant_id, position);
      CREATE TABLE IF NOT EXISTS webhook_deliveries (
        delivery_id TEXT PRIMARY KEY,
        event_id    TEXT NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS webhook_attempts (
        event_id    TEXT NOT NULL,
        position    INTEGER NOT NULL,
        at          TEXT NOT NULL,
        status      TEXT NOT NULL,
        http_status INTEGER,
        PRIMARY KEY (event_id, position)
      ) STRICT;
    `);
  },
  reset(tx) {
    clearTables(tx, ['webhook_events', 'webhook_deliveries', 'webhook_attempts']);
  },
  apply(recorded, tx) {
    if (recorded.stream !== webhookStream) return;
    const event = recorded as RecordedEvent & DeliveryEvent;
    switch (event.type) {
      case 'DeliveryQueued': {
        const data = event.data;
        const payload = webhookDeliveryPayload(data.kind, data.payload);
        if (payload === null) return;
        statement(tx, 'insertEvent').run(
          payload.eventId,
          data.destination,
          payload.eventType,
          payload.createdAt,
          payload.body,
          data.deliveryId,
          recorded.position,
        );
        statement(tx, 'insertDelivery').run(data.deliveryId, payload.eventId);
        return;
      }
      case 'DeliveryAttemptFailed':
        recordAttempt(tx, event.data.deliveryId, recorded.position, event.data.attemptedAt, 'FAILED', event.data.failure);
        return;
      case 'DeliverySucceeded':
        recordAttempt(tx, event.data.deliveryId, recorded.position, event.data.deliveredAt, 'SUCCEEDED', event.data.detail);
        statement(tx, 'settleLatest').run('DELIVERED', event.data.deliveryId, event.data.deliveryId);
        return;
      case 'DeliveryAbandoned':
        statement(tx, 'settleLatest').run('FAILED', event.data.deliveryId, event.data.deliveryId);
        return;
      default:
        assertNever(event);
    }
  },
};

function recordAttempt(
  tx: SqliteReadModelTx,
  deliveryId: string,
  position: bigint,
  at: string,
  status: 'SUCCEEDED' | 'FAILED',
  detail: string,
): void {
  const row = statement(tx, 'eventOfDelivery').get(deliveryId) as { event_id: string } | undefined;
  if (row === undefined) return;
  statement(tx, 'insertAttempt').run(row.event_id, position, at, status, httpStatusOf(detail));
  statement(tx, 'trimAttempts').run(row.event_id, row.event_id, webhookReadLimits.attemptsShownMax);
}

/** The webhook transport starts every detail of an answered attempt with `HTTP <status>`. */
function httpStatusOf(detail: string): number | null {
  const match = /^HTTP (\d{3})\b/.exec(detail);
  return match === null ? null : Number(match[1]);
}

const sql = {
  // A resend queues the same event again: it is PENDING once more, following its newest delivery.
  insertEvent: `INSERT INTO webhook_events (event_id, merchant_id, type, created_at, body, delivery_status, latest_delivery_id, position)
                VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)
                ON CONFLICT (event_id) DO UPDATE SET delivery_status = 'PENDING', latest_delivery_id = excluded.latest_delivery_id`,
  insertDelivery: 'INSERT OR IGNORE INTO webhook_deliveries (delivery_id, event_id) VALUES (?, ?)',
  eventOfDelivery: 'SELECT event_id FROM webhook_deliveries WHERE delivery_id = ?',
  insertAttempt: 'INSERT OR IGNORE INTO webhook_attempts (event_id, position, at, status, http_status) VALUES (?, ?, ?, ?, ?)',
  trimAttempts: `DELETE FROM webhook_attempts WHERE event_id = ? AND position <= (
                   SELECT position FROM webhook_attempts WHERE event_id = ? ORDER BY position DESC LIMIT 1 OFFSET ?)`,
  // Found by its primary key through the delivery's own row: latest_delivery_id has no index, and a scan of every
  // event the switch ever sent, once per delivery, grew with the table.
  settleLatest: `UPDATE webhook_events SET delivery_status = ?
                 WHERE event_id = (SELECT event_id FROM webhook_deliveries WHERE delivery_id = ?) AND latest_delivery_id = ?`,
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
