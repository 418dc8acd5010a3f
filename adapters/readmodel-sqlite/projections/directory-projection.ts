import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { AliasEvent } from '../../../core/directory/alias';
import { aliasEventTypes } from '../../../core/directory/alias';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import { subjectReferenceOfSealed } from '../../../core/personal-data/sealed-text';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import { markingReferenceData } from '../reference-data-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';

/**
 * The alias directory: who holds each alias, and the account and name behind it. A row is keyed by the alias's
 * stream, which names a person's alias by its subject's keyed hash (core/personal-data): the table holds the sealed
 * values as the log does, and a reader opens them. The account is indexed by its subject's reference (or, for an
 * event from before sealing, by its value), which is what `holderNameForAccount` looks up.
 *
 * Version 2: rows keyed by stream, values sealed (issue 15.4); the table of version 1 (`aliases`) is dropped.
 * It marks its writes as reference data (reference-data-cache.ts): the directory reader keeps aliases in memory.
 */
export const directoryProjection: Projection<SqliteReadModelTx> = markingReferenceData({
  name: 'directory',
  version: 2,
  handles: aliasEventTypes,
  setup(tx) {
    tx.exec(`
      DROP TABLE IF EXISTS aliases;
      CREATE TABLE IF NOT EXISTS directory_aliases (
        alias_stream   TEXT PRIMARY KEY,
        alias_type     TEXT NOT NULL,
        alias_value    TEXT NOT NULL,
        participant_id TEXT NOT NULL,
        account_type   TEXT NOT NULL,
        account_index  TEXT NOT NULL,
        account_value  TEXT NOT NULL,
        holder_name    TEXT NOT NULL,
        registered_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS directory_aliases_by_account ON directory_aliases (account_type, account_index);
    `);
  },
  reset(tx) {
    clearTables(tx, ['directory_aliases']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & AliasEvent;
    switch (event.type) {
      case 'AliasRegistered': {
        const data = event.data;
        statement(tx, 'register').run(
          recorded.stream,
          data.alias.type,
          data.alias.value,
          data.participantId,
          data.account.type,
          subjectReferenceOfSealed(data.account.value) ?? data.account.value,
          data.account.value,
          data.holderName,
          data.at,
        );
        return;
      }
      case 'AliasRemoved':
        statement(tx, 'remove').run(recorded.stream);
        return;
      default:
        assertNever(event);
    }
  },
});

const sql = {
  register: `INSERT INTO directory_aliases
               (alias_stream, alias_type, alias_value, participant_id, account_type, account_index, account_value, holder_name, registered_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (alias_stream) DO UPDATE SET
               alias_value = excluded.alias_value, participant_id = excluded.participant_id, account_type = excluded.account_type,
               account_index = excluded.account_index, account_value = excluded.account_value, holder_name = excluded.holder_name,
               registered_at = excluded.registered_at`,
  remove: 'DELETE FROM directory_aliases WHERE alias_stream = ?',
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
