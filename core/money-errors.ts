import type { ErrorCodeTable } from './errors';

/** Codes of core/money.ts: amounts, currencies and rates as they arrive in requests. */
export const moneyErrors = {
  INVALID_AMOUNT: {
    status: 400,
    meaning:
      'An amount is not a positive decimal string with no more decimals than its currency has, or is beyond the largest amount the switch takes.',
  },
  UNKNOWN_CURRENCY: { status: 400, meaning: 'A currency is not an ISO 4217 code the switch knows.' },
  INVALID_RATE: { status: 400, meaning: 'A rate is not a non-negative decimal string with at most 12 decimals.' },
} as const satisfies ErrorCodeTable;
