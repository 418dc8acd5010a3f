import { assert, assertNever } from '../assert';
import { handleStreamCommand, loadStream, type CommandContext } from '../eventstore/decider-stream';
import type { NewEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { WrongExpectedRevisionError } from '../eventstore/expected-revision';
import { DomainError, isDomainError } from '../errors';
import { newId } from '../ids';
import type { DirectoryReader } from '../directory/directory-reader';
import { requirePayerOwned } from '../directory/payer-ownership';
import { isPayeeNotFound, resolvePayee, type ResolvedPayee } from '../directory/resolve-payee';
import type { LedgerCommand } from '../ledger/commands';
import type { LedgerEngine } from '../ledger/ledger-engine';
import type { CompanionAppend } from '../ledger/ledger-engine-contract';
import type { LedgerResultCode } from '../ledger/result-codes';
import { formatAmount, parseAmount } from '../money';
import { creditAdviceDelivery, reversalDelivery } from '../outbox/payee-deliveries';
import { positionAccountId } from '../participants/participant-accounts';
import type { ParticipantReader, ParticipantRecord } from '../participants/participant-reader';
import type { CreditOutcome, PayeeCreditMessage, PayeeCreditPort } from '../payee-port';
import { transferDecider, type TransferCommand, type TransferState } from './transfer-decider';
import type { AbortReason, TransferEvent, TransferInitiated } from './transfer-events';
import { abortReasons, transferStreamName } from './transfer-events';
import type { MerchantPaymentFields, MerchantPaymentPort } from './merchant-payment-port';
import type { PayeeDeliveryQueue, TransferObserver } from './transfer-ports';
import { requestDigest, type TransferRequest } from './transfer-request';
import { payerScopedTransferId, type TransferIdScope } from './transfer-id';
import { clientTransferIdOf, transferView, type TransferView } from './transfer-view';

export type TransferServiceOptions = {
  store: EventStore;
  /** The ledger engine of a currency, or undefined when the switch does not carry it. */
  ledgers: (currency: string) => LedgerEngine | undefined;
  participants: ParticipantReader;
  directory: DirectoryReader;
  payees: PayeeCreditPort;
  deliveries: PayeeDeliveryQueue;
  now: () => Date;
  /** How long the payee has to answer a credit request. Default 10 s. */
  payeeDeadlineMs?: number;
  observer?: TransferObserver;
  /** Payments to merchants and their checkout sessions (the gateway); absent, a P2M is paid like any transfer. */
  merchantPayments?: MerchantPaymentPort;
};

export const transferLimits = {
  payeeDeadlineMsDefault: 10_000,
  payeeDeadlineMsMax: 60_000,
  /**
   * The reservation outlives the payee's deadline by this much. It is only a backstop: the service voids or
   * posts it itself; expiry releases the cap if the switch dies and is not restarted.
   */
  reservationGraceMs: 60_000,
  /**
   * How long a duplicate waits for an original that this process is not executing: one that is just being
   * started by a concurrent request, or one stuck until the sweeper finishes it. A duplicate of an original
   * this process is executing waits for it instead (bounded by the payee deadline).
   */
  duplicateWaitMsMax: 2_000,
  duplicatePollMs: 25,
} as const;

export type TransferExecution = { view: TransferView; replayed: boolean };

/**
 * Orchestrates a payment between two participants (docs/ARCHITECTURE.md section 5): validate, resolve the payee, reserve
 * on the payer's position against its net debit cap, ask the payee to credit (or advise it), then commit or
 * abort. Every step that moves money is durable before the next begins, and `recover` finishes whatever a
 * crash interrupted, so no transfer stays in flight past its deadline once the switch runs.
 */
export class TransferService {
  private readonly options: TransferServiceOptions;
  private readonly payeeDeadlineMs: number;
  /** Transfers this process is executing: a concurrent duplicate waits on the original instead of polling. */
  private readonly inFlight = new Map<string, Promise<TransferView>>();

  constructor(options: TransferServiceOptions) {
    this.options = options;
    this.payeeDeadlineMs = options.payeeDeadlineMs ?? transferLimits.payeeDeadlineMsDefault;
    assert(
      Number.isSafeInteger(this.payeeDeadlineMs) && this.payeeDeadlineMs > 0 && this.payeeDeadlineMs <= transferLimits.payeeDeadlineMsMax,
      'the payee deadline is a positive whole number of milliseconds within the maximum',
    );
  }

  /**
   * Executes a payer participant's request. Bad input and an unresolvable payee throw a DomainError and
   * record nothing; a transfer that cannot complete is recorded ABORTED with its reason. `idScope` says whether
   * the request's id is the payer's own (keyed by payer and id) or unique across the switch (transfer-id.ts).
   */
  async execute(
    payerParticipantId: string,
    request: TransferRequest,
    channel: string,
    idScope: TransferIdScope,
  ): Promise<TransferExecution> {
    const amountMinor = parseAmount(request.amount, request.currency);
    const digest = requestDigest(request);
    const transferId = idScope === 'payer' ? payerScopedTransferId(payerParticipantId, request.id) : request.id;
    const existing = await this.loadRequested(transferId, request.id, payerParticipantId, idScope);
    if (existing.status !== 'none') return { view: await this.replay(existing, payerParticipantId, digest), replayed: true };
    const payer = this.requireActivePayer(payerParticipantId, request.currency);
    requirePayerOwned(request.payer, payer.id, { directory: this.options.directory, participants: this.options.participants });
    const payee = this.resolvePayeeOf(request, payer);
    const merchantPayment = (await this.options.merchantPayments?.check(request)) ?? null;
    const initiated = withMerchant(
      this.initiation(transferId, idScope, request, payer, payee, amountMinor, digest, channel),
      merchantPayment,
    );
    const concurrent = this.inFlight.get(transferId);
    if (concurrent !== undefined) {
      // The same request is being executed here already: wait for it, then answer as a replay (digest checked). If
      // it failed before anything was recorded, this request is executed afresh below.
      await concurrent.catch(() => undefined);
      const after = await this.load(transferId);
      if (after.status !== 'none') return { view: await this.replay(after, payerParticipantId, digest), replayed: true };
    }
    // TransferInitiated is written in the same durable write as the reservation (or, when the payee is inactive, on
    // its own). Before it is durable a failure refuses the request; after it, the transfer is recorded, and a
    // failure to finish it now is not a refusal: the sweeper (or recovery) finishes it from the ledger's record,
    // so the caller is told to ask again.
    let recorded = false;
    const running = this.run(initiated, () => (recorded = true));
    this.inFlight.set(transferId, running);
    try {
      return { view: await running, replayed: false };
    } catch (error) {
      if (recorded) throw isDomainError(error) ? unfinished(request.id, error) : error;
      if (!isInitiationRace(error)) throw error;
      this.inFlight.delete(transferId);
      return { view: await this.replay(await this.load(transferId), payerParticipantId, digest), replayed: true };
    } finally {
      if (this.inFlight.get(transferId) === running) this.inFlight.delete(transferId);
    }
  }

  /** Whether this process is executing the transfer now (the sweeper leaves those alone). */
  isExecuting(transferId: string): boolean {
    return this.inFlight.has(transferId);
  }

  /**
   * The transfer a payer's request with this id names, if it exists: keyed by (payer, id) for a payer-scoped id,
   * or, for one recorded before ids were scoped per payer, by the id itself when this payer recorded it. A
   * transfer another participant recorded under the same id is not this payer's, and is never found here.
   */
  private async loadRequested(
    transferId: string,
    requestedId: string,
    payerParticipantId: string,
    idScope: TransferIdScope,
  ): Promise<TransferState> {
    const state = await this.load(transferId);
    if (state.status !== 'none' || idScope === 'switch') return state;
    const recordedBefore = await this.load(requestedId);
    const isThisPayersOwn =
      recordedBefore.status !== 'none' &&
      recordedBefore.initiated.payerParticipant === payerParticipantId &&
      recordedBefore.initiated.clientTransferId === undefined;
    return isThisPayersOwn ? recordedBefore : state;
  }

  /** The transfer as its stream holds it, or null; `transferId` is the switch's id (`switchTransferId`). */
  async find(transferId: string): Promise<TransferView | null> {
    const state = await this.load(transferId);
    return state.status === 'none' ? null : transferView(state);
  }

  /**
   * Finishes transfers a crash left in flight, from what the ledger recorded: a posted reservation commits
   * (and its advice is queued again, idempotently); anything else aborts, with a reversal to the payee when it
   * may have been asked to credit.
   */
  async recover(transferId: string): Promise<TransferView> {
    const state = await this.load(transferId);
    assert(state.status !== 'none', `recovery is asked for transfer ${transferId}, which exists`);
    if (state.status !== 'initiated') return transferView(state);
    const initiated = state.initiated;
    const ledger = this.ledgerOf(initiated.currency);
    const reservation = await ledger.lookupTransfer(initiated.transferId);
    if (reservation === undefined) return this.abort(initiated, 'SWITCH_RESTARTED', 'the switch stopped before the reservation', false);
    if (reservation.pendingStatus === 'posted') return this.commitPosted(initiated);
    if (reservation.pendingStatus === 'pending') await this.voidReservation(initiated, 'SWITCH_RESTARTED');
    const voided = await ledger.lookupTransfer(voidId(initiated.transferId));
    const reason = reservationAbortReason(voided?.userData ?? null);
    const needsReversal = initiated.creditMode === 'REQUEST' && reason !== 'PAYEE_REJECTED' && reason !== 'PAYEE_UNAVAILABLE';
    if (needsReversal) await this.queueReversal(initiated, reason);
    return this.abort(initiated, reason, 'finished by recovery after a restart', needsReversal);
  }

  /**
   * The payer's participant gave up on a transfer (an ISO 8583 0420 from its bank). A transfer still in flight is
   * let finish first (its outcome is bounded by the payee deadline); a committed one is undone by a compensating
   * REVERSAL on the ledger (never refused for a limit), the payee is sent a reversal store-and-forward, and the
   * transfer then reads `reversed: true`. Every step has a fixed id, so a repeated 0420 repeats nothing.
   * Null when the payer never sent such a transfer.
   */
  async reverseForPayer(transferId: string, payerParticipantId: string, reason: string): Promise<TransferView | null> {
    let state = await this.load(transferId);
    if (state.status === 'none' || state.initiated.payerParticipant !== payerParticipantId) return null;
    if (state.status === 'initiated') {
      await this.awaitCompletion(transferId);
      state = await this.load(transferId);
    }
    if (state.status !== 'committed' || state.reversed) return transferView(state);
    const initiated = state.initiated;
    const ledger = this.ledgerOf(initiated.currency);
    const receipt = await ledger.submit([
      {
        type: 'transfer',
        id: `${transferId}:reversal`,
        ledger: ledger.ledger,
        debitAccountId: positionAccountId(initiated.payeeParticipant),
        creditAccountId: positionAccountId(initiated.payerParticipant),
        amountMinor: BigInt(initiated.amountMinor),
        code: 'REVERSAL',
        userData: { transferId, reason: 'PAYER_REVERSED' },
      },
    ]);
    const result = onlyResult(receipt.results);
    if (result !== 'ok' && result !== 'exists')
      throw new DomainError('LEDGER_REFUSED', `the ledger refused the reversal of ${transferId}: ${result}`);
    await this.queueReversal(initiated, 'PAYER_REVERSED');
    const command: TransferCommand = {
      type: 'ReverseTransfer',
      data: { transferId, reason: reason.slice(0, 100) },
      now: this.options.now(),
    };
    return transferView(await this.apply(command, transferId));
  }

  private async run(initiated: TransferInitiated['data'], onRecorded: () => void): Promise<TransferView> {
    const startedAtMs = this.options.now().getTime();
    const view = await this.complete(initiated, onRecorded);
    this.options.observer?.onCompleted?.({
      state: view.state === 'COMMITTED' ? 'COMMITTED' : 'ABORTED',
      abortReason: view.abortReason,
      durationMs: this.options.now().getTime() - startedAtMs,
    });
    return view;
  }

  /**
   * Durable writes before the answer (README, "Durable writes per payment"): REQUEST accepted makes two, the
   * reservation with TransferInitiated and the post with TransferCommitted; a refused reservation one; ADVICE three
   * (reservation, post and TransferInitiated together; the advice in the outbox; TransferCommitted).
   */
  private async complete(initiated: TransferInitiated['data'], onRecorded: () => void): Promise<TransferView> {
    const payee = this.options.participants.findParticipant(initiated.payeeParticipant);
    if (payee === null || !payee.active) {
      await this.apply({ type: 'InitiateTransfer', data: initiated }, initiated.transferId);
      onRecorded();
      return this.abort(initiated, 'PAYEE_INACTIVE', 'the payee participant is not active', false);
    }
    // ADVICE: the payee is only told, so the reservation is posted at once, in the same write.
    const commands: LedgerCommand[] = [this.reservation(initiated)];
    if (initiated.creditMode === 'ADVICE') commands.push(...this.postingChain(initiated));
    const now = this.options.now();
    const results = await this.submitAdmitted(initiated, commands, now);
    if (results === null) {
      onRecorded();
      return this.abort(initiated, 'SESSION_NOT_PAYABLE', 'the checkout session is not OPEN', false);
    }
    onRecorded();
    const reserved = results[0] as LedgerResultCode;
    if (reserved !== 'ok' && reserved !== 'exists') {
      // The abort was written in the same durable write as TransferInitiated (see submitInitiating).
      return transferView(refusedState(initiated, reserved, now));
    }
    if (initiated.creditMode === 'ADVICE') return this.commitPosted(initiated, results[1]);
    const outcome = await this.options.payees.requestCredit(initiated.payeeParticipant, this.creditMessage(initiated), {
      deadlineMs: this.payeeDeadlineMs,
    });
    return this.settleOutcome(initiated, outcome);
  }

  /**
   * A payment to a merchant first has its checkout session admitted, and the session's claim (and, for ADVICE, its
   * completion) rides in the reservation's write. Null: the session is not payable, and TransferInitiated is
   * recorded on its own for the abort. A claim lost to a racing transfer is admitted again, and refused then.
   */
  private async submitAdmitted(
    initiated: TransferInitiated['data'],
    commands: readonly LedgerCommand[],
    now: Date,
  ): Promise<LedgerResultCode[] | null> {
    const payments = this.options.merchantPayments;
    if (payments === undefined || initiated.merchant === undefined) return this.submitInitiating(initiated, commands, now);
    for (let attempt = 1; ; attempt += 1) {
      const admission = await payments.admit(initiated);
      if (!admission.payable) {
        await this.apply({ type: 'InitiateTransfer', data: initiated }, initiated.transferId);
        return null;
      }
      const completion = initiated.creditMode === 'ADVICE' ? payments.completion(initiated, 1) : null;
      const companions = [admission.claim, completion].filter((companion): companion is CompanionAppend => companion !== null);
      try {
        return await this.submitInitiating(initiated, commands, now, companions);
      } catch (error) {
        const lostClaim = error instanceof WrongExpectedRevisionError && error.stream === admission.claim?.stream;
        if (!lostClaim || attempt >= 3) throw error;
      }
    }
  }

  /**
   * Submits the reservation with TransferInitiated riding in the same durable write, placed before the ledger's
   * events where the store writes stream by stream (a reservation never exists without its transfer). When the
   * ledger refuses the reservation the transfer's abort rides too: a refused payment is one durable write.
   */
  private async submitInitiating(
    initiated: TransferInitiated['data'],
    commands: readonly LedgerCommand[],
    now: Date,
    merchantCompanions: readonly CompanionAppend[] = [],
  ): Promise<LedgerResultCode[]> {
    const companion: CompanionAppend = {
      stream: transferStreamName(initiated.transferId),
      expectedRevision: 'no_stream',
      placement: 'before_ledger',
      events: (results) => {
        const reserved = results[0] as LedgerResultCode;
        const events: TransferEvent[] = [{ type: 'TransferInitiated', data: initiated }];
        if (reserved !== 'ok' && reserved !== 'exists') events.push(refusalEvent(initiated, reserved, now));
        return this.stamp(events, initiated.transferId, now);
      },
    };
    const receipt = await this.ledgerOf(initiated.currency).submit(commands, [companion, ...merchantCompanions]);
    assert(receipt.results.length === commands.length, 'a submit has one result per command');
    return receipt.results;
  }

  /**
   * Posts the reservation with TransferCommitted riding in the same durable write, after the ledger's events where
   * the store writes stream by stream (a transfer is never committed before its money moved). It expects the
   * transfer stream as this execution left it; if anything else wrote to it meanwhile, the steps run one by one.
   */
  private async postAndCommit(initiated: TransferInitiated['data']): Promise<{ posted: LedgerResultCode; view: TransferView | null }> {
    const now = this.options.now();
    const companion: CompanionAppend = {
      stream: transferStreamName(initiated.transferId),
      expectedRevision: 0n,
      placement: 'after_ledger',
      events: (results) => {
        const posted = results[0] as LedgerResultCode;
        if (posted !== 'ok' && posted !== 'exists') return [];
        return this.stamp([committedEvent(initiated, now)], initiated.transferId, now);
      },
    };
    // A checkout session completes in the same durable write as the commit (issue 11).
    const completion = this.options.merchantPayments?.completion(initiated, 0) ?? null;
    try {
      const receipt = await this.ledgerOf(initiated.currency).submit(
        this.postingChain(initiated),
        completion === null ? [companion] : [companion, completion],
      );
      const posted = receipt.results[0] as LedgerResultCode;
      if (posted !== 'ok' && posted !== 'exists') return { posted, view: null };
      return { posted, view: transferView(evolveAll({ status: 'initiated', initiated }, [committedEvent(initiated, now)])) };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      const posted = await this.post(initiated);
      return { posted, view: posted === 'ok' || posted === 'exists' ? await this.commitPosted(initiated) : null };
    }
  }

  /**
   * Releases the reservation with TransferAborted riding in the same durable write, after the ledger's events where
   * the store writes stream by stream (recovery reads the reason back from the void). Like postAndCommit it expects
   * the stream as this execution left it, and runs the steps one by one if anything else wrote to it.
   */
  private async voidAndAbort(
    initiated: TransferInitiated['data'],
    reason: AbortReason,
    detail: string | null,
    reversalQueued: boolean,
  ): Promise<TransferView> {
    const now = this.options.now();
    const data = { transferId: initiated.transferId, reason, detail: detail === null ? null : detail.slice(0, 300), reversalQueued };
    const aborted: TransferEvent = { type: 'TransferAborted', data: { ...data, completedAt: now.toISOString() } };
    const companion: CompanionAppend = {
      stream: transferStreamName(initiated.transferId),
      expectedRevision: 0n,
      placement: 'after_ledger',
      events: (results) => (isReleased(results[0]) ? this.stamp([aborted], initiated.transferId, now) : []),
    };
    let result: LedgerResultCode;
    try {
      result = onlyResult((await this.ledgerOf(initiated.currency).submit([this.voiding(initiated, reason)], [companion])).results);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      await this.voidReservation(initiated, reason);
      return this.abort(initiated, reason, detail, reversalQueued);
    }
    if (!isReleased(result))
      throw new DomainError('LEDGER_REFUSED', `the ledger refused to release transfer ${initiated.transferId}: ${result}`);
    return transferView(evolveAll({ status: 'initiated', initiated }, [aborted]));
  }

  /** Transfer events as handleStreamCommand stamps them, for a companion append. */
  private stamp(events: readonly TransferEvent[], transferId: string, now: Date): NewEvent[] {
    const metadata = { actor: 'switch:transfers', correlationId: transferId, at: now.toISOString() };
    return events.map((event) => ({ id: newId(), type: event.type, data: event.data, metadata }));
  }

  private async settleOutcome(initiated: TransferInitiated['data'], outcome: CreditOutcome): Promise<TransferView> {
    switch (outcome.outcome) {
      case 'accepted': {
        const { posted, view } = await this.postAndCommit(initiated);
        if (view !== null) return view;
        // The payee credited but the reservation is gone (it expired while the switch stalled): undo the credit.
        await this.queueReversal(initiated, 'PAYEE_TIMEOUT');
        return this.abort(initiated, 'PAYEE_TIMEOUT', `the reservation could not be posted: ${posted}`, true);
      }
      case 'rejected':
        return this.voidAndAbort(initiated, 'PAYEE_REJECTED', outcome.reason, false);
      case 'unavailable':
        return this.voidAndAbort(initiated, 'PAYEE_UNAVAILABLE', outcome.detail, false);
      case 'unknown':
        // The reversal is durable before the reservation is released, so a crash in between still reverses.
        await this.queueReversal(initiated, 'PAYEE_TIMEOUT');
        return this.voidAndAbort(initiated, 'PAYEE_TIMEOUT', outcome.detail, true);
      default:
        return assertNever(outcome);
    }
  }

  private reservation(initiated: TransferInitiated['data']): LedgerCommand {
    return {
      type: 'pending_transfer',
      id: initiated.transferId,
      ledger: this.ledgerOf(initiated.currency).ledger,
      debitAccountId: positionAccountId(initiated.payerParticipant),
      creditAccountId: positionAccountId(initiated.payeeParticipant),
      amountMinor: BigInt(initiated.amountMinor),
      code: initiated.purpose === 'P2M' ? 'P2M' : 'P2P',
      timeoutMs: this.payeeDeadlineMs + transferLimits.reservationGraceMs,
      userData: { transferId: initiated.transferId, purpose: initiated.purpose },
    };
  }

  private posting(initiated: TransferInitiated['data']): LedgerCommand {
    return {
      type: 'post_pending',
      id: `${initiated.transferId}:post`,
      pendingId: initiated.transferId,
      userData: { transferId: initiated.transferId },
    };
  }

  private async post(initiated: TransferInitiated['data']): Promise<LedgerResultCode> {
    const receipt = await this.ledgerOf(initiated.currency).submit(this.postingChain(initiated));
    return receipt.results[0] as LedgerResultCode;
  }

  /**
   * The post, and for a payment to a merchant the fee legs its acquirer pays (interchange, switch fee), linked so
   * that the payment and its fees are posted all or none.
   */
  private postingChain(initiated: TransferInitiated['data']): LedgerCommand[] {
    const legs = this.options.merchantPayments?.feeLegs(initiated) ?? [];
    const ledger = this.ledgerOf(initiated.currency).ledger;
    const fees: LedgerCommand[] = legs.map((leg) => ({
      type: 'transfer',
      id: leg.id,
      ledger,
      debitAccountId: leg.debitAccountId,
      creditAccountId: leg.creditAccountId,
      amountMinor: leg.amountMinor,
      code: 'FEE',
      userData: { transferId: initiated.transferId, fee: leg.kind },
    }));
    const chain = [this.posting(initiated), ...fees];
    return chain.map((command, index) => (index < chain.length - 1 ? { ...command, linked: true } : command));
  }

  /** Releases the reservation; the reason rides on the void so that recovery knows why. */
  private async voidReservation(initiated: TransferInitiated['data'], reason: AbortReason): Promise<void> {
    const receipt = await this.ledgerOf(initiated.currency).submit([this.voiding(initiated, reason)]);
    const result = onlyResult(receipt.results);
    if (!isReleased(result))
      throw new DomainError('LEDGER_REFUSED', `the ledger refused to release transfer ${initiated.transferId}: ${result}`);
  }

  private voiding(initiated: TransferInitiated['data'], reason: AbortReason): LedgerCommand {
    return {
      type: 'void_pending',
      id: voidId(initiated.transferId),
      pendingId: initiated.transferId,
      userData: { transferId: initiated.transferId, reason },
    };
  }

  private async commitPosted(initiated: TransferInitiated['data'], postResult: LedgerResultCode = 'ok'): Promise<TransferView> {
    if (postResult !== 'ok' && postResult !== 'exists') {
      await this.voidReservation(initiated, 'LEDGER_REFUSED');
      return this.abort(initiated, 'LEDGER_REFUSED', `the ledger refused the post: ${postResult}`, false);
    }
    if (initiated.creditMode === 'ADVICE') {
      await this.options.deliveries.enqueue(
        initiated.payeeParticipant,
        creditAdviceDelivery(initiated.payeeParticipant, this.creditMessage(initiated)),
        {
          correlationId: initiated.transferId,
        },
      );
    }
    const state = await this.apply(
      { type: 'CommitTransfer', data: { transferId: initiated.transferId }, now: this.options.now() },
      initiated.transferId,
    );
    return transferView(state);
  }

  private async abort(
    initiated: TransferInitiated['data'],
    reason: AbortReason,
    detail: string | null,
    reversalQueued: boolean,
  ): Promise<TransferView> {
    const command: TransferCommand = {
      type: 'AbortTransfer',
      data: { transferId: initiated.transferId, reason, detail: detail === null ? null : detail.slice(0, 300), reversalQueued },
      now: this.options.now(),
    };
    return transferView(await this.apply(command, initiated.transferId));
  }

  private async queueReversal(initiated: TransferInitiated['data'], reason: AbortReason): Promise<void> {
    const delivery = reversalDelivery(initiated.payeeParticipant, { ...this.creditMessage(initiated), reason });
    try {
      await this.options.deliveries.enqueue(initiated.payeeParticipant, delivery, { correlationId: initiated.transferId });
    } catch (error) {
      // The delivery id is the transfer's own, so a conflict is this transfer's reversal queued before with another
      // reason (an execution that stopped between queueing it and releasing the reservation, finished by recovery
      // under SWITCH_RESTARTED). The payee is told to reverse either way, and it deduplicates by transferId.
      if (!(isDomainError(error) && error.code === 'DELIVERY_CONFLICT')) throw error;
    }
  }

  private creditMessage(initiated: TransferInitiated['data']): PayeeCreditMessage {
    const payer: PayeeCreditMessage['payer'] = { participant: initiated.payerParticipant };
    if (initiated.payer.name !== undefined) payer.name = initiated.payer.name;
    return {
      transferId: initiated.transferId,
      amount: formatAmount(BigInt(initiated.amountMinor), initiated.currency),
      currency: initiated.currency,
      payee: initiated.payeeAccount,
      payer,
      ...(initiated.merchant === undefined ? {} : { merchant: initiated.merchant }),
    };
  }

  private async replay(state: TransferState, payerParticipantId: string, digest: string): Promise<TransferView> {
    assert(state.status !== 'none', 'a replay is of a transfer that exists');
    // Only this payer's own transfers are found for its requests (loadRequested); the payer check is a backstop.
    if (state.initiated.payerParticipant !== payerParticipantId || state.initiated.requestDigest !== digest) {
      throw new DomainError('IDEMPOTENCY_CONFLICT', `transfer ${clientTransferIdOf(state.initiated)} exists with a different request`);
    }
    if (state.status !== 'initiated') return transferView(state);
    return this.awaitCompletion(state.initiated.transferId, clientTransferIdOf(state.initiated));
  }

  /** `shownId`: the id the caller knows the transfer by, for the message. */
  private async awaitCompletion(transferId: string, shownId: string = transferId): Promise<TransferView> {
    const running = this.inFlight.get(transferId);
    if (running !== undefined) return running;
    const deadlineMs = Date.now() + transferLimits.duplicateWaitMsMax;
    while (Date.now() < deadlineMs) {
      const state = await this.load(transferId);
      if (state.status !== 'initiated' && state.status !== 'none') return transferView(state);
      await new Promise((resolve) => setTimeout(resolve, transferLimits.duplicatePollMs));
    }
    throw new DomainError('TRANSFER_IN_FLIGHT', `transfer ${shownId} is still in flight; ask again later`);
  }

  private requireActivePayer(payerParticipantId: string, currencyCode: string): ParticipantRecord {
    const payer = this.options.participants.findParticipant(payerParticipantId);
    assert(payer !== null, `the authenticated payer ${payerParticipantId} is a participant`);
    if (!payer.active) throw new DomainError('PARTICIPANT_INACTIVE', `participant ${payer.id} is not active and cannot send transfers`);
    if (payer.currency !== currencyCode) {
      throw new DomainError('CURRENCY_NOT_SUPPORTED', `participant ${payer.id} settles in ${payer.currency}, not ${currencyCode}`);
    }
    this.ledgerOf(currencyCode);
    return payer;
  }

  private resolvePayeeOf(request: TransferRequest, payer: ParticipantRecord): ResolvedPayee {
    const resolved = resolvePayee(request.payee, { directory: this.options.directory, participants: this.options.participants });
    if (isPayeeNotFound(resolved)) throw new DomainError('PARTY_NOT_FOUND', resolved.message);
    if (resolved.participantId === payer.id) {
      throw new DomainError(
        'PAYEE_IS_PAYER',
        'the payee is held by the payer participant itself: an on-us payment is booked inside the participant, not through the switch',
      );
    }
    return resolved;
  }

  private initiation(
    transferId: string,
    idScope: TransferIdScope,
    request: TransferRequest,
    payer: ParticipantRecord,
    payee: ResolvedPayee,
    amountMinor: bigint,
    digest: string,
    channel: string,
  ): TransferInitiated['data'] {
    const payeeParticipant = this.options.participants.findParticipant(payee.participantId);
    assert(payeeParticipant !== null, `the resolved payee participant ${payee.participantId} exists`);
    const payerParty: TransferInitiated['data']['payer'] = { type: request.payer.type, value: request.payer.value };
    if (request.payer.name !== undefined) payerParty.name = request.payer.name;
    return {
      transferId,
      ...(idScope === 'payer' ? { clientTransferId: request.id } : {}),
      payerParticipant: payer.id,
      payeeParticipant: payee.participantId,
      payer: payerParty,
      payee: { type: request.payee.type, value: request.payee.value },
      payeeAccount: { type: payee.account.type, value: payee.account.value },
      amountMinor: amountMinor.toString(),
      currency: request.currency,
      purpose: request.purpose,
      note: request.note ?? null,
      creditMode: payeeParticipant.creditMode,
      requestDigest: digest,
      channel,
      createdAt: this.options.now().toISOString(),
    };
  }

  private ledgerOf(currencyCode: string): LedgerEngine {
    const ledger = this.options.ledgers(currencyCode);
    if (ledger === undefined) throw new DomainError('CURRENCY_NOT_SUPPORTED', `the switch does not carry ${currencyCode}`);
    return ledger;
  }

  private async load(transferId: string): Promise<TransferState> {
    return (await loadStream(this.options.store, transferStreamName(transferId), transferDecider)).state;
  }

  private async apply(command: TransferCommand, transferId: string): Promise<TransferState> {
    const context: CommandContext = { now: this.options.now(), actor: 'switch:transfers', correlationId: transferId };
    const result = await handleStreamCommand(this.options.store, transferStreamName(transferId), transferDecider, command, context);
    return result.state;
  }
}

/** The merchant and the session a P2M transfer carries in its record (nothing for any other transfer). */
function withMerchant(initiated: TransferInitiated['data'], fields: MerchantPaymentFields | null): TransferInitiated['data'] {
  if (fields === null) return initiated;
  return {
    ...initiated,
    ...(fields.merchant === undefined ? {} : { merchant: fields.merchant }),
    ...(fields.checkoutSessionId === undefined ? {} : { checkoutSessionId: fields.checkoutSessionId }),
  };
}

function onlyResult(results: readonly LedgerResultCode[]): LedgerResultCode {
  assert(results.length === 1, 'a single-command submit has one result');
  return results[0] as LedgerResultCode;
}

/** The abort written with TransferInitiated when the ledger refuses the reservation. */
function refusalEvent(initiated: TransferInitiated['data'], result: LedgerResultCode, now: Date): TransferEvent {
  const data = { transferId: initiated.transferId, reason: reservationRefusal(result), detail: result, reversalQueued: false };
  return { type: 'TransferAborted', data: { ...data, completedAt: now.toISOString() } };
}

function committedEvent(initiated: TransferInitiated['data'], now: Date): TransferEvent {
  return { type: 'TransferCommitted', data: { transferId: initiated.transferId, completedAt: now.toISOString() } };
}

function refusedState(initiated: TransferInitiated['data'], result: LedgerResultCode, now: Date): TransferState {
  return evolveAll(transferDecider.initialState, [{ type: 'TransferInitiated', data: initiated }, refusalEvent(initiated, result, now)]);
}

function evolveAll(state: TransferState, events: readonly TransferEvent[]): TransferState {
  return events.reduce((current, event) => transferDecider.evolve(current, event), state);
}

/** Expired or already voided: either way the reservation is released, which is all a void is for. */
function isReleased(result: LedgerResultCode | undefined): boolean {
  return result === 'ok' || result === 'exists' || result === 'pending_expired' || result === 'pending_already_voided';
}

function reservationRefusal(result: LedgerResultCode): AbortReason {
  return result === 'exceeds_net_debit_cap' ? 'NET_DEBIT_CAP_EXCEEDED' : 'LEDGER_REFUSED';
}

/** Why a released reservation was released: the reason the service put on the void, or a timeout for an expiry. */
function reservationAbortReason(userData: Readonly<Record<string, string>> | null): AbortReason {
  const reason = userData?.['reason'];
  return abortReasons.find((known) => known === reason) ?? 'SWITCH_RESTARTED';
}

/** The ledger id of the void that releases a transfer's reservation: recovery reads its reason back. */
function voidId(transferId: string): string {
  return `${transferId}:void`;
}

function unfinished(transferId: string, cause: DomainError): DomainError {
  return new DomainError(
    'TRANSFER_IN_FLIGHT',
    `transfer ${transferId} is recorded but could not be finished now (${cause.code}: ${cause.message}); the switch finishes it, so ask for it again by id`,
  );
}

function isInitiationRace(error: unknown): boolean {
  return error instanceof WrongExpectedRevisionError || (error instanceof DomainError && error.code === 'TRANSFER_EXISTS');
}
