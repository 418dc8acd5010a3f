import { assert } from '../assert';
import { canonicalJson } from '../idempotency/request-fingerprint';
import { createHash } from 'node:crypto';
import type { Account } from '../directory/account';
import { isAliasType, parseAliasKey } from '../directory/alias-key';
import type { DirectoryReader } from '../directory/directory-reader';
import type { ResolvedPayee } from '../directory/resolve-payee';
import { handleStreamCommand, loadStream, stampEvents, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore, StreamAppend } from '../eventstore/event-store';
import { WrongExpectedRevisionError } from '../eventstore/expected-revision';
import { DomainError, isDomainError } from '../errors';
import { derivedUuid } from '../idempotency/idempotency-key';
import { newId } from '../ids';
import { formatAmount, parseAmount } from '../money';
import { transferDecider, type TransferState } from '../transfers/transfer-decider';
import { transferStreamName } from '../transfers/transfer-events';
import { refundPurpose, type TransferRequest } from '../transfers/transfer-request';
import type { TransferExecution } from '../transfers/transfer-service';
import type { TransferIdScope } from '../transfers/transfer-id';
import type { CheckoutService } from './checkout-service';
import type { MerchantRecord } from './merchant-reader';
import {
  decideHold,
  paymentRefundsDecider,
  refundDecider,
  refundedMinorOf,
  type RefundCommand,
  type PaymentRefundsState,
  type RefundState,
  type RefundStatus,
} from './refund-decider';
import {
  paymentRefundsStreamName,
  refundIdOf,
  refundIdPattern,
  refundStreamName,
  type PaymentChargedBack,
  type RefundRequested,
} from './refund-events';

/** A refund as the merchant asks for it (POST /v1/refunds), validated for shape at the edge. */
export type RefundRequest = { sessionId: string; amount: string; reason?: string | undefined };

/** A refund as the API shows it. `PENDING` only while its transfer is still in flight (see the README). */
export type RefundView = {
  id: string;
  sessionId: string;
  transferId: string;
  amount: string;
  currency: string;
  status: RefundStatus;
  failureReason: string | null;
  reason: string | null;
  createdAt: string;
};

export type CreatedRefund = { refund: RefundView; merchantId: string; created: boolean };

/** The transfer service as refunds use it: an ordinary execution, with the payee given rather than resolved. */
export type RefundTransfers = {
  execute(
    payerParticipantId: string,
    request: TransferRequest,
    channel: string,
    idScope: TransferIdScope,
    resolvedPayee?: ResolvedPayee,
  ): Promise<TransferExecution>;
};

/** Where a refund's outcome is told to its merchant (refund.succeeded, refund.failed); resolves once durable. */
export type RefundNotifier = (merchantId: string, refund: RefundView) => Promise<void>;

/**
 * The amount refunded on a payment (a P2M transfer): the refunds that did not fail, pending ones included. The
 * port the dispute module caps chargebacks with, so that a payment is never given back twice.
 */
export interface RefundedAmountReader {
  refundedMinor(paymentTransferId: string): Promise<bigint>;
  forChargeback(paymentTransferId: string): Promise<RefundsForChargeback>;
}

/** The refunds of a payment as a chargeback reads them, and the write that records the chargeback against them. */
export type RefundsForChargeback = {
  refundedMinor: bigint;
  /**
   * How many of the refunds held are still PENDING: each may yet fail and give its amount back, so a chargeback
   * capped by it now would stay short of what the claimant won once it did.
   */
  pendingCount: number;
  /** Whether the payer's bank reversed the payment in full (ISO 8583 0420): a chargeback then takes nothing. */
  payerReversed: boolean;
  /**
   * The chargeback's write to the payment's refunds stream, for the chargeback's own durable write: it expects the
   * stream as read here, so that a refund held since makes the chargeback decide again on the new amount.
   */
  chargebackWrite(chargeback: { disputeId: string; amountMinor: bigint; chargedBackMinor: bigint }, context: CommandContext): StreamAppend;
};

/**
 * What chargebacks (issue 12) have taken of a payment: a refund is capped by them as a chargeback is capped by the
 * refunds, so that the refunds and chargebacks of a payment never add up to more than was paid.
 */
export interface ChargedBackAmounts {
  chargedBackMinor(paymentTransferId: string): Promise<bigint>;
}

/** Without disputes nothing is ever charged back. */
const noChargebacks: ChargedBackAmounts = { chargedBackMinor: () => Promise.resolve(0n) };

/** How often a refund that lost the race for its payment's refunds stream decides again on the new state. */
const holdAttemptsMax = 200;
export const refundReasonLengthMax = 500;

/**
 * Refunds of paid checkout sessions (issue 11). A refund holds its amount against the payment in the same write as
 * its request (expecting the payment's refunds stream at the revision it decided on, so that concurrent refunds
 * never add up to more than was paid), then moves the money back as a transfer, purpose REFUND, from the acquirer to
 * the payer's participant, credited to the payer's own account through that participant's adapter. The outcome is
 * durable before it is answered or told by webhook; a failed refund gives its amount back.
 */
export class RefundService implements RefundedAmountReader {
  /** Refunds of one payment decided here one after another, so that they do not race each other for its stream. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dependencies: {
      store: EventStore;
      checkout: CheckoutService;
      directory: DirectoryReader;
      transfers: RefundTransfers;
      now: () => Date;
      notify?: RefundNotifier;
      chargebacks?: ChargedBackAmounts;
    },
  ) {}

  async create(merchant: MerchantRecord, request: RefundRequest, idempotencyKey: string, context: CommandContext): Promise<CreatedRefund> {
    const refundId = refundIdOf(merchant.id, idempotencyKey);
    const requestDigest = createHash('sha256').update(canonicalJson(request), 'utf8').digest('hex');
    const existing = await this.loadRefund(refundId);
    if (existing.status !== 'absent') return this.retried(existing, requestDigest, merchant.id);
    const session = await this.dependencies.checkout.find(request.sessionId);
    if (session === null || session.created.merchantId !== merchant.id) {
      throw new DomainError('SESSION_NOT_FOUND', `checkout session ${request.sessionId} does not exist`);
    }
    if (session.recorded !== 'COMPLETED' || session.transferId === null) {
      throw new DomainError(
        'SESSION_NOT_PAID',
        `checkout session ${request.sessionId} is not paid (it is not COMPLETED): there is nothing to refund`,
      );
    }
    const amountMinor = parseAmount(request.amount, session.created.currency);
    if (amountMinor <= 0n) throw new DomainError('INVALID_AMOUNT', 'a refund is of a positive amount', [{ path: ['amount'] }]);
    const paymentTransferId = session.transferId;
    const payment = await this.loadTransfer(paymentTransferId);
    if (payment.status !== 'committed') {
      throw new DomainError('SESSION_NOT_PAID', `the payment of checkout session ${request.sessionId} is not committed`);
    }
    // The payer's bank took a reversed payment back already (an ISO 8583 0420): refunding it would pay twice.
    if (payment.reversed) {
      throw new DomainError(
        'SESSION_NOT_PAID',
        `the payment of checkout session ${request.sessionId} was reversed: nothing is left to refund`,
      );
    }
    const requested: RefundRequested['data'] = {
      refundId,
      merchantId: merchant.id,
      sessionId: request.sessionId,
      paymentTransferId,
      transferId: derivedUuid('refund', refundId),
      amountMinor: amountMinor.toString(),
      currency: session.created.currency,
      reason: request.reason ?? null,
      requestDigest,
      at: context.now.toISOString(),
    };
    const created = await this.serially(paymentTransferId, () => this.request(requested, BigInt(payment.initiated.amountMinor), context));
    if (!created) return this.retried(await this.loadRefund(refundId), requestDigest, merchant.id);
    const refund = await this.finish(await this.loadRefund(refundId));
    return { refund, merchantId: merchant.id, created: true };
  }

  /** The refund, for its own merchant only (another's reads as absent); a pending one is finished from its transfer's record. */
  async find(refundId: string, merchantId: string | null): Promise<RefundView | null> {
    if (!refundIdPattern.test(refundId)) return null;
    const state = await this.loadRefund(refundId);
    if (state.status === 'absent') return null;
    if (merchantId !== null && state.requested.merchantId !== merchantId) return null;
    if (state.status !== 'PENDING') return refundView(state);
    const transfer = await this.loadTransfer(state.requested.transferId);
    // Still running (or not started, by a request that stopped): the merchant's retry with its key finishes it.
    if (transfer.status === 'none' || transfer.status === 'initiated') return refundView(state);
    return this.record(state, outcomeOf(transfer));
  }

  /**
   * Finishes a refund a stopped process left PENDING (the sweeper calls it): runs its transfer if it never started
   * (the transfer's id derives from the refund's, so a concurrent retry runs the same transfer once) or records how
   * the transfer ended, and tells the merchant. Refunds younger than `minAgeMs` are left to the request running them.
   */
  async resume(refundId: string, minAgeMs: number): Promise<RefundView | null> {
    const state = await this.loadRefund(refundId);
    if (state.status !== 'PENDING') return state.status === 'absent' ? null : refundView(state);
    if (this.dependencies.now().getTime() - Date.parse(state.requested.at) < minAgeMs) return refundView(state);
    return this.finish(state);
  }

  private chargedBackMinor(paymentTransferId: string): Promise<bigint> {
    return (this.dependencies.chargebacks ?? noChargebacks).chargedBackMinor(paymentTransferId);
  }

  async forChargeback(paymentTransferId: string): Promise<RefundsForChargeback> {
    const stream = paymentRefundsStreamName(paymentTransferId);
    const loaded = await loadStream(this.dependencies.store, stream, paymentRefundsDecider);
    const held = await heldRefunds(this.dependencies.store, loaded.state);
    const pendingCount = held.filter((refund) => refund.status === 'PENDING').length;
    return {
      refundedMinor: refundedMinorOf(loaded.state),
      pendingCount,
      payerReversed: loaded.state.reversedByPayer,
      chargebackWrite: ({ disputeId, amountMinor, chargedBackMinor }, context) => {
        assert(amountMinor > 0n && chargedBackMinor >= amountMinor, 'a chargeback takes a positive amount, counted in the total');
        const at = context.now.toISOString();
        const event: PaymentChargedBack = {
          type: 'PaymentChargedBack',
          data: { paymentTransferId, disputeId, amountMinor: amountMinor.toString(), chargedBackMinor: chargedBackMinor.toString(), at },
        };
        return {
          stream,
          expectedRevision: loaded.revision ?? 'no_stream',
          events: stampEvents([event], context),
        };
      },
    };
  }

  async refundedMinor(paymentTransferId: string): Promise<bigint> {
    const { state } = await loadStream(this.dependencies.store, paymentRefundsStreamName(paymentTransferId), paymentRefundsDecider);
    return refundedMinorOf(state);
  }

  /**
   * Writes the request and its hold in one append: false when the key's refund exists already (a concurrent request
   * with the same key). Throws REFUND_EXCEEDS_PAYMENT, writing nothing, when the hold would exceed the payment.
   */
  private async request(requested: RefundRequested['data'], paidMinor: bigint, context: CommandContext): Promise<boolean> {
    const { now: _now, ...metadataBase } = context;
    const metadata = { ...metadataBase, at: context.now.toISOString() };
    const paymentStream = paymentRefundsStreamName(requested.paymentTransferId);
    for (let attempt = 1; attempt <= holdAttemptsMax; attempt += 1) {
      const loaded = await loadStream(this.dependencies.store, paymentStream, paymentRefundsDecider);
      const hold = decideHold(loaded.state, {
        refundId: requested.refundId,
        paymentTransferId: requested.paymentTransferId,
        amountMinor: BigInt(requested.amountMinor),
        paidMinor,
        chargedBackMinor: await this.chargedBackMinor(requested.paymentTransferId),
        currency: requested.currency,
        at: requested.at,
      });
      try {
        // The refund first: on a store that writes stream by stream, a refund without its hold is held by `finish`.
        await this.dependencies.store.appendMany([
          {
            stream: refundStreamName(requested.refundId),
            events: [{ id: newId(), type: 'RefundRequested', data: requested, metadata }],
            expectedRevision: 'no_stream',
          },
          {
            stream: paymentStream,
            events: hold.map((event) => ({ id: newId(), type: event.type, data: event.data, metadata })),
            expectedRevision: loaded.revision === null ? 'no_stream' : loaded.revision,
          },
        ]);
        return true;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if ((await this.loadRefund(requested.refundId)).status !== 'absent') return false;
      }
    }
    throw new DomainError('CONCURRENT_UPDATE', `refunds of payment ${requested.paymentTransferId} kept racing; retry this one`);
  }

  /** Holds the amount if the request's write did not (a store that writes stream by stream), runs the transfer, records the outcome. */
  private async finish(state: RefundState): Promise<RefundView> {
    if (state.status !== 'PENDING') return this.told(state);
    const requested = state.requested;
    const payment = await this.loadTransfer(requested.paymentTransferId);
    if (payment.status === 'none')
      throw new Error(`refund ${requested.refundId} is of payment ${requested.paymentTransferId}, which does not exist`);
    const context: CommandContext = { now: this.dependencies.now(), actor: 'switch:refunds', correlationId: requested.refundId };
    try {
      await this.serially(requested.paymentTransferId, async () =>
        handleStreamCommand(
          this.dependencies.store,
          paymentRefundsStreamName(requested.paymentTransferId),
          paymentRefundsDecider,
          {
            type: 'HoldRefundAmount',
            data: {
              refundId: requested.refundId,
              paymentTransferId: requested.paymentTransferId,
              amountMinor: BigInt(requested.amountMinor),
              paidMinor: BigInt(payment.initiated.amountMinor),
              chargedBackMinor: await this.chargedBackMinor(requested.paymentTransferId),
              currency: requested.currency,
            },
            now: context.now,
          },
          context,
        ),
      );
    } catch (error) {
      // SESSION_NOT_PAID: the payer's bank reversed the payment since the request was written.
      const refused = ['REFUND_EXCEEDS_PAYMENT', 'REFUND_LIMIT_REACHED', 'SESSION_NOT_PAID'] as const;
      if (isDomainError(error) && (refused as readonly string[]).includes(error.code))
        return this.record(state, { failureReason: error.code });
      throw error;
    }
    const initiated = payment.initiated;
    const request: TransferRequest = {
      id: requested.transferId,
      payer: { type: 'MERCHANT', value: requested.merchantId },
      payee: { type: initiated.payer.type, value: initiated.payer.value },
      amount: formatAmount(BigInt(requested.amountMinor), requested.currency),
      currency: requested.currency,
      purpose: refundPurpose,
      note: `refund ${requested.refundId} of checkout session ${requested.sessionId}`,
    };
    const payee: ResolvedPayee = {
      participantId: initiated.payerParticipant,
      account: this.payerAccountOf(initiated.payer, initiated.payerParticipant),
      name: initiated.payer.name ?? null,
    };
    let execution: TransferExecution;
    try {
      execution = await this.dependencies.transfers.execute(initiated.payeeParticipant, request, 'gateway', 'switch', payee);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      // Recorded but unfinished: the transfer's sweeper finishes it, and the next read of the refund records how.
      if (error.code === 'TRANSFER_IN_FLIGHT') return refundView(state);
      // Refused before anything was recorded (the acquirer deactivated, the ledger overloaded): the refund fails.
      return this.record(state, { failureReason: error.code });
    }
    if (execution.view.state === 'IN_FLIGHT') return refundView(state);
    return this.record(
      state,
      execution.view.state === 'COMMITTED' ? { failureReason: null } : { failureReason: execution.view.abortReason ?? 'ABORTED' },
    );
  }

  /**
   * The account the payment came from, at the participant it came from: an account reference as it is, an alias as the
   * directory holds it for that participant, otherwise the alias's value as that participant's wallet number.
   */
  private payerAccountOf(payer: { type: string; value: string }, payerParticipant: string): Account {
    if (payer.type === 'IBAN' || payer.type === 'WALLET') return { type: payer.type, value: payer.value };
    if (isAliasType(payer.type)) {
      const alias = this.dependencies.directory.findAlias(parseAliasKey(payer.type, payer.value));
      if (alias !== null && alias.participantId === payerParticipant) return alias.account;
    }
    return { type: 'WALLET', value: payer.value.replace(/[^A-Za-z0-9]/g, '') };
  }

  /** Writes the outcome (a failure gives its amount back in the same write), then tells the merchant. */
  private async record(state: RefundState, outcome: { failureReason: string | null }): Promise<RefundView> {
    if (state.status !== 'PENDING') return this.told(state);
    const requested = state.requested;
    const now = this.dependencies.now();
    const command: RefundCommand =
      outcome.failureReason === null
        ? { type: 'SucceedRefund', data: { refundId: requested.refundId }, now }
        : { type: 'FailRefund', data: { refundId: requested.refundId, failureReason: outcome.failureReason }, now };
    const events = refundDecider.decide(command, state);
    const metadata = { actor: 'switch:refunds', correlationId: requested.refundId, at: now.toISOString() };
    const appends: StreamAppend[] = [
      {
        stream: refundStreamName(requested.refundId),
        events: events.map((event) => ({ id: newId(), type: event.type, data: event.data, metadata })),
        expectedRevision: 0n,
      },
    ];
    if (outcome.failureReason !== null) {
      appends.push({
        stream: paymentRefundsStreamName(requested.paymentTransferId),
        events: [
          {
            id: newId(),
            type: 'RefundAmountReleased',
            data: { refundId: requested.refundId, paymentTransferId: requested.paymentTransferId, at: now.toISOString() },
            metadata,
          },
        ],
        expectedRevision: 'any',
      });
    }
    try {
      await this.dependencies.store.appendMany(appends);
    } catch (error) {
      // Another request recorded the outcome first (a retry, a read): it stands.
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
    return this.told(await this.loadRefund(requested.refundId));
  }

  /**
   * Tells the merchant a refund's outcome, which is durable by now. Publishing is idempotent (the webhook's id derives
   * from the refund's), so a retried request publishes again what a crash after the outcome may have left untold.
   */
  private async told(state: RefundState): Promise<RefundView> {
    const view = refundView(state);
    if (state.status !== 'absent' && view.status !== 'PENDING') await this.dependencies.notify?.(state.requested.merchantId, view);
    return view;
  }

  private async retried(state: RefundState, requestDigest: string, merchantId: string): Promise<CreatedRefund> {
    if (state.status === 'absent') throw new Error('a retried refund exists');
    if (state.requested.requestDigest !== requestDigest || state.requested.merchantId !== merchantId) {
      throw new DomainError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key created a refund with a different request');
    }
    return { refund: await this.finish(state), merchantId, created: false };
  }

  private async loadRefund(refundId: string): Promise<RefundState> {
    return (await loadStream(this.dependencies.store, refundStreamName(refundId), refundDecider)).state;
  }

  private async loadTransfer(transferId: string): Promise<TransferState> {
    return (await loadStream(this.dependencies.store, transferStreamName(transferId), transferDecider)).state;
  }

  /** Runs `work` after every earlier one for the same payment in this process has settled. */
  private async serially<Result>(key: string, work: () => Promise<Result>): Promise<Result> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const running = previous.catch(() => undefined).then(work);
    this.queues.set(key, running);
    try {
      return await running;
    } finally {
      if (this.queues.get(key) === running) this.queues.delete(key);
    }
  }
}

function outcomeOf(transfer: TransferState): { failureReason: string | null } {
  if (transfer.status === 'committed') return { failureReason: null };
  if (transfer.status === 'aborted') return { failureReason: transfer.reason };
  throw new Error('the outcome of a transfer that has not ended');
}

export function refundView(state: RefundState): RefundView {
  if (state.status === 'absent') throw new Error('a view is made of a refund that exists');
  const requested = state.requested;
  return {
    id: requested.refundId,
    sessionId: requested.sessionId,
    transferId: requested.transferId,
    amount: formatAmount(BigInt(requested.amountMinor), requested.currency),
    currency: requested.currency,
    status: state.status,
    failureReason: state.failureReason,
    reason: requested.reason,
    createdAt: requested.at,
  };
}

/** A refund a payment's refunds stream holds an amount for, with its status as the refund's own stream has it now. */
export type HeldRefund = { refundId: string; amountMinor: bigint; status: RefundState['status'] };

/**
 * The refunds that hold an amount of a payment, each read from its own stream: the refunds stream says what is held,
 * the refund's stream whether it has succeeded, failed (its release may not be written yet) or is still pending. At
 * most refundsPerPaymentMax reads: a payment's held refunds are bounded by it.
 */
export async function heldRefunds(store: EventStore, state: PaymentRefundsState): Promise<HeldRefund[]> {
  const held: HeldRefund[] = [];
  for (const [refundId, amountMinor] of state.held) {
    const refund = await loadStream(store, refundStreamName(refundId), refundDecider);
    held.push({ refundId, amountMinor, status: refund.state.status });
  }
  return held;
}
