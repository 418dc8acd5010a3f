import { randomUUID } from 'node:crypto';
import type { HttpClient } from './http-client';

export type OnboardedMerchant = { id: string; apiKey: string; webhookSecret: string };

/** Onboards a merchant through the API (the operator's key), acquired by `acquirer`, paid into a wallet there. */
export async function onboardMerchant(
  client: HttpClient,
  operatorKey: string,
  id: string,
  acquirer: string,
  extra: Record<string, unknown> = {},
): Promise<OnboardedMerchant> {
  const answer = await client.post('/v1/merchants', {
    key: operatorKey,
    body: {
      id,
      name: `${id} Store`,
      mcc: '5411',
      city: 'Karachi',
      acquirer,
      settlementAccount: { type: 'WALLET', value: `W${id}` },
      webhookUrl: 'https://shop.example/webhooks',
      ...extra,
    },
  });
  if (answer.status !== 201) throw new Error(`merchant ${id} not onboarded: ${answer.status} ${answer.text}`);
  const body = answer.body as { apiKey: string; webhookSecret: string };
  return { id, apiKey: body.apiKey, webhookSecret: body.webhookSecret };
}

export const sessionBody = (extra: Record<string, unknown> = {}) => ({
  amount: '1500.00',
  currency: 'PKR',
  orderId: 'ORD-1',
  successUrl: 'https://shop.example/thanks',
  cancelUrl: 'https://shop.example/cart',
  ...extra,
});

/** The session a P2M payment paid, and the switch's id of that payment. */
export type PaidSession = { sessionId: string; transferId: string };

/**
 * Opens a checkout session of `merchant` for `amount` PKR and pays it with a P2M transfer from `payer`, sent with
 * `payerKey` (the payer's participant); fails the test unless the session opened and the payment committed.
 */
export async function payCheckoutSession(
  client: HttpClient,
  merchant: OnboardedMerchant,
  payment: { payerKey: string; payer: { type: string; value: string }; amount: string },
): Promise<PaidSession> {
  const created = await client.post('/v1/checkout/sessions', {
    key: merchant.apiKey,
    body: sessionBody({ amount: payment.amount }),
    headers: { 'idempotency-key': randomUUID() },
  });
  if (created.status !== 201) throw new Error(`session not opened: ${created.status} ${created.text}`);
  const sessionId = (created.body as { id: string }).id;
  const paid = await client.post('/v1/transfers', {
    key: payment.payerKey,
    body: {
      id: randomUUID(),
      payer: payment.payer,
      payee: { type: 'MERCHANT', value: merchant.id },
      amount: payment.amount,
      currency: 'PKR',
      purpose: 'P2M',
      checkoutSessionId: sessionId,
    },
  });
  const state = (paid.body as { state?: unknown }).state;
  if (state !== 'COMMITTED') throw new Error(`session ${sessionId} not paid: ${paid.status} ${paid.text}`);
  return { sessionId, transferId: (paid.body as { switchTransferId: string }).switchTransferId };
}

/** The merchant refunds `amount` of a paid session, under a fresh Idempotency-Key. */
export function refundSession(client: HttpClient, merchant: OnboardedMerchant, sessionId: string, amount: string) {
  return client.post('/v1/refunds', {
    key: merchant.apiKey,
    body: { sessionId, amount },
    headers: { 'idempotency-key': randomUUID() },
  });
}
