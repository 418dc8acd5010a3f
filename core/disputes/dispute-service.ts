import { createHash } from 'node:crypto';
import { assert } from '../assert';
import { handleStreamCommand, loadStream, stampEvents, type CommandContext } from '../eventstore/decider-stream';
import type { NewEvent } from '../eventstore/event';
import type { CompanionAppend } from '../ledger/ledger-engine-contract';
import { afterLedgerWrite } from '../ledger/companion-events';
import type { EventStore, StreamAppend } from '../eventstore/event-store';
import { WrongExpectedRevisionError } from '../eventstore/expected-revision';
import { DomainError } from '../errors';
import type { LedgerEngine } from '../ledger/ledger-engine';
import { formatAmount, parseAmount } from '../money';
import type { Delivery } from '../outbox/delivery';
import { positionAccountId } from '../participants/participant-accounts';
import { creditMessagePayload } from '../payee-port';
import { transferDecider, type TransferState } from '../transfers/transfer-decider';
import { transferStreamName, type TransferInitiated } from '../transfers/transfer-events';
import { payerScopedTransferId } from '../transfers/transfer-id';
import { clientTransferIdOf } from '../transfers/transfer-view';
import type { PayeeDeliveryQueue } from '../transfers/transfer-ports';
import { respondByAfter, type ResponseWindow } from './dispute-deadline';
import { disputeDecider, switchActor, type DisputeCommand, type OpeningRule, type PresentDispute } from './dispute-decider';
import { indexDecider, takenMinorOf, type IndexState } from './charged-back-amounts';
import {
  chargebackTransferIdOf,
  disputeStreamName,
  transferDisputeIndexStreamName,
  type ChargebackTaken,
  type DisputeCategory,
  type DisputeEvent,
  type DisputeFiled,
  type DisputeOpened,
  type Evidence,
  type ResponseAction,
} from './dispute-events';
import {
  noMerchants,
  noNotifications,
  noRefunds,
  type DisputeNotifier,
  type DuplicateTransferFinder,
  type MerchantOfTransfer,
  type RefundedAmounts,
} from './dispute-ports';

export type DisputeServiceSettings = {
  capMinor: bigint;
  claimDays: number;
  respondWithin: ResponseWindow;
  debitedNotCreditedRespondWithin: ResponseWindow;
  holidays: readonly string[];
};

export type DisputeServiceOptions = {
  store: EventStore;
  ledgers: (currency: string) => LedgerEngine | undefined;
  deliveries: PayeeDeliveryQueue;
  duplicates: DuplicateTransferFinder;
  settings: DisputeServiceSettings;
  now: () => Date;
  refunds?: RefundedAmounts;
  merchants?: MerchantOfTransfer;
  notifier?: DisputeNotifier;
  /** Called between a resolution and its chargeback: the seam the crash test kills the process at. */
  beforeChargeback?: (disputeId: string) => void;
};

export type DisputeClaim = {
  transferId: string;
  category: DisputeCategory;
  amount: string;
  description: string;
  evidence: Evidence[];
};

export type DisputeReceipt = { dispute: PresentDispute; position: bigint | null };

export const disputeLimits = {
  /** Disputes one transfer can carry in all: one per category at a time, and a few reopened after resolution. */
  disputesPerTransferMax: 20,
  /** DUPLICATE is decided from the log when the original is at most this much older (issue 12: 10 minutes). */
  duplicateWindowMs: 10 * 60 * 1000,
  /** Attempts when another writer changes the transfer's dispute index between our read and our append. */
  indexAttemptsMax: 5,
} as const;

/** `dp_` and 24 hex digits: derived from the opening request's Idempotency-Key, so a retried opening is the same dispute. */
export const disputeIdPattern = /^dp_[0-9a-f]{24}$/;

/**
 * Online dispute resolution (docs/ARCHITECTURE.md section 7, issue 12). Opening checks the claim against the
 * switch's own record of the transfer and decides what a rule can decide at once; answers, decisions and
 * withdrawals go through the dispute's decider; a claimant win on money that moved is charged back exactly once
 * (a deterministic ledger id, the dispute's ChargebackPosted written in the same durable write), and the
 * claimant's participant is sent the credit store-and-forward.
 */
export class DisputeService {
  private readonly refunds: RefundedAmounts;
  private readonly merchants: MerchantOfTransfer;
  private readonly notifier: DisputeNotifier;

  constructor(private readonly options: DisputeServiceOptions) {
    this.refunds = options.refunds ?? noRefunds;
    this.merchants = options.merchants ?? noMerchants;
    this.notifier = options.notifier ?? noNotifications;
  }

  /**
   * Opens a claim for the payer's participant. Every refusal records nothing. The id derives from the request's
   * idempotency reference: a retry after an unknown outcome finds the dispute the first attempt opened.
   */
  async open(
    claimant: string,
    claim: DisputeClaim,
    reference: string,
    context: CommandContext,
  ): Promise<DisputeReceipt & { created: boolean }> {
    const disputeId = disputeIdOf(reference);
    const existing = await this.find(disputeId);
    if (existing !== null) return { dispute: existing, position: null, created: false };
    const transfer = await this.claimedTransfer(claimant, claim.transferId);
    refuseUnlessMoneyMoved(claim, transfer);
    const initiated = transfer.initiated;
    const now = context.now;
    if (now.getTime() - Date.parse(initiated.createdAt) > this.options.settings.claimDays * 86_400_000) {
      throw new DomainError(
        'CLAIM_WINDOW_CLOSED',
        `transfer ${claim.transferId} was made on ${initiated.createdAt}, more than ${this.options.settings.claimDays} days ago`,
      );
    }
    const amountMinor = parseAmount(claim.amount, initiated.currency);
    if (amountMinor > this.options.settings.capMinor) {
      throw new DomainError(
        'ABOVE_ODR_CAP',
        `${claim.amount} ${initiated.currency} is above the online dispute resolution cap of ${formatAmount(this.options.settings.capMinor, initiated.currency)}`,
      );
    }
    for (let attempt = 1; attempt <= disputeLimits.indexAttemptsMax; attempt += 1) {
      const index = await loadStream(this.options.store, transferDisputeIndexStreamName(initiated.transferId), indexDecider);
      const disputable = await this.disputableMinor(transfer, index.state);
      if (amountMinor > disputable) {
        throw new DomainError(
          'AMOUNT_EXCEEDS_TRANSFER',
          `transfer ${claim.transferId} has ${formatAmount(disputable, initiated.currency)} ${initiated.currency} still disputable; the claim is for ${claim.amount}`,
          [{ path: ['amount'], disputable: formatAmount(disputable, initiated.currency) }],
        );
      }
      await this.refuseOpenDuplicate(claim, index.state);
      const rule = await this.openingRule(claim.category, transfer);
      const opened = this.openingOf(disputeId, claimant, claim, transfer, amountMinor, rule, context);
      const events = disputeDecider.decide({ type: 'OpenDispute', data: opened, rule }, disputeDecider.initialState);
      const filed: DisputeFiled = {
        type: 'DisputeFiled',
        data: { transferId: initiated.transferId, disputeId, category: claim.category, at: opened.at },
      };
      try {
        const results = await this.options.store.appendMany([
          {
            stream: transferDisputeIndexStreamName(initiated.transferId),
            events: stampEvents([filed], context),
            expectedRevision: index.revision ?? 'no_stream',
          },
          { stream: disputeStreamName(disputeId), events: stampEvents(events, context), expectedRevision: 'no_stream' },
        ]);
        const dispute = await this.require(disputeId);
        await this.afterChange(dispute, events);
        return { dispute: await this.require(disputeId), position: results[results.length - 1]?.position ?? null, created: true };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // The same key racing itself: the other request opened it.
        const raced = await this.find(disputeId);
        if (raced !== null) return { dispute: raced, position: null, created: false };
      }
    }
    throw new DomainError('CONCURRENT_UPDATE', `the disputes of transfer ${claim.transferId} kept changing; retry the request`);
  }

  /** The DisputeOpened of a claim that passed every check: the respondent, the merchant, the deadline or the rule's note. */
  private openingOf(
    disputeId: string,
    claimant: string,
    claim: DisputeClaim,
    transfer: Exclude<TransferState, { status: 'none' | 'initiated' }>,
    amountMinor: bigint,
    rule: OpeningRule | null,
    context: CommandContext,
  ): DisputeOpened['data'] {
    const initiated = transfer.initiated;
    const window =
      claim.category === 'DEBITED_NOT_CREDITED'
        ? this.options.settings.debitedNotCreditedRespondWithin
        : this.options.settings.respondWithin;
    return {
      disputeId,
      transferId: initiated.transferId,
      clientTransferId: clientTransferIdOf(initiated),
      category: claim.category,
      amountMinor: amountMinor.toString(),
      currency: initiated.currency,
      claimant,
      respondent: initiated.payeeParticipant,
      merchantId: this.merchants.merchantOf(initiated),
      moneyMoved: transfer.status === 'committed' && !transfer.reversed,
      payer: { type: initiated.payer.type, value: initiated.payer.value },
      description: claim.description,
      evidence: claim.evidence,
      respondBy: rule === null ? respondByAfter(context.now, window, this.options.settings.holidays).toISOString() : null,
      note: rule?.note ?? `the claim waits for ${initiated.payeeParticipant} to answer`,
      actor: actorOf(context),
      at: context.now.toISOString(),
    };
  }

  async answer(
    disputeId: string,
    answer: { action: ResponseAction; note: string; evidence: Evidence[]; answeredAs: 'RESPONDENT' | 'MERCHANT' },
    context: CommandContext,
  ): Promise<DisputeReceipt> {
    return this.apply({ type: 'AnswerDispute', data: { disputeId, ...answer }, actor: actorOf(context), now: context.now }, context);
  }

  async decide(
    disputeId: string,
    decision: { outcome: 'CLAIMANT' | 'RESPONDENT'; note: string },
    context: CommandContext,
  ): Promise<DisputeReceipt> {
    return this.apply({ type: 'DecideDispute', data: { disputeId, ...decision }, actor: actorOf(context), now: context.now }, context);
  }

  async withdraw(disputeId: string, note: string | null, context: CommandContext): Promise<DisputeReceipt> {
    return this.apply({ type: 'WithdrawDispute', data: { disputeId, note }, actor: actorOf(context), now: context.now }, context);
  }

  /** Resolves a dispute whose respondent missed its deadline (nothing for one that is not overdue): what the sweeper calls. */
  async resolveMissedDeadline(disputeId: string, now: Date): Promise<DisputeReceipt> {
    const context: CommandContext = { now, actor: switchActor, correlationId: disputeId };
    return this.apply({ type: 'ResolveMissedDeadline', data: { disputeId }, now }, context);
  }

  async find(disputeId: string): Promise<PresentDispute | null> {
    if (!disputeIdPattern.test(disputeId)) return null;
    const { state } = await loadStream(this.options.store, disputeStreamName(disputeId), disputeDecider);
    return state.status === 'present' ? state : null;
  }

  async require(disputeId: string): Promise<PresentDispute> {
    const dispute = await this.find(disputeId);
    if (dispute === null) throw new DomainError('DISPUTE_NOT_FOUND', `dispute ${disputeId} does not exist`);
    return dispute;
  }

  /**
   * Posts a resolved dispute's chargeback and queues the claimant's credit, each exactly once: the ledger id is the
   * dispute's, the dispute's ChargebackPosted and the index's ChargebackTaken ride in the ledger's durable write,
   * and the credit's delivery id is the chargeback's. Safe to call any number of times, from any process.
   */
  async settleChargeback(disputeId: string): Promise<PresentDispute> {
    let dispute = await this.require(disputeId);
    if (dispute.state !== 'RESOLVED' || !dispute.chargebackDue) return dispute;
    this.options.beforeChargeback?.(disputeId);
    for (let attempt = 1; dispute.chargeback === null; attempt += 1) {
      if (attempt > disputeLimits.indexAttemptsMax) {
        throw new DomainError(
          'CONCURRENT_UPDATE',
          `the disputes of transfer ${dispute.opened.transferId} kept changing while charging back`,
        );
      }
      // A refund still pending waits to be decided: the sweeper comes back for the chargeback once it has ended.
      if ((await this.postChargeback(dispute)) === 'waiting') return dispute;
      dispute = await this.require(disputeId);
    }
    if (!dispute.creditQueued && dispute.chargeback.amountMinor !== '0') {
      await this.options.deliveries.enqueue(dispute.opened.claimant, chargebackCreditDelivery(dispute), { correlationId: disputeId });
    }
    if (!dispute.creditQueued) {
      const context: CommandContext = { now: this.options.now(), actor: switchActor, correlationId: disputeId };
      await handleStreamCommand(
        this.options.store,
        disputeStreamName(disputeId),
        disputeDecider,
        { type: 'RecordChargebackCredit', data: { disputeId }, now: context.now },
        context,
      );
    }
    return this.require(disputeId);
  }

  /**
   * Decides and posts the chargeback once, or answers 'waiting' without writing while a refund of the payment is
   * PENDING: the chargeback is capped by the refunds held, and one that failed afterwards would give its amount back
   * to the payment but not to the claimant, who would then be charged back short (and the payer refunded nothing).
   */
  private async postChargeback(dispute: PresentDispute): Promise<'waiting' | 'attempted'> {
    const { disputeId, transferId, currency } = dispute.opened;
    const chargebackTransferId = chargebackTransferIdOf(disputeId);
    const index = await loadStream(this.options.store, transferDisputeIndexStreamName(transferId), indexDecider);
    const disputeStream = await loadStream(this.options.store, disputeStreamName(disputeId), disputeDecider);
    assert(disputeStream.revision !== null && index.revision !== null, `dispute ${disputeId} is filed on its transfer`);
    const takenBefore = index.state.taken.find((taken) => taken.disputeId === disputeId);
    const transfer = await this.loadTransfer(transferId);
    const refunds = await this.refunds.forChargeback(transferId);
    if (takenBefore === undefined && refunds.pendingCount > 0) return 'waiting';
    // The transfer's stream may not show a payer's reversal yet that its refunds stream does (it is written there first).
    const disputableMinor = refunds.payerReversed ? 0n : disputableOf(transfer, index.state, refunds.refundedMinor);
    const amountMinor =
      takenBefore === undefined ? minBigint(BigInt(dispute.opened.amountMinor), disputableMinor) : BigInt(takenBefore.amountMinor);
    const now = this.options.now();
    const context: CommandContext = { now, actor: switchActor, correlationId: disputeId };
    const posted: DisputeCommand = {
      type: 'RecordChargeback',
      data: { disputeId, chargebackTransferId, amountMinor: amountMinor.toString() },
      now,
    };
    const taken: ChargebackTaken = {
      type: 'ChargebackTaken',
      data: { transferId, disputeId, chargebackTransferId, amountMinor: amountMinor.toString(), at: now.toISOString() },
    };
    const disputeEvents = disputeDecider.decide(posted, disputeStream.state);
    if (amountMinor === 0n) {
      // Refunds and earlier chargebacks took everything: nothing moves, and the dispute says so.
      await this.appendOrRetry([
        { stream: disputeStreamName(disputeId), events: stampEvents(disputeEvents, context), expectedRevision: disputeStream.revision },
      ]);
      return 'attempted';
    }
    const ledger = this.options.ledgers(currency);
    assert(ledger !== undefined, `the switch carries ${currency}, the currency of dispute ${disputeId}`);
    // A retry of a chargeback the index holds already wrote its refunds write with it, in the same durable write.
    const refundsWrite =
      takenBefore === undefined
        ? refunds.chargebackWrite({ disputeId, amountMinor, chargedBackMinor: takenMinorOf(index.state) + amountMinor }, context)
        : null;
    try {
      const receipt = await ledger.submit(
        [
          {
            type: 'transfer',
            id: chargebackTransferId,
            ledger: ledger.ledger,
            debitAccountId: positionAccountId(dispute.opened.respondent),
            creditAccountId: positionAccountId(dispute.opened.claimant),
            amountMinor,
            code: 'CHARGEBACK',
            userData: { transferId, disputeId },
          },
        ],
        chargebackCompanions(
          {
            stream: transferDisputeIndexStreamName(transferId),
            revision: index.revision,
            events: takenBefore === undefined ? stampEvents([taken], context) : [],
          },
          { stream: disputeStreamName(disputeId), revision: disputeStream.revision, events: stampEvents(disputeEvents, context) },
          refundsWrite,
        ),
      );
      const result = receipt.results[0];
      if (result !== 'ok' && result !== 'exists')
        throw new DomainError('LEDGER_REFUSED', `the ledger refused chargeback ${chargebackTransferId}: ${result}`);
    } catch (error) {
      // Another dispute of the transfer took a chargeback meanwhile, or a refund held an amount: the caller decides
      // again on the new index and refunds.
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
    return 'attempted';
  }

  private async appendOrRetry(appends: Parameters<EventStore['appendMany']>[0]): Promise<void> {
    try {
      await this.options.store.appendMany(appends);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }

  private async apply(command: Exclude<DisputeCommand, { type: 'OpenDispute' }>, context: CommandContext): Promise<DisputeReceipt> {
    await this.require(command.data.disputeId);
    const result = await handleStreamCommand(
      this.options.store,
      disputeStreamName(command.data.disputeId),
      disputeDecider,
      command,
      context,
    );
    const dispute = result.state as PresentDispute;
    await this.afterChange(dispute, result.events);
    return { dispute: await this.require(command.data.disputeId), position: result.position };
  }

  /** What follows a durable change: the chargeback of a claimant win, and the merchant's webhooks. */
  private async afterChange(dispute: PresentDispute, events: readonly DisputeEvent[]): Promise<void> {
    if (events.some((event) => event.type === 'DisputeResolved')) await this.settleChargeback(dispute.opened.disputeId);
    await this.notifyMerchant(dispute.opened.disputeId);
  }

  /**
   * Sends the merchant of a P2M payment the dispute webhooks it has not been sent (opened; resolved, once a chargeback
   * due is posted), recording each after it is durable in the webhooks outbox. Safe to repeat: the sweeper calls it
   * for disputes a crash left unannounced, and the webhook's id derives from the dispute.
   */
  async notifyMerchant(disputeId: string): Promise<PresentDispute> {
    let dispute = await this.require(disputeId);
    if (dispute.opened.merchantId === null) return dispute;
    const changes: ('opened' | 'resolved')[] = [];
    if (!dispute.merchantNotified.opened) changes.push('opened');
    const settled = !dispute.chargebackDue || dispute.chargeback !== null;
    if (dispute.state === 'RESOLVED' && settled && !dispute.merchantNotified.resolved) changes.push('resolved');
    for (const change of changes) {
      await this.notifier.disputeChanged(dispute, change);
      const context: CommandContext = { now: this.options.now(), actor: switchActor, correlationId: disputeId };
      const command: DisputeCommand = { type: 'RecordMerchantNotified', data: { disputeId, change }, now: context.now };
      dispute = (await handleStreamCommand(this.options.store, disputeStreamName(disputeId), disputeDecider, command, context))
        .state as PresentDispute;
    }
    return dispute;
  }

  /** The transfer the claimant paid, by the id it knows it by (its own id, or the switch's); 404 for anyone else's. */
  private async claimedTransfer(claimant: string, transferId: string): Promise<Exclude<TransferState, { status: 'none' | 'initiated' }>> {
    let state = await this.loadTransfer(payerScopedTransferId(claimant, transferId));
    if (state.status === 'none') state = await this.loadTransfer(transferId);
    if (state.status === 'none' || state.initiated.payerParticipant !== claimant) {
      throw new DomainError('TRANSFER_NOT_FOUND', `participant ${claimant} paid no transfer ${transferId}`);
    }
    if (state.status === 'initiated') {
      throw new DomainError(
        'TRANSFER_NOT_COMMITTED',
        `transfer ${transferId} is IN_FLIGHT: a dispute is opened on a COMMITTED transfer, so claim once it has committed`,
        [{ path: ['transferId'], state: 'IN_FLIGHT' }],
      );
    }
    return state;
  }

  private async loadTransfer(transferId: string): Promise<TransferState> {
    return (await loadStream(this.options.store, transferStreamName(transferId), transferDecider)).state;
  }

  private async disputableMinor(transfer: TransferState, index: IndexState): Promise<bigint> {
    assert(transfer.status !== 'none', 'a disputed transfer exists');
    return disputableOf(transfer, index, await this.refunds.refundedMinor(transfer.initiated.transferId));
  }

  private async refuseOpenDuplicate(claim: DisputeClaim, index: IndexState): Promise<void> {
    if (index.filed.length >= disputeLimits.disputesPerTransferMax) {
      throw new DomainError(
        'DISPUTE_EXISTS',
        `transfer ${claim.transferId} has had ${disputeLimits.disputesPerTransferMax} disputes, the most one transfer takes`,
      );
    }
    for (const filed of index.filed) {
      if (filed.category !== claim.category) continue;
      // On a store that writes stream by stream, a crash can leave an index entry whose dispute was never written:
      // that claim does not exist, and its retry (same Idempotency-Key, same id) writes it.
      const other = await this.find(filed.disputeId);
      if (other !== null && other.state !== 'RESOLVED') {
        throw new DomainError(
          'DISPUTE_EXISTS',
          `dispute ${filed.disputeId} on transfer ${claim.transferId} for ${claim.category} is ${other.state}`,
          [{ path: ['transferId'], disputeId: filed.disputeId, state: other.state }],
        );
      }
    }
  }

  /** The rules issue 12 decides from the switch's own log at once, or null when the claim goes to the respondent. */
  private async openingRule(
    category: DisputeCategory,
    transfer: Exclude<TransferState, { status: 'none' | 'initiated' }>,
  ): Promise<OpeningRule | null> {
    const initiated = transfer.initiated;
    if (category === 'DEBITED_NOT_CREDITED' && transfer.status === 'aborted') {
      return {
        ground: 'RULE_ABORTED_TRANSFER',
        note: `${await this.ledgerRecordOfAbort(initiated)}; the transfer ABORTED (${transfer.reason}), so no money moved through the switch: ${initiated.payerParticipant} must re-credit its customer`,
      };
    }
    if (category === 'DUPLICATE' && transfer.status === 'committed') {
      const earlier = this.options.duplicates.findEarlierDuplicate(initiated, disputeLimits.duplicateWindowMs);
      if (earlier !== null) {
        return {
          ground: 'RULE_DUPLICATE',
          note: `transfer ${earlier}, committed earlier within 10 minutes from the same payer account to the same payee for the same amount, is the original: this one is the duplicate`,
        };
      }
    }
    return null;
  }

  private async ledgerRecordOfAbort(initiated: TransferInitiated['data']): Promise<string> {
    const ledger = this.options.ledgers(initiated.currency);
    const reservation = ledger === undefined ? undefined : await ledger.lookupTransfer(initiated.transferId);
    if (reservation === undefined) return `the ledger holds no reservation for transfer ${initiated.transferId}`;
    if (reservation.pendingStatus === 'voided')
      return `the ledger voided reservation ${initiated.transferId} (${initiated.transferId}:void)`;
    if (reservation.pendingStatus === 'expired') return `the ledger's reservation ${initiated.transferId} expired unposted`;
    return `the ledger's reservation ${initiated.transferId} was never posted`;
  }
}

/**
 * A claim is opened on money that moved: on a transfer that did not commit nobody received anything, so a claim on it
 * would run to its deadline and count a missed deadline against a respondent with nothing to answer for. The one
 * claim on an aborted transfer is DEBITED_NOT_CREDITED, which the ledger's record decides at once (openingRule).
 */
function refuseUnlessMoneyMoved(claim: DisputeClaim, transfer: Exclude<TransferState, { status: 'none' | 'initiated' }>): void {
  if (transfer.status === 'committed') return;
  if (claim.category === 'DEBITED_NOT_CREDITED') return;
  throw new DomainError(
    'TRANSFER_NOT_COMMITTED',
    `transfer ${claim.transferId} is ABORTED: no money moved, so there is nothing to dispute as ${claim.category}; ` +
      'a dispute is opened on a COMMITTED transfer (an ABORTED one only as DEBITED_NOT_CREDITED)',
    [{ path: ['transferId'], state: 'ABORTED' }],
  );
}

/** The dispute id an opening request's idempotency reference names. */
export function disputeIdOf(reference: string): string {
  return `dp_${createHash('sha256').update(`dispute\n${reference}`, 'utf8').digest('hex').slice(0, 24)}`;
}

/**
 * The claimant's credit: the credit body of a payee message with the chargeback's own id as `transferId`, the
 * original payer as `payee` (the customer who gets the money back), plus `disputeId`; delivered like an advice.
 */
export function chargebackCreditDelivery(dispute: PresentDispute): Delivery {
  assert(dispute.chargeback !== null, 'a chargeback credit follows its chargeback');
  const message = creditMessagePayload({
    transferId: dispute.chargeback.transferId,
    amount: formatAmount(BigInt(dispute.chargeback.amountMinor), dispute.opened.currency),
    currency: dispute.opened.currency,
    payee: dispute.opened.payer,
    payer: { participant: dispute.opened.respondent },
  });
  return {
    deliveryId: `CHARGEBACK_CREDIT:${dispute.chargeback.transferId}`,
    kind: 'CREDIT_ADVICE',
    destination: dispute.opened.claimant,
    payload: { ...message, disputeId: dispute.opened.disputeId },
  };
}

/** The amount minus refunds minus chargebacks taken; an aborted transfer's whole amount; nothing of a reversed one. */
function disputableOf(transfer: TransferState, index: IndexState, refundedMinor: bigint): bigint {
  assert(transfer.status !== 'none', 'a disputed transfer exists');
  const amountMinor = BigInt(transfer.initiated.amountMinor);
  if (transfer.status === 'aborted') return amountMinor;
  if (transfer.status === 'committed' && transfer.reversed) return 0n;
  const remaining = amountMinor - refundedMinor - takenMinorOf(index);
  return remaining > 0n ? remaining : 0n;
}

function minBigint(left: bigint, right: bigint): bigint {
  return left < right ? left : right;
}

function actorOf(context: CommandContext): string {
  return context.actor ?? 'anonymous';
}

/**
 * What rides with a chargeback's ledger transfer, written only when it moved money: the transfer's dispute index
 * (the chargeback taken, unless taken before) and the dispute's own record of it. Both expect the revisions read
 * before deciding, so a concurrent chargeback on the same transfer makes this one decide again.
 */
function chargebackCompanions(
  index: { stream: string; revision: bigint; events: NewEvent[] },
  dispute: { stream: string; revision: bigint; events: NewEvent[] },
  refunds: StreamAppend | null,
): CompanionAppend[] {
  const appends: StreamAppend[] = [index, dispute].map(({ stream, revision, events }) => ({ stream, expectedRevision: revision, events }));
  if (refunds !== null) appends.push(refunds);
  return appends.map(afterLedgerWrite);
}
