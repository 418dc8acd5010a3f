import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { MerchantRateLimitChanged } from '../../../core/gateway/merchant-events';
import type { ParticipantRateLimitChanged } from '../../../core/participants/participant-events';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { markingReferenceData } from '../reference-data-cache';

const sql = {
  set: `INSERT INTO rate_limits (owner, rate_limit_per_second, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (owner) DO UPDATE SET rate_limit_per_second = excluded.rate_limit_per_second, updated_at = excluded.updated_at`,
  clear: 'DELETE FROM rate_limits WHERE owner = ?',
} as const;

/** Who a row is for: `participant:<id>` or `merchant:<id>` (the two id spaces may overlap). */
export function rateLimitOwner(kind: 'participant' | 'merchant', id: string): string {
  return `${kind}:${id}`;
}

/**
 * The table is made by the participants' and merchants' projections too: their readers join it, and a read-model
 * store that runs them without this projection (a test fixture, a tool) must still answer, with the default rate.
 */
export function createRateLimitsTable(tx: SqliteReadModelTx): void {
  tx.exec(`
    CREATE TABLE IF NOT EXISTS rate_limits (
      owner                 TEXT PRIMARY KEY,
      rate_limit_per_second INTEGER NOT NULL,
      updated_at            TEXT NOT NULL
    ) STRICT;
  `);
}

/**
 * The operator's own request rates for participants and merchants: one row for each that has one, none for those
 * on the default. A table of its own, read on every request by the rate limiter: one primary-key get.
 */
export const rateLimitsProjection: Projection<SqliteReadModelTx> = markingReferenceData({
  name: 'rate-limits',
  handles: ['ParticipantRateLimitChanged', 'MerchantRateLimitChanged'],
  setup(tx) {
    createRateLimitsTable(tx);
  },
  reset(tx) {
    clearTables(tx, ['rate_limits']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & (ParticipantRateLimitChanged | MerchantRateLimitChanged);
    switch (event.type) {
      case 'ParticipantRateLimitChanged':
        return write(tx, rateLimitOwner('participant', event.data.participantId), event.data.rateLimitPerSecond, event.data.at);
      case 'MerchantRateLimitChanged':
        return write(tx, rateLimitOwner('merchant', event.data.merchantId), event.data.rateLimitPerSecond, event.data.at);
      default:
        assertNever(event);
    }
  },
});

function write(tx: SqliteReadModelTx, owner: string, rateLimitPerSecond: number | null, at: string): void {
  if (rateLimitPerSecond === null) statement(tx, 'clear').run(owner);
  else statement(tx, 'set').run(owner, rateLimitPerSecond, at);
}

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
