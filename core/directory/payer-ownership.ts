import { DomainError, isDomainError, refusalUnder } from '../errors';
import { isAliasType, parseAliasKey } from './alias-key';
import { parseIban } from './iban';
import type { PartyReference, PayeeDirectory } from './resolve-payee';

/**
 * A participant names its own customer as payer; the payer's identity is what the payee and the record show.
 * An alias the directory gives to another participant, or an IBAN of another participant's bank code, is
 * someone else's customer: refused with PAYER_NOT_OWNED (403), before anything is recorded. An alias the
 * directory does not hold is taken as the caller's own customer, since wallets need not register every
 * customer; account kinds the switch cannot attribute (a wallet number, a bank's internal account) are the
 * caller's by definition. The refusal does not say who holds the identity: that is not the caller's to learn.
 */
export function requirePayerOwned(payer: PartyReference, payerParticipantId: string, readers: PayeeDirectory): void {
  let holder: string | null;
  try {
    holder = holderOf(payer, readers);
  } catch (error) {
    // A malformed payer alias or IBAN keeps its code (INVALID_ALIAS, INVALID_IBAN), its details naming the payer's field.
    if (!isDomainError(error)) throw error;
    throw refusalUnder(error, ['payer']);
  }
  if (holder !== null && holder !== payerParticipantId) {
    throw new DomainError(
      'PAYER_NOT_OWNED',
      `the payer ${payer.type} is not a customer of participant ${payerParticipantId}: name your own customer as payer`,
      [{ path: ['payer', 'value'] }],
    );
  }
}

/** The participant the switch knows to hold the payer's identity, or null when it knows none. */
function holderOf(payer: PartyReference, readers: PayeeDirectory): string | null {
  if (payer.type === 'IBAN') return readers.participants.findParticipantByBankCode(parseIban(payer.value).bankCode)?.id ?? null;
  if (!isAliasType(payer.type)) return null;
  return readers.directory.findAlias(parseAliasKey(payer.type, payer.value))?.participantId ?? null;
}
