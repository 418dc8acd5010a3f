import type { Account } from './account';
import type { AliasKey } from './alias-key';

/** An alias as the directory read model holds it. */
export type AliasRecord = { alias: AliasKey; participantId: string; account: Account; holderName: string; registeredAt: string };

/**
 * Read side of the directory, answered from a projection (adapters/readmodel-sqlite/projections/directory-*.ts).
 * Synchronous because the read models are local SQLite: a lookup is a few microseconds and the transfer path
 * calls it for every payment.
 */
export interface DirectoryReader {
  findAlias(alias: AliasKey): AliasRecord | null;
  /** The holder name registered with some alias that points at this account, if any (for IBAN payees). */
  holderNameForAccount(account: Account): string | null;
}

/** An alias found by the account it points at: its stream, where it is removed, and the alias itself. */
export type AccountAlias = { stream: string; alias: AliasKey };

/**
 * The aliases that point at an account, for the erasure of that account's subject (issue 15.4): an erased IBAN or
 * account number must leave no alias resolving to it.
 */
export interface AccountAliasReader {
  /** At most `limit` aliases whose account is this one. */
  aliasesOfAccount(account: Account, limit: number): AccountAlias[];
}
