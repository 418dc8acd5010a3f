import { assert, assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import { hourOf } from '../../../core/reports/statistics-hours';
import type { TransferEvent } from '../../../core/transfers/transfer-events';
import { clearTables } from '../clear-tables';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { preparedStatement } from '../statement-cache';

const handledTypes = ['TransferInitiated', 'TransferCommitted', 'TransferAborted'] as const;
type HandledEvent = Extract<TransferEvent, { type: (typeof handledTypes)[number] }>;

/**
 * Payment statistics for the regulator (issue 6 item 5): payments (transfers over the API, ISO 8583 or checkout;
 * never funds movements or settlement postings, which are not transfers) counted by the hour they completed in
 * (UTC), payer, payee, purpose, outcome and abort reason. Hourly rows keep every query a bounded GROUP BY.
 */
export const statisticsProjection: Projection<SqliteReadModelTx> = {
  name: 'statistics',
  handles: handledTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS statistics_in_flight (
        transfer_id  TEXT PRIMARY KEY,
        currency     TEXT NOT NULL,
        payer        TEXT NOT NULL,
        payee        TEXT NOT NULL,
        purpose      TEXT NOT NULL,
        amount_minor INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS statistics_hourly (
        currency     TEXT NOT NULL,
        hour         TEXT NOT NULL,
        payer        TEXT NOT NULL,
        payee        TEXT NOT NULL,
        purpose      TEXT NOT NULL,
        outcome      TEXT NOT NULL,
        abort_reason TEXT NOT NULL,
        count        INTEGER NOT NULL,
        value_minor  INTEGER NOT NULL,
        PRIMARY KEY (currency, hour, payer, payee, purpose, outcome, abort_reason)
      ) STRICT;
    `);
  },
  reset(tx) {
    clearTables(tx, ['statistics_in_flight', 'statistics_hourly']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'TransferInitiated': {
        const data = event.data;
        preparedStatement(tx, sql.insertInFlight).run(
          data.transferId,
          data.currency,
          data.payerParticipant,
          data.payeeParticipant,
          data.purpose,
          BigInt(data.amountMinor),
        );
        return;
      }
      case 'TransferCommitted':
        complete(tx, event.data.transferId, event.data.completedAt, 'COMMITTED', '');
        return;
      case 'TransferAborted':
        complete(tx, event.data.transferId, event.data.completedAt, 'ABORTED', event.data.reason);
        return;
      default:
        assertNever(event);
    }
  },
};

type InFlightRow = { currency: string; payer: string; payee: string; purpose: string; amount_minor: bigint };

function complete(
  tx: SqliteReadModelTx,
  transferId: string,
  completedAt: string,
  outcome: 'COMMITTED' | 'ABORTED',
  abortReason: string,
): void {
  const row = preparedStatement(tx, sql.findInFlight).get(transferId) as InFlightRow | undefined;
  // A transfer completes once; its stream's decider never records a second completion.
  assert(row !== undefined, `transfer ${transferId} was initiated before it completed, and completes once`);
  preparedStatement(tx, sql.addHourly).run(
    row.currency,
    hourOf(completedAt),
    row.payer,
    row.payee,
    row.purpose,
    outcome,
    abortReason,
    row.amount_minor,
  );
  preparedStatement(tx, sql.deleteInFlight).run(transferId);
}

const sql = {
  insertInFlight: 'INSERT INTO statistics_in_flight (transfer_id, currency, payer, payee, purpose, amount_minor) VALUES (?, ?, ?, ?, ?, ?)',
  findInFlight: 'SELECT currency, payer, payee, purpose, amount_minor FROM statistics_in_flight WHERE transfer_id = ?',
  deleteInFlight: 'DELETE FROM statistics_in_flight WHERE transfer_id = ?',
  addHourly: `INSERT INTO statistics_hourly (currency, hour, payer, payee, purpose, outcome, abort_reason, count, value_minor)
              VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
              ON CONFLICT (currency, hour, payer, payee, purpose, outcome, abort_reason)
              DO UPDATE SET count = count + 1, value_minor = value_minor + excluded.value_minor`,
} as const;
