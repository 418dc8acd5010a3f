import { assert, assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import { hourOf } from '../../../core/reports/statistics-hours';
import type { TransferEvent } from '../../../core/transfers/transfer-events';
import { clearTables } from '../clear-tables';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { insertRows } from '../row-inserts';
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
    applyStatisticsEvents([recorded], tx);
  },
  applyMany(events, tx) {
    applyStatisticsEvents(events, tx);
  },
};

type InFlightRow = { currency: string; payer: string; payee: string; purpose: string; amount_minor: bigint };
type HourlyCount = InFlightRow & { hour: string; outcome: 'COMMITTED' | 'ABORTED'; abortReason: string; count: number };

/**
 * Applies events in log order. A transfer initiated and finished among them never has an in-flight row; the
 * hourly counts are summed per row and added once at the end (sums: the order they are added in changes nothing).
 */
function applyStatisticsEvents(events: readonly RecordedEvent[], tx: SqliteReadModelTx): void {
  const initiated = new Map<string, InFlightRow>();
  const hourly = new Map<string, HourlyCount>();
  const complete = (transferId: string, completedAt: string, outcome: 'COMMITTED' | 'ABORTED', abortReason: string): void => {
    let row = initiated.get(transferId);
    if (row === undefined) {
      row = preparedStatement(tx, sql.findInFlight).get(transferId) as InFlightRow | undefined;
      // A transfer completes once; its stream's decider never records a second completion.
      assert(row !== undefined, `transfer ${transferId} was initiated before it completed, and completes once`);
      preparedStatement(tx, sql.deleteInFlight).run(transferId);
    } else {
      initiated.delete(transferId);
    }
    const hour = hourOf(completedAt);
    const key = [row.currency, hour, row.payer, row.payee, row.purpose, outcome, abortReason].join('\u0000');
    const counted = hourly.get(key);
    if (counted === undefined) hourly.set(key, { ...row, hour, outcome, abortReason, count: 1 });
    else {
      counted.count += 1;
      counted.amount_minor += row.amount_minor;
    }
  };
  for (const recorded of events) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'TransferInitiated': {
        const data = event.data;
        initiated.set(data.transferId, {
          currency: data.currency,
          payer: data.payerParticipant,
          payee: data.payeeParticipant,
          purpose: data.purpose,
          amount_minor: BigInt(data.amountMinor),
        });
        break;
      }
      case 'TransferCommitted':
        complete(event.data.transferId, event.data.completedAt, 'COMMITTED', '');
        break;
      case 'TransferAborted':
        complete(event.data.transferId, event.data.completedAt, 'ABORTED', event.data.reason);
        break;
      default:
        assertNever(event);
    }
  }
  insertRows(
    tx,
    sql.insertInFlight,
    6,
    [...initiated].map(([transferId, row]) => [transferId, row.currency, row.payer, row.payee, row.purpose, row.amount_minor]),
  );
  for (const row of hourly.values())
    preparedStatement(tx, sql.addHourly).run(
      row.currency,
      row.hour,
      row.payer,
      row.payee,
      row.purpose,
      row.outcome,
      row.abortReason,
      row.count,
      row.amount_minor,
    );
}

const sql = {
  insertInFlight: 'INSERT INTO statistics_in_flight (transfer_id, currency, payer, payee, purpose, amount_minor)',
  findInFlight: 'SELECT currency, payer, payee, purpose, amount_minor FROM statistics_in_flight WHERE transfer_id = ?',
  deleteInFlight: 'DELETE FROM statistics_in_flight WHERE transfer_id = ?',
  addHourly: `INSERT INTO statistics_hourly (currency, hour, payer, payee, purpose, outcome, abort_reason, count, value_minor)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (currency, hour, payer, payee, purpose, outcome, abort_reason)
              DO UPDATE SET count = count + excluded.count, value_minor = value_minor + excluded.value_minor`,
} as const;
