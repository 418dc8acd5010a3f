import Decimal from 'decimal.js';
import { assert } from '../assert';
import { DomainError } from '../errors';
import { currency } from '../money';

/**
 * The arithmetic of a conversion, exact: amounts are integer minor units, rates decimal strings, and decimal.js
 * carries every product at a precision no bounded amount and rate can exhaust. Rounding happens once, at the end,
 * to the target currency's minor unit, half-even (banker's rounding: no bias over many conversions).
 *
 * Worked example: 65.00 USD at 278.4500 → 6500 cents × 278.45 = 1,809,925 paisa = 18,099.25 PKR exactly.
 * A tie: 0.10 USD at 278.45 is 2,784.5 paisa, rounded to the even 2,784 (27.84 PKR); 0.30 USD is 8,353.5 paisa,
 * rounded to the even 8,354 (83.54 PKR).
 */
const ExactDecimal = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });

/** A rate is units of the target per unit of the source: positive, at most 8 digits before and 8 after the point. */
const rateText = /^(0|[1-9][0-9]{0,7})(?:\.([0-9]{1,8}))?$/;

/** The rate as given, checked: a positive decimal string ("278.4500"). */
export function parseRate(text: string): string {
  if (typeof text !== 'string' || !rateText.test(text) || new ExactDecimal(text).isZero()) {
    throw new DomainError(
      'INVALID_RATE',
      `a rate is a positive decimal string with at most 8 digits before and 8 after the point, such as "278.4500"; got ${JSON.stringify(String(text).slice(0, 32))}`,
    );
  }
  return text;
}

/** fromMinor of `from` converted at `rate` into minor units of `to`, rounded half-even. */
export function convertHalfEven(fromMinor: bigint, from: string, to: string, rate: string): bigint {
  assert(fromMinor >= 0n, 'a converted amount is never negative');
  const scale = new ExactDecimal(10).pow(currency(to).minorUnit - currency(from).minorUnit);
  const target = new ExactDecimal(fromMinor.toString()).times(new ExactDecimal(rate)).times(scale);
  return BigInt(target.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
}

/** The amount of `from` that converts into toMinor of `to` at `rate`, rounded half-even to `from`'s minor unit. */
export function sourceForTargetHalfEven(toMinor: bigint, from: string, to: string, rate: string): bigint {
  assert(toMinor >= 0n, 'a target amount is never negative');
  const scale = new ExactDecimal(10).pow(currency(from).minorUnit - currency(to).minorUnit);
  const source = new ExactDecimal(toMinor.toString()).dividedBy(new ExactDecimal(rate)).times(scale);
  return BigInt(source.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
}

/** A retention share: a decimal string from 0 to 1 with at most 4 decimals ("0.35"). */
const shareText = /^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$/;

export function isRetentionShare(text: string): boolean {
  return typeof text === 'string' && shareText.test(text);
}

/**
 * The part the exporter keeps in foreign currency (amount × share, rounded down to the minor unit, so the
 * exporter never keeps more than its share) and the part converted: together exactly the amount.
 */
export function splitRetained(amountMinor: bigint, share: string): { retainedMinor: bigint; convertedMinor: bigint } {
  assert(amountMinor > 0n, 'an in-bound amount is positive');
  assert(isRetentionShare(share), 'the retention share was checked when it was set');
  const retainedMinor = BigInt(
    new ExactDecimal(amountMinor.toString()).times(new ExactDecimal(share)).toDecimalPlaces(0, Decimal.ROUND_DOWN).toFixed(0),
  );
  const convertedMinor = amountMinor - retainedMinor;
  assert(retainedMinor >= 0n && convertedMinor >= 0n && retainedMinor + convertedMinor === amountMinor, 'the split is the amount');
  return { retainedMinor, convertedMinor };
}
