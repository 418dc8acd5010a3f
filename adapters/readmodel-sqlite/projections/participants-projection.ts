import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { ParticipantEvent } from '../../../core/participants/participant-events';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';

// A new rate limit only moves updated_at here: the rate itself lives in the rate-limits read model.
const handledTypes = [
  'ParticipantRegistered',
  'ParticipantActivated',
  'ParticipantDeactivated',
  'ParticipantNetDebitCapChanged',
  'ParticipantRateLimitChanged',
] as const;
type HandledEvent = Extract<ParticipantEvent, { type: (typeof handledTypes)[number] }>;

/** Participants as the API lists them and the transfer path looks them up (by id and by bank code). */
export const participantsProjection: Projection<SqliteReadModelTx> = {
  name: 'participants',
  handles: handledTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS participants (
        id                  TEXT PRIMARY KEY,
        name                TEXT NOT NULL,
        participant_type    TEXT NOT NULL,
        bank_code           TEXT NOT NULL,
        currency            TEXT NOT NULL,
        net_debit_cap_minor INTEGER NOT NULL,
        credit_mode         TEXT NOT NULL,
        endpoints           TEXT NOT NULL,
        active              INTEGER NOT NULL,
        created_at          TEXT NOT NULL,
        updated_at          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS participants_by_bank_code ON participants (bank_code);
    `);
  },
  reset(tx) {
    clearTables(tx, ['participants']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'ParticipantRegistered': {
        const data = event.data;
        statement(tx, 'register').run(
          data.participantId,
          data.name,
          data.participantType,
          data.bankCode,
          data.currency,
          BigInt(data.netDebitCapMinor),
          data.creditMode,
          JSON.stringify(data.endpoints),
          data.at,
          data.at,
        );
        return;
      }
      case 'ParticipantActivated':
      case 'ParticipantDeactivated':
        statement(tx, 'active').run(event.type === 'ParticipantActivated' ? 1 : 0, event.data.at, event.data.participantId);
        return;
      case 'ParticipantNetDebitCapChanged':
        statement(tx, 'cap').run(BigInt(event.data.netDebitCapMinor), event.data.at, event.data.participantId);
        return;
      case 'ParticipantRateLimitChanged':
        statement(tx, 'touched').run(event.data.at, event.data.participantId);
        return;
      default:
        assertNever(event);
    }
  },
};

const sql = {
  register: `INSERT INTO participants (id, name, participant_type, bank_code, currency, net_debit_cap_minor, credit_mode, endpoints, active, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
  active: 'UPDATE participants SET active = ?, updated_at = ? WHERE id = ?',
  cap: 'UPDATE participants SET net_debit_cap_minor = ?, updated_at = ? WHERE id = ?',
  touched: 'UPDATE participants SET updated_at = ? WHERE id = ?',
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
