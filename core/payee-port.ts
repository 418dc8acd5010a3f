import type { JsonObject } from './eventstore/event';

/**
 * The port through which a transfer reaches the payee's provider (issue 4): a credit request that waits for an
 * answer, and the messages delivered store-and-forward through the outbox (credit advices and reversals).
 * Adapters: `adapters/wallet-http` (signed JSON over HTTP); the ISO 8583 bank adapter implements it too.
 */

/** What the payer named and the directory resolved: `{"type":"WALLET","value":"03001234567"}`, an IBAN, an alias. */
export type PartyReference = { type: string; value: string };

/**
 * The JSON body of a credit request or a credit advice, exactly as the HTTP contract fixes it. Amounts are
 * decimal strings in the currency's major unit (`"1500.00"`); the receiver deduplicates by `transferId`.
 */
export type PayeeCreditMessage = {
  transferId: string;
  amount: string;
  currency: string;
  payee: PartyReference;
  payer: { participant: string; name?: string };
  /** A payment to a merchant: which one, and the account its acquirer credits (issue 11). */
  merchant?: { id: string; settlementAccount: PartyReference };
};

/** A reversal is the credit message of the transfer to undo plus why it is undone (`PAYEE_TIMEOUT`, ...). */
export type PayeeReversalMessage = PayeeCreditMessage & { reason: string };

/** The three messages a payee's provider receives; the wire tells them apart (HTTP: URL and header). */
export const payeeMessageKinds = ['CREDIT_REQUEST', 'CREDIT_ADVICE', 'REVERSAL'] as const;
export type PayeeMessageKind = (typeof payeeMessageKinds)[number];

/**
 * The outcome of a credit request, classified as the issue says:
 * - `accepted`: the payee credited its customer; the transfer commits;
 * - `rejected`: the payee answered that it did not credit, with its reason; the transfer aborts;
 * - `unavailable`: nothing reached the payee (connection refused, no route), so nothing can have been
 *   credited; the transfer aborts with PAYEE_UNAVAILABLE and needs no reversal;
 * - `unknown`: the request may have reached the payee but no clear answer came in time (deadline, 5xx,
 *   unreadable body, connection reset after sending); the transfer aborts with PAYEE_TIMEOUT and a
 *   reversal is queued, because the payee may have credited.
 */
export type CreditOutcome =
  | { outcome: 'accepted' }
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'unavailable'; detail: string }
  | { outcome: 'unknown'; detail: string };

export type CreditRequestOptions = {
  /** How long to wait for the payee's answer; the adapter's configured deadline (default 10 s) when absent. */
  deadlineMs?: number;
};

export interface PayeeCreditPort {
  /** Asks the payee participant's provider to credit its customer and waits, up to the deadline, for a clear answer. */
  requestCredit(payeeParticipantId: string, message: PayeeCreditMessage, options?: CreditRequestOptions): Promise<CreditOutcome>;
}

/** A message as the JSON object sent on the wire: the contract's fields only, an absent payer name left out. */
export function creditMessagePayload(message: PayeeCreditMessage): JsonObject {
  const payer: JsonObject = { participant: message.payer.participant };
  if (message.payer.name !== undefined) payer['name'] = message.payer.name;
  return {
    transferId: message.transferId,
    amount: message.amount,
    currency: message.currency,
    payee: { type: message.payee.type, value: message.payee.value },
    payer,
    ...(message.merchant === undefined
      ? {}
      : {
          merchant: {
            id: message.merchant.id,
            settlementAccount: { type: message.merchant.settlementAccount.type, value: message.merchant.settlementAccount.value },
          },
        }),
  };
}
