import { assert, assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';
import { formatAmount } from '../money';
import type {
  DisputeEvent,
  DisputeOpened,
  DisputeOutcome,
  DisputeResolved,
  DisputeStateName,
  Evidence,
  ResolutionGround,
  ResponseAction,
} from './dispute-events';
import { disputeEventTypes } from './dispute-events';

/**
 * One step of a dispute. `evidence` is what the step offered (the claim's at OPENED, an answer's at its action);
 * it is absent from records folded before steps kept their evidence, until the disputes read model is rebuilt.
 */
export type TimelineEntry = { at: string; type: string; actor: string; note: string | null; evidence?: Evidence[] };

export type PresentDispute = {
  status: 'present';
  opened: DisputeOpened['data'];
  state: DisputeStateName;
  outcome: DisputeOutcome | null;
  ground: ResolutionGround | null;
  resolvedAt: string | null;
  deadlineMissed: boolean;
  autoResolved: boolean;
  chargebackDue: boolean;
  /** Set once the ledger posted the chargeback. */
  chargeback: { transferId: string; amountMinor: string } | null;
  creditQueued: boolean;
  /** Which dispute webhooks the merchant of a P2M payment was sent (always false without a merchant). */
  merchantNotified: { opened: boolean; resolved: boolean };
  /** When the respondent (or the merchant) answered, if it did. */
  answeredAt: string | null;
  timeline: TimelineEntry[];
};
export type DisputeState = { status: 'absent' } | PresentDispute;

/** How a rule at opening decided the claim, worked out by the service from the switch's log. */
export type OpeningRule = { ground: 'RULE_ABORTED_TRANSFER' | 'RULE_DUPLICATE'; note: string };

export type DisputeCommand =
  | { type: 'OpenDispute'; data: DisputeOpened['data']; rule: OpeningRule | null }
  | {
      type: 'AnswerDispute';
      data: { disputeId: string; action: ResponseAction; note: string; evidence: Evidence[]; answeredAs: 'RESPONDENT' | 'MERCHANT' };
      actor: string;
      now: Date;
    }
  | { type: 'DecideDispute'; data: { disputeId: string; outcome: 'CLAIMANT' | 'RESPONDENT'; note: string }; actor: string; now: Date }
  | { type: 'WithdrawDispute'; data: { disputeId: string; note: string | null }; actor: string; now: Date }
  | { type: 'ResolveMissedDeadline'; data: { disputeId: string }; now: Date }
  | { type: 'RecordChargeback'; data: { disputeId: string; chargebackTransferId: string; amountMinor: string }; now: Date }
  | { type: 'RecordChargebackCredit'; data: { disputeId: string }; now: Date }
  | { type: 'RecordMerchantNotified'; data: { disputeId: string; change: 'opened' | 'resolved' }; now: Date };

export const initialState: DisputeState = { status: 'absent' };

/** The switch's own actor on the facts it decides by itself (rules, deadlines, chargebacks). */
export const switchActor = 'switch:disputes';

export function evolve(state: DisputeState, event: DisputeEvent): DisputeState {
  if (event.type === 'DisputeOpened') {
    assert(state.status === 'absent', `dispute ${event.data.disputeId} opened twice`);
    return {
      status: 'present',
      opened: event.data,
      state: 'OPEN',
      outcome: null,
      ground: null,
      resolvedAt: null,
      deadlineMissed: false,
      autoResolved: false,
      chargebackDue: false,
      chargeback: null,
      creditQueued: false,
      merchantNotified: { opened: false, resolved: false },
      answeredAt: null,
      timeline: [{ at: event.data.at, type: 'OPENED', actor: event.data.actor, note: event.data.note, evidence: event.data.evidence }],
    };
  }
  assert(state.status === 'present', `${event.type} for dispute ${event.data.disputeId} before it was opened`);
  switch (event.type) {
    case 'DisputeAnswered':
      return {
        ...state,
        state: event.data.action === 'CONTEST' ? 'RESPONDED' : state.state,
        answeredAt: event.data.at,
        timeline: [
          ...state.timeline,
          { at: event.data.at, type: event.data.action, actor: event.data.actor, note: event.data.note, evidence: event.data.evidence },
        ],
      };
    case 'DisputeResolved':
      return {
        ...state,
        state: 'RESOLVED',
        outcome: event.data.outcome,
        ground: event.data.ground,
        resolvedAt: event.data.at,
        deadlineMissed: event.data.deadlineMissed,
        autoResolved: event.data.autoResolved,
        chargebackDue: event.data.chargebackDue,
        timeline: [...state.timeline, { at: event.data.at, type: 'RESOLVED', actor: event.data.actor, note: event.data.note }],
      };
    case 'ChargebackPosted':
      return {
        ...state,
        chargeback: { transferId: event.data.chargebackTransferId, amountMinor: event.data.amountMinor },
        timeline: [
          ...state.timeline,
          {
            at: event.data.at,
            type: 'CHARGEBACK_POSTED',
            actor: switchActor,
            note: `chargeback ${event.data.chargebackTransferId} of ${formatAmount(BigInt(event.data.amountMinor), state.opened.currency)} ${state.opened.currency} from the respondent's position to the claimant's`,
          },
        ],
      };
    case 'ChargebackCreditQueued':
      return { ...state, creditQueued: true };
    case 'DisputeMerchantNotified':
      return { ...state, merchantNotified: { ...state.merchantNotified, [event.data.change]: true } };
    default:
      return assertNever(event);
  }
}

/**
 * The rules of issue 12. A claim decided by a rule at opening is opened and resolved in one decision; every other
 * claim waits for the respondent until `respondBy`, then for the operator if contested. Anything out of order is
 * DISPUTE_STATE naming the state, so a repeated or concurrent answer is refused on the state the first one left.
 */
export function decide(command: DisputeCommand, state: DisputeState): DisputeEvent[] {
  if (command.type === 'OpenDispute') {
    assert(state.status === 'absent', `dispute ${command.data.disputeId} is opened once`);
    const opened: DisputeOpened = { type: 'DisputeOpened', data: command.data };
    if (command.rule === null) {
      assert(command.data.respondBy !== null, 'a claim that waits for the respondent has a deadline');
      return [opened];
    }
    return [
      opened,
      resolution(command.data, {
        outcome: 'CLAIMANT',
        ground: command.rule.ground,
        note: command.rule.note,
        deadlineMissed: false,
        autoResolved: true,
        actor: switchActor,
        at: command.data.at,
      }),
    ];
  }
  const dispute = requirePresent(state, command.data.disputeId);
  const at = command.now.toISOString();
  switch (command.type) {
    case 'AnswerDispute':
      return decideAnswer(command, dispute, at);
    case 'DecideDispute':
      requireState(dispute, ['RESPONDED'], 'decided by the operator');
      return [
        resolution(dispute.opened, {
          outcome: command.data.outcome,
          ground: 'OPERATOR_DECISION',
          note: command.data.note,
          deadlineMissed: false,
          autoResolved: false,
          actor: command.actor,
          at,
        }),
      ];
    case 'WithdrawDispute':
      requireState(dispute, ['OPEN', 'RESPONDED'], 'withdrawn');
      return [
        resolution(dispute.opened, {
          outcome: 'WITHDRAWN',
          ground: 'WITHDRAWN',
          note: command.data.note ?? 'withdrawn by the claimant',
          deadlineMissed: false,
          autoResolved: false,
          actor: command.actor,
          at,
        }),
      ];
    case 'ResolveMissedDeadline':
    case 'RecordChargeback':
    case 'RecordChargebackCredit':
    case 'RecordMerchantNotified':
      return decideBySwitch(command, dispute, at);
    default:
      return assertNever(command);
  }
}

/** An answer in time: CONTEST waits for the operator; ACCEPT and CREDIT_CONFIRMED resolve at once. */
function decideAnswer(command: Extract<DisputeCommand, { type: 'AnswerDispute' }>, dispute: PresentDispute, at: string): DisputeEvent[] {
  requireState(dispute, ['OPEN'], 'answered');
  if (isPastDeadline(dispute, command.now)) {
    throw new DomainError(
      'DISPUTE_STATE',
      `dispute ${dispute.opened.disputeId} is OPEN but its respondBy (${dispute.opened.respondBy}) has passed: the respondent lost it by not answering in time`,
    );
  }
  const { action, note, evidence, answeredAs } = command.data;
  if (action === 'CREDIT_CONFIRMED' && (dispute.opened.category !== 'DEBITED_NOT_CREDITED' || !dispute.opened.moneyMoved)) {
    throw new DomainError(
      'DISPUTE_ACTION_NOT_APPLICABLE',
      'CREDIT_CONFIRMED answers only a DEBITED_NOT_CREDITED claim on a committed transfer',
    );
  }
  const answered: DisputeEvent = {
    type: 'DisputeAnswered',
    data: { disputeId: dispute.opened.disputeId, action, note, evidence, answeredAs, actor: command.actor, at },
  };
  if (action === 'CONTEST') return [answered];
  const outcome = action === 'ACCEPT' ? 'CLAIMANT' : 'RESPONDENT';
  const ground = action === 'ACCEPT' ? 'ACCEPTED' : 'CREDIT_CONFIRMED';
  return [
    answered,
    resolution(dispute.opened, { outcome, ground, note, deadlineMissed: false, autoResolved: false, actor: command.actor, at }),
  ];
}

/** What the switch records by itself: the missed deadline, the chargeback and its credit. */
function decideBySwitch(
  command: Extract<
    DisputeCommand,
    { type: 'ResolveMissedDeadline' | 'RecordChargeback' | 'RecordChargebackCredit' | 'RecordMerchantNotified' }
  >,
  dispute: PresentDispute,
  at: string,
): DisputeEvent[] {
  switch (command.type) {
    case 'ResolveMissedDeadline':
      if (dispute.state !== 'OPEN' || !isPastDeadline(dispute, command.now)) return [];
      return [
        resolution(dispute.opened, {
          outcome: 'CLAIMANT',
          ground: 'DEADLINE_MISSED',
          note: `the respondent did not answer by ${dispute.opened.respondBy}: the claim is decided for the claimant`,
          deadlineMissed: true,
          autoResolved: true,
          actor: switchActor,
          at,
        }),
      ];
    case 'RecordChargeback':
      if (dispute.chargeback !== null) return [];
      assert(dispute.state === 'RESOLVED' && dispute.chargebackDue, `dispute ${dispute.opened.disputeId} owes no chargeback`);
      return [{ type: 'ChargebackPosted', data: { ...command.data, at } }];
    case 'RecordChargebackCredit':
      if (dispute.creditQueued) return [];
      assert(dispute.chargeback !== null, `dispute ${dispute.opened.disputeId} credits after its chargeback`);
      return [
        {
          type: 'ChargebackCreditQueued',
          data: { disputeId: dispute.opened.disputeId, chargebackTransferId: dispute.chargeback.transferId, at },
        },
      ];
    case 'RecordMerchantNotified':
      if (dispute.merchantNotified[command.data.change]) return [];
      assert(dispute.opened.merchantId !== null, `dispute ${dispute.opened.disputeId} has a merchant to notify`);
      return [{ type: 'DisputeMerchantNotified', data: { ...command.data, at } }];
    default:
      return assertNever(command);
  }
}

export const disputeDecider: Decider<DisputeCommand, DisputeEvent, DisputeState> = {
  initialState,
  evolve,
  decide,
  eventTypes: disputeEventTypes,
};

/** Whether the respondent's time to answer has run out (never for a claim that is not waiting for it). */
export function isPastDeadline(dispute: PresentDispute, now: Date): boolean {
  return dispute.opened.respondBy !== null && now.getTime() > Date.parse(dispute.opened.respondBy);
}

function resolution(opened: DisputeOpened['data'], fields: Omit<DisputeResolved['data'], 'disputeId' | 'chargebackDue'>): DisputeResolved {
  const chargebackDue = fields.outcome === 'CLAIMANT' && opened.moneyMoved;
  return { type: 'DisputeResolved', data: { disputeId: opened.disputeId, ...fields, chargebackDue } };
}

function requirePresent(state: DisputeState, disputeId: string): PresentDispute {
  if (state.status !== 'present') throw new DomainError('DISPUTE_NOT_FOUND', `dispute ${disputeId} does not exist`);
  return state;
}

function requireState(dispute: PresentDispute, allowed: readonly DisputeStateName[], what: string): void {
  if (!allowed.includes(dispute.state)) {
    throw new DomainError(
      'DISPUTE_STATE',
      `dispute ${dispute.opened.disputeId} is ${dispute.state}; it can be ${what} only when ${allowed.join(' or ')}`,
    );
  }
}
