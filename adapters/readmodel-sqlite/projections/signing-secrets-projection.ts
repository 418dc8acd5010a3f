import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { ParticipantKeyIssued, ParticipantSigningSecretRotated } from '../../../core/participants/participant-events';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { markingReferenceData } from '../reference-data-cache';

const handledTypes = ['ParticipantKeyIssued', 'ParticipantSigningSecretRotated'] as const;
type HandledEvent = ParticipantKeyIssued | ParticipantSigningSecretRotated;

/**
 * The secrets the switch signs each participant's callbacks with, as the participant's stream decides them
 * (core/participants/participant-decider.ts): the current one (`retires_at` null) and those still in their
 * overlap. Secrets are stored as the events hold them: sealed under the master key, or, for a key issued before
 * signing secrets rotated on their own, the plain `whsec_…` of that event.
 *
 * A projection of its own (not a table of the keys projection) so that a data dir from before it is filled from
 * the whole log on the first start: a new projection starts at position 0.
 */
export const signingSecretsProjection: Projection<SqliteReadModelTx> = markingReferenceData({
  name: 'signing-secrets',
  handles: handledTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS participant_signing_secrets (
        participant_id TEXT NOT NULL,
        secret_id      TEXT NOT NULL,
        stored_secret  TEXT NOT NULL,
        issued_at      TEXT NOT NULL,
        retires_at     TEXT,
        position       INTEGER NOT NULL,
        PRIMARY KEY (participant_id, secret_id)
      ) STRICT;
    `);
  },
  reset(tx) {
    clearTables(tx, ['participant_signing_secrets']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'ParticipantKeyIssued': {
        const data = event.data;
        // Before issue 9 the newest key's secret signed alone; a key issued since brings none.
        if (data.signingSecret === undefined) return;
        statement(tx, 'dropAll').run(data.participantId);
        statement(tx, 'insert').run(data.participantId, `key-${data.keyId}`, data.signingSecret, data.at, recorded.position);
        return;
      }
      case 'ParticipantSigningSecretRotated': {
        const data = event.data;
        for (const retirement of data.retirements)
          statement(tx, 'retire').run(retirement.retiresAt, data.participantId, retirement.secretId);
        // Mirrors the decider: a secret without a retirement time that a rotation did not name is superseded.
        statement(tx, 'dropRetired').run(data.participantId, data.at);
        statement(tx, 'insert').run(data.participantId, data.secretId, data.sealedSecret, data.at, recorded.position);
        return;
      }
      default:
        assertNever(event);
    }
  },
});

const sql = {
  insert: `INSERT INTO participant_signing_secrets (participant_id, secret_id, stored_secret, issued_at, retires_at, position)
           VALUES (?, ?, ?, ?, NULL, ?)`,
  retire: 'UPDATE participant_signing_secrets SET retires_at = ? WHERE participant_id = ? AND secret_id = ?',
  dropRetired: 'DELETE FROM participant_signing_secrets WHERE participant_id = ? AND (retires_at IS NULL OR retires_at <= ?)',
  dropAll: 'DELETE FROM participant_signing_secrets WHERE participant_id = ?',
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
