/**
 * Facts of a checkout session's stream `checkout-<id>`. Money is an integer string of minor units. The request
 * to pay (RTP) the pay page sends lives in the session's stream too: it exists only for that session, and the
 * page reads both in one fold.
 */
export type SessionCreated = {
  type: 'SessionCreated';
  data: {
    sessionId: string;
    merchantId: string;
    amountMinor: string;
    currency: string;
    orderId: string;
    description: string | null;
    successUrl: string;
    cancelUrl: string;
    /** The EMVCo QR string, fixed at creation (emv-qr.ts). */
    qr: string;
    expiresAt: string;
    /** SHA-256 of the creating request's body, so that a retry with another body is told apart. */
    requestDigest: string;
    at: string;
  };
};
export type SessionCompleted = { type: 'SessionCompleted'; data: { sessionId: string; transferId: string; at: string } };
/** Written by the expiry sweeper once `expiresAt` has passed; reads show EXPIRED from `expiresAt` on regardless. */
export type SessionExpired = { type: 'SessionExpired'; data: { sessionId: string; expiresAt: string; at: string } };
export type SessionCancelled = { type: 'SessionCancelled'; data: { sessionId: string; at: string } };
/** A request to pay sent to the payer's provider, which answered 2xx: it asked its customer. */
export type RequestToPaySent = {
  type: 'RequestToPaySent';
  data: { sessionId: string; rtpId: string; payerParticipant: string; msisdn: string; at: string };
};
/** The provider declined (its customer refused, or it could not ask): the page shows "Declined". */
export type RequestToPayDeclined = { type: 'RequestToPayDeclined'; data: { sessionId: string; rtpId: string; reason: string; at: string } };
/** The provider could not be reached, or refused the request itself. */
export type RequestToPayFailed = { type: 'RequestToPayFailed'; data: { sessionId: string; rtpId: string; detail: string; at: string } };

export type CheckoutSessionEvent =
  SessionCreated | SessionCompleted | SessionExpired | SessionCancelled | RequestToPaySent | RequestToPayDeclined | RequestToPayFailed;

export const checkoutSessionEventTypes: readonly CheckoutSessionEvent['type'][] = [
  'SessionCreated',
  'SessionCompleted',
  'SessionExpired',
  'SessionCancelled',
  'RequestToPaySent',
  'RequestToPayDeclined',
  'RequestToPayFailed',
];

/**
 * Claims an Idempotency-Key for the session it created (stream `checkout-request-<hash>`). It carries the whole
 * creation, so that on a store that writes stream by stream a claim whose session was not written yet lets the
 * retry write exactly that session.
 */
export type CheckoutRequestClaimed = {
  type: 'CheckoutRequestClaimed';
  data: { merchantId: string; sessionId: string; requestDigest: string; session: SessionCreated['data']; at: string };
};
