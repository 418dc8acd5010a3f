import http from 'node:http';
import https from 'node:https';
import { assert } from '../../core/assert';
import type { Delivery } from '../../core/outbox/delivery';
import type { DeliveryAttemptOptions, DeliveryAttemptResult, DeliveryTransport } from '../../core/outbox/delivery-transport';
import {
  creditMessagePayload,
  type CreditOutcome,
  type CreditRequestOptions,
  type PayeeCreditMessage,
  type PayeeCreditPort,
  type PayeeMessageKind,
} from '../../core/payee-port';
import { classifyCreditAnswer, classifyDeliveryAnswer } from './credit-answer';
import { postSignedJson, type PostResult } from './signed-post';
import type { OutgoingMessageSigner } from './switch-jws-signer';
import type { WalletEndpoint, WalletEndpointResolver } from './wallet-endpoint';

/** Tells the wallet which of the three messages a POST carries (an advice goes to the credit URL too). */
const messageTypeHeaderName = 'Hisaab-Message-Type';

export type WalletHttpClientOptions = {
  resolveEndpoint: WalletEndpointResolver;
  /** Default 10 s (issue 4). */
  creditDeadlineMs?: number;
  /** Responses are read up to this size; a larger one counts as no answer. Default 64 KiB. */
  responseBytesMax?: number;
  /** Connections kept per wallet host; requests beyond wait for one (within their deadline). Default 64. */
  socketsPerHostMax?: number;
  now?: () => Date;
  /** Signs each message with the switch's own key as well (Hisaab-JWS); absent, the HMAC alone signs. */
  jwsSigner?: OutgoingMessageSigner;
};

export const walletHttpDefaults = {
  creditDeadlineMs: 10_000,
  creditDeadlineMsMax: 120_000,
  responseBytesMax: 64 * 1024,
  socketsPerHostMax: 64,
  /** Idle connections are dropped before a wallet's server would (Node's default is 5 s), to avoid reusing a dying one. */
  idleSocketTimeoutMs: 4_000,
} as const;

/**
 * The wallet adapter (docs/ARCHITECTURE.md section 5): signed JSON over HTTP. As the payee port it sends credit requests
 * and waits for the answer; as the outbox transport it delivers credit advices and reversals until a 2xx.
 */
export class WalletHttpClient implements PayeeCreditPort, DeliveryTransport {
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly creditDeadlineMs: number;
  private readonly responseBytesMax: number;
  private readonly now: () => Date;

  constructor(private readonly options: WalletHttpClientOptions) {
    this.creditDeadlineMs = options.creditDeadlineMs ?? walletHttpDefaults.creditDeadlineMs;
    checkDeadline(this.creditDeadlineMs);
    this.responseBytesMax = options.responseBytesMax ?? walletHttpDefaults.responseBytesMax;
    assert(Number.isSafeInteger(this.responseBytesMax) && this.responseBytesMax >= 64, 'the response size limit is at least 64 bytes');
    const socketsPerHostMax = options.socketsPerHostMax ?? walletHttpDefaults.socketsPerHostMax;
    const agentOptions = {
      keepAlive: true,
      maxSockets: socketsPerHostMax,
      // As many kept as may be open: with fewer, a burst to one wallet beyond them (every checkout's credit goes to
      // its acquirer) closed the extra sockets and the next burst opened them again; idle ones still close after
      // idleSocketTimeoutMs.
      maxFreeSockets: socketsPerHostMax,
      timeout: walletHttpDefaults.idleSocketTimeoutMs,
    };
    this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
    this.now = options.now ?? (() => new Date());
  }

  async requestCredit(payeeParticipantId: string, message: PayeeCreditMessage, options: CreditRequestOptions = {}): Promise<CreditOutcome> {
    const deadlineMs = options.deadlineMs ?? this.creditDeadlineMs;
    checkDeadline(deadlineMs);
    const endpoint = await this.options.resolveEndpoint(payeeParticipantId);
    if (endpoint === null)
      return { outcome: 'unavailable', detail: `NO_ENDPOINT: participant ${payeeParticipantId} has no wallet endpoint` };
    const result = await this.post(
      endpoint.creditUrl,
      endpoint,
      'CREDIT_REQUEST',
      JSON.stringify(creditMessagePayload(message)),
      deadlineMs,
    );
    return classifyCreditAnswer(result);
  }

  async deliver(delivery: Delivery, options: DeliveryAttemptOptions): Promise<DeliveryAttemptResult> {
    const kind = deliveryKind(delivery.kind);
    if (kind === null)
      return { outcome: 'failed', scope: 'delivery', detail: `UNSUPPORTED_KIND: the wallet channel does not deliver ${delivery.kind}` };
    const endpoint = await this.options.resolveEndpoint(delivery.destination);
    if (endpoint === null)
      return { outcome: 'failed', scope: 'delivery', detail: `NO_ENDPOINT: participant ${delivery.destination} has no wallet endpoint` };
    const url = kind === 'REVERSAL' ? endpoint.reversalUrl : endpoint.creditUrl;
    const result = await this.post(url, endpoint, kind, JSON.stringify(delivery.payload), options.deadlineMs);
    return classifyDeliveryAnswer(result);
  }

  /** Drops kept-alive connections; requests in flight finish or fail on their own deadline. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private post(url: string, endpoint: WalletEndpoint, kind: PayeeMessageKind, rawBody: string, deadlineMs: number): Promise<PostResult> {
    if (endpoint.signingSecrets.length === 0) {
      return Promise.resolve({ delivery: 'not-sent', detail: 'NO_SIGNING_SECRET: the participant has no signing secret yet' });
    }
    return postSignedJson({
      url,
      secrets: endpoint.signingSecrets,
      rawBody,
      headers: { [messageTypeHeaderName]: kind, 'user-agent': 'hisaab-switch' },
      deadlineMs,
      now: this.now(),
      responseBytesMax: this.responseBytesMax,
      agents: this.agents,
      ...(this.options.jwsSigner === undefined ? {} : { jwsSigner: this.options.jwsSigner }),
    });
  }
}

function deliveryKind(kind: string): Exclude<PayeeMessageKind, 'CREDIT_REQUEST'> | null {
  return kind === 'REVERSAL' || kind === 'CREDIT_ADVICE' ? kind : null;
}

function checkDeadline(deadlineMs: number): void {
  assert(
    Number.isSafeInteger(deadlineMs) && deadlineMs >= 1 && deadlineMs <= walletHttpDefaults.creditDeadlineMsMax,
    `a wallet deadline is 1 to ${walletHttpDefaults.creditDeadlineMsMax} ms, got ${deadlineMs}`,
  );
}
