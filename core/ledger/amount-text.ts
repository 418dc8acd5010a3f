import { wordRange as wordRangeExport } from './account-balances';

// A module constant of its own: under tsx an imported binding is read through a getter on every use, and this is
// read for every amount turned into text.
const wordRange = wordRangeExport;
/** High words below this make an amount below 2^53: exact as a JS number. */
const exactHighWordMax = 2 ** 21;

/**
 * Minor units as event text ("150050"). Pure: the answer is always the amount's decimal digits, as
 * `bigint.toString()` gives them.
 */
export function amountText(amountMinor: bigint): string {
  return amountMinor.toString();
}

/**
 * The decimal text of an amount held as two unsigned 32-bit words (AccountBalances, PendingTransfers, a ledger
 * record's u64): through a JS number only below 2^53, where it is exact, else through a bigint.
 */
export function amountTextOfWords(low: number, high: number): string {
  if (high < exactHighWordMax) return String(high * wordRange + low);
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}
