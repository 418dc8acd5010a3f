import { Iso8583MessageError } from './message-error';
import { currencies, currencyByNumericCode, isCurrencyCode, type CurrencyCode } from '../../core/money';

/**
 * DE4 and DE49. The amount travels as n12 minor units and lives here as a bigint: never a JS number.
 * DE49 is the ISO 4217 numeric code, looked up in the switch's one currency table (core/money.ts); which
 * currency a ledger takes is the switch's decision, not the channel's.
 */

export const AMOUNT_FIELD_DIGITS = 12;
export const AMOUNT_MINOR_MAX = 10n ** BigInt(AMOUNT_FIELD_DIGITS) - 1n;

export type Iso8583Currency = CurrencyCode;

export function amountField(amountMinor: bigint): string {
  if (amountMinor < 0n || amountMinor > AMOUNT_MINOR_MAX) {
    throw new Iso8583MessageError('AMOUNT_OUT_OF_RANGE', `an amount in DE4 is 0 to ${AMOUNT_MINOR_MAX} minor units, got ${amountMinor}`);
  }
  return amountMinor.toString().padStart(AMOUNT_FIELD_DIGITS, '0');
}

/** Null unless the field is exactly twelve digits. */
export function amountMinorFromField(value: string | undefined): bigint | null {
  if (value === undefined || !/^[0-9]{12}$/.test(value)) return null;
  return BigInt(value);
}

/** The largest single amount the switch takes in the currency, in minor units. */
export function amountMinorMaxFor(currency: Iso8583Currency): bigint {
  return currencies[currency].amountMinorMax;
}

export function currencyField(currency: Iso8583Currency): string {
  return currencies[currency].numericCode;
}

export function currencyFromField(value: string | undefined): Iso8583Currency | null {
  if (value === undefined) return null;
  const found = currencyByNumericCode(value);
  return found !== undefined && isCurrencyCode(found.code) ? found.code : null;
}
