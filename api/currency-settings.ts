import { z } from 'zod';
import { enabledCurrenciesDefault } from '../core/iso4217-currencies';
import { currencyCodes, isCurrencyCode, type CurrencyCode } from '../core/money';

/** HISAAB_FX_QUOTE_TTL_SECONDS: how long a quote locks its rate (issue 17: default 60 s; at most 10 minutes). */
export const fxQuoteTtlSecondsDefault = 60;
export const fxQuoteTtlSecondsMax = 600;

/**
 * HISAAB_CURRENCIES: the ISO 4217 currencies the switch runs a ledger for, comma-separated. The rupee is always
 * among them (settlement, fees and every in-bound conversion end in rupees); order is kept, duplicates refused.
 */
export const enabledCurrenciesSchema = z
  .string()
  .optional()
  .transform((value, context): readonly CurrencyCode[] => {
    if (value === undefined || value.trim() === '') return enabledCurrenciesDefault;
    const codes = value.split(',').map((code) => code.trim().toUpperCase());
    const unknown = codes.filter((code) => !isCurrencyCode(code));
    if (unknown.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `HISAAB_CURRENCIES names ${unknown.map((code) => JSON.stringify(code.slice(0, 8))).join(', ')}, not in the switch's ISO 4217 table (${currencyCodes.join(', ')})`,
      });
      return z.NEVER;
    }
    if (new Set(codes).size !== codes.length) {
      context.addIssue({ code: 'custom', message: 'HISAAB_CURRENCIES names a currency twice' });
      return z.NEVER;
    }
    if (!codes.includes('PKR')) {
      context.addIssue({ code: 'custom', message: 'HISAAB_CURRENCIES must include PKR: the switch settles in rupees' });
      return z.NEVER;
    }
    return codes as CurrencyCode[];
  });
