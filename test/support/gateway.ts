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
