import Decimal from 'decimal.js';
import { applyRateHalfEven } from '../money';
import type { MerchantFees } from './merchant-profile';

/**
 * The fees of one payment to a merchant, in minor units, each rounded half-even to the minor unit (issue 11):
 * `interchange` (amount × interchangePercent / 100) the acquirer pays the payer's participant, `switchFee` it
 * pays the switch, and `mdr` (amount × mdrPercent / 100) what it keeps from the merchant.
 */
/**
 * The switch as the holder of a position: its fee income accrues on `HISAAB:position` and shows as a settlement
 * report row "HISAAB" (issue 11). No participant may take this id.
 */
export const switchParticipantId = 'HISAAB';

export type PaymentFees = { interchangeMinor: bigint; switchFeeMinor: bigint; mdrMinor: bigint };

export function paymentFees(amountMinor: bigint, fees: MerchantFees): PaymentFees {
  return {
    interchangeMinor: applyRateHalfEven(amountMinor, percentAsRate(fees.interchangePercent)),
    switchFeeMinor: fees.switchFeeMinor,
    mdrMinor: applyRateHalfEven(amountMinor, percentAsRate(fees.mdrPercent)),
  };
}

/** "1.50" (percent) → "0.015" (a rate): exact, since a percentage has at most two decimals. */
function percentAsRate(percent: string): string {
  return new Decimal(percent).dividedBy(100).toFixed();
}
