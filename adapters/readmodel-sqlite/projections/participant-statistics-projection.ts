import { assert, assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { DeliveryEvent } from '../../../core/outbox/delivery-events';
import { declineClassOf, type DeclineClass } from '../../../core/reports/decline-classes';
import { bucketStartOf } from '../../../core/reports/participant-statistics';
import type { TransferEvent } from '../../../core/transfers/transfer-events';
import { clearTables } from '../clear-tables';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { insertRows } from '../row-inserts';
import { preparedStatement } from '../statement-cache';

const handledTypes = ['TransferInitiated', 'TransferCommitted', 'TransferAborted', 'DeliveryQueued', 'DeliverySucceeded'] as const;
type HandledEvent = Extract<TransferEvent | DeliveryEvent, { type: (typeof handledTypes)[number] }>;

/** The outbox delivery kind of a reversal sent to a payee (core/outbox/payee-deliveries.ts). */
const reversalKind = 'REVERSAL';

/**
 * The regulator's participant statistics (issue 13): one row per transfer with its sides, its creation time (and
 * the hour and day it falls in, which the timeseries groups by), how it ended (APPROVED, or the class of its abort
 * reason from core/reports/decline-classes.ts; PENDING until it ends) and how long it took; and one row per
 * reversal queued for a payee, DELIVERED once the payee acknowledged it. Reports filter on the creation time, so a
 * transfer is counted in the range it was made in whenever it ends. Every column comes from the events alone (no
 * clock, no lookup elsewhere), so a rebuild writes the same rows.
 */
export const participantStatisticsProjection: Projection<SqliteReadModelTx> = {
  name: 'participant-statistics',
  // 2: day buckets start at midnight in Karachi, no longer at midnight UTC.
  version: 2,
  handles: handledTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS participant_statistics_transfers (
        transfer_id   TEXT PRIMARY KEY,
        currency      TEXT NOT NULL,
        payer         TEXT NOT NULL,
        payee         TEXT NOT NULL,
        amount_minor  INTEGER NOT NULL,
        created_at    TEXT NOT NULL,
        created_hour  TEXT NOT NULL,
        created_day   TEXT NOT NULL,
        outcome       TEXT NOT NULL,
        completion_ms INTEGER
      ) STRICT;
      CREATE INDEX IF NOT EXISTS participant_statistics_by_created ON participant_statistics_transfers (currency, created_at);
      CREATE TABLE IF NOT EXISTS participant_statistics_reversals (
        delivery_id TEXT PRIMARY KEY,
        participant TEXT NOT NULL,
        currency    TEXT NOT NULL,
        queued_at   TEXT NOT NULL,
        delivered   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS participant_statistics_reversals_by_queued ON participant_statistics_reversals (currency, queued_at);
    `);
  },
  reset(tx) {
    clearTables(tx, ['participant_statistics_transfers', 'participant_statistics_reversals']);
  },
  apply(recorded, tx) {
    applyParticipantStatisticsEvents([recorded], tx);
  },
  applyMany(events, tx) {
    applyParticipantStatisticsEvents(events, tx);
  },
};

type TransferRow = {
  transferId: string;
  currency: string;
  payer: string;
  payee: string;
  amountMinor: bigint;
  createdAt: string;
  outcome: 'PENDING' | 'APPROVED' | DeclineClass;
  completionMs: number | null;
};

/**
 * Applies events in log order. A transfer initiated among them is kept in memory and its row written once, as the
 * events leave it (finished, or still PENDING), many rows at a time; every other event is applied as it comes.
 */
function applyParticipantStatisticsEvents(events: readonly RecordedEvent[], tx: SqliteReadModelTx): void {
  const initiated = new Map<string, TransferRow>();
  const finish = (transferId: string, outcome: 'APPROVED' | DeclineClass, completedAt: string): void => {
    const held = initiated.get(transferId);
    if (held === undefined) complete(tx, transferId, outcome, completedAt);
    else if (held.outcome === 'PENDING') Object.assign(held, { outcome, completionMs: completionMsOf(held.createdAt, completedAt) });
  };
  for (const recorded of events) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'TransferInitiated': {
        const data = event.data;
        initiated.set(data.transferId, {
          transferId: data.transferId,
          currency: data.currency,
          payer: data.payerParticipant,
          payee: data.payeeParticipant,
          amountMinor: BigInt(data.amountMinor),
          createdAt: data.createdAt,
          outcome: 'PENDING',
          completionMs: null,
        });
        break;
      }
      case 'TransferCommitted':
        finish(event.data.transferId, 'APPROVED', event.data.completedAt);
        break;
      case 'TransferAborted':
        finish(event.data.transferId, declineClassOf(event.data.reason), event.data.completedAt);
        break;
      case 'DeliveryQueued': {
        const data = event.data;
        if (data.kind !== reversalKind) break;
        const currency = data.payload['currency'];
        // A reversal's payload is the transfer's credit message, which always names its currency.
        if (typeof currency !== 'string') break;
        // A reversal queued again (after a crash) keeps its first row: the same delivery id is the same reversal.
        preparedStatement(tx, sql.insertReversal).run(data.deliveryId, data.destination, currency, data.queuedAt);
        break;
      }
      case 'DeliverySucceeded':
        // Deliveries of other kinds have no row here, so the update changes nothing for them.
        preparedStatement(tx, sql.deliverReversal).run(event.data.deliveryId);
        break;
      default:
        assertNever(event);
    }
  }
  insertRows(
    tx,
    sql.insertTransfers,
    10,
    [...initiated.values()].map((row) => [
      row.transferId,
      row.currency,
      row.payer,
      row.payee,
      row.amountMinor,
      row.createdAt,
      bucketStartOf(row.createdAt, 'hour'),
      bucketStartOf(row.createdAt, 'day'),
      row.outcome,
      row.completionMs,
    ]),
  );
}

function complete(tx: SqliteReadModelTx, transferId: string, outcome: 'APPROVED' | DeclineClass, completedAt: string): void {
  const row = preparedStatement(tx, sql.findCreatedAt).get(transferId) as { created_at: string } | undefined;
  // A transfer's stream starts with its TransferInitiated, which this projection handles first.
  assert(row !== undefined, `transfer ${transferId} was initiated before it completed`);
  preparedStatement(tx, sql.complete).run(outcome, completionMsOf(row.created_at, completedAt), transferId);
}

/** From the two recorded instants only, so a rebuild computes the same value; never negative if clocks step back. */
function completionMsOf(createdAt: string, completedAt: string): number {
  return Math.max(0, Date.parse(completedAt) - Date.parse(createdAt));
}

const sql = {
  insertTransfers: `INSERT INTO participant_statistics_transfers
                     (transfer_id, currency, payer, payee, amount_minor, created_at, created_hour, created_day, outcome, completion_ms)`,
  findCreatedAt: 'SELECT created_at FROM participant_statistics_transfers WHERE transfer_id = ?',
  complete: `UPDATE participant_statistics_transfers SET outcome = ?, completion_ms = ? WHERE transfer_id = ? AND outcome = 'PENDING'`,
  insertReversal: `INSERT INTO participant_statistics_reversals (delivery_id, participant, currency, queued_at, delivered)
                   VALUES (?, ?, ?, ?, 0) ON CONFLICT (delivery_id) DO NOTHING`,
  deliverReversal: 'UPDATE participant_statistics_reversals SET delivered = 1 WHERE delivery_id = ?',
} as const;
