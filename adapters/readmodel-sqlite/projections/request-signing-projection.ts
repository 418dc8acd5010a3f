import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type {
  ParticipantSignedRequestsRequirementChanged,
  ParticipantSigningKeyRegistered,
  ParticipantSigningKeyRevoked,
} from '../../../core/participants/participant-events';
import type { SwitchSigningKeyGenerated } from '../../../core/secrets/switch-signing-keys';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { markingReferenceData } from '../reference-data-cache';

const handledTypes = [
  'ParticipantSigningKeyRegistered',
  'ParticipantSigningKeyRevoked',
  'ParticipantSignedRequestsRequirementChanged',
  'SwitchSigningKeyGenerated',
] as const;
type HandledEvent =
  ParticipantSigningKeyRegistered | ParticipantSigningKeyRevoked | ParticipantSignedRequestsRequirementChanged | SwitchSigningKeyGenerated;

/**
 * Signed requests and signed callbacks (issue 15): the public keys each participant signs its requests with,
 * whether it must, and the switch's own signing keys (the private part sealed, as the log holds it). Every
 * request of a participant that must sign looks its key up here. A projection of its own, so a data dir from
 * before it is filled from the whole log on the first start.
 */
export const requestSigningProjection: Projection<SqliteReadModelTx> = markingReferenceData({
  name: 'request-signing',
  handles: handledTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS participant_request_signing_keys (
        participant_id TEXT NOT NULL,
        kid            TEXT NOT NULL,
        alg            TEXT NOT NULL,
        public_key     TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        revoked_at     TEXT,
        PRIMARY KEY (participant_id, kid)
      ) STRICT;
      CREATE TABLE IF NOT EXISTS participant_signed_requests (
        participant_id TEXT PRIMARY KEY,
        required       INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS switch_signing_keys (
        kid                TEXT PRIMARY KEY,
        public_key         TEXT NOT NULL,
        sealed_private_key TEXT NOT NULL,
        created_at         TEXT NOT NULL,
        position           INTEGER NOT NULL
      ) STRICT;
    `);
  },
  reset(tx) {
    clearTables(tx, ['participant_request_signing_keys', 'participant_signed_requests', 'switch_signing_keys']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'ParticipantSigningKeyRegistered': {
        const data = event.data;
        // A key revoked and registered again is active again, from its new registration.
        statement(tx, 'registerKey').run(data.participantId, data.kid, data.alg, JSON.stringify(data.publicKey), data.at);
        return;
      }
      case 'ParticipantSigningKeyRevoked':
        statement(tx, 'revokeKey').run(event.data.at, event.data.participantId, event.data.kid);
        return;
      case 'ParticipantSignedRequestsRequirementChanged':
        statement(tx, 'require').run(event.data.participantId, event.data.required ? 1 : 0);
        return;
      case 'SwitchSigningKeyGenerated': {
        const data = event.data;
        statement(tx, 'switchKey').run(data.kid, JSON.stringify(data.publicKey), data.sealedPrivateKey, data.at, recorded.position);
        return;
      }
      default:
        assertNever(event);
    }
  },
});

const sql = {
  registerKey: `INSERT INTO participant_request_signing_keys (participant_id, kid, alg, public_key, created_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, NULL)
                ON CONFLICT (participant_id, kid) DO UPDATE SET alg = excluded.alg, public_key = excluded.public_key,
                  created_at = excluded.created_at, revoked_at = NULL`,
  revokeKey: 'UPDATE participant_request_signing_keys SET revoked_at = ? WHERE participant_id = ? AND kid = ?',
  require: `INSERT INTO participant_signed_requests (participant_id, required) VALUES (?, ?)
            ON CONFLICT (participant_id) DO UPDATE SET required = excluded.required`,
  switchKey: `INSERT OR IGNORE INTO switch_signing_keys (kid, public_key, sealed_private_key, created_at, position) VALUES (?, ?, ?, ?, ?)`,
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
