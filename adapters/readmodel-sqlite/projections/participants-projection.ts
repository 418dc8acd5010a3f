import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { ParticipantEvent } from '../../../core/participants/participant-events';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { createRateLimitsTable } from './rate-limits-projection';
import { markingReferenceData } from '../reference-data-cache';

// A new rate limit only moves updated_at here: the rate itself lives in the rate-limits read model.
const handledTypes = [
  'ParticipantRegistered',
  'ParticipantActivated',
  'ParticipantDeactivated',
  'ParticipantNetDebitCapChanged',
  'ParticipantRateLimitChanged',
  'ParticipantEndpointsChanged',
] as const;
type HandledEvent = Extract<ParticipantEvent, { type: (typeof handledTypes)[number] }>;

/** Participants as the API lists them and the transfer path looks them up (by id and by bank code). */
export const participantsProjection: Projection<SqliteReadModelTx> = markingReferenceData({
  name: 'participants',
  // 2: the currencies beyond the first and the FX provider flag (issue 17), in participant_currencies.
  version: 2,
  handles: handledTypes,
  setup(tx) {
    // Its reader joins the operator's rates (rate-limits projection), which may not run in this store.
    createRateLimitsTable(tx);
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
      CREATE TABLE IF NOT EXISTS participant_currencies (
        participant_id      TEXT NOT NULL,
        currency            TEXT NOT NULL,
        net_debit_cap_minor INTEGER NOT NULL,
        PRIMARY KEY (participant_id, currency)
      ) STRICT;
      CREATE TABLE IF NOT EXISTS participant_fx_providers (participant_id TEXT PRIMARY KEY) STRICT;
    `);
  },
  reset(tx) {
    clearTables(tx, ['participants', 'participant_currencies', 'participant_fx_providers']);
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
        for (const entry of data.additionalCurrencies ?? []) {
          statement(tx, 'currency').run(data.participantId, entry.currency, BigInt(entry.netDebitCapMinor));
        }
        if (data.fxProvider === true) statement(tx, 'fxProvider').run(data.participantId);
        return;
      }
      case 'ParticipantActivated':
      case 'ParticipantDeactivated':
        statement(tx, 'active').run(event.type === 'ParticipantActivated' ? 1 : 0, event.data.at, event.data.participantId);
        return;
      case 'ParticipantNetDebitCapChanged':
        if (event.data.currency === undefined) {
          statement(tx, 'cap').run(BigInt(event.data.netDebitCapMinor), event.data.at, event.data.participantId);
        } else {
          // Only currencies beyond the first are named: the first one's cap lives on the participant's row.
          statement(tx, 'currencyCap').run(BigInt(event.data.netDebitCapMinor), event.data.participantId, event.data.currency);
          statement(tx, 'touched').run(event.data.at, event.data.participantId);
        }
        return;
      case 'ParticipantRateLimitChanged':
        statement(tx, 'touched').run(event.data.at, event.data.participantId);
        return;
      case 'ParticipantEndpointsChanged':
        // Stored exactly as registration stores them: every reader parses one shape, whichever event wrote it.
        statement(tx, 'endpoints').run(JSON.stringify(event.data.endpoints), event.data.at, event.data.participantId);
        return;
      default:
        assertNever(event);
    }
  },
});

const sql = {
  register: `INSERT INTO participants (id, name, participant_type, bank_code, currency, net_debit_cap_minor, credit_mode, endpoints, active, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
  active: 'UPDATE participants SET active = ?, updated_at = ? WHERE id = ?',
  cap: 'UPDATE participants SET net_debit_cap_minor = ?, updated_at = ? WHERE id = ?',
  currency: 'INSERT INTO participant_currencies (participant_id, currency, net_debit_cap_minor) VALUES (?, ?, ?)',
  currencyCap: 'UPDATE participant_currencies SET net_debit_cap_minor = ? WHERE participant_id = ? AND currency = ?',
  touched: 'UPDATE participants SET updated_at = ? WHERE id = ?',
  endpoints: 'UPDATE participants SET endpoints = ?, updated_at = ? WHERE id = ?',
  fxProvider: 'INSERT INTO participant_fx_providers (participant_id) VALUES (?)',
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
