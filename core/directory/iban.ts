import { DomainError } from '../errors';

/**
 * IBAN rules for the countries the switch routes. Pakistan: 24 characters, "PK", 2 check digits, a 4-letter
 * bank code, then 16 account characters. Other countries can be added here with their length.
 */
const ibanLengthByCountry: Readonly<Record<string, number>> = { PK: 24 };

export const ibanLengthMax = 34;

export type Iban = {
  /** Upper case, without spaces. */
  value: string;
  country: string;
  /** Characters 5 to 8: the bank the account is held at, which routes the payment to a participant. */
  bankCode: string;
};

/**
 * Parses and checks an IBAN: country, length for that country, bank code letters, and the ISO 13616 mod-97
 * check digits. Spaces are allowed (people copy IBANs in groups of four) and removed.
 */
export function parseIban(input: string): Iban {
  if (input.length > ibanLengthMax + 8) throw invalid('an IBAN has at most 34 characters');
  const value = input.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(value))
    throw invalid('an IBAN starts with a country code and two check digits, then letters and digits');
  const country = value.slice(0, 2);
  const length = ibanLengthByCountry[country];
  if (length === undefined) throw invalid(`IBANs of country ${country} are not routed by this switch`);
  if (value.length !== length) throw invalid(`a ${country} IBAN has ${length} characters, this one has ${value.length}`);
  const bankCode = value.slice(4, 8);
  if (!/^[A-Z]{4}$/.test(bankCode)) throw invalid('characters 5 to 8 of the IBAN must be the 4-letter bank code');
  if (country === 'PK' && !/^[A-Z0-9]{16}$/.test(value.slice(8))) throw invalid('a PK IBAN ends with 16 letters or digits');
  if (ibanMod97(value) !== 1) throw invalid('the IBAN check digits are wrong (mod 97); check for a typing error');
  return { value, country, bankCode };
}

/** The remainder the ISO 13616 check computes: 1 for a valid IBAN. Exposed for making test IBANs. */
export function ibanMod97(value: string): number {
  const rearranged = value.slice(4) + value.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    // Letters count as two digits (A = 10 ... Z = 35); folding digit by digit keeps the number small.
    const digits = code >= 65 && code <= 90 ? String(code - 55) : character;
    for (const digit of digits) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder;
}

/** Builds a valid IBAN from a country, bank code and account part by computing its check digits. */
export function ibanWithCheckDigits(country: string, bankCode: string, account: string): string {
  const withZeros = `${country}00${bankCode}${account}`;
  const check = 98 - ibanMod97(withZeros);
  return `${country}${String(check).padStart(2, '0')}${bankCode}${account}`;
}

function invalid(message: string): DomainError {
  return new DomainError('INVALID_IBAN', message, [{ path: ['value'] }]);
}
