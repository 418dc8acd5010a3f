/**
 * Facts of a dispute (docs/ARCHITECTURE.md section 7), in its stream `dispute-<id>`, and of the transfer's dispute
 * index `dispute-transfer-<transferId>`, which serialises the disputes of one transfer (one open claim per
 * category; chargebacks never above what is still disputable). Money is an integer string of minor units.
 */

export const disputeCategories = [
  'DEBITED_NOT_CREDITED',
  'DUPLICATE',
  'WRONG_AMOUNT',
  'GOODS_NOT_RECEIVED',
  'NOT_AS_DESCRIBED',
  'UNAUTHORIZED',
] as const;
export type DisputeCategory = (typeof disputeCategories)[number];

export const disputeStates = ['OPEN', 'RESPONDED', 'RESOLVED'] as const;
export type DisputeStateName = (typeof disputeStates)[number];

export const disputeOutcomes = ['CLAIMANT', 'RESPONDENT', 'WITHDRAWN'] as const;
export type DisputeOutcome = (typeof disputeOutcomes)[number];

export const responseActions = ['ACCEPT', 'CONTEST', 'CREDIT_CONFIRMED'] as const;
export type ResponseAction = (typeof responseActions)[number];

/** Why a dispute was resolved: a rule at opening, an answer, the operator, the deadline, or the claimant. */
export const resolutionGrounds = [
  'RULE_ABORTED_TRANSFER',
  'RULE_DUPLICATE',
  'ACCEPTED',
  'CREDIT_CONFIRMED',
  'OPERATOR_DECISION',
  'DEADLINE_MISSED',
  'WITHDRAWN',
] as const;
export type ResolutionGround = (typeof resolutionGrounds)[number];

export type Evidence = { type: string; reference: string; sha256: string | null };

export type DisputeOpened = {
  type: 'DisputeOpened';
  data: {
    disputeId: string;
    /** The switch's id of the disputed transfer (its stream, its ledger record). */
    transferId: string;
    /** The id the claimant knows the transfer by (its own id, or the switch's): what the API shows. */
    clientTransferId: string;
    category: DisputeCategory;
    amountMinor: string;
    currency: string;
    /** The payer's participant, which opened the claim for its customer. */
    claimant: string;
    /** The payee's participant (for a P2M payment, the acquirer). */
    respondent: string;
    merchantId: string | null;
    /** Whether the transfer moved money (COMMITTED and not reversed): only then can a claimant win move it back. */
    moneyMoved: boolean;
    /** The original payer's account, which a chargeback credits. */
    payer: { type: string; value: string };
    description: string;
    evidence: Evidence[];
    /** Null when a rule resolved the claim at opening. */
    respondBy: string | null;
    /** What the opening cites from the switch's own log (the void, the earlier transfer). */
    note: string;
    actor: string;
    at: string;
  };
};

export type DisputeAnswered = {
  type: 'DisputeAnswered';
  data: {
    disputeId: string;
    action: ResponseAction;
    note: string;
    evidence: Evidence[];
    /** RESPONDENT (the payee's participant) or MERCHANT (the merchant's own key). */
    answeredAs: 'RESPONDENT' | 'MERCHANT';
    actor: string;
    at: string;
  };
};

export type DisputeResolved = {
  type: 'DisputeResolved';
  data: {
    disputeId: string;
    outcome: DisputeOutcome;
    ground: ResolutionGround;
    note: string;
    /** A claimant win on money that moved: a chargeback follows. */
    chargebackDue: boolean;
    deadlineMissed: boolean;
    /** Decided by a rule at opening or by the missed deadline, with no person involved. */
    autoResolved: boolean;
    actor: string;
    at: string;
  };
};

export type ChargebackPosted = {
  type: 'ChargebackPosted';
  data: {
    disputeId: string;
    chargebackTransferId: string;
    /** What the ledger moved: the dispute's amount, or less when refunds and earlier chargebacks left less. */
    amountMinor: string;
    at: string;
  };
};

/** The claimant's participant was queued its credit (store-and-forward, like an advice). */
export type ChargebackCreditQueued = {
  type: 'ChargebackCreditQueued';
  data: { disputeId: string; chargebackTransferId: string; at: string };
};

/**
 * The merchant of a P2M payment was sent `dispute.opened` or `dispute.resolved` (durable in the webhooks outbox):
 * recorded after publishing, so a crash in between publishes again, and the event id, derived from the dispute,
 * makes that the same event.
 */
export type DisputeMerchantNotified = {
  type: 'DisputeMerchantNotified';
  data: { disputeId: string; change: 'opened' | 'resolved'; at: string };
};

export type DisputeEvent =
  DisputeOpened | DisputeAnswered | DisputeResolved | ChargebackPosted | ChargebackCreditQueued | DisputeMerchantNotified;

export const disputeEventTypes: readonly DisputeEvent['type'][] = [
  'DisputeOpened',
  'DisputeAnswered',
  'DisputeResolved',
  'ChargebackPosted',
  'ChargebackCreditQueued',
  'DisputeMerchantNotified',
];

/** A dispute filed on a transfer, in the transfer's dispute index. */
export type DisputeFiled = { type: 'DisputeFiled'; data: { transferId: string; disputeId: string; category: DisputeCategory; at: string } };

/** A chargeback taken from a transfer, in the transfer's dispute index: what later chargebacks are capped by. */
export type ChargebackTaken = {
  type: 'ChargebackTaken';
  data: { transferId: string; disputeId: string; chargebackTransferId: string; amountMinor: string; at: string };
};

export type TransferDisputeIndexEvent = DisputeFiled | ChargebackTaken;

export function disputeStreamName(disputeId: string): string {
  return `dispute-${disputeId}`;
}

export function transferDisputeIndexStreamName(transferId: string): string {
  return `dispute-transfer-${transferId}`;
}

/** The ledger id of a dispute's chargeback: derived from the dispute, so a retried posting is the same transfer. */
export function chargebackTransferIdOf(disputeId: string): string {
  return `chargeback-${disputeId}`;
}
