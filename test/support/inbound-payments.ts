import type { HttpClient } from './http-client';
import { onboardParticipant } from './switch-process';

/** Keys of the parties of an in-bound payment: the acquirer, the FX provider (dealer), the in-bound PSP, the merchant. */
export type InboundParties = { acquirerKey: string; dealerKey: string; pspKey: string; merchantKey: string };

/**
 * Sets up in-bound payments on a running switch through its API, as an operator would: MARGALLA acquires the
 * exporter KARACHI_SOFT (retaining 35% in dollars), ALLIED converts at 278.4500 for an hour, REMITLY pays in USD.
 */
export async function setUpInboundPayments(client: HttpClient, operatorKey: string, webhookUrl: string): Promise<InboundParties> {
  const register = async (id: string, bankCode: string, overrides: Record<string, unknown>): Promise<string> =>
    (await onboardParticipant({ client, operatorKey }, id, bankCode, overrides)).key;
  const acquirerKey = await register('MARGALLA', 'MRGL', { currencies: ['PKR', 'USD'] });
  const dealerKey = await register('ALLIED', 'ABPL', { type: 'BANK', fxProvider: true, currencies: ['PKR', 'USD'] });
  const pspKey = await register('REMITLY', 'RMTL', {
    type: 'INBOUND_PSP',
    currency: undefined,
    currencies: ['USD'],
    netDebitCap: '50000.00',
  });
  const merchantKey = await onboardExporter(client, acquirerKey, 'MARGALLA', { webhookUrl });
  const enabled = await client.patch('/v1/merchants/KARACHI_SOFT', {
    key: acquirerKey,
    body: { inbound: { enabled: true, retentionShare: '0.35', purposeCodes: ['9184', '9182'] } },
  });
  if (enabled.status !== 200) throw new Error(`enabling in-bound payments: ${enabled.status} ${enabled.text}`);
  const rate = await client.put('/v1/fx/rates/USD/PKR', { key: dealerKey, body: { rate: '278.4500', validForSeconds: 3600 } });
  if (rate.status !== 200) throw new Error(`posting the rate: ${rate.status} ${rate.text}`);
  return { acquirerKey, dealerKey, pspKey, merchantKey };
}

/**
 * Onboards the exporter KARACHI_SOFT (a software house in Karachi, paid into a wallet) at `acquirer` with `key`
 * (the acquirer's or the operator's), `overrides` replacing any field of the body; answers the merchant's key.
 */
export async function onboardExporter(
  client: HttpClient,
  key: string | undefined,
  acquirer: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const merchant = await client.post('/v1/merchants', {
    key,
    body: {
      id: 'KARACHI_SOFT',
      name: 'Karachi Soft',
      mcc: '7372',
      city: 'Karachi',
      acquirer,
      settlementAccount: { type: 'WALLET', value: 'WKARACHISOFT' },
      webhookUrl: 'http://127.0.0.1:9/webhooks',
      ...overrides,
    },
  });
  if (merchant.status !== 201) throw new Error(`onboarding the merchant: ${merchant.status} ${merchant.text}`);
  return (merchant.body as { apiKey: string }).apiKey;
}

/** A 100.00 USD payment for exported software, without a quote (the best live rate). */
export function inboundPaymentBody(id: string): Record<string, unknown> {
  return {
    id,
    merchantId: 'KARACHI_SOFT',
    amount: '100.00',
    currency: 'USD',
    purposeCode: '9184',
    payer: { type: 'BUSINESS', name: 'Acme Ltd', country: 'GB', taxId: 'GB123456789' },
    invoiceNumber: 'INV-2026-001',
  };
}
