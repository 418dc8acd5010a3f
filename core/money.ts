/**
 * Money: decimal strings at the edges, integer minor units (bigint) inside. No JavaScript `number` ever
 * holds an amount here; decimal.js does the scaling and the rounding.
 *
 * Amount strings (what `parseAmount` accepts), decided once for the whole switch:
 * - plain decimal notation only: digits, optionally one "." followed by 1..minorUnit digits
 *   ("1500", "1500.5", "1500.50" for PKR);
 * - no sign ("+1", "-1"), no exponent ("1e3"), no spaces (" 1"), no "NaN"/"Infinity", no empty string;
 * - no leading zeros ("01", "001.5"): a zero integer part is written "0" ("0.50"). Amounts from
 *   ISO 8583 DE4 are zero-padded integers of minor units and go through `parseMinorUnits` instead;
 * - no more fraction digits than the currency has, even when they are zeros ("1500.500" is refused for
 *   PKR): a client that sends three decimals has misunderstood the currency, and we say so;
 * - zero is refused unless the caller allows it (most amounts must be positive);
 * - at most the currency's `amountMinorMax` (or the caller's tighter maximum).
 * Every refusal is a DomainError with code INVALID_AMOUNT and a sentence saying what was wrong.
 */
import Decimal from 'decimal.js';
import { DomainError } from './errors';
import { iso4217Currencies } from './iso4217-currencies';

export type Currency = {
  /** ISO 4217 alphabetic code: also the ledger name (`ledger-PKR`). */
  readonly code: string;
  /** ISO 4217 numeric code, as ISO 8583 DE49 carries it. */
  readonly numericCode: string;
  /** Digits after the decimal point: PKR 2 (paisa). */
  readonly minorUnit: number;
  /** The largest single amount the switch accepts in this currency, in minor units. */
  readonly amountMinorMax: bigint;
};

/**
 * The currency table (core/iso4217-currencies.ts). Add a row there to support a currency; nothing else in the
 * code names currencies.
 */
export const currencies = iso4217Currencies satisfies Record<string, Currency>;

export type CurrencyCode = keyof typeof currencies;

export const currencyCodes = Object.keys(currencies) as CurrencyCode[];

export function isCurrencyCode(value: string): value is CurrencyCode {
  return Object.prototype.hasOwnProperty.call(currencies, value);
}

/** The currency for a code; a DomainError UNKNOWN_CURRENCY for a code the table does not hold. */
export function currency(code: string): Currency {
  if (!isCurrencyCode(code)) throw new DomainError('UNKNOWN_CURRENCY', `currency ${JSON.stringify(code.slice(0, 16))} is not supported`);
  return currencies[code];
}

/** The currency for an ISO 4217 numeric code (ISO 8583 DE49), or undefined. */
export function currencyByNumericCode(numericCode: string): Currency | undefined {
  return currencyCodes.map((code) => currencies[code] as Currency).find((entry) => entry.numericCode === numericCode);
}

export type ParseAmountOptions = {
  /** Accept "0" (e.g. a fee that may be zero). Default false: amounts must be positive. */
  allowZero?: boolean;
  /** A tighter maximum in minor units than the currency's (e.g. the ODR low-value cap). */
  amountMinorMax?: bigint;
};

/** Longer strings are refused before any parsing: a limit on the work a hostile input can cause. */
export const amountTextLengthMax = 40;
const plainDecimal = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * 10 to the power of a currency's minor digits, made once per digit count (ISO 4217 has 0 to 4): building it with
 * `pow` for every amount parsed was most of parseAmount's time on the payment path.
 */
const minorUnitScales = new Map<number, Decimal>();

function minorUnitScale(minorUnit: number): Decimal {
  let scale = minorUnitScales.get(minorUnit);
  if (scale === undefined) {
    scale = new Decimal(10).pow(minorUnit);
    minorUnitScales.set(minorUnit, scale);
  }
  return scale;
}

/** Parses a decimal amount string into minor units (see the header for the rules). */
export function parseAmount(text: string, currencyCode: string, options: ParseAmountOptions = {}): bigint {
  const unit = currency(currencyCode);
  if (typeof text !== 'string') throw invalidAmount('an amount must be a decimal string such as "1500.00"');
  if (text.length === 0) throw invalidAmount('the amount is empty');
  if (text.length > amountTextLengthMax) throw invalidAmount(`an amount has at most ${amountTextLengthMax} characters`);
  const match = plainDecimal.exec(text);
  if (!match) throw invalidAmount(explainMalformed(text));
  const fraction = match[2];
  if (fraction !== undefined && fraction.length > unit.minorUnit) {
    throw invalidAmount(`${unit.code} amounts have at most ${unit.minorUnit} digits after the decimal point, got "${text}"`);
  }
  const minor = BigInt(new Decimal(text).times(minorUnitScale(unit.minorUnit)).toFixed(0));
  return checkRange(minor, unit, options);
}

/** Parses a non-negative integer count of minor units, such as ISO 8583 DE4 ("000000150050"). */
export function parseMinorUnits(text: string, currencyCode: string, options: ParseAmountOptions = {}): bigint {
  const unit = currency(currencyCode);
  if (typeof text !== 'string' || !/^[0-9]{1,30}$/.test(text)) throw invalidAmount('minor units must be 1 to 30 digits');
  return checkRange(BigInt(text), unit, options);
}

/** Formats minor units as a decimal string with all of the currency's minor digits: 150050n → "1500.50". */
export function formatAmount(amountMinor: bigint, currencyCode: string): string {
  const unit = currency(currencyCode);
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(unit.minorUnit + 1, '0');
  const whole = digits.slice(0, digits.length - unit.minorUnit);
  const fraction = digits.slice(digits.length - unit.minorUnit);
  return `${negative ? '-' : ''}${whole}${unit.minorUnit > 0 ? `.${fraction}` : ''}`;
}

/** Enough precision that no product of a bounded amount and a bounded rate is ever rounded before we say so. */
const ExactDecimal = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });
const rateTextLengthMax = 24;
const rateDecimal = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,12}))?$/;

/**
 * amountMinor × rate, rounded half-even to whole minor units (banker's rounding, as fees require).
 * The rate is a decimal string: "0.015" is 1.5 %. Rates are non-negative with at most 12 decimals.
 */
export function applyRateHalfEven(amountMinor: bigint, rateText: string): bigint {
  if (typeof rateText !== 'string' || rateText.length > rateTextLengthMax || !rateDecimal.test(rateText)) {
    throw new DomainError(
      'INVALID_RATE',
      `a rate is a non-negative decimal string with at most 12 decimals, such as "0.015"; got ${JSON.stringify(String(rateText).slice(0, 32))}`,
    );
  }
  const product = new ExactDecimal(amountMinor.toString()).times(new ExactDecimal(rateText));
  return BigInt(product.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
}

function checkRange(minor: bigint, unit: Currency, options: ParseAmountOptions): bigint {
  if (minor === 0n && options.allowZero !== true) throw invalidAmount('the amount must be greater than zero');
  const maximum =
    options.amountMinorMax !== undefined && options.amountMinorMax < unit.amountMinorMax ? options.amountMinorMax : unit.amountMinorMax;
  if (minor > maximum) throw invalidAmount(`the amount must be at most ${formatAmount(maximum, unit.code)} ${unit.code}`);
  return minor;
}

function explainMalformed(text: string): string {
  const shown = JSON.stringify(text);
  if (/^\s|\s$/.test(text)) return `the amount ${shown} has surrounding spaces`;
  if (text.startsWith('-')) return `the amount ${shown} is negative; amounts are positive and the direction is given by the accounts`;
  if (text.startsWith('+')) return `the amount ${shown} has a sign; write the number alone`;
  if (/[eE]/.test(text) && /[0-9]/.test(text)) return `the amount ${shown} uses exponent notation; write it in plain digits`;
  if (/^0[0-9]/.test(text)) return `the amount ${shown} has leading zeros`;
  if (/^[0-9]+\.$/.test(text) || text.startsWith('.')) return `the amount ${shown} needs digits on both sides of the decimal point`;
  return `the amount ${shown} is not a decimal number such as "1500.00"`;
}

function invalidAmount(message: string): DomainError {
  return new DomainError('INVALID_AMOUNT', message);
}
