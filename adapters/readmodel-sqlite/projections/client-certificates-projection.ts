import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type {
  ParticipantClientCertificateRegistered,
  ParticipantClientCertificateRevoked,
} from '../../../core/participants/participant-events';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';

const handledTypes = ['ParticipantClientCertificateRegistered', 'ParticipantClientCertificateRevoked'] as const;
type HandledEvent = ParticipantClientCertificateRegistered | ParticipantClientCertificateRevoked;

/**
 * Client certificates bound to participants (mutual TLS), by participant and fingerprint: what every participant
 * request and every bank's ISO 8583 sign-on looks up when a client CA is configured. A projection of its own, so
 * that a data dir from before it is filled from the whole log on the first start.
 */
export const clientCertificatesProjection: Projection<SqliteReadModelTx> = {
  name: 'client-certificates',
  handles: handledTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS participant_client_certificates (
        participant_id TEXT NOT NULL,
        fingerprint256 TEXT NOT NULL,
        subject        TEXT,
        not_after      TEXT,
        registered_at  TEXT NOT NULL,
        position       INTEGER NOT NULL,
        PRIMARY KEY (participant_id, fingerprint256)
      ) STRICT;
    `);
  },
  reset(tx) {
    clearTables(tx, ['participant_client_certificates']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'ParticipantClientCertificateRegistered': {
        const data = event.data;
        statement(tx, 'insert').run(data.participantId, data.fingerprint256, data.subject, data.notAfter, data.at, recorded.position);
        return;
      }
      case 'ParticipantClientCertificateRevoked':
        statement(tx, 'delete').run(event.data.participantId, event.data.fingerprint256);
        return;
      default:
        assertNever(event);
    }
  },
};

const sql = {
  insert: `INSERT INTO participant_client_certificates (participant_id, fingerprint256, subject, not_after, registered_at, position)
           VALUES (?, ?, ?, ?, ?, ?)`,
  delete: 'DELETE FROM participant_client_certificates WHERE participant_id = ? AND fingerprint256 = ?',
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
