import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { CheckoutSessionEvent } from '../../../core/gateway/checkout-session-events';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';

const handledTypes = ['SessionCreated', 'SessionCompleted', 'SessionExpired', 'SessionCancelled'] as const;
type HandledEvent = Extract<CheckoutSessionEvent, { type: (typeof handledTypes)[number] }>;

/**
 * Checkout sessions by status and expiry: what the expiry sweeper reads. A session's full state is folded from
 * its own stream (a handful of events), so that every read sees the latest write at once.
 */
export const checkoutSessionsProjection: Projection<SqliteReadModelTx> = {
  name: 'checkout-sessions',
  handles: handledTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS checkout_sessions (
        session_id  TEXT PRIMARY KEY,
        merchant_id TEXT NOT NULL,
        status      TEXT NOT NULL,
        expires_at  TEXT NOT NULL,
        created_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS checkout_sessions_open_by_expiry ON checkout_sessions (status, expires_at);
    `);
    // The transfer that paid a session names its merchant for disputes (issue 12). Added after the table first
    // shipped, so a read model from before gets the column; its completed sessions fill it when rebuilt.
    const columns = tx.prepare("SELECT name FROM pragma_table_info('checkout_sessions')").all() as { name: string }[];
    if (!columns.some((column) => column.name === 'transfer_id')) tx.exec('ALTER TABLE checkout_sessions ADD COLUMN transfer_id TEXT');
    tx.exec('CREATE INDEX IF NOT EXISTS checkout_sessions_by_transfer ON checkout_sessions (transfer_id)');
  },
  reset(tx) {
    clearTables(tx, ['checkout_sessions']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'SessionCreated':
        statement(tx, 'create').run(event.data.sessionId, event.data.merchantId, event.data.expiresAt, event.data.at);
        return;
      case 'SessionCompleted':
        statement(tx, 'complete').run(event.data.transferId, event.data.sessionId);
        return;
      case 'SessionExpired':
      case 'SessionCancelled':
        statement(tx, 'status').run(statusAfter[event.type], event.data.sessionId);
        return;
      default:
        assertNever(event);
    }
  },
};

const statusAfter = { SessionExpired: 'EXPIRED', SessionCancelled: 'CANCELLED' } as const;

const sql = {
  create: `INSERT INTO checkout_sessions (session_id, merchant_id, status, expires_at, created_at) VALUES (?, ?, 'OPEN', ?, ?)`,
  status: 'UPDATE checkout_sessions SET status = ? WHERE session_id = ?',
  complete: `UPDATE checkout_sessions SET status = 'COMPLETED', transfer_id = ? WHERE session_id = ?`,
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
