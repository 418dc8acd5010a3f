import http from 'node:http';
import https from 'node:https';
import { assert } from '../../core/assert';
import type { Delivery } from '../../core/outbox/delivery';
import type { DeliveryAttemptOptions, DeliveryAttemptResult, DeliveryTransport } from '../../core/outbox/delivery-transport';
import type { WebhookEndpoints } from '../../core/webhooks/webhook-endpoints';
import { webhookDeliveryPayload } from '../../core/webhooks/webhook-event';
import { postSignedJson, type PostResult } from '../wallet-http/signed-post';
import type { OutgoingMessageSigner } from '../wallet-http/switch-jws-signer';

export const webhookHttpDefaults = {
  /** A merchant's answer is not read for anything but its status: a small body suffices. */
  responseBytesMax: 16 * 1024,
  socketsPerHostMax: 16,
  idleSocketTimeoutMs: 4_000,
  /** The start of a refusing answer's body kept with the attempt, to help the merchant see why. */
  answerExcerptLengthMax: 100,
} as const;

/** The header naming the event, for a merchant's logs (the body carries the id too). */
export const webhookEventIdHeaderName = 'Hisaab-Event-Id';

export type WebhookHttpTransportOptions = {
  endpoints: WebhookEndpoints;
  now?: () => Date;
  /** Signs each webhook with the switch's own key as well (Hisaab-JWS, issue 15). */
  jwsSigner?: OutgoingMessageSigner;
};

/**
 * Merchant webhooks over HTTP (issue 11): the event's stored body POSTed to the merchant's webhook URL with
 * `Hisaab-Signature: t=<unix>,v1=…` (one v1 per live secret, newest first), within the attempt's deadline. A 2xx is
 * delivered; anything else is a failed attempt the outbox retries on the webhook schedule. The URL and the secrets
 * are asked of the merchant's record at every attempt, so a change while an event waits is honoured.
 *
 * Every failure detail starts with `HTTP <status>` when the merchant answered: the webhook-events projection reads
 * the attempt's HTTP status from it.
 */
export class WebhookHttpTransport implements DeliveryTransport {
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly now: () => Date;

  constructor(private readonly options: WebhookHttpTransportOptions) {
    const agentOptions = {
      keepAlive: true,
      maxSockets: webhookHttpDefaults.socketsPerHostMax,
      // As many kept as may be open: with fewer, every burst of deliveries beyond them closed its sockets and the
      // next burst opened new ones (a TCP handshake and a socket's set-up and tear-down per webhook under load).
      maxFreeSockets: webhookHttpDefaults.socketsPerHostMax,
      timeout: webhookHttpDefaults.idleSocketTimeoutMs,
    };
    this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
    this.now = options.now ?? (() => new Date());
  }

  async deliver(delivery: Delivery, options: DeliveryAttemptOptions): Promise<DeliveryAttemptResult> {
    assert(Number.isSafeInteger(options.deadlineMs) && options.deadlineMs >= 1, 'a webhook deadline is a positive whole number of ms');
    const payload = webhookDeliveryPayload(delivery.kind, delivery.payload);
    if (payload === null)
      return { outcome: 'failed', scope: 'delivery', detail: `UNSUPPORTED_KIND: the webhook channel does not deliver ${delivery.kind}` };
    const endpoint = await this.options.endpoints.endpointFor(delivery.destination);
    if (endpoint === null)
      return { outcome: 'failed', scope: 'delivery', detail: `NO_ENDPOINT: merchant ${delivery.destination} has no webhook URL` };
    if (endpoint.secrets.length === 0)
      return { outcome: 'failed', scope: 'delivery', detail: `NO_SIGNING_SECRET: merchant ${delivery.destination} has no webhook secret` };
    const result = await postSignedJson({
      url: endpoint.url,
      secrets: endpoint.secrets,
      rawBody: payload.body,
      headers: { [webhookEventIdHeaderName]: payload.eventId, 'user-agent': 'hisaab-webhooks' },
      deadlineMs: options.deadlineMs,
      now: this.now(),
      responseBytesMax: webhookHttpDefaults.responseBytesMax,
      agents: this.agents,
      ...(this.options.jwsSigner === undefined ? {} : { jwsSigner: this.options.jwsSigner }),
    });
    return classifyWebhookAnswer(result);
  }

  /** Drops kept-alive connections; attempts in flight finish or fail on their own deadline. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/**
 * A 2xx is delivered. A merchant that did not answer, or answered 5xx, 408 or 429, is down or overloaded: the
 * failure is the destination's, so its other events wait while one probes. Any other answer refuses this event alone.
 */
export function classifyWebhookAnswer(result: PostResult): DeliveryAttemptResult {
  if (result.delivery !== 'answered') return { outcome: 'failed', scope: 'destination', detail: result.detail };
  const { status } = result;
  if (status >= 200 && status <= 299) return { outcome: 'delivered', detail: `HTTP ${status}` };
  const excerpt = result.body.slice(0, webhookHttpDefaults.answerExcerptLengthMax);
  const detail = excerpt === '' ? `HTTP ${status}` : `HTTP ${status}: ${excerpt}`;
  const scope = status >= 500 || status === 408 || status === 429 ? 'destination' : 'delivery';
  return { outcome: 'failed', scope, detail };
}
