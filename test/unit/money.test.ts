import { applyRateHalfEven, currency, currencyByNumericCode, formatAmount, parseAmount, parseMinorUnits } from '../../core/money';
import { DomainError } from '../../core/errors';

function refusal(action: () => unknown): DomainError {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('parseAmount', () => {
  it.each([
    ['1500', 150000n],
    ['1500.5', 150050n],
    ['1500.50', 150050n],
    ['0.01', 1n],
    ['0.5', 50n],
    ['10000000000.00', 1_000_000_000_000n],
  ])('parses %s PKR as %s minor units', (text, minor) => {
    expect(parseAmount(text, 'PKR')).toBe(minor);
  });

  it.each([
    ['1500.123', /at most 2 digits after the decimal point/],
    ['1500.500', /at most 2 digits/],
    ['-1', /negative/],
    ['+1', /sign/],
    ['1e3', /exponent/],
    ['NaN', /not a decimal number/],
    ['Infinity', /not a decimal number/],
    ['', /empty/],
    [' 1', /spaces/],
    ['1 ', /spaces/],
    ['01', /leading zeros/],
    ['00.50', /leading zeros/],
    ['1.', /both sides/],
    ['.5', /both sides/],
    ['1,000', /not a decimal number/],
    ['0', /greater than zero/],
    ['0.00', /greater than zero/],
    ['10000000000.01', /at most 10000000000.00 PKR/],
    ['1'.repeat(41), /at most 40 characters/],
  ])('refuses %j with INVALID_AMOUNT and a reason', (text, reason) => {
    const error = refusal(() => parseAmount(text, 'PKR'));
    expect(error.code).toBe('INVALID_AMOUNT');
    expect(error.message).toMatch(reason);
  });

  it('accepts zero when the caller allows it, and honours a tighter maximum', () => {
    expect(parseAmount('0', 'PKR', { allowZero: true })).toBe(0n);
    expect(parseAmount('5000.00', 'PKR', { amountMinorMax: 500000n })).toBe(500000n);
    expect(refusal(() => parseAmount('5000.01', 'PKR', { amountMinorMax: 500000n })).message).toMatch(/at most 5000.00 PKR/);
  });

  it('refuses an unknown currency and a value that is not a string', () => {
    expect(refusal(() => parseAmount('1', 'XYZ')).code).toBe('UNKNOWN_CURRENCY');
    expect(refusal(() => parseAmount(15 as unknown as string, 'PKR')).code).toBe('INVALID_AMOUNT');
  });

  it('parses ISO 8583 style minor units', () => {
    expect(parseMinorUnits('000000150050', 'PKR')).toBe(150050n);
    expect(refusal(() => parseMinorUnits('15.00', 'PKR')).code).toBe('INVALID_AMOUNT');
    expect(refusal(() => parseMinorUnits('000000000000', 'PKR')).message).toMatch(/greater than zero/);
  });
});

describe('formatAmount', () => {
  it.each([
    [150050n, '1500.50'],
    [150000n, '1500.00'],
    [1n, '0.01'],
    [0n, '0.00'],
    [-5n, '-0.05'],
    [-123456n, '-1234.56'],
    [9223372036854775807n, '92233720368547758.07'],
  ])('formats %s as %s', (minor, text) => {
    expect(formatAmount(minor, 'PKR')).toBe(text);
  });

  it('round-trips every parsed amount', () => {
    for (const text of ['0.01', '1.00', '1500.50', '99999.99', '10000000000.00'])
      expect(formatAmount(parseAmount(text, 'PKR'), 'PKR')).toBe(text);
  });
});

describe('applyRateHalfEven', () => {
  it.each([
    [10000n, '0.015', 150n],
    [150n, '0.5', 75n],
    // 25 * 0.1 = 2.5 -> 2 (even), 35 * 0.1 = 3.5 -> 4 (even), 15 * 0.1 = 1.5 -> 2
    [25n, '0.1', 2n],
    [35n, '0.1', 4n],
    [15n, '0.1', 2n],
    [33n, '0.1', 3n],
    [37n, '0.1', 4n],
    [100n, '0', 0n],
    [9223372036854775807n, '1', 9223372036854775807n],
    [9223372036854775807n, '0.000000000001', 9223372n],
  ])('%s minor units at rate %s is %s', (amount, rate, fee) => {
    expect(applyRateHalfEven(amount, rate)).toBe(fee);
  });

  it.each(['-0.1', '1e-3', 'abc', '', '0.0000000000001', ' 0.1'])('refuses the rate %j with INVALID_RATE', (rate) => {
    expect(refusal(() => applyRateHalfEven(100n, rate)).code).toBe('INVALID_RATE');
  });
});

describe('currency table', () => {
  it('knows PKR by code and by ISO numeric code', () => {
    expect(currency('PKR').minorUnit).toBe(2);
    expect(currencyByNumericCode('586')?.code).toBe('PKR');
    expect(currencyByNumericCode('999')).toBeUndefined();
  });
});
