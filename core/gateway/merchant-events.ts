import type { Account } from '../directory/account';

/**
 * Facts of a merchant's stream `merchant-<id>`. The switch fee is an integer string of minor units; percentages
 * are decimal strings. `requestReference` identifies the client request (caller + Idempotency-Key, hashed) that
 * caused the fact, so that a retry recognises its own earlier effect.
 */
export type MerchantFeesData = { mdrPercent: string; interchangePercent: string; switchFeeMinor: string };

export type MerchantRegistered = {
  type: 'MerchantRegistered';
  data: {
    merchantId: string;
    name: string;
    mcc: string;
    city: string;
    acquirerId: string;
    currency: string;
    settlementAccount: Account;
    webhookUrl: string;
    fees: MerchantFeesData;
    /** Issue 17: an NTN or CNIC; absent in events written before merchants had one (read as null). */
    taxNumber?: string | null;
    requestReference: string | null;
    at: string;
  };
};
export type MerchantActivated = { type: 'MerchantActivated'; data: { merchantId: string; at: string } };
export type MerchantDeactivated = { type: 'MerchantDeactivated'; data: { merchantId: string; at: string } };
export type MerchantWebhookUrlChanged = { type: 'MerchantWebhookUrlChanged'; data: { merchantId: string; webhookUrl: string; at: string } };
export type MerchantFeesChanged = {
  type: 'MerchantFeesChanged';
  data: { merchantId: string; fees: MerchantFeesData; previousFees: MerchantFeesData; at: string };
};
/** The merchant's own request rate (issue 15, item 3), per key and route class; null: back to the switch's default. */
export type MerchantRateLimitChanged = {
  type: 'MerchantRateLimitChanged';
  data: { merchantId: string; rateLimitPerSecond: number | null; previousRateLimitPerSecond: number | null; at: string };
};
/** Only the SHA-256 of the key is stored; the key itself is in one answer only. */
export type MerchantKeyIssued = {
  type: 'MerchantKeyIssued';
  data: { merchantId: string; keyId: string; keyHash: string; requestReference: string | null; at: string };
};
export type MerchantKeyRevoked = { type: 'MerchantKeyRevoked'; data: { merchantId: string; keyId: string; at: string } };
/** When an older webhook secret stops signing: `retiresAt` at or before the event's `at` means at once. */
export type WebhookSecretRetirement = { secretId: string; retiresAt: string };
/**
 * A new webhook signing secret, sealed under the master key (core/secrets/secret-box.ts). The secrets signing
 * before it keep signing beside it until their `retirements` time, so a merchant has that long to switch.
 */
export type MerchantWebhookSecretRotated = {
  type: 'MerchantWebhookSecretRotated';
  data: {
    merchantId: string;
    secretId: string;
    sealedSecret: string;
    retirements: WebhookSecretRetirement[];
    requestReference: string | null;
    at: string;
  };
};

/**
 * Issue 17: whether the merchant takes in-bound foreign-currency payments, the share it keeps in foreign currency
 * (a decimal string from 0 to 1) and the purpose codes its receipts may carry.
 */
export type MerchantInboundSettings = { enabled: boolean; retentionShare: string; purposeCodes: string[] };
export type MerchantInboundSettingsChanged = {
  type: 'MerchantInboundSettingsChanged';
  data: { merchantId: string; inbound: MerchantInboundSettings; at: string };
};

/** Issue 17: the tax number printed on the merchant's export proceeds certificates set, corrected or (null) removed. */
export type MerchantTaxNumberChanged = {
  type: 'MerchantTaxNumberChanged';
  data: { merchantId: string; taxNumber: string | null; previousTaxNumber: string | null; at: string };
};

export type MerchantEvent =
  | MerchantInboundSettingsChanged
  | MerchantTaxNumberChanged
  | MerchantRegistered
  | MerchantActivated
  | MerchantDeactivated
  | MerchantWebhookUrlChanged
  | MerchantFeesChanged
  | MerchantKeyIssued
  | MerchantKeyRevoked
  | MerchantWebhookSecretRotated
  | MerchantRateLimitChanged;

export const merchantEventTypes: readonly MerchantEvent['type'][] = [
  'MerchantRegistered',
  'MerchantActivated',
  'MerchantDeactivated',
  'MerchantWebhookUrlChanged',
  'MerchantFeesChanged',
  'MerchantKeyIssued',
  'MerchantKeyRevoked',
  'MerchantWebhookSecretRotated',
  'MerchantRateLimitChanged',
  'MerchantInboundSettingsChanged',
  'MerchantTaxNumberChanged',
];
