import http from 'node:http';
import https from 'node:https';
import type { RequestToPayMessage, RequestToPayOutcome, RequestToPayPort } from '../../core/gateway/request-to-pay-port';
import { isIso8583Endpoints } from '../../core/participants/participant-profile';
import type { ParticipantReader } from '../../core/participants/participant-reader';
import type { SecretBox } from '../../core/secrets/secret-box';
import { postSignedJson } from './signed-post';
import type { OutgoingMessageSigner } from './switch-jws-signer';
import { walletEndpointOf } from './wallet-endpoint';

export type RequestToPaySenderOptions = {
  participants: ParticipantReader;
  secrets: SecretBox;
  now: () => Date;
  /** How long the provider has to say it asked its customer. */
  deadlineMs: number;
  /** Signs each request with the switch's own key as well (Hisaab-JWS). */
  jwsSigner?: OutgoingMessageSigner;
};

const responseBytesMax = 16 * 1024;

/**
 * Requests to pay over signed JSON HTTP: POST to the payer provider's `endpoints.rtpUrl`, signed with the
 * provider's signing secrets exactly as credit requests are (Hisaab-Signature, Hisaab-Message-Type: REQUEST_TO_PAY).
 * Any 2xx means the provider asked its customer; anything else, or no answer in time, is a failure the page shows.
 */
export class RequestToPaySender implements RequestToPayPort {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 16, timeout: 4_000 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 16, timeout: 4_000 }),
  };

  constructor(private readonly options: RequestToPaySenderOptions) {}

  async send(payerParticipantId: string, message: RequestToPayMessage): Promise<RequestToPayOutcome> {
    const participant = this.options.participants.findParticipant(payerParticipantId);
    if (participant === null || isIso8583Endpoints(participant.endpoints) || participant.endpoints.rtpUrl === null) {
      return { outcome: 'failed', detail: `NO_RTP_URL: participant ${payerParticipantId} takes no requests to pay` };
    }
    const endpoint = walletEndpointOf(participant, this.options.secrets, this.options.now());
    if (endpoint === null) return { outcome: 'failed', detail: 'NO_SIGNING_SECRET: the participant has no signing secret yet' };
    const result = await postSignedJson({
      url: participant.endpoints.rtpUrl,
      secrets: endpoint.signingSecrets,
      rawBody: JSON.stringify(message),
      headers: { 'Hisaab-Message-Type': 'REQUEST_TO_PAY', 'user-agent': 'hisaab-switch' },
      deadlineMs: this.options.deadlineMs,
      now: this.options.now(),
      responseBytesMax,
      agents: this.agents,
      ...(this.options.jwsSigner === undefined ? {} : { jwsSigner: this.options.jwsSigner }),
    });
    if (result.delivery === 'answered' && result.status >= 200 && result.status < 300) return { outcome: 'sent' };
    if (result.delivery === 'answered')
      return { outcome: 'failed', detail: `HTTP_${result.status}: the provider refused the request to pay` };
    return { outcome: 'failed', detail: result.detail };
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
