/**
 * What the webhook module needs to sign a merchant's webhooks: where to send them and every secret that signs
 * now, newest first (two for 24 hours after a rotation, so the header carries two `v1=` values as Stripe's does).
 * Null for a merchant that does not exist.
 */
export type WebhookSigningSecrets = { url: string; secrets: string[] };

export interface WebhookSigningSecretsPort {
  webhookSigningSecrets(merchantId: string): Promise<WebhookSigningSecrets | null>;
}
