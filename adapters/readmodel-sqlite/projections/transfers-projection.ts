import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { TransferEvent } from '../../../core/transfers/transfer-events';
import { transferEventTypes } from '../../../core/transfers/transfer-events';
import { clearTables } from '../clear-tables';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
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
    const event = recorded as RecordedEvent & TransferEvent;
    switch (event.type) {
      case 'TransferInitiated': {
        const data = event.data;
        preparedStatement(tx, sql.initiate).run(
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
          data.createdAt,
        );
        return;
      }
      case 'TransferCommitted':
        preparedStatement(tx, sql.complete).run('COMMITTED', null, event.data.completedAt, event.data.transferId);
        return;
      case 'TransferAborted':
        preparedStatement(tx, sql.complete).run('ABORTED', event.data.reason, event.data.completedAt, event.data.transferId);
        return;
      case 'TransferReversed':
        preparedStatement(tx, sql.reverse).run(event.data.transferId);
        return;
      default:
        assertNever(event);
    }
  },
};

const sql = {
  initiate: `INSERT INTO transfers (sequence, id, client_id, payer_participant, payee_participant, payer, payee, amount_minor, currency, purpose, note, channel, state, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'IN_FLIGHT', ?)`,
  complete: `UPDATE transfers SET state = ?, abort_reason = ?, completed_at = ? WHERE id = ? AND state = 'IN_FLIGHT'`,
  reverse: 'UPDATE transfers SET reversed = 1 WHERE id = ?',
} as const;
