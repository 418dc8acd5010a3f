import type Database from 'better-sqlite3';
import type { Account, AccountType } from '../../../core/directory/account';
import type { AliasKey, AliasType } from '../../../core/directory/alias-key';
import type { AliasRecord, DirectoryReader } from '../../../core/directory/directory-reader';

type AliasRow = {
  alias_type: string;
  alias_value: string;
  participant_id: string;
  account_type: string;
  account_value: string;
  holder_name: string;
  registered_at: string;
};

/** DirectoryReader over the directory projection. */
export class SqliteDirectoryReader implements DirectoryReader {
  private readonly byAlias: Database.Statement;
  private readonly byAccount: Database.Statement;

  constructor(database: Database.Database) {
    this.byAlias = database.prepare('SELECT * FROM aliases WHERE alias_type = ? AND alias_value = ?');
    this.byAccount = database.prepare(
      'SELECT holder_name FROM aliases WHERE account_type = ? AND account_value = ? ORDER BY registered_at DESC LIMIT 1',
    );
  }

  findAlias(alias: AliasKey): AliasRecord | null {
    const row = this.byAlias.get(alias.type, alias.value) as AliasRow | undefined;
    if (!row) return null;
    return {
      alias: { type: row.alias_type as AliasType, value: row.alias_value },
      participantId: row.participant_id,
      account: { type: row.account_type as AccountType, value: row.account_value },
      holderName: row.holder_name,
      registeredAt: row.registered_at,
    };
  }

  holderNameForAccount(account: Account): string | null {
    const row = this.byAccount.get(account.type, account.value) as { holder_name: string } | undefined;
    return row?.holder_name ?? null;
  }
}
