import type { Account } from '../directory/account';

/**
 * What an acquirer (or the operator) onboards: who a merchant is, where its money goes and where its webhooks go.
 * The merchant's id is also its MERCHANT alias in the directory, which is why it follows that alias's grammar.
 */
export const merchantIdPattern = /^[A-Z0-9_]{3,32}$/;
export const merchantNameLengthMax = 140;
export const merchantCityLengthMax = 60;
/** ISO 18245 merchant category code: four digits. */
export const merchantCategoryCodePattern = /^\d{4}$/;
export const webhookUrlLengthMax = 2048;
/** Keys a merchant may hold at once: enough to roll one without downtime, few enough to audit. */
export const merchantActiveKeysMax = 10;

/**
 * Fees as the operator sets them. Percentages are decimal strings with two decimals ("1.50" is 1.5 %) and the
 * switch fee is an amount in the merchant's currency, held in minor units.
 */
export type MerchantFees = { mdrPercent: string; interchangePercent: string; switchFeeMinor: bigint };

export const noFees: MerchantFees = { mdrPercent: '0.00', interchangePercent: '0.00', switchFeeMinor: 0n };

export type MerchantRegistration = {
  merchantId: string;
  name: string;
  mcc: string;
  city: string;
  /** The participant that acquires the merchant: it is credited for the merchant's payments. */
  acquirerId: string;
  currency: string;
  settlementAccount: Account;
  webhookUrl: string;
  fees: MerchantFees;
  /** An NTN or CNIC (merchant-tax-number.ts), or null when none was given. */
  taxNumber: string | null;
};

export function merchantStreamName(merchantId: string): string {
  return `merchant-${merchantId}`;
}
