import { fieldSpecifications } from '../../adapters/iso8583/field-specification';
import type { Iso8583Message } from '../../adapters/iso8583/message';
import { responseCodes } from '../../adapters/iso8583/response-codes';
import { currencyByNumericCode } from '../../core/money';

/**
 * The inbound rules as adapters/iso8583/README.md documents them, written a second time on purpose: the fuzzer
 * compares the server's own decision (inbound-decision.ts) with this reading of the table for every frame, so a
 * change to either that the other does not share shows up as a violation with the frame that exposes it.
 * Deliberately plain: string tests on the fields, no parser of the server's.
 */

export type ExpectedOutcome =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'answer'; readonly responseCode: string }
  | { readonly kind: 'sign_on' | 'sign_off' | 'transfer_request' | 'financial_advice' | 'reversal_advice' };

/** Every DE39 the profile documents; an answer outside this set is a violation. */
export const documentedResponseCodes: ReadonlySet<string> = new Set(Object.values(responseCodes));

const mandatory: Record<string, readonly number[]> = {
  '0800': [7, 11, 70],
  '0200': [3, 4, 7, 11, 12, 13, 32, 37, 41, 49, 102, 103],
  '0220': [3, 4, 7, 11, 12, 13, 32, 37, 41, 49, 102, 103],
  '0221': [3, 4, 7, 11, 12, 13, 32, 37, 41, 49, 102, 103],
  '0420': [3, 4, 7, 11, 32, 37, 41, 49, 90],
  '0421': [3, 4, 7, 11, 32, 37, 41, 49, 90],
};
/**
 * DE49 codes of the currencies the switch carries by default (HISAAB_CURRENCIES unset: PKR, USD, EUR, GBP, AED,
 * SAR; the switch the TCP phase runs), with the largest single amount (minor units) it takes in each. Any other
 * code, even one in core/money.ts's ISO 4217 table (JPY 392 …), is a currency the switch does not carry: 13.
 */
const amountMinorMaxByCurrency: ReadonlyMap<string, bigint> = new Map([
  ['586', 1_000_000_000_000n],
  ['840', 100_000_000_000n],
  ['978', 100_000_000_000n],
  ['826', 100_000_000_000n],
  ['784', 100_000_000_000n],
  ['682', 100_000_000_000n],
]);

const answer = (responseCode: string): ExpectedOutcome => ({ kind: 'answer', responseCode });

/**
 * `anyCurrencyOfTheTable`: a 0420/0421 names a transfer that may predate a change of HISAAB_CURRENCIES, so its DE49
 * need only be in core/money.ts's ISO 4217 table; a 0200/0220 must be in a currency the switch carries.
 */
function moneyRule(message: Iso8583Message, anyCurrencyOfTheTable: boolean): ExpectedOutcome | null {
  const amount = message.fields[4] ?? '';
  if (!/^[0-9]{12}$/.test(amount)) return answer(responseCodes.formatError);
  if (BigInt(amount) === 0n) return answer(responseCodes.invalidAmount);
  const currencyCode = message.fields[49] ?? '';
  const amountMinorMax = anyCurrencyOfTheTable
    ? currencyByNumericCode(currencyCode)?.amountMinorMax
    : amountMinorMaxByCurrency.get(currencyCode);
  if (amountMinorMax === undefined || BigInt(amount) > amountMinorMax) return answer(responseCodes.invalidAmount);
  return null;
}

export function expectedOutcome(message: Iso8583Message, signedOnInstitutionId: string | null): ExpectedOutcome {
  const functionDigit = Number(message.mti[2]);
  if (functionDigit % 2 === 1) return { kind: 'ignore' };
  const missing = (mandatory[message.mti] ?? []).some((field) => message.fields[field] === undefined);
  if (missing) return answer(responseCodes.formatError);
  if (message.mti === '0800') {
    const code = message.fields[70];
    if (code === '301') return answer(responseCodes.approved);
    if (code !== '001' && code !== '002') return answer(responseCodes.invalidTransaction);
    if (message.fields[32] === undefined) return answer(responseCodes.formatError);
    if (signedOnInstitutionId !== null && signedOnInstitutionId !== message.fields[32]) return answer(responseCodes.doNotHonour);
    return { kind: code === '001' ? 'sign_on' : 'sign_off' };
  }
  if (mandatory[message.mti] === undefined) return answer(responseCodes.invalidTransaction);
  if (signedOnInstitutionId === null || signedOnInstitutionId !== message.fields[32]) return answer(responseCodes.doNotHonour);
  const processingCode = message.fields[3] ?? '';
  if (message.mti === '0420' || message.mti === '0421') {
    const original = message.fields[90] ?? '';
    if (!/^[0-9]{42}$/.test(original)) return answer(responseCodes.formatError);
    if (original.slice(0, 4) !== '0200' && original.slice(0, 4) !== '0220') return answer(responseCodes.invalidTransaction);
    const acquirer = (value: string): string => value.replace(/^0+/, '');
    if (acquirer(original.slice(20, 31)) !== acquirer(message.fields[32] ?? '')) return answer(responseCodes.doNotHonour);
    return moneyRule(message, true) ?? { kind: 'reversal_advice' };
  }
  const advice = message.mti !== '0200';
  if (!/^40[0-9]{4}$/.test(processingCode) && !(advice && /^20[0-9]{4}$/.test(processingCode)))
    return answer(responseCodes.invalidTransaction);
  return moneyRule(message, false) ?? { kind: advice ? 'financial_advice' : 'transfer_request' };
}

/** A field the parser returned must fit the profile's grammar for that field: the parser never lets one through that does not. */
export function fieldsOutsideProfile(message: Iso8583Message): number[] {
  return Object.keys(message.fields)
    .map(Number)
    .filter((field) => !fieldSpecifications.has(field));
}
