import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { AliasEvent } from '../../../core/directory/alias';
import { aliasEventTypes } from '../../../core/directory/alias';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';

/** The alias directory: who holds each alias, and the account and name behind it. */
export const directoryProjection: Projection<SqliteReadModelTx> = {
  name: 'directory',
  handles: aliasEventTypes,
  setup(tx) {
    tx.exec(`
      CREATE TABLE IF NOT EXISTS aliases (
        alias_type     TEXT NOT NULL,
        alias_value    TEXT NOT NULL,
        participant_id TEXT NOT NULL,
        account_type   TEXT NOT NULL,
        account_value  TEXT NOT NULL,
        holder_name    TEXT NOT NULL,
        registered_at  TEXT NOT NULL,
        PRIMARY KEY (alias_type, alias_value)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS aliases_by_account ON aliases (account_type, account_value);
    `);
  },
  reset(tx) {
    clearTables(tx, ['aliases']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & AliasEvent;
    switch (event.type) {
      case 'AliasRegistered': {
        const data = event.data;
        statement(tx, 'register').run(
          data.alias.type,
          data.alias.value,
          data.participantId,
          data.account.type,
          data.account.value,
          data.holderName,
          data.at,
        );
        return;
      }
      case 'AliasRemoved':
        statement(tx, 'remove').run(event.data.alias.type, event.data.alias.value);
        return;
      default:
        assertNever(event);
    }
  },
};

const sql = {
  register: `INSERT INTO aliases (alias_type, alias_value, participant_id, account_type, account_value, holder_name, registered_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (alias_type, alias_value) DO UPDATE SET
               participant_id = excluded.participant_id, account_type = excluded.account_type,
               account_value = excluded.account_value, holder_name = excluded.holder_name, registered_at = excluded.registered_at`,
  remove: 'DELETE FROM aliases WHERE alias_type = ? AND alias_value = ?',
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
