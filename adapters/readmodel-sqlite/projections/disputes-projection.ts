import type Database from 'better-sqlite3';
import { evolve, type PresentDispute } from '../../../core/disputes/dispute-decider';
import { disputeEventTypes, type DisputeEvent } from '../../../core/disputes/dispute-events';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';

/**
 * Dispute records (issue 12): one row per dispute with the columns lists, the sweeper and the statistics filter
 * on, and the whole dispute folded by the decider's own evolve (`state_json`), so a listed dispute reads exactly as
 * its stream does. Everything here derives from the events alone, so a rebuild is byte-identical.
 */
export const disputesProjection: Projection<SqliteReadModelTx> = {
  name: 'disputes',
  handles: disputeEventTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS disputes (
        sequence        INTEGER PRIMARY KEY,
        dispute_id      TEXT NOT NULL UNIQUE,
        transfer_id     TEXT NOT NULL,
        category        TEXT NOT NULL,
        state           TEXT NOT NULL,
        outcome         TEXT,
        claimant        TEXT NOT NULL,
        respondent      TEXT NOT NULL,
        merchant_id     TEXT,
        respond_by      TEXT,
        deadline_missed INTEGER NOT NULL,
        auto_resolved   INTEGER NOT NULL,
        chargeback_due  INTEGER NOT NULL,
        credit_queued   INTEGER NOT NULL,
        notify_due      INTEGER NOT NULL,
        answered_at     TEXT,
        created_at      TEXT NOT NULL,
        resolved_at     TEXT,
        state_json      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS disputes_open_by_deadline ON disputes (state, respond_by);
      CREATE INDEX IF NOT EXISTS disputes_by_claimant ON disputes (claimant, sequence);
      CREATE INDEX IF NOT EXISTS disputes_by_respondent ON disputes (respondent, sequence);
      CREATE INDEX IF NOT EXISTS disputes_by_created ON disputes (created_at);
      CREATE INDEX IF NOT EXISTS disputes_chargebacks_due ON disputes (chargeback_due, credit_queued);
      CREATE INDEX IF NOT EXISTS disputes_notifications_due ON disputes (notify_due);
    `);
  },
  reset(tx) {
    clearTables(tx, ['disputes']);
  },
  apply(recorded, tx) {
    const event = { type: recorded.type, data: recorded.data } as DisputeEvent;
    const disputeId = event.data.disputeId;
    const before =
      event.type === 'DisputeOpened'
        ? ({ status: 'absent' } as const)
        : (JSON.parse((statement(tx, 'find').get(disputeId) as { state_json: string }).state_json) as PresentDispute);
    const after = evolve(before, event) as PresentDispute;
    if (event.type === 'DisputeOpened') {
      statement(tx, 'insert').run(
        positionOf(recorded),
        disputeId,
        after.opened.transferId,
        after.opened.category,
        after.opened.claimant,
        after.opened.respondent,
        after.opened.merchantId,
        after.opened.respondBy,
        notificationDue(after) ? 1 : 0,
        after.opened.at,
        JSON.stringify(after),
      );
      return;
    }
    statement(tx, 'update').run(
      after.state,
      after.outcome,
      after.deadlineMissed ? 1 : 0,
      after.autoResolved ? 1 : 0,
      after.chargebackDue ? 1 : 0,
      after.creditQueued ? 1 : 0,
      notificationDue(after) ? 1 : 0,
      after.answeredAt,
      after.resolvedAt,
      JSON.stringify(after),
      disputeId,
    );
  },
};

/** Whether the merchant of a P2M payment is owed a dispute webhook the sweeper should (re)publish. */
function notificationDue(dispute: PresentDispute): boolean {
  if (dispute.opened.merchantId === null) return false;
  if (!dispute.merchantNotified.opened) return true;
  const settled = !dispute.chargebackDue || dispute.chargeback !== null;
  return dispute.state === 'RESOLVED' && settled && !dispute.merchantNotified.resolved;
}

function positionOf(recorded: RecordedEvent): bigint {
  return recorded.position;
}

const sql = {
  find: 'SELECT state_json FROM disputes WHERE dispute_id = ?',
  insert: `INSERT INTO disputes (sequence, dispute_id, transfer_id, category, state, outcome, claimant, respondent, merchant_id, respond_by,
             deadline_missed, auto_resolved, chargeback_due, credit_queued, notify_due, answered_at, created_at, resolved_at, state_json)
           VALUES (?, ?, ?, ?, 'OPEN', NULL, ?, ?, ?, ?, 0, 0, 0, 0, ?, NULL, ?, NULL, ?)`,
  update: `UPDATE disputes SET state = ?, outcome = ?, deadline_missed = ?, auto_resolved = ?, chargeback_due = ?, credit_queued = ?,
             notify_due = ?, answered_at = ?, resolved_at = ?, state_json = ? WHERE dispute_id = ?`,
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
