import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { ParticipantRateLimitChanged } from '../../../core/participants/participant-events';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';

const sql = {
  set: `INSERT INTO participant_rate_limits (participant_id, rate_limit_per_second, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (participant_id) DO UPDATE SET rate_limit_per_second = excluded.rate_limit_per_second, updated_at = excluded.updated_at`,
  clear: 'DELETE FROM participant_rate_limits WHERE participant_id = ?',
} as const;

/**
 * The operator's per-participant request rates: one row per participant that has its own, none for those on the
 * default. A table of its own, read on every request by the rate limiter, so the lookup is one primary-key get.
 */
export const participantRateLimitsProjection: Projection<SqliteReadModelTx> = {
  name: 'participant-rate-limits',
  handles: ['ParticipantRateLimitChanged'],
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS participant_rate_limits (
        participant_id        TEXT PRIMARY KEY,
        rate_limit_per_second INTEGER NOT NULL,
        updated_at            TEXT NOT NULL
      ) STRICT;
    `);
  },
  reset(tx) {
    clearTables(tx, ['participant_rate_limits']);
  },
  apply(recorded, tx) {
    const { data } = recorded as RecordedEvent & ParticipantRateLimitChanged;
    if (data.rateLimitPerSecond === null) statement(tx, 'clear').run(data.participantId);
    else statement(tx, 'set').run(data.participantId, data.rateLimitPerSecond, data.at);
  },
};

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
