import type { Account } from '../directory/account';
import type { AliasKey } from '../directory/alias-key';
import type { AliasRecord, DirectoryReader } from '../directory/directory-reader';
import type { PayeeDirectory } from '../directory/resolve-payee';
import type { ParticipantReader, ParticipantRecord } from '../participants/participant-reader';

/**
 * The read models as one batch sees them: each participant, bank code and alias is read once per batch and then
 * remembered until the batch is decided. A batch's items name the same payer and a few payees over and over (a
 * payroll, a merchant's payouts), and each item needs four lookups. The batch is decided at one moment, so reading
 * once is what reading per item would see. Bounded by the batch: at most a few lookups per item.
 */
export function batchReaders(readers: PayeeDirectory): PayeeDirectory {
  return { participants: new RememberingParticipants(readers.participants), directory: new RememberingDirectory(readers.directory) };
}

class RememberingParticipants implements ParticipantReader {
  private readonly byId = new Map<string, ParticipantRecord | null>();
  private readonly byBankCode = new Map<string, ParticipantRecord | null>();

  constructor(private readonly inner: ParticipantReader) {}

  findParticipant(participantId: string): ParticipantRecord | null {
    return remembered(this.byId, participantId, () => this.inner.findParticipant(participantId));
  }

  findParticipantByBankCode(bankCode: string): ParticipantRecord | null {
    return remembered(this.byBankCode, bankCode, () => this.inner.findParticipantByBankCode(bankCode));
  }

  findParticipantByInstitutionId(institutionId: string): ParticipantRecord | null {
    return this.inner.findParticipantByInstitutionId(institutionId);
  }

  listParticipants(afterId: string | null, limit: number): ParticipantRecord[] {
    return this.inner.listParticipants(afterId, limit);
  }
}

class RememberingDirectory implements DirectoryReader {
  private readonly aliases = new Map<string, AliasRecord | null>();
  private readonly holderNames = new Map<string, string | null>();

  constructor(private readonly inner: DirectoryReader) {}

  findAlias(alias: AliasKey): AliasRecord | null {
    return remembered(this.aliases, `${alias.type}:${alias.value}`, () => this.inner.findAlias(alias));
  }

  holderNameForAccount(account: Account): string | null {
    return remembered(this.holderNames, `${account.type}:${account.value}`, () => this.inner.holderNameForAccount(account));
  }
}

function remembered<Value>(memory: Map<string, Value>, key: string, read: () => Value): Value {
  if (memory.has(key)) return memory.get(key) as Value;
  const value = read();
  memory.set(key, value);
  return value;
}
