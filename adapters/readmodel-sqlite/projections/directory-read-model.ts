import type Database from 'better-sqlite3';
import type { Account, AccountType } from '../../../core/directory/account';
import { aliasStreamName, type AliasKey, type AliasStreamNaming, type AliasType } from '../../../core/directory/alias-key';
import type { AccountAlias, AccountAliasReader, AliasRecord, DirectoryReader } from '../../../core/directory/directory-reader';
import { subjectOfParty } from '../../../core/personal-data/data-subject';
import { erasedText, plainTextOpener, type SealedTextOpener } from '../../../core/personal-data/sealed-text';
import { ReferenceDataCache } from '../reference-data-cache';

type AliasRow = {
  participant_id: string;
  account_type: string;
  account_value: string;
  holder_name: string;
  registered_at: string;
};

/**
 * DirectoryReader over the directory projection. An alias is found by its stream under the switch's naming, or by
 * its value for one registered before sealing; its sealed account and name are opened here, at the read.
 */
export class SqliteDirectoryReader implements DirectoryReader, AccountAliasReader {
  private readonly byAlias: Database.Statement;
  /**
   * Rows by alias stream, asked for twice by every payment (the payer's ownership, the payee): kept as the table
   * holds them, sealed, until a projection of reference data (the directory's among them) writes. They are opened
   * at every read, so an erased subject reads `[erased]` at once, as it does from the table.
   */
  private readonly rows: ReferenceDataCache<AliasRow | null>;
  private readonly byAccount: Database.Statement;
  private readonly aliasesByAccount: Database.Statement;

  constructor(
    database: Database.Database,
    private readonly opener: SealedTextOpener = plainTextOpener,
    private readonly naming: AliasStreamNaming = aliasStreamName,
  ) {
    // An alias has one row: under its sealed stream, or under its stream by value when it predates sealing.
    this.byAlias = database.prepare('SELECT * FROM directory_aliases WHERE alias_stream IN (?, ?) ORDER BY registered_at DESC LIMIT 1');
    this.byAccount = database.prepare(
      'SELECT holder_name FROM directory_aliases WHERE account_type = ? AND account_index IN (?, ?) ORDER BY registered_at DESC LIMIT 1',
    );
    this.aliasesByAccount = database.prepare(
      'SELECT alias_stream, alias_type, alias_value FROM directory_aliases WHERE account_type = ? AND account_index IN (?, ?) ORDER BY alias_stream LIMIT ?',
    );
    this.rows = new ReferenceDataCache(database);
  }

  aliasesOfAccount(account: Account, limit: number): AccountAlias[] {
    const rows = this.aliasesByAccount.all(account.type, this.accountIndexOf(account), account.value, limit) as {
      alias_stream: string;
      alias_type: string;
      alias_value: string;
    }[];
    return rows.map((row) => ({
      stream: row.alias_stream,
      alias: { type: row.alias_type as AliasType, value: this.opener.open(row.alias_value) },
    }));
  }

  /** An account is indexed by its subject's reference, or by its value for a row from before sealing. */
  private accountIndexOf(account: Account): string {
    const subject = subjectOfParty(account);
    return (subject === null ? null : this.opener.referenceOf(subject)) ?? account.value;
  }

  findAlias(alias: AliasKey): AliasRecord | null {
    const stream = this.naming(alias);
    const streamByValue = aliasStreamName(alias);
    const row = this.rows.get(
      `${stream}\n${streamByValue}`,
      () => (this.byAlias.get(stream, streamByValue) as AliasRow | undefined) ?? null,
    );
    if (row === null) return null;
    return {
      alias,
      participantId: row.participant_id,
      account: { type: row.account_type as AccountType, value: this.opener.open(row.account_value) },
      holderName: this.opener.open(row.holder_name),
      registeredAt: row.registered_at,
    };
  }

  holderNameForAccount(account: Account): string | null {
    const row = this.byAccount.get(account.type, this.accountIndexOf(account), account.value) as { holder_name: string } | undefined;
    if (row === undefined) return null;
    // An erased name is no name: confirmation of payee then shows none rather than a mask of "[erased]".
    const name = this.opener.open(row.holder_name);
    return name === erasedText ? null : name;
  }
}
