import type { InboundFinancialRequest, InboundReversalAdvice } from './financial-messages';

/**
 * The seam between the ISO 8583 server and whatever executes financial messages (the switch's transfer
 * orchestration, or the bank simulator's accounts). The server has already checked sign-on, DE32, the
 * mandatory fields, DE3, DE4 and DE49; the handler decides and answers a DE39 code.
 *
 * Contract: answer 00 only once the effect is durable; answer a repeated request (same transferId) the way
 * the first one was answered; settle within the server's handler timeout (a request not answered by then
 * gets no answer, and the bank's own timeout and reversal take over); never reject for a business outcome
 * (a rejection is answered 96). A bank takes any 0210 as final, so a transfer whose outcome is not known yet
 * (recorded, but not finished) is settled with null: no answer, and again the bank's timeout and 0420 take over.
 */
export type InboundContext = {
  /** The participant the sign-on check returned for this connection's institution. */
  readonly participantId: string;
  /** DE32 the connection signed on with. */
  readonly institutionId: string;
  readonly peerAddress: string;
  readonly connectionId: string;
};

export type InboundAnswer = {
  /** DE39 */
  readonly responseCode: string;
  /** DE38, sent with an approval. */
  readonly authorizationCode?: string | undefined;
};

export interface InboundFinancialHandler {
  /** 0200: a transfer the bank's customer sends. Null: its outcome is not known yet, so no 0210 is sent. */
  transferRequest(request: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer | null>;
  /**
   * 0220/0221: a transfer already completed at the sender, to be applied here. Null sends no answer: only a
   * simulator playing a broken bank does that; the sender repeats the advice.
   */
  financialAdvice(advice: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer | null>;
  /** 0420/0421: the sender gave up on a transfer and asks for it to be undone; answered even when unknown (null: as above). */
  reversalAdvice(advice: InboundReversalAdvice, context: InboundContext): Promise<InboundAnswer | null>;
}

/**
 * Decides who may sign on: the connection's peer address and the DE32 it signs on with map to a registered
 * bank participant's id, or to null (answered 05).
 */
/**
 * `clientFingerprint256`: the SHA-256 fingerprint of the connection's verified TLS client certificate, null over
 * plain TCP or without one.
 */
export type InstitutionAuthorizer = (
  peerAddress: string,
  institutionId: string,
  clientFingerprint256: string | null,
) => string | SignOnGrant | null | Promise<string | SignOnGrant | null>;

/**
 * A sign-on granted to a participant on facts that can change after it (the bank's registered host and institution
 * id, which the operator may change): `stillHolds` says whether they still do, and is asked before every message on
 * the connection, so that a connection judged on facts no longer true must sign on again. A bare participant id is
 * a grant that always holds.
 */
export type SignOnGrant = { readonly participantId: string; readonly stillHolds: () => boolean };
