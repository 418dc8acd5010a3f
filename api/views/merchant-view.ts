import type { MerchantRecord } from '../../core/gateway/merchant-reader';
import { formatAmount } from '../../core/money';

/** A merchant as the API shows it: the switch fee as a decimal string, keys and secrets left out. */
export type MerchantView = {
  id: string;
  name: string;
  mcc: string;
  city: string;
  acquirer: string;
  currency: string;
  settlementAccount: { type: string; value: string };
  webhookUrl: string;
  fees: { mdrPercent: string; interchangePercent: string; switchFee: string };
  active: boolean;
  rateLimitPerSecond: number | null;
  createdAt: string;
  inbound: { enabled: boolean; retentionShare: string; purposeCodes: string[] } | null;
  taxNumber: string | null;
};

export function merchantView(record: MerchantRecord): MerchantView {
  return {
    id: record.id,
    name: record.name,
    mcc: record.mcc,
    city: record.city,
    acquirer: record.acquirerId,
    currency: record.currency,
    settlementAccount: { type: record.settlementAccount.type, value: record.settlementAccount.value },
    webhookUrl: record.webhookUrl,
    fees: {
      mdrPercent: record.fees.mdrPercent,
      interchangePercent: record.fees.interchangePercent,
      switchFee: formatAmount(record.fees.switchFeeMinor, record.currency),
    },
    active: record.active,
    rateLimitPerSecond: record.rateLimitPerSecond,
    createdAt: record.createdAt,
    inbound: record.inbound === null ? null : { ...record.inbound, purposeCodes: [...record.inbound.purposeCodes] },
    taxNumber: record.taxNumber,
  };
}
