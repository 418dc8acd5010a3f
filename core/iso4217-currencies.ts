/**
 * ISO 4217 currencies the switch can run a ledger for: alphabetic code, numeric code and minor units, as the
 * ISO 4217 maintenance agency publishes them (list one, "Current currency & funds", six-group.com). The operator
 * enables some of them with HISAAB_CURRENCIES; a currency not in this table cannot be enabled.
 *
 * The table holds the currencies Pakistan's payments meet: the rupee, the currencies of its remittance corridors
 * and export markets (the Gulf, Europe, North America, East Asia), and the zero- and three-decimal currencies
 * (JPY, KRW; KWD, BHD, OMR, JOD) so that every rounding rule the switch has is exercised by a real currency.
 * The maxima are per single amount: a billion major units, and PKR ten billion (any retail or corporate payment).
 */
export const iso4217Currencies = {
  PKR: { code: 'PKR', numericCode: '586', minorUnit: 2, amountMinorMax: 1_000_000_000_000n },
  USD: { code: 'USD', numericCode: '840', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  EUR: { code: 'EUR', numericCode: '978', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  GBP: { code: 'GBP', numericCode: '826', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  AED: { code: 'AED', numericCode: '784', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  SAR: { code: 'SAR', numericCode: '682', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  QAR: { code: 'QAR', numericCode: '634', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  CAD: { code: 'CAD', numericCode: '124', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  AUD: { code: 'AUD', numericCode: '036', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  CHF: { code: 'CHF', numericCode: '756', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  CNY: { code: 'CNY', numericCode: '156', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  MYR: { code: 'MYR', numericCode: '458', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  SGD: { code: 'SGD', numericCode: '702', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  TRY: { code: 'TRY', numericCode: '949', minorUnit: 2, amountMinorMax: 100_000_000_000n },
  JPY: { code: 'JPY', numericCode: '392', minorUnit: 0, amountMinorMax: 1_000_000_000n },
  KRW: { code: 'KRW', numericCode: '410', minorUnit: 0, amountMinorMax: 1_000_000_000n },
  KWD: { code: 'KWD', numericCode: '414', minorUnit: 3, amountMinorMax: 1_000_000_000_000n },
  BHD: { code: 'BHD', numericCode: '048', minorUnit: 3, amountMinorMax: 1_000_000_000_000n },
  OMR: { code: 'OMR', numericCode: '512', minorUnit: 3, amountMinorMax: 1_000_000_000_000n },
  JOD: { code: 'JOD', numericCode: '400', minorUnit: 3, amountMinorMax: 1_000_000_000_000n },
} as const;

/** What an operator gets without HISAAB_CURRENCIES: the rupee and the currencies most in-bound payments arrive in. */
export const enabledCurrenciesDefault = ['PKR', 'USD', 'EUR', 'GBP', 'AED', 'SAR'] as const;
