import type { WebhookSigningSecretsPort } from '../gateway/webhook-signing-secrets';
import type { WebhookEndpoints } from './webhook-endpoints';

/**
 * The webhook endpoints of the gateway's merchants (core/gateway/merchant-service.ts): the URL on the merchant's
 * record and every secret signing now, newest first (two during the 24 h after a rotation). Asked at every attempt,
 * so a URL changed or a secret rotated while an event waits is honoured on its next try. An inactive merchant still
 * hears of what happened to its payments and refunds.
 */
export function merchantWebhookEndpoints(merchants: WebhookSigningSecretsPort): WebhookEndpoints {
  return { endpointFor: (merchantId) => merchants.webhookSigningSecrets(merchantId) };
}
