import { formatAmount } from '../money';
import type { PresentDispute, TimelineEntry } from './dispute-decider';
import type { DisputeCategory, DisputeOutcome, DisputeStateName, Evidence } from './dispute-events';

/** A step of the timeline as the API shows it: every step lists its evidence, none for most. */
export type TimelineEntryView = Required<TimelineEntry>;

/** A dispute as the API answers it (issue 12's contract): fields that do not apply are null. */
export type DisputeView = {
  id: string;
  transferId: string;
  /**
   * The switch's id of the transfer, as a transfer's view and a checkout session's `transferId` carry it: what a
   * merchant or a respondent matches the dispute by (they do not know the claimant's own id).
   */
  switchTransferId: string;
  category: DisputeCategory;
  /** What the claimant said, so that the respondent and the operator know what they answer and decide. */
  description: string;
  /** What the claimant offered with the claim; an answer's evidence is on its step of the timeline. */
  evidence: Evidence[];
  amount: string;
  currency: string;
  state: DisputeStateName;
  outcome: DisputeOutcome | null;
  claimant: string;
  respondent: string;
  merchantId: string | null;
  respondBy: string | null;
  deadlineMissed: boolean;
  createdAt: string;
  resolvedAt: string | null;
  chargebackTransferId: string | null;
  /** What the chargeback took, which refunds before it may have made less than `amount`; null while none moved money. */
  chargebackAmount: string | null;
  timeline: TimelineEntryView[];
};

export function disputeView(dispute: PresentDispute): DisputeView {
  const opened = dispute.opened;
  const moved = dispute.chargeback !== null && dispute.chargeback.amountMinor !== '0' ? dispute.chargeback : null;
  return {
    id: opened.disputeId,
    transferId: opened.clientTransferId,
    switchTransferId: opened.transferId,
    category: opened.category,
    description: opened.description,
    evidence: opened.evidence,
    amount: formatAmount(BigInt(opened.amountMinor), opened.currency),
    currency: opened.currency,
    state: dispute.state,
    outcome: dispute.outcome,
    claimant: opened.claimant,
    respondent: opened.respondent,
    merchantId: opened.merchantId,
    respondBy: opened.respondBy,
    deadlineMissed: dispute.deadlineMissed,
    createdAt: opened.at,
    resolvedAt: dispute.resolvedAt,
    chargebackTransferId: moved === null ? null : moved.transferId,
    chargebackAmount: moved === null ? null : formatAmount(BigInt(moved.amountMinor), opened.currency),
    timeline: dispute.timeline.map((entry) => ({ ...entry, evidence: entry.evidence ?? [] })),
  };
}

/**
 * A dispute as its webhooks carry it: the view without the claim's description, which is the payer's personal data,
 * sealed in the log; a webhook's body rests in the outbox's stream as written, where erasure could not reach it. The
 * merchant reads the description with GET /v1/disputes/{id}.
 */
export function disputeWebhookObject(dispute: PresentDispute): Omit<DisputeView, 'description'> {
  const { description: _description, ...object } = disputeView(dispute);
  return object;
}

/** Whether a party may see a dispute: its claimant, its respondent, its merchant; the operator and regulators see all. */
export function isPartyTo(dispute: PresentDispute, party: { participantId: string } | { merchantId: string }): boolean {
  if ('participantId' in party) return dispute.opened.claimant === party.participantId || dispute.opened.respondent === party.participantId;
  return dispute.opened.merchantId === party.merchantId;
}
