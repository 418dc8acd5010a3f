/** What the switch sends a payer's provider to ask its customer to pay a checkout session (issue 11's fixed body). */
export type RequestToPayMessage = {
  rtpId: string;
  checkoutSessionId: string;
  merchant: { id: string; name: string; mcc: string };
  amount: string;
  currency: string;
  payer: { type: 'MSISDN'; value: string };
  orderId: string;
  expiresAt: string;
};

/** `sent`: the provider answered 2xx, so it asked its customer. `failed`: it did not (unreachable, refused, no rtpUrl). */
export type RequestToPayOutcome = { outcome: 'sent' } | { outcome: 'failed'; detail: string };

/** The channel to a payer's provider (adapters/wallet-http/request-to-pay-sender.ts: signed as credit requests are). */
export interface RequestToPayPort {
  send(payerParticipantId: string, message: RequestToPayMessage): Promise<RequestToPayOutcome>;
}
