import type { DirectoryReader } from '../directory/directory-reader';
import type { CommandContext } from '../eventstore/decider-stream';
import { DomainError } from '../errors';
import { formatAmount } from '../money';
import { sessionStatusAt, type PresentSession } from './checkout-session-decider';
import type { CheckoutSessionEvent, RequestToPaySent } from './checkout-session-events';
import type { CheckoutService, LoadedSession } from './checkout-service';
import type { MerchantReader } from './merchant-reader';
import { normalizePakistaniMsisdn } from './msisdn';
import type { RequestToPayPort } from './request-to-pay-port';

export type RequestToPayDependencies = {
  checkout: CheckoutService;
  merchants: MerchantReader;
  directory: DirectoryReader;
  port: RequestToPayPort;
};

/**
 * The session as the RTP's record left it (the provider may pay it at once: read it again for what came after).
 * `PENDING`: the same request was waiting for the customer already (a second click, or two racing), so nothing was
 * recorded or sent again.
 */
export type RequestToPayResult = { session: PresentSession; outcome: 'SENT' | 'FAILED' | 'PENDING' };

/**
 * Request-to-pay from the hosted pay page (issue 11): the customer's number is resolved in the directory, the RTP is
 * recorded before it is sent (so that a provider declining at once finds it), then sent to the provider's rtpUrl;
 * a failure to send is recorded too, so the page can say so.
 */
export class RequestToPayService {
  constructor(private readonly dependencies: RequestToPayDependencies) {}

  /**
   * `loaded` as `CheckoutService.findLoaded` just read it (the pay page reads it for its 404 anyway): the RTP's record
   * is decided on it and appended at its revision, so the session is read once.
   */
  async request(loaded: LoadedSession, mobileNumber: string, context: CommandContext): Promise<RequestToPayResult> {
    const session = loaded.session;
    const sessionId = session.created.sessionId;
    const msisdn = normalizePakistaniMsisdn(mobileNumber);
    if (msisdn === null) throw new DomainError('INVALID_ALIAS', 'a mobile number is written 03XXXXXXXXX, +923XXXXXXXXX or 923XXXXXXXXX');
    const status = sessionStatusAt(session, context.now);
    if (status !== 'OPEN') throw new DomainError('SESSION_NOT_OPEN', `checkout session ${sessionId} is ${status}, not OPEN`);
    const alias = this.dependencies.directory.findAlias({ type: 'MSISDN', value: msisdn });
    if (alias === null) throw new DomainError('PARTY_NOT_FOUND', `no wallet or bank has registered the number ${msisdn}`);
    const merchant = this.dependencies.merchants.findMerchant(session.created.merchantId);
    if (merchant === null) throw new DomainError('MERCHANT_NOT_FOUND', `merchant ${session.created.merchantId} does not exist`);
    // The record is appended at the revision read above: a session that changed since (ended, or another RTP) makes
    // that append fail, and it is decided again on the stream as it is then, where an ended session is refused and
    // the same request already waiting is not recorded twice. The decider numbers the RTP, so racers never share an id.
    const recorded = await this.dependencies.checkout.record(
      { type: 'RecordRequestToPaySent', data: { sessionId, payerParticipant: alias.participantId, msisdn }, now: context.now },
      context,
      loaded,
    );
    const sent = recorded.events.find(isRequestToPaySent);
    if (sent === undefined) return { session: recorded.session, outcome: 'PENDING' };
    const rtpId = sent.data.rtpId;
    const outcome = await this.dependencies.port.send(alias.participantId, {
      rtpId,
      checkoutSessionId: sessionId,
      merchant: { id: merchant.id, name: merchant.name, mcc: merchant.mcc },
      amount: formatAmount(BigInt(session.created.amountMinor), session.created.currency),
      currency: session.created.currency,
      payer: { type: 'MSISDN', value: msisdn },
      orderId: session.created.orderId,
      expiresAt: session.created.expiresAt,
    });
    if (outcome.outcome === 'sent') return { session: recorded.session, outcome: 'SENT' };
    const failed = await this.dependencies.checkout.record(
      { type: 'RecordRequestToPayFailed', data: { sessionId, rtpId, detail: outcome.detail.slice(0, 300) }, now: context.now },
      context,
    );
    return { session: failed.session, outcome: 'FAILED' };
  }

  /** The payer's provider declines its RTP; 404 for an RTP that is not this provider's. */
  async decline(participantId: string, rtpId: string, reason: string, context: CommandContext): Promise<PresentSession> {
    const sessionId = sessionIdOfRtpOrThrow(rtpId);
    const loaded = await this.dependencies.checkout.findLoaded(sessionId);
    const pending = loaded?.session.rtp ?? null;
    if (loaded === null || pending === null || pending.rtpId !== rtpId || pending.payerParticipant !== participantId) {
      throw new DomainError('RTP_NOT_FOUND', `there is no request to pay ${rtpId} for this participant's customers`);
    }
    // Decided on the session just read and appended at its revision; another writer in between (the payment, a
    // second decline) makes it decide again on the stream as it is then.
    const result = await this.dependencies.checkout.record(
      { type: 'RecordRequestToPayDeclined', data: { sessionId, rtpId, reason }, now: context.now },
      context,
      loaded,
    );
    return result.session;
  }
}

function isRequestToPaySent(event: CheckoutSessionEvent): event is RequestToPaySent {
  return event.type === 'RequestToPaySent';
}

function sessionIdOfRtpOrThrow(rtpId: string): string {
  const match = /^rtp_([A-Za-z0-9]{22})_[1-9][0-9]{0,2}$/.exec(rtpId);
  if (match === null) throw new DomainError('RTP_NOT_FOUND', `there is no request to pay ${rtpId.slice(0, 40)}`);
  return `cs_${match[1]}`;
}
