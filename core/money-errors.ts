import type { ErrorCodeTable } from './errors';

/** Codes of core/money.ts: amounts, currencies and rates as they arrive in requests. */
export const moneyErrors = {
  INVALID_AMOUNT: {
    status: 400,
    meaning:
      'An amount is not a positive decimal string with no more decimals than its currency has, or is beyond the largest amount the switch takes.',
  },
  UNKNOWN_CURRENCY: { status: 400, meaning: 'A currency is not an ISO 4217 code the switch knows.' },
  INVALID_RATE: {
    status: 400,
    meaning:
      'A rate is out of shape: a fee rate is a non-negative decimal string with at most 12 decimals; an exchange rate a positive one with at most 8 digits before and 8 after the point.',
  },
} as const satisfies ErrorCodeTable;
