import type { Account } from '../directory/account';
import type { MerchantInboundSettings } from './merchant-events';
import type { MerchantFees } from './merchant-profile';

/** A merchant as the merchants read model holds it. Webhook secrets stay sealed here. */
export type MerchantRecord = {
  id: string;
  name: string;
  mcc: string;
  city: string;
  acquirerId: string;
  currency: string;
  settlementAccount: Account;
  webhookUrl: string;
  fees: MerchantFees;
  active: boolean;
  /** The operator's rate for this merchant's keys (requests per second per key and route class); null: the default. */
  rateLimitPerSecond: number | null;
  createdAt: string;
  /** Issue 17: in-bound foreign-currency payments, null until enabled once. */
  inbound: MerchantInboundSettings | null;
  /** Issue 17: its NTN or CNIC, printed on its export proceeds certificates; null: none on record. */
  taxNumber: string | null;
};

/** Read side of merchants, answered from a projection (adapters/readmodel-sqlite/projections/merchants-*.ts). */
export interface MerchantReader {
  findMerchant(merchantId: string): MerchantRecord | null;
}
