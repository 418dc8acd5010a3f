import fc from 'fast-check';
import { convertHalfEven, sourceForTargetHalfEven, splitRetained } from '../../../core/fx/fx-conversion';
import { currency, formatAmount, parseAmount } from '../../../core/money';

/**
 * Exact money in every currency (issue 17, item 9): for random amounts, rates and retention shares, the retained
 * and converted parts are exactly the amount, and the conversion equals an independent integer computation of
 * round-half-even, whatever the two currencies' minor units (JPY 0, USD 2, KWD 3).
 */
const currencyPairs = [
  ['USD', 'PKR'],
  ['EUR', 'PKR'],
  ['GBP', 'PKR'],
  ['JPY', 'PKR'],
  ['KWD', 'PKR'],
  ['USD', 'JPY'],
  ['PKR', 'KWD'],
] as const;

/** A rate as the API takes it: up to 8 digits before and 8 after the point, positive. */
const rateArbitrary = fc
  .tuple(fc.bigInt({ min: 0n, max: 99_999_999n }), fc.bigInt({ min: 0n, max: 99_999_999n }), fc.integer({ min: 0, max: 8 }))
  .filter(([whole, fraction]) => whole > 0n || fraction > 0n)
  .map(([whole, fraction, digits]) =>
    digits === 0 ? whole.toString() : `${whole}.${(fraction % 10n ** BigInt(digits)).toString().padStart(digits, '0')}`,
  )
  .filter((text) => /[1-9]/.test(text));

const shareArbitrary = fc
  .integer({ min: 0, max: 10_000 })
  .map((basisPoints) => (basisPoints === 10_000 ? '1' : `0.${basisPoints.toString().padStart(4, '0')}`));

/** Round-half-even of numerator / denominator for non-negative bigints: the oracle, with no decimal library. */
function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

function oracleConvert(fromMinor: bigint, from: string, to: string, rate: string): bigint {
  const [whole = '0', fraction = ''] = rate.split('.');
  const rateScaled = BigInt(whole + fraction);
  const scaleDigits = currency(to).minorUnit - currency(from).minorUnit;
  let numerator = fromMinor * rateScaled;
  let denominator = 10n ** BigInt(fraction.length);
  if (scaleDigits >= 0) numerator *= 10n ** BigInt(scaleDigits);
  else denominator *= 10n ** BigInt(-scaleDigits);
  return divideHalfEven(numerator, denominator);
}

it('retained + converted = amount, and the retained part never exceeds the share', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 100_000_000_000n }), shareArbitrary, (amountMinor, share) => {
      const { retainedMinor, convertedMinor } = splitRetained(amountMinor, share);
      expect(retainedMinor + convertedMinor).toBe(amountMinor);
      const basisPoints = BigInt(Math.round(Number(share) * 10_000));
      // retained = floor(amount × share): retained ≤ amount × share < retained + 1.
      expect(retainedMinor * 10_000n <= amountMinor * basisPoints).toBe(true);
      expect(amountMinor * basisPoints < (retainedMinor + 1n) * 10_000n).toBe(true);
    }),
    { numRuns: 2_000 },
  );
});

it('converts exactly as integer round-half-even does, between currencies of 0, 2 and 3 decimals', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...currencyPairs),
      fc.bigInt({ min: 0n, max: 100_000_000_000n }),
      rateArbitrary,
      ([from, to], fromMinor, rate) => {
        expect(convertHalfEven(fromMinor, from, to, rate)).toBe(oracleConvert(fromMinor, from, to, rate));
      },
    ),
    { numRuns: 3_000 },
  );
});

it('a target amount and its source round-trip within one minor unit of the source per unit of rate', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: 1_000_000_000n }),
      rateArbitrary.filter((rate) => Number(rate) >= 1),
      (toMinor, rate) => {
        const sourceMinor = sourceForTargetHalfEven(toMinor, 'USD', 'PKR', rate);
        const back = convertHalfEven(sourceMinor, 'USD', 'PKR', rate);
        // Half a cent of source is at most rate / 2 paisa of target, plus the target's own half-unit rounding.
        const slack = BigInt(Math.ceil(Number(rate) / 2)) + 1n;
        expect(back - toMinor <= slack && toMinor - back <= slack).toBe(true);
      },
    ),
    { numRuns: 1_000 },
  );
});

it('refuses an amount with more decimals than its currency has: JPY none, KWD three', () => {
  expect(() => parseAmount('100.5', 'JPY')).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT' }) as Error);
  expect(parseAmount('100', 'JPY')).toBe(100n);
  expect(parseAmount('1.234', 'KWD')).toBe(1234n);
  expect(() => parseAmount('1.2345', 'KWD')).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT' }) as Error);
  expect(formatAmount(1234n, 'KWD')).toBe('1.234');
  expect(formatAmount(1234n, 'JPY')).toBe('1234');
});

it('works the README example: 65.00 USD at 278.4500 is 18,099.25 PKR; ties go to the even paisa', () => {
  expect(formatAmount(convertHalfEven(6_500n, 'USD', 'PKR', '278.4500'), 'PKR')).toBe('18099.25');
  expect(formatAmount(convertHalfEven(10n, 'USD', 'PKR', '278.45'), 'PKR')).toBe('27.84');
  expect(formatAmount(convertHalfEven(30n, 'USD', 'PKR', '278.45'), 'PKR')).toBe('83.54');
});
