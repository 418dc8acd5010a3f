import { DomainError } from '../errors';
import { parseIban } from '../directory/iban';
import { normalizePakistaniMsisdn } from '../gateway/msisdn';

/**
 * Whose personal data a value is (issue 15.4). A data subject is a kind of identifier and its normalised value: a
 * mobile number, a national identity card number, an IBAN, or any other account number. A name belongs to the
 * subject it is given with (a payer's name to the payer's number), so erasing the number erases the name with it.
 */
export const dataSubjectTypes = ['MSISDN', 'CNIC', 'IBAN', 'ACCOUNT', 'PAYER'] as const;
export type DataSubjectType = (typeof dataSubjectTypes)[number];

export type DataSubject = { type: DataSubjectType; value: string };

/**
 * An in-bound payer (issue 17), a person or business abroad with no Pakistani number or account: named as
 * `<in-bound PSP id>:<the payer's tax id>`, or `<PSP id>:<payment id>` when the payer gave no tax id, which both the
 * PSP and the operator know from the payment. The PSP id is a participant id; the rest is a tax id or a payment id.
 */
const payerSubjectPattern = /^[A-Z0-9_]{2,16}:[A-Za-z0-9 ./-]{1,36}$/;

/** The subject an in-bound payment's payer is sealed under: the same form an operator names for erasure. */
export function inboundPayerSubject(payment: { pspId: string; paymentId: string; taxId: string | null }): DataSubject {
  return { type: 'PAYER', value: `${payment.pspId}:${payment.taxId ?? payment.paymentId}` };
}

/** An account number other than an IBAN: wallet numbers, a bank's own account numbers, 1 to 34 letters or digits. */
const accountNumberPattern = /^[A-Za-z0-9]{1,34}$/;

/**
 * Checks and normalises what an operator names for erasure, to the form events hold: an MSISDN as the pay page takes
 * it (0300…, +92…, 92…), a CNIC with or without its dashes, an IBAN in groups of four or not.
 */
export function parseDataSubject(type: DataSubjectType, value: string): DataSubject {
  switch (type) {
    case 'MSISDN': {
      const msisdn = normalizePakistaniMsisdn(value);
      if (msisdn === null) throw invalid('an MSISDN is a Pakistani mobile number: 923001234567, +92 300 1234567 or 0300 1234567');
      return { type, value: msisdn };
    }
    case 'CNIC': {
      const digits = /^\d{5}-\d{7}-\d$/.test(value) ? value.replace(/-/g, '') : value;
      if (!/^\d{13}$/.test(digits)) throw invalid('a CNIC is 13 digits, with or without its dashes (12345-1234567-1)');
      return { type, value: digits };
    }
    case 'IBAN':
      try {
        return { type, value: parseIban(value).value };
      } catch (error) {
        throw invalid(error instanceof Error ? error.message : 'the IBAN is malformed');
      }
    case 'ACCOUNT':
      if (!accountNumberPattern.test(value)) throw invalid('an account number is 1 to 34 letters or digits');
      return { type, value };
    case 'PAYER':
      if (!payerSubjectPattern.test(value))
        throw invalid("an in-bound payer is '<PSP id>:<the payer's tax id>', or '<PSP id>:<payment id>' when the payer gave none");
      return { type, value };
  }
}

/**
 * The subject a party of a transfer or an alias names, or null when it names no person (a merchant's id). Party
 * kinds the directory does not know (WALLET, ACCOUNT, a card's account) are account numbers. Values are taken as
 * the event holds them: they were validated and normalised at the edge.
 */
export function subjectOfParty(party: { type: string; value: string }): DataSubject | null {
  switch (party.type) {
    case 'MERCHANT':
      return null;
    case 'MSISDN':
    case 'CNIC':
      return { type: party.type, value: party.value };
    case 'IBAN':
      return { type: 'IBAN', value: party.value.replace(/ /g, '').toUpperCase() };
    default:
      return { type: 'ACCOUNT', value: party.value };
  }
}

function invalid(message: string): DomainError {
  return new DomainError('INVALID_DATA_SUBJECT', message, [{ path: ['value'] }]);
}
