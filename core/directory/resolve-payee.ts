import type { ParticipantReader } from '../participants/participant-reader';
import type { Account } from './account';
import { DomainError } from '../errors';
import { isAliasType, parseAliasKey } from './alias-key';
import type { DirectoryReader } from './directory-reader';
import { parseIban } from './iban';

/** A payee as a payer names it: an alias (MSISDN, CNIC, MERCHANT) or an IBAN. */
export type PartyReference = { type: string; value: string };

export type ResolvedPayee = {
  /** The participant that holds the payee's account: the one asked to credit it. */
  participantId: string;
  account: Account;
  /** The holder's full name when the directory knows it (unmasked: mask it before showing it to a payer). */
  name: string | null;
};

export type PayeeNotFound = { code: 'PARTY_NOT_FOUND'; message: string };

export type PayeeDirectory = { directory: DirectoryReader; participants: ParticipantReader };

/**
 * Finds who is paid for a party reference. Aliases resolve through the directory; an IBAN routes by its bank
 * code (characters 5 to 8) to the participant registered with that bank code, after its check digits pass.
 * A malformed reference is the caller's mistake and throws (INVALID_PARTY, INVALID_ALIAS, INVALID_IBAN); a well-formed one
 * that nobody holds is an answer, PARTY_NOT_FOUND.
 */
export function resolvePayee(party: PartyReference, readers: PayeeDirectory): ResolvedPayee | PayeeNotFound {
  if (party.type === 'IBAN') {
    const iban = parseIban(party.value);
    const participant = readers.participants.findParticipantByBankCode(iban.bankCode);
    if (participant === null) return notFound(`no participant holds bank code ${iban.bankCode}`);
    const account: Account = { type: 'IBAN', value: iban.value };
    return { participantId: participant.id, account, name: readers.directory.holderNameForAccount(account) };
  }
  if (!isAliasType(party.type)) {
    throw new DomainError('INVALID_PARTY', 'a party type is one of MSISDN, CNIC, MERCHANT or IBAN', [
      { path: ['type'], value: party.type },
    ]);
  }
  const alias = parseAliasKey(party.type, party.value);
  const record = readers.directory.findAlias(alias);
  if (record === null) return notFound(`no participant has registered ${alias.type} ${alias.value}`);
  return { participantId: record.participantId, account: record.account, name: record.holderName };
}

export function isPayeeNotFound(result: ResolvedPayee | PayeeNotFound): result is PayeeNotFound {
  return 'code' in result;
}

function notFound(message: string): PayeeNotFound {
  return { code: 'PARTY_NOT_FOUND', message };
}
