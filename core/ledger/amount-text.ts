/**
 * Minor units as event text ("150050"). Pure: the answer is always the amount's decimal digits, as
 * `bigint.toString()` gives them.
 */
export function amountText(amountMinor: bigint): string {
  return amountMinor.toString();
}

const wordRange = 2 ** 32;
/** High words below this make an amount below 2^53: exact as a JS number. */
const exactHighWordMax = 2 ** 21;

/**
 * The decimal text of an amount held as two 32-bit words (AccountBalances, PendingTransfers): through a JS number
 * only below 2^53, where it is exact, else through a bigint.
 */
export function amountTextOfWords(low: number, high: number): string {
  if (high < exactHighWordMax) return String(high * wordRange + low);
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}
