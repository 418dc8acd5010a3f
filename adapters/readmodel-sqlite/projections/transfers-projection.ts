import { assert, assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { TransferEvent } from '../../../core/transfers/transfer-events';
import { transferEventTypes } from '../../../core/transfers/transfer-events';
import { clearTables } from '../clear-tables';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { insertRows } from '../row-inserts';
import { preparedStatement } from '../statement-cache';

/** Transfers as participants, the operator and the regulator list them, and as recovery finds those in flight. */
export const transfersProjection: Projection<SqliteReadModelTx> = {
  name: 'transfers',
  handles: transferEventTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS transfers (
        sequence          INTEGER PRIMARY KEY,
        id                TEXT NOT NULL UNIQUE,
        client_id         TEXT,
        payer_participant TEXT NOT NULL,
        payee_participant TEXT NOT NULL,
        payer             TEXT NOT NULL,
        payee             TEXT NOT NULL,
        amount_minor      INTEGER NOT NULL,
        currency          TEXT NOT NULL,
        purpose           TEXT NOT NULL,
        note              TEXT,
        channel           TEXT NOT NULL,
        state             TEXT NOT NULL,
        abort_reason      TEXT,
        reversed          INTEGER NOT NULL DEFAULT 0,
        created_at        TEXT NOT NULL,
        completed_at      TEXT
      ) STRICT;
      CREATE INDEX IF NOT EXISTS transfers_by_payer ON transfers (payer_participant, sequence);
      CREATE INDEX IF NOT EXISTS transfers_by_payee ON transfers (payee_participant, sequence);
      CREATE INDEX IF NOT EXISTS transfers_in_flight ON transfers (state, sequence);
    `);
    // client_id came with ids scoped per payer; a table from before gains it empty, which is right for its rows
    // (their payer's id is their id), so no rebuild is needed.
    const columns = tx.prepare("SELECT name FROM pragma_table_info('transfers')").all() as { name: string }[];
    if (!columns.some((column) => column.name === 'client_id')) tx.exec('ALTER TABLE transfers ADD COLUMN client_id TEXT');
    tx.exec('CREATE INDEX IF NOT EXISTS transfers_by_client_id ON transfers (client_id)');
  },
  reset(tx) {
    clearTables(tx, ['transfers']);
  },
  apply(recorded, tx) {
    applyTransferEvents([recorded], tx);
  },
  applyMany(events, tx) {
    applyTransferEvents(events, tx);
  },
};

type Finish = { state: 'COMMITTED' | 'ABORTED'; abortReason: string | null; completedAt: string };

/**
 * Applies transfer events in log order. A transfer initiated and finished within the events (a batch's ADVICE
 * payments: both events ride in one durable write) is inserted finished, its row written once; rows go in many
 * at a time. Every other event updates the row it names, as it comes.
 */
function applyTransferEvents(events: readonly RecordedEvent[], tx: SqliteReadModelTx): void {
  const finishes = finishesOfTransfersInitiatedHere(events);
  const finishing = new Set(finishes.values());
  const rows: unknown[][] = [];
  for (const recorded of events) {
    const event = recorded as RecordedEvent & TransferEvent;
    switch (event.type) {
      case 'TransferInitiated': {
        const data = event.data;
        const found = finishes.get(data.transferId);
        const finish = found === undefined ? null : finishOf(found);
        rows.push([
          recorded.position,
          data.transferId,
          data.clientTransferId ?? null,
          data.payerParticipant,
          data.payeeParticipant,
          JSON.stringify(data.payer),
          JSON.stringify(data.payee),
          BigInt(data.amountMinor),
          data.currency,
          data.purpose,
          data.note,
          data.channel,
          finish?.state ?? 'IN_FLIGHT',
          finish?.abortReason ?? null,
          data.createdAt,
          finish?.completedAt ?? null,
        ]);
        break;
      }
      case 'TransferCommitted':
      case 'TransferAborted':
        // Written with its row above; any other finish is of a row written before (or a second one, which changes nothing).
        if (finishing.has(recorded)) break;
        insertRows(tx, sql.insertInto, insertColumnCount, rows.splice(0));
        preparedStatement(tx, sql.complete).run(
          event.type === 'TransferCommitted' ? 'COMMITTED' : 'ABORTED',
          event.type === 'TransferCommitted' ? null : event.data.reason,
          event.data.completedAt,
          event.data.transferId,
        );
        break;
      case 'TransferReversed':
        insertRows(tx, sql.insertInto, insertColumnCount, rows.splice(0));
        preparedStatement(tx, sql.reverse).run(event.data.transferId);
        break;
      default:
        assertNever(event);
    }
  }
  insertRows(tx, sql.insertInto, insertColumnCount, rows);
}

/** Per transfer initiated among the events, its first finish among them (the only one a transfer has). */
function finishesOfTransfersInitiatedHere(events: readonly RecordedEvent[]): Map<string, RecordedEvent> {
  const initiated = new Set<string>();
  const finishes = new Map<string, RecordedEvent>();
  for (const event of events) {
    const transferId = event.data['transferId'];
    if (typeof transferId !== 'string') continue;
    if (event.type === 'TransferInitiated') initiated.add(transferId);
    else if (
      (event.type === 'TransferCommitted' || event.type === 'TransferAborted') &&
      initiated.has(transferId) &&
      !finishes.has(transferId)
    )
      finishes.set(transferId, event);
  }
  return finishes;
}

function finishOf(recorded: RecordedEvent): Finish {
  const event = recorded as RecordedEvent & TransferEvent;
  if (event.type === 'TransferCommitted') return { state: 'COMMITTED', abortReason: null, completedAt: event.data.completedAt };
  assert(event.type === 'TransferAborted', 'a finish is a commit or an abort');
  return { state: 'ABORTED', abortReason: event.data.reason, completedAt: event.data.completedAt };
}

const insertColumnCount = 16;

const sql = {
  insertInto: `INSERT INTO transfers (sequence, id, client_id, payer_participant, payee_participant, payer, payee, amount_minor, currency,
               purpose, note, channel, state, abort_reason, created_at, completed_at)`,
  complete: `UPDATE transfers SET state = ?, abort_reason = ?, completed_at = ? WHERE id = ? AND state = 'IN_FLIGHT'`,
  reverse: 'UPDATE transfers SET reversed = 1 WHERE id = ?',
} as const;
