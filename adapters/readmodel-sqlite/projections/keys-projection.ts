import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RegulatorKeyEvent } from '../../../core/auth/regulator-keys';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { MerchantKeyIssued, MerchantKeyRevoked } from '../../../core/gateway/merchant-events';
import type { ParticipantKeyIssued, ParticipantKeyRevoked } from '../../../core/participants/participant-events';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { markingReferenceData } from '../reference-data-cache';

const handledTypes = [
  'ParticipantKeyIssued',
  'ParticipantKeyRevoked',
  'RegulatorKeyIssued',
  'RegulatorKeyRevoked',
  'MerchantKeyIssued',
  'MerchantKeyRevoked',
] as const;
type HandledEvent = ParticipantKeyIssued | ParticipantKeyRevoked | RegulatorKeyEvent | MerchantKeyIssued | MerchantKeyRevoked;

/**
 * Issued API keys by key id: what authentication looks up on every request. Holds key hashes, never keys, and
 * no signing secrets (signing-secrets-projection.ts holds those, sealed). Merchant keys (the gateway's) are here
 * too: a merchant key is a bearer key like the others, with the role merchant.
 */
export const keysProjection: Projection<SqliteReadModelTx> = markingReferenceData({
  name: 'api-keys',
  handles: handledTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS api_keys (
        key_id          TEXT PRIMARY KEY,
        key_hash        TEXT NOT NULL,
        role            TEXT NOT NULL,
        owner_id        TEXT,
        signing_secret  TEXT,
        revoked         INTEGER NOT NULL,
        issued_at       TEXT NOT NULL,
        issued_position INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS api_keys_by_owner ON api_keys (role, owner_id, issued_position);
    `);
    // Signing secrets are the signing-secrets projection's, sealed; a read model from before issue 9 kept them
    // here in plain text, which is wiped at start (the column stays, unused, so old files still open).
    tx.exec('UPDATE api_keys SET signing_secret = NULL WHERE signing_secret IS NOT NULL');
  },
  reset(tx) {
    clearTables(tx, ['api_keys']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'ParticipantKeyIssued': {
        const data = event.data;
        statement(tx, 'issue').run(data.keyId, data.keyHash, 'participant', data.participantId, null, data.at, recorded.position);
        return;
      }
      case 'RegulatorKeyIssued':
        statement(tx, 'issue').run(event.data.keyId, event.data.keyHash, 'regulator', null, null, event.data.at, recorded.position);
        return;
      case 'MerchantKeyIssued':
        statement(tx, 'issue').run(
          event.data.keyId,
          event.data.keyHash,
          'merchant',
          event.data.merchantId,
          null,
          event.data.at,
          recorded.position,
        );
        return;
      case 'ParticipantKeyRevoked':
      case 'RegulatorKeyRevoked':
      case 'MerchantKeyRevoked':
        statement(tx, 'revoke').run(event.data.keyId);
        return;
      default:
        assertNever(event);
    }
  },
});

const sql = {
  issue: `INSERT INTO api_keys (key_id, key_hash, role, owner_id, signing_secret, revoked, issued_at, issued_position)
          VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
  revoke: 'UPDATE api_keys SET revoked = 1 WHERE key_id = ?',
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
