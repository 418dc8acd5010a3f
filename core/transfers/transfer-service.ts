import { assert, assertNever } from '../assert';
import { handleStreamCommand, loadStream, type CommandContext } from '../eventstore/decider-stream';
import type { NewEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { WrongExpectedRevisionError } from '../eventstore/expected-revision';
import { DomainError, isDomainError, refusalUnder } from '../errors';
import { newId } from '../ids';
import type { DirectoryReader } from '../directory/directory-reader';
import { requirePayerOwned } from '../directory/payer-ownership';
import {
  isPayeeNotFound,
  resolvePayee,
  type PartyReference,
  type PayeeDirectory,
  type PayeeNotFound,
  type ResolvedPayee,
} from '../directory/resolve-payee';
import type { LedgerCommand } from '../ledger/commands';
import { batchCommandsMax } from '../ledger/ledger-limits';
import type { LedgerEngine } from '../ledger/ledger-engine';
import type { CompanionAppend, CompanionRefusal, SubmitReceipt } from '../ledger/ledger-engine-contract';
import { afterLedgerWrite } from '../ledger/companion-events';
import type { LedgerResultCode } from '../ledger/result-codes';
import { parseAmount } from '../money';
import { creditMessageOf, reversalDelivery } from '../outbox/payee-deliveries';
import { positionAccountId } from '../participants/participant-accounts';
import type { ParticipantReader, ParticipantRecord } from '../participants/participant-reader';
import type { CreditOutcome, PayeeCreditMessage, PayeeCreditPort } from '../payee-port';
import { batchReaders } from './batch-readers';
import { transferDecider, type TransferCommand, type TransferState } from './transfer-decider';
import type { AbortReason, TransferEvent, TransferInitiated } from './transfer-events';
import { abortReasons, transferStreamName } from './transfer-events';
import type { MerchantPaymentFields, MerchantPaymentPort } from './merchant-payment-port';
import type { PayeeDeliveryQueue, PayerReversalGuard, TransferObserver } from './transfer-ports';
import { refundPurpose, requestDigest, type TransferRequest } from './transfer-request';
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
  /**
   * What has gone back of a transfer another way (refunds, chargebacks), which a payer's full reversal must not
   * repeat; absent, nothing goes back but by reversal.
   */
  payerReversals?: PayerReversalGuard;
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

/** One request of a batch: executed (or replayed), or refused with the error it alone would have got. */
export type BatchItemOutcome = { execution: TransferExecution } | { error: DomainError };

/** A batch's request to an ADVICE payee, validated and resolved, to be decided with the others. */
type BatchCandidate = { index: number; initiated: TransferInitiated['data'] };

/**
 * ADVICE transfers per ledger submit of a batch: two commands each, so a submit fills a quarter of a tick and a
 * batch's submits share ticks with everyone else's payments.
 */
const batchTransfersPerSubmitMax = 1_024;

/** Requests of a batch that take execute()'s path run this many at once: enough to fill ticks, few sockets to payees. */
const batchOneByOneConcurrency = 64;

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
    /**
     * The payee, resolved by the caller instead of the directory: a refund goes back to the account the payment came
     * from, at the participant it came from, whether or not that account has an alias.
     */
    resolvedPayee?: ResolvedPayee,
  ): Promise<TransferExecution> {
    const amountMinor = parseAmount(request.amount, request.currency);
    const digest = requestDigest(request);
    const transferId = idScope === 'payer' ? payerScopedTransferId(payerParticipantId, request.id) : request.id;
    const existing = await this.loadRequested(transferId, request.id, payerParticipantId, idScope);
    if (existing.status !== 'none') return { view: await this.replay(existing, payerParticipantId, digest), replayed: true };
    const payer = this.requireActivePayer(payerParticipantId, request.currency);
    requirePayerOwned(request.payer, payer.id, { directory: this.options.directory, participants: this.options.participants });
    const payee = resolvedPayee ?? this.resolvePayeeOf(request, payer);
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

  /**
   * Executes a payer's batch (`POST /v1/transfers/batch`), one outcome per request in order: the execution, or the
   * DomainError the request alone would have been answered with. Requests to ADVICE payees are decided together:
   * their ids are checked in one lookup of the event store, each is validated and resolved (read models only), and
   * they go to the ledger in a few submits of many transfers, each transfer's TransferInitiated and
   * TransferCommitted riding in the same durable write (on a store whose multi-stream writes are atomic). Every other
   * request (a REQUEST payee, an id recorded before, a repeat within the batch, a store that writes stream by stream)
   * takes `execute`'s path, so a replayed batch answers as it did.
   */
  async executeBatch(
    payerParticipantId: string,
    requests: readonly TransferRequest[],
    channel: string,
    idScope: TransferIdScope,
  ): Promise<BatchItemOutcome[]> {
    assert(requests.length <= batchCommandsMax, 'a batch holds at most as many transfers as a ledger tick takes commands');
    const outcomes: (BatchItemOutcome | undefined)[] = new Array<BatchItemOutcome | undefined>(requests.length);
    const oneByOne: number[] = [];
    const together = this.options.store.multiStreamAtomic
      ? await this.adviceCandidates(payerParticipantId, requests, channel, idScope, outcomes, oneByOne)
      : [];
    if (!this.options.store.multiStreamAtomic) requests.forEach((_request, index) => oneByOne.push(index));
    const byCurrency = new Map<string, BatchCandidate[]>();
    for (const candidate of together) {
      const group = byCurrency.get(candidate.initiated.currency) ?? [];
      group.push(candidate);
      byCurrency.set(candidate.initiated.currency, group);
    }
    for (const group of byCurrency.values()) {
      for (let start = 0; start < group.length; start += batchTransfersPerSubmitMax) {
        const chunk = group.slice(start, start + batchTransfersPerSubmitMax);
        const retry = await this.submitAdviceChunk(chunk, outcomes);
        oneByOne.push(...retry);
      }
    }
    await mapConcurrently(oneByOne, batchOneByOneConcurrency, async (index) => {
      try {
        outcomes[index] = { execution: await this.execute(payerParticipantId, requests[index] as TransferRequest, channel, idScope) };
      } catch (error) {
        if (!isDomainError(error)) throw error;
        outcomes[index] = { error };
      }
    });
    return outcomes.map((outcome) => {
      assert(outcome !== undefined, 'every request of a batch has an outcome');
      return outcome;
    });
  }

  /**
   * The batch's requests that can be decided together: new ids (one lookup for all), validated and resolved to an
   * active ADVICE payee. A request refused here gets its error in `outcomes`; the rest go to `oneByOne`.
   */
  private async adviceCandidates(
    payerParticipantId: string,
    requests: readonly TransferRequest[],
    channel: string,
    idScope: TransferIdScope,
    outcomes: (BatchItemOutcome | undefined)[],
    oneByOne: number[],
  ): Promise<BatchCandidate[]> {
    type Parsed = { index: number; request: TransferRequest; transferId: string; amountMinor: bigint; digest: string };
    const parsed: Parsed[] = [];
    const streams: string[] = [];
    requests.forEach((request, index) => {
      try {
        const amountMinor = parseAmount(request.amount, request.currency);
        const transferId = idScope === 'payer' ? payerScopedTransferId(payerParticipantId, request.id) : request.id;
        parsed.push({ index, request, transferId, amountMinor, digest: requestDigest(request) });
        streams.push(transferStreamName(transferId));
        // A transfer recorded before ids were scoped per payer is found by the id itself (see loadRequested).
        if (idScope === 'payer') streams.push(transferStreamName(request.id));
      } catch (error) {
        if (!isDomainError(error)) throw error;
        outcomes[index] = { error };
      }
    });
    const existing = await this.options.store.existingStreams(streams);
    const readers = batchReaders({ directory: this.options.directory, participants: this.options.participants });
    const seen = new Set<string>();
    const candidates: BatchCandidate[] = [];
    for (const item of parsed) {
      const { index, request, transferId } = item;
      const recorded =
        existing.has(transferStreamName(transferId)) || (idScope === 'payer' && existing.has(transferStreamName(request.id)));
      // Recorded before, repeated in this batch or being executed now: execute() answers it as a replay. A payment
      // to a merchant goes that way too: its checkout session and fees are the gateway's (merchantPayments).
      const toMerchant = request.payee.type === 'MERCHANT' || request.checkoutSessionId !== undefined;
      if (recorded || toMerchant || seen.has(transferId) || this.inFlight.has(transferId)) {
        oneByOne.push(index);
        continue;
      }
      seen.add(transferId);
      try {
        const payer = this.requireActivePayer(payerParticipantId, request.currency, readers.participants);
        requirePayerOwned(request.payer, payer.id, readers);
        const payee = this.resolvePayeeOf(request, payer, readers);
        const initiated = this.initiation(
          transferId,
          idScope,
          request,
          payer,
          payee,
          item.amountMinor,
          item.digest,
          channel,
          readers.participants,
        );
        const payeeRecord = readers.participants.findParticipant(initiated.payeeParticipant);
        if (initiated.creditMode !== 'ADVICE' || payeeRecord === null || !payeeRecord.active) oneByOne.push(index);
        else candidates.push({ index, initiated });
      } catch (error) {
        if (!isDomainError(error)) throw error;
        outcomes[index] = { error };
      }
    }
    return candidates;
  }

  /**
   * Submits ADVICE transfers of one currency in one ledger submit: per transfer its reservation and post, and its
   * TransferInitiated with TransferCommitted (or TransferAborted when the ledger refuses) riding along. Concurrent
   * requests for these ids wait for it. Returns the indexes to execute one by one instead: all of them when another
   * writer created one of their streams meanwhile (the submit is then refused whole, and nothing of it written).
   */
  private async submitAdviceChunk(chunk: readonly BatchCandidate[], outcomes: (BatchItemOutcome | undefined)[]): Promise<number[]> {
    const first = chunk[0];
    assert(first !== undefined, 'a chunk holds a transfer');
    const ledger = this.ledgerOf(first.initiated.currency);
    const now = this.options.now();
    const startedAtMs = now.getTime();
    const commands: LedgerCommand[] = [];
    const companions: CompanionAppend[] = [];
    chunk.forEach(({ initiated }, position) => {
      commands.push(this.reservation(initiated), this.posting(initiated));
      companions.push(this.initiatingCompanion(initiated, 2 * position, now, true));
    });
    let settle: (views: Map<string, TransferView> | null) => void = () => undefined;
    const settled = new Promise<Map<string, TransferView> | null>((resolve) => (settle = resolve));
    for (const { initiated } of chunk) {
      const view = settled.then((views) => {
        const found = views?.get(initiated.transferId);
        if (found === undefined)
          throw new DomainError('TRANSFER_IN_FLIGHT', `transfer ${initiated.transferId} is still in flight; ask again later`);
        return found;
      });
      // A duplicate that waits on it handles the failure; without one, nobody must be told of it.
      view.catch(() => undefined);
      this.inFlight.set(initiated.transferId, view);
    }
    const views = new Map<string, TransferView>();
    try {
      let results: LedgerResultCode[];
      try {
        results = (await submitOrOverloaded(ledger, commands, companions, 0)).results;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) return chunk.map((candidate) => candidate.index);
        if (!isDomainError(error)) throw error;
        for (const candidate of chunk) outcomes[candidate.index] = { error };
        return [];
      }
      for (const [position, { index, initiated }] of chunk.entries()) {
        const reserved = results[2 * position] as LedgerResultCode;
        const posted = results[2 * position + 1];
        let view: TransferView;
        if (reserved !== 'ok' && reserved !== 'exists') view = transferView(refusedState(initiated, reserved, now));
        else if (isPosted(posted)) view = transferView(committedState(initiated, now));
        else {
          try {
            view = await this.commitPosted(initiated, posted);
          } catch (error) {
            // Recorded, so not a refusal: the sweeper finishes it, as for a single request (see execute).
            if (!isDomainError(error)) throw error;
            outcomes[index] = { error: unfinished(clientTransferIdOf(initiated), error) };
            continue;
          }
        }
        views.set(initiated.transferId, view);
        outcomes[index] = { execution: { view, replayed: false } };
        this.options.observer?.onCompleted?.({
          state: view.state === 'COMMITTED' ? 'COMMITTED' : 'ABORTED',
          abortReason: view.abortReason,
          durationMs: this.options.now().getTime() - startedAtMs,
        });
      }
      return [];
    } finally {
      settle(views);
      for (const { initiated } of chunk) this.inFlight.delete(initiated.transferId);
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
    if (idScope === 'switch') return this.load(transferId);
    // A new payment (most of them) has neither stream: one probe of both answers that, instead of two reads.
    const existing = await this.options.store.existingStreams([transferStreamName(transferId), transferStreamName(requestedId)]);
    if (existing.has(transferStreamName(transferId))) return this.load(transferId);
    if (!existing.has(transferStreamName(requestedId))) return transferDecider.initialState;
    const recordedBefore = await this.load(requestedId);
    const isThisPayersOwn =
      recordedBefore.status !== 'none' &&
      recordedBefore.initiated.payerParticipant === payerParticipantId &&
      recordedBefore.initiated.clientTransferId === undefined;
    return isThisPayersOwn ? recordedBefore : transferDecider.initialState;
  }

  /** The transfer as its stream holds it, or null; `transferId` is the switch's id (`switchTransferId`). */
  async find(transferId: string): Promise<TransferView | null> {
    const state = await this.load(transferId);
    return state.status === 'none' ? null : transferView(state);
  }

  /**
   * Finishes transfers a crash left in flight, from what the ledger recorded: a posted reservation commits
   * (an ADVICE payee is then told by the advice intake, which follows the log); anything else aborts, with a reversal to the payee when it
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
   * Null when the payer never sent such a transfer. Refused (TRANSFER_GIVEN_BACK, nothing recorded) when money has
   * gone back from the transfer already, by a refund that succeeded or a chargeback: the payer would be paid twice;
   * refused for now (TRANSFER_REFUND_PENDING) while only refunds still pending hold from it, since one may yet fail.
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
    await this.postPayerReversal(initiated);
    await this.queueReversal(initiated, 'PAYER_REVERSED');
    const command: TransferCommand = {
      type: 'ReverseTransfer',
      data: { transferId, reason: reason.slice(0, 100) },
      now: this.options.now(),
    };
    return transferView(await this.apply(command, transferId));
  }

  /**
   * Posts the payer's REVERSAL on the ledger with, in the same durable write, its record on the payment's refunds
   * stream (see PayerReversalGuard). A refund or chargeback written since the read changes that stream, so the write
   * is refused and the reversal decides again on what it wrote: exactly one of them moves the money back.
   */
  private async postPayerReversal(initiated: TransferInitiated['data']): Promise<void> {
    const transferId = initiated.transferId;
    const ledger = this.ledgerOf(initiated.currency);
    const amountMinor = BigInt(initiated.amountMinor);
    const command: LedgerCommand = {
      type: 'transfer',
      id: `${transferId}:reversal`,
      ledger: ledger.ledger,
      debitAccountId: positionAccountId(initiated.payeeParticipant),
      creditAccountId: positionAccountId(initiated.payerParticipant),
      amountMinor,
      code: 'REVERSAL',
      userData: { transferId, reason: 'PAYER_REVERSED' },
    };
    for (let attempt = 1; ; attempt += 1) {
      const context: CommandContext = { now: this.options.now(), actor: 'switch:payer-reversal', correlationId: transferId };
      const guard = this.options.payerReversals;
      const write =
        guard === undefined ? null : await guard.reversalWrite({ transferId, amountMinor, currency: initiated.currency }, context);
      const companions = write === null ? [] : [afterLedgerWrite(write)];
      let receipt: SubmitReceipt;
      try {
        receipt = await submitOrOverloaded(ledger, [command], companions, overloadRetriesMax);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= payerReversalAttemptsMax) {
          throw new DomainError('CONCURRENT_UPDATE', `refunds or chargebacks of transfer ${transferId} kept changing while reversing it`);
        }
        continue;
      }
      const result = onlyResult(receipt.results);
      if (result !== 'ok' && result !== 'exists')
        throw new DomainError('LEDGER_REFUSED', `the ledger refused the reversal of ${transferId}: ${result}`);
      return;
    }
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
   * reservation with TransferInitiated and the post with TransferCommitted; a refused reservation one; ADVICE one
   * (reservation, post, TransferInitiated and TransferCommitted together) where the store writes several streams
   * atomically, else two (the tick, then TransferCommitted). The advice is queued later, by the advice intake.
   */
  private async complete(initiated: TransferInitiated['data'], onRecorded: () => void): Promise<TransferView> {
    const payee = this.options.participants.findParticipant(initiated.payeeParticipant);
    if (payee === null || !payee.active) {
      await this.apply({ type: 'InitiateTransfer', data: initiated }, initiated.transferId);
      onRecorded();
      return this.abort(initiated, 'PAYEE_INACTIVE', 'the payee participant is not active', false);
    }
    // ADVICE: the payee is only told, so the reservation is posted at once, in the same write. Where that write is
    // atomic across streams, TransferCommitted rides in it too: the whole payment is one durable write.
    const advice = initiated.creditMode === 'ADVICE';
    const commitsInOneWrite = advice && this.options.store.multiStreamAtomic;
    const commands: LedgerCommand[] = [this.reservation(initiated)];
    if (advice) commands.push(...this.postingChain(initiated));
    const now = this.options.now();
    const results = await this.submitAdmitted(initiated, commands, now, commitsInOneWrite);
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
    if (commitsInOneWrite && isPosted(results[1])) return transferView(committedState(initiated, now));
    if (advice) return this.commitPosted(initiated, results[1]);
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
    commitsWhenPosted: boolean,
  ): Promise<LedgerResultCode[] | null> {
    const payments = this.options.merchantPayments;
    if (payments === undefined || initiated.merchant === undefined)
      return this.submitInitiating(initiated, commands, now, commitsWhenPosted);
    for (let attempt = 1; ; attempt += 1) {
      const admission = await payments.admit(initiated);
      if (!admission.payable) {
        await this.apply({ type: 'InitiateTransfer', data: initiated }, initiated.transferId);
        return null;
      }
      const completion = initiated.creditMode === 'ADVICE' ? payments.completion(initiated, 1) : null;
      const companions = [admission.claim, completion].filter((companion): companion is CompanionAppend => companion !== null);
      try {
        return await this.submitInitiating(initiated, commands, now, commitsWhenPosted, companions);
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
    commitsWhenPosted: boolean,
    merchantCompanions: readonly CompanionAppend[] = [],
  ): Promise<LedgerResultCode[]> {
    const companion = this.initiatingCompanion(initiated, 0, now, commitsWhenPosted);
    const receipt = await submitOrOverloaded(this.ledgerOf(initiated.currency), commands, [companion, ...merchantCompanions], 0);
    assert(receipt.results.length === commands.length, 'a submit has one result per command');
    return receipt.results;
  }

  /**
   * The transfer's own events riding with its reservation, whose result is `results[reservationIndex]` (and its
   * post's the next one). With `commitsWhenPosted` (an ADVICE payment on a store whose multi-stream writes are
   * atomic) TransferCommitted rides too once the post is accepted: the money, the record and the commit are one
   * durable write, and the advice intake tells the payee from the log.
   */
  private initiatingCompanion(
    initiated: TransferInitiated['data'],
    reservationIndex: number,
    now: Date,
    commitsWhenPosted: boolean,
  ): CompanionAppend {
    const initiatedEvent: TransferEvent = { type: 'TransferInitiated', data: initiated };
    return {
      stream: transferStreamName(initiated.transferId),
      expectedRevision: 'no_stream',
      placement: 'before_ledger',
      resultIndex: reservationIndex,
      acceptedWhen: ['ok', 'exists'],
      accepted: this.stamp([initiatedEvent], initiated.transferId, now),
      ...(commitsWhenPosted
        ? {
            acceptedFollowUp: {
              resultIndex: reservationIndex + 1,
              acceptedWhen: ['ok', 'exists'],
              events: this.stamp([committedEvent(initiated, now)], initiated.transferId, now),
            },
          }
        : {}),
      // The abort's reason and detail are filled from the refusing result (reservationRefusalFields).
      refused: this.stamp([initiatedEvent, refusalEvent(initiated, 'exceeds_net_debit_cap', now)], initiated.transferId, now),
      refusal: reservationRefusalFields,
    };
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
      acceptedWhen: ['ok', 'exists'],
      accepted: this.stamp([committedEvent(initiated, now)], initiated.transferId, now),
      refused: [],
    };
    // A checkout session completes in the same durable write as the commit (issue 11).
    const completion = this.options.merchantPayments?.completion(initiated, 0) ?? null;
    try {
      const receipt = await submitOrOverloaded(
        this.ledgerOf(initiated.currency),
        this.postingChain(initiated),
        completion === null ? [companion] : [companion, completion],
        overloadRetriesMax,
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
      acceptedWhen: releasedResults,
      accepted: this.stamp([aborted], initiated.transferId, now),
      refused: [],
    };
    let result: LedgerResultCode;
    try {
      const receipt = await submitOrOverloaded(
        this.ledgerOf(initiated.currency),
        [this.voiding(initiated, reason)],
        [companion],
        overloadRetriesMax,
      );
      result = onlyResult(receipt.results);
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
      code: ledgerCodeOf(initiated.purpose),
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
    const receipt = await submitOrOverloaded(this.ledgerOf(initiated.currency), this.postingChain(initiated), [], overloadRetriesMax);
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
    const receipt = await submitOrOverloaded(this.ledgerOf(initiated.currency), [this.voiding(initiated, reason)], [], overloadRetriesMax);
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
    // An ADVICE payee is told by the advice intake, which follows the log: TransferCommitted is what it waits for.
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
    return creditMessageOf(initiated);
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

  private requireActivePayer(
    payerParticipantId: string,
    currencyCode: string,
    participants: ParticipantReader = this.options.participants,
  ): ParticipantRecord {
    const payer = participants.findParticipant(payerParticipantId);
    assert(payer !== null, `the authenticated payer ${payerParticipantId} is a participant`);
    if (!payer.active) throw new DomainError('PARTICIPANT_INACTIVE', `participant ${payer.id} is not active and cannot send transfers`);
    if (payer.currency !== currencyCode) {
      throw new DomainError('CURRENCY_NOT_SUPPORTED', `participant ${payer.id} settles in ${payer.currency}, not ${currencyCode}`);
    }
    this.ledgerOf(currencyCode);
    return payer;
  }

  private resolvePayeeOf(
    request: TransferRequest,
    payer: ParticipantRecord,
    readers: PayeeDirectory = { directory: this.options.directory, participants: this.options.participants },
  ): ResolvedPayee {
    const resolved = resolvePayeeNamed(request.payee, readers);
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
    participants: ParticipantReader = this.options.participants,
  ): TransferInitiated['data'] {
    const payeeParticipant = participants.findParticipant(payee.participantId);
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

/** Runs `work` for every item, at most `concurrency` at once. */
async function mapConcurrently<Item>(items: readonly Item[], concurrency: number, work: (item: Item) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as Item;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * How often a step of a transfer already recorded (its post, its void, a reversal) is submitted again while the
 * ledger's queue is full, `overloadRetryDelayMs` apart: about a second, after which the step fails and the sweeper
 * finishes the transfer. A payment's first submit is not retried: it is refused OVERLOADED, nothing recorded.
 */
const overloadRetriesMax = 40;
/** How often a payer's reversal that lost the race for the payment's refunds stream decides again on the new state. */
const payerReversalAttemptsMax = 5;
const overloadRetryDelayMs = 25;

/**
 * Submits to the ledger; a submit its queue could not take (every result `overloaded`: nothing decided, nothing
 * written, companions included) is tried again up to `retriesMax` times, then refused with OVERLOADED (a 503 with
 * Retry-After). An `overloaded` answer must never be read as the ledger refusing the payment: nothing was recorded.
 */
async function submitOrOverloaded(
  ledger: LedgerEngine,
  commands: readonly LedgerCommand[],
  companions: readonly CompanionAppend[],
  retriesMax: number,
): Promise<SubmitReceipt> {
  for (let attempt = 0; ; attempt += 1) {
    const receipt = await ledger.submit(commands, companions);
    const overloaded = receipt.results.length > 0 && receipt.results.every((result) => result === 'overloaded');
    if (!overloaded) return receipt;
    if (attempt >= retriesMax)
      throw new DomainError(
        'OVERLOADED',
        `the ${ledger.ledger} ledger has as many commands waiting as it holds, so this step recorded nothing; retry shortly`,
      );
    await new Promise((resolve) => setTimeout(resolve, overloadRetryDelayMs));
  }
}

/**
 * The payee a request names. A malformed one keeps its code (INVALID_ALIAS, INVALID_IBAN, INVALID_PARTY), its details
 * naming ['payee', 'value'] of the request as a payer's name ['payer', 'value']: the directory names the fields of the
 * party it was given, and ['value'] alone does not tell a client which of the two parties was wrong.
 */
function resolvePayeeNamed(payee: PartyReference, readers: PayeeDirectory): ResolvedPayee | PayeeNotFound {
  try {
    return resolvePayee(payee, readers);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    throw refusalUnder(error, ['payee']);
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

/** The ledger code a transfer's reservation carries: payments to merchants and refunds are told apart in the ledger. */
function ledgerCodeOf(purpose: string): 'P2M' | 'REFUND' | 'P2P' {
  if (purpose === 'P2M') return 'P2M';
  return purpose === refundPurpose ? 'REFUND' : 'P2P';
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

function committedState(initiated: TransferInitiated['data'], now: Date): TransferState {
  return evolveAll(transferDecider.initialState, [{ type: 'TransferInitiated', data: initiated }, committedEvent(initiated, now)]);
}

function isPosted(result: LedgerResultCode | undefined): boolean {
  return result === 'ok' || result === 'exists';
}

function refusedState(initiated: TransferInitiated['data'], result: LedgerResultCode, now: Date): TransferState {
  return evolveAll(transferDecider.initialState, [{ type: 'TransferInitiated', data: initiated }, refusalEvent(initiated, result, now)]);
}

function evolveAll(state: TransferState, events: readonly TransferEvent[]): TransferState {
  return events.reduce((current, event) => transferDecider.evolve(current, event), state);
}

/** Expired or already voided: either way the reservation is released, which is all a void is for. */
const releasedResults: readonly LedgerResultCode[] = ['ok', 'exists', 'pending_expired', 'pending_already_voided'];

function isReleased(result: LedgerResultCode | undefined): boolean {
  return result !== undefined && releasedResults.includes(result);
}

/** How a refused reservation's TransferAborted records the refusal: the result as its detail, and the reason it means. */
const reservationRefusalFields: CompanionRefusal = {
  eventType: 'TransferAborted',
  resultField: 'detail',
  reasonField: 'reason',
  reasons: { exceeds_net_debit_cap: 'NET_DEBIT_CAP_EXCEEDED' } satisfies Partial<Record<LedgerResultCode, AbortReason>>,
  otherReason: 'LEDGER_REFUSED' satisfies AbortReason,
};

function reservationRefusal(result: LedgerResultCode): AbortReason {
  return (reservationRefusalFields.reasons[result] ?? reservationRefusalFields.otherReason) as AbortReason;
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
