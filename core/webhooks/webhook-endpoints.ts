/** Where a merchant's webhooks go, and the secrets that sign them (issue 11). */
export type WebhookEndpoint = {
  url: string;
  /** Newest first: one secret, or two during the 24 h after a rotation; each adds a `v1=` to the signature header. */
  secrets: readonly string[];
};

/**
 * The port the webhook transport asks at every attempt, so that a URL changed or a secret rotated while an event
 * waits is honoured on its next try. The gateway's merchant read model implements it.
 */
export interface WebhookEndpoints {
  /** The merchant's endpoint, or null when the merchant is unknown. */
  endpointFor(merchantId: string): Promise<WebhookEndpoint | null>;
}
