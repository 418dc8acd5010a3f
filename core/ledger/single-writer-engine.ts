import { randomUUID } from 'node:crypto';
import { assert } from '../assert';
import { DomainError } from '../errors';
import { isStoreRefusal } from '../eventstore/event-store-errors';
import type { EventMetadata, NewEvent } from '../eventstore/event';
import type { AppendResult, EventStore, StreamAppend } from '../eventstore/event-store';
import { revisionMatches, WrongExpectedRevisionError, type ExpectedRevision } from '../eventstore/expected-revision';
import { eventStoreLimits } from '../eventstore/limits';
import { offersPipelinedAppender, type PipelinedAppender } from '../eventstore/pipelined-appender';
import type { CurrencyCode } from '../money';
import type { Account } from './account';
import { canonicalState } from './canonical-state';
import type { LedgerCommand } from './commands';
import { decideExpiry } from './decide';
import { decideCommands } from './decide-batch';
import type { DecideContext } from './decision';
import { ledgerSnapshotStreamName, ledgerStreamName } from './events';
import { evolve } from './evolve';
import { companionEvents } from './companion-events';
import type { CompanionAppend, LedgerEngine, LedgerEngineOptions, LedgerEngineStats, SubmitReceipt } from './ledger-engine-contract';
import { loadLedger, recordHoldingFact } from './ledger-loader';
import { firstFactNumber, ledgerBatchType, ledgerFacts } from './ledger-record';
import { LedgerRecordEncoder } from './ledger-record-encoder';
import {
  batchCommandsMax as batchCommandsLimit,
  defaultTunables,
  pendingTransfersLimit,
  recordsInFlightLimit,
  transfersRememberedEventsMax,
  type LedgerTunables,
} from './ledger-limits';
import { forgetOldTransfers, windowedTransfer, type LedgerState } from './ledger-state';
import type { LedgerResultCode } from './result-codes';
import { snapshotChunks, snapshotChunkType } from './snapshot';
import { SubmitQueue, type QueuedSubmit } from './submit-queue';
import { ledgerWindowStreamName, windowSegmentParts, windowSegmentType } from './transfer-id-window-segment';
import type { Transfer } from './transfer';
import { pendingTransferRecord, transferFromEvent } from './transfer-records';

/** The SQLite adapter's synchronous writes: one call per tick instead of a promise, when the store has them. */
type SyncAppender = {
  appendSync(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): AppendResult;
  appendManySync(appends: readonly StreamAppend[]): AppendResult[];
  streamRevisionSync(stream: string): bigint | null;
};

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/**
 * What one tick did. A pipelined tick is handed to the appender and ends before its record is durable: `durable`
 * resolves once it is (true) or once its append failed (false).
 */
type TickOutcome = { appended: boolean; expired: number; durable?: Promise<boolean> };

/** A tick decided and handed to the pipelined appender, not yet answered. */
type InFlightTick = {
  work: TickWork;
  /** The ledger stream's revision once this tick's records are written; null when it writes none (companions only). */
  lastRevision: bigint | null;
  sentMs: number;
  durable: Promise<boolean>;
};

type TickWork = {
  submits: QueuedSubmit[];
  /** Per submit: its results, or null when a companion stream was not as expected and it was not decided. */
  results: (LedgerResultCode[] | null)[];
  appended: boolean[];
  /** The number of facts the tick decided, and the batch records (usually one) that carry them in decision order. */
  factCount: number;
  events: NewEvent[];
  /** Companion entries, in submit order, each with the index of the submit it belongs to. */
  before: { submit: number; append: StreamAppend }[];
  after: { submit: number; append: StreamAppend }[];
  expired: number;
};

/** The pause before the first tick after a failed append, doubling with each failure in a row up to the maximum. */
const appendRetryPauseMsFirst = 100;
const appendRetryPauseMsMax = 5_000;
/** The longest pause between tries while the event store is failing over (503 STORE_UNAVAILABLE meanwhile). */
const storeOutagePauseMs = 500;

/**
 * Companion streams one submit carries at most: a payment has one (its own), and a submit of many payments (a batch
 * of ADVICE transfers) one per payment, so never more than one per command (within eventStoreLimits.streamsPerAppendMax,
 * which is above the most commands a tick takes).
 */
const companionsPerSubmitMin = 4;

/** Steps of forgetting old transfers per tick: more than a tick can create, so memory follows the window. */
const forgetStepsPerTick = 2 * eventStoreLimits.eventsPerAppendMax;

/** The batching single writer of one ledger stream. See ledger-engine.ts for the contract. */
export class SingleWriterLedgerEngine implements LedgerEngine {
  readonly ledger: CurrencyCode;
  private readonly store: EventStore;
  private readonly syncStore: SyncAppender | null;
  private readonly now: () => Date;
  private readonly stream: string;
  private readonly tunables: LedgerTunables;
  private readonly batchCommandsMax: number;
  private readonly queueCommandsMax: number;
  private readonly snapshotEveryEvents: number;
  private readonly expiryCheckIntervalMs: number;
  private readonly expiriesPerTickMax: number;
  private readonly actor: string;
  private readonly onTickCommitted: LedgerEngineOptions['onTickCommitted'];
  private readonly recordsInFlightMax: number;
  private readonly queue = new SubmitQueue();
  /** Set at start when recordsInFlightMax is above 1 and the store offers one: ticks are then pipelined. */
  private appender: PipelinedAppender | null = null;
  /** Pipelined ticks whose appends are not answered yet, oldest first (at most recordsInFlightMax). */
  private readonly inFlight: InFlightTick[] = [];
  /** How many ticks in flight write each companion stream: a submit naming one waits until they are durable. */
  private readonly companionStreamsInFlight = new Map<string, number>();
  /** The ledger stream's revision once every decided tick is written: what the next append expects. */
  private decidedRevision: bigint | null = null;
  /** Callers waiting for the pipeline to empty (lookups, expire, stop), and a tick that needs it empty first. */
  private drainWaiters: (() => void)[] = [];
  private drainRequested = false;
  /** The rebuild after a failed pipelined append: no tick starts until it is done. */
  private recovery: Promise<void> | null = null;
  /** Writes each tick's record, its buffers reused from tick to tick. */
  private readonly encoder = new LedgerRecordEncoder();

  private phase: Phase = 'created';
  private state: LedgerState | null = null;
  private revision: bigint | null = null;
  private lastSnapshotEventCount = 0;
  /** Where the next window segment starts: the event count of the last one written, or null for a whole window. */
  private windowSegmentEvent: number | null = null;
  private snapshotFailures = 0;
  private tickScheduled = false;
  /** Failed appends in a row, and the wall-clock moment before which no tick starts after one. */
  private appendFailuresInRow = 0;
  private pausedUntilMs = 0;
  /** The tick or rebuild in progress; lookups and stop wait for it. */
  private busy: Promise<TickOutcome> | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private failure: unknown = null;

  constructor(options: LedgerEngineOptions) {
    this.ledger = options.ledger;
    this.store = options.store;
    const candidate = options.store as EventStore & Partial<SyncAppender>;
    this.syncStore =
      typeof candidate.appendSync === 'function' &&
      typeof candidate.appendManySync === 'function' &&
      typeof candidate.streamRevisionSync === 'function'
        ? (candidate as SyncAppender)
        : null;
    this.now = options.now;
    this.stream = ledgerStreamName(options.ledger);
    this.tunables = {
      timeoutMsMax: options.timeoutMsMax ?? defaultTunables.timeoutMsMax,
      accountsMax: options.accountsMax ?? defaultTunables.accountsMax,
      pendingTransfersMax: options.pendingTransfersMax ?? defaultTunables.pendingTransfersMax,
      transfersRememberedEvents: options.transfersRememberedEvents ?? defaultTunables.transfersRememberedEvents,
    };
    this.batchCommandsMax = options.batchCommandsMax ?? batchCommandsLimit;
    this.queueCommandsMax = options.queueCommandsMax ?? 8 * this.batchCommandsMax;
    this.snapshotEveryEvents = options.snapshotEveryEvents ?? 100_000;
    this.expiryCheckIntervalMs = options.expiryCheckIntervalMs ?? 100;
    this.expiriesPerTickMax = options.expiriesPerTickMax ?? 1024;
    this.onTickCommitted = options.onTickCommitted;
    this.recordsInFlightMax = options.recordsInFlightMax ?? 1;
    this.actor = `engine:${this.stream}`;
    checkOptions(this);
  }

  /** Limits, readable by checkOptions (and by tests). */
  get limits() {
    return {
      batchCommandsMax: this.batchCommandsMax,
      queueCommandsMax: this.queueCommandsMax,
      snapshotEveryEvents: this.snapshotEveryEvents,
      expiryCheckIntervalMs: this.expiryCheckIntervalMs,
      expiriesPerTickMax: this.expiriesPerTickMax,
      recordsInFlightMax: this.recordsInFlightMax,
      ...this.tunables,
    };
  }

  async start(): Promise<void> {
    if (this.phase !== 'created') throw new DomainError('LEDGER_ALREADY_STARTED', `the ${this.ledger} ledger engine was started already`);
    this.phase = 'starting';
    await this.load();
    if (this.recordsInFlightMax > 1 && offersPipelinedAppender(this.store))
      this.appender = this.store.openPipelinedAppender(this.recordsInFlightMax);
    this.phase = 'running';
    if (this.expiryCheckIntervalMs > 0) {
      this.expiryTimer = setInterval(() => this.checkExpiries(), this.expiryCheckIntervalMs);
      // The timer only nudges; it must not keep a process alive that has nothing else to do.
      this.expiryTimer.unref();
    }
  }

  submit(commands: readonly LedgerCommand[], companions: readonly CompanionAppend[] = []): Promise<SubmitReceipt> {
    if (this.phase !== 'running') return Promise.reject(this.unavailable());
    if (!Array.isArray(commands)) return Promise.reject(new DomainError('INVALID_BATCH', 'submit takes an array of ledger commands'));
    if (commands.length > this.batchCommandsMax) {
      return Promise.reject(
        new DomainError('BATCH_TOO_LARGE', `a submit holds at most ${this.batchCommandsMax} commands, got ${commands.length}`),
      );
    }
    if (commands.length === 0) return Promise.resolve({ results: [], position: null });
    const companionsMax = Math.max(companionsPerSubmitMin, commands.length);
    if (!Array.isArray(companions) || companions.length > companionsMax) {
      return Promise.reject(new DomainError('INVALID_BATCH', `this submit carries at most ${companionsMax} companion streams`));
    }
    if (this.queue.commandCount + commands.length > this.queueCommandsMax) {
      return Promise.resolve({ results: commands.map(() => 'overloaded' as const), position: null });
    }
    return new Promise<SubmitReceipt>((resolve, reject) => {
      this.queue.push({ commands, companions, resolve, reject });
      this.schedule();
    });
  }

  async lookupAccount(accountId: string): Promise<Account | undefined> {
    const state = await this.settledState();
    return state.accounts.get(accountId)?.toAccount();
  }

  async lookupTransfer(transferId: string): Promise<Transfer | undefined> {
    const state = await this.settledState();
    const pendingSlot = state.pending.find(transferId);
    if (pendingSlot !== -1) return pendingTransferRecord(state, pendingSlot);
    const windowed = windowedTransfer(state, transferId);
    if (windowed === undefined) return undefined;
    // Memory keeps only which fact of the log created a resolved transfer: read the record holding it (lookups are
    // rare: recovery, disputes, funds out). The record is durable, so a tick running meanwhile cannot change it.
    const revision = await recordHoldingFact(this.store, this.stream, windowed.eventNumber, state.recordCount);
    const [recorded] = await this.store.readStream(this.stream, BigInt(revision), 1);
    assert(recorded !== undefined, `the ${this.stream} log holds record ${revision} that the id window names`);
    const fact = ledgerFacts(recorded)[windowed.eventNumber - firstFactNumber(recorded)];
    assert(fact !== undefined, `record ${revision} of ${this.stream} holds fact ${windowed.eventNumber}`);
    return transferFromEvent(fact, windowed.eventNumber, transferId, windowed.pendingStatus);
  }

  async expire(): Promise<number> {
    let expired = 0;
    for (;;) {
      const state = await this.settledState();
      if (this.phase !== 'running') throw this.unavailable();
      // Another caller (a concurrent expire) may have started a tick since the state settled: starting a second
      // one now would decide on undurable state and append with a stale expected revision. Wait for it instead.
      if (this.busy !== null) continue;
      if (!this.expiryDue(state)) return expired;
      // Run a tick now (it expires up to expiriesPerTickMax) and wait for it to be durable.
      const outcome = await this.startTick();
      const appended = outcome.durable === undefined ? outcome.appended : await outcome.durable;
      if (!appended) throw new DomainError('LEDGER_WRITE_FAILED', `the ${this.ledger} ledger could not write its expiries`);
      expired += outcome.expired;
    }
  }

  stats(): LedgerEngineStats {
    return {
      ledger: this.ledger,
      revision: this.revision,
      queuedCommands: this.queue.commandCount,
      accounts: this.state?.accounts.size ?? 0,
      pendingTransfers: this.state?.pending.count ?? 0,
      rememberedTransfers: this.state?.window.length ?? 0,
    };
  }

  /** The durable state in canonical form (see canonical-state.ts): what replaying the log must reproduce. */
  async canonicalState(): Promise<string> {
    return canonicalState(await this.settledState());
  }

  /** Snapshots that could not be written (the ledger goes on without them; start-up replays more). */
  get snapshotFailureCount(): number {
    return this.snapshotFailures;
  }

  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    if (this.phase === 'running') this.phase = 'stopping';
    while (this.queue.length > 0 || this.busy !== null || this.tickScheduled || this.inFlight.length > 0 || this.recovery !== null) {
      if (this.busy !== null) await this.busy.catch(() => undefined);
      else if (this.recovery !== null) await this.recovery;
      else if (this.inFlight.length > 0) await this.drained();
      else {
        // Whatever held the queue back (a drain, a snapshot) is over: make sure its next tick is on its way.
        this.schedule();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (this.phase === 'failed') break;
    }
    if (this.expiryTimer !== null) clearInterval(this.expiryTimer);
    this.expiryTimer = null;
    this.rejectQueued(this.unavailable());
    await this.appender?.close();
    this.appender = null;
    this.phase = 'stopped';
  }

  private schedule(): void {
    if (this.tickScheduled || this.busy !== null || !this.mayStartTick()) return;
    this.tickScheduled = true;
    const run = (): void => {
      this.tickScheduled = false;
      if (this.busy !== null || !this.mayStartTick() || (this.phase !== 'running' && this.phase !== 'stopping')) return;
      if (this.queue.length === 0 && !this.expiryDue(this.state)) return;
      void this.startTick();
    };
    // After a failed append the next tick waits (a full disk does not heal in a microsecond, and each failure
    // reloads the ledger); otherwise setImmediate, not a microtask: submits get in between ticks, so ticks fill up.
    const pauseMs = this.pausedUntilMs - performance.now();
    if (pauseMs > 0) setTimeout(run, pauseMs);
    else setImmediate(run);
  }

  /**
   * Runs a tick and marks the engine busy until it is done. The mark is cleared in a `then`, which always runs
   * after this assignment even when the tick itself completes synchronously (the SQLite path).
   */
  private startTick(): Promise<TickOutcome> {
    const tick = this.runTick().then((outcome) => {
      this.busy = null;
      if (this.queue.length > 0 || this.expiryDue(this.state)) this.schedule();
      return outcome;
    });
    this.busy = tick;
    return tick;
  }

  /**
   * Whether a tick may be decided now. Without a pipeline nothing is ever in flight. With one, a tick starts while
   * fewer than recordsInFlightMax are, unless something needs the pipeline empty first: a caller that must see
   * durable state only, a snapshot (which must describe durable state), or a submit naming a companion stream that
   * a tick in flight writes.
   */
  private mayStartTick(): boolean {
    if (this.recovery !== null) return false;
    if (this.inFlight.length === 0) return true;
    return (
      this.inFlight.length < this.recordsInFlightMax &&
      this.drainWaiters.length === 0 &&
      !this.drainRequested &&
      !this.snapshotDue(this.state)
    );
  }

  private snapshotDue(state: LedgerState | null): boolean {
    return state !== null && this.snapshotEveryEvents > 0 && state.eventCount - this.lastSnapshotEventCount >= this.snapshotEveryEvents;
  }

  /** Resolves once no pipelined tick is in flight (or a failure abandoned them all); ticks wait meanwhile. */
  private drained(): Promise<void> {
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private wakeDrainWaiters(): void {
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private checkExpiries(): void {
    if (this.phase === 'running' && this.expiryDue(this.state)) this.schedule();
  }

  private expiryDue(state: LedgerState | null): boolean {
    if (state === null || state.pending.count === 0) return false;
    return state.pending.expiresAtMsOf(state.pending.firstExpiry()) <= this.now().getTime();
  }

  /**
   * One tick: decide a batch, append it, answer it. Failures go to the submits and a rebuild; an assertion
   * (a broken invariant) propagates and crashes the process, as it must.
   */
  private async runTick(): Promise<TickOutcome> {
    // A store that was failing over when the state was last rebuilt left none: rebuild it before deciding.
    if (this.state === null && !(await this.reloadAfterOutage())) return { appended: false, expired: 0 };
    const state = this.state;
    assert(state !== null, 'a tick runs on a loaded state');
    const submits = this.queue.take(this.batchCommandsMax);
    if (this.heldBackForCompanions(submits)) return { appended: false, expired: 0 };
    let companionRevisions: Map<string, bigint | null>;
    try {
      companionRevisions = await this.companionRevisions(submits);
    } catch (error) {
      // Nothing was decided: the submits hear the store's answer (503) and nothing changes.
      if (!isStoreRefusal(error)) throw error;
      for (const submit of submits) submit.reject(error);
      return { appended: false, expired: 0 };
    }
    const work = this.decideBatch(state, submits, companionRevisions);
    const nothingToWrite = work.events.length === 0 && work.before.length === 0 && work.after.length === 0;
    // With records in flight even a tick that writes nothing (a retry answered `exists`) was decided on facts that
    // are not durable yet: it goes through the appender, empty, to be answered after them (or fail with them).
    if (nothingToWrite && (this.appender === null || this.inFlight.length === 0)) {
      this.answer(work, null);
      return { appended: true, expired: 0 };
    }
    if (this.appender !== null) return this.sendTick(state, this.appender, work);
    let appended: AppendResult | null;
    let position: bigint;
    const appendStartedMs = performance.now();
    try {
      const expected: ExpectedRevision = this.revision === null ? 'no_stream' : this.revision;
      // One durable write for the tick: the ledger's events and the companions' (see CompanionAppend for the order).
      const entries: StreamAppend[] = work.before.map((entry) => entry.append);
      if (work.events.length > 0) entries.push({ stream: this.stream, events: work.events, expectedRevision: expected });
      for (const entry of work.after) entries.push(entry.append);
      const results =
        this.syncStore !== null
          ? entries.length === 1 && work.events.length > 0
            ? [this.syncStore.appendSync(this.stream, work.events, expected)]
            : this.syncStore.appendManySync(entries)
          : entries.length === 1 && work.events.length > 0
            ? [await this.store.append(this.stream, work.events, expected)]
            : await this.store.appendMany(entries);
      appended = work.events.length > 0 ? (results[work.before.length] as AppendResult) : null;
      position = results.reduce((highest, result) => (result.position > highest ? result.position : highest), -1n);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && error.stream !== this.stream) await this.retryWithoutCompanion(work, error);
      else await this.recoverFromFailedAppend(work, error);
      return { appended: false, expired: 0 };
    }
    if (appended !== null) {
      assert(
        appended.nextExpectedRevision === BigInt(state.recordCount + work.events.length - 1),
        `the ${this.stream} append ends after the records the engine wrote`,
      );
      this.revision = appended.nextExpectedRevision;
      this.decidedRevision = this.revision;
      state.recordCount += work.events.length;
    }
    this.appendFailuresInRow = 0;
    this.pausedUntilMs = 0;
    // A tick that wrote only companions leaves the ledger stream (and its revision, null when empty) as it was.
    this.answer(work, position);
    this.onTickCommitted?.({
      commands: work.results.reduce((sum, results) => sum + (results?.length ?? 0), 0),
      events: work.factCount,
      appendMs: performance.now() - appendStartedMs,
    });
    forgetOldTransfers(state, forgetStepsPerTick);
    if (this.snapshotEveryEvents > 0 && state.eventCount - this.lastSnapshotEventCount >= this.snapshotEveryEvents)
      await this.writeSnapshot(state);
    return { appended: true, expired: work.expired };
  }

  /**
   * Hands a decided tick to the pipelined appender and returns at once, so that the next tick can be decided on
   * this state (which already holds this tick's facts) while this one is written. Its submits are answered in
   * tickWritten, once its record is durable; appends complete in the order they were made.
   */
  private sendTick(state: LedgerState, appender: PipelinedAppender, work: TickWork): TickOutcome {
    const expected: ExpectedRevision = this.decidedRevision ?? 'no_stream';
    const entries: StreamAppend[] = work.before.map((entry) => entry.append);
    if (work.events.length > 0) entries.push({ stream: this.stream, events: work.events, expectedRevision: expected });
    for (const entry of work.after) entries.push(entry.append);
    if (work.events.length > 0) {
      state.recordCount += work.events.length;
      this.decidedRevision = BigInt(state.recordCount - 1);
    }
    for (const entry of [...work.before, ...work.after])
      this.companionStreamsInFlight.set(entry.append.stream, (this.companionStreamsInFlight.get(entry.append.stream) ?? 0) + 1);
    const tick: InFlightTick = {
      work,
      lastRevision: work.events.length > 0 ? this.decidedRevision : null,
      sentMs: performance.now(),
      durable: Promise.resolve(false),
    };
    tick.durable = appender.appendMany(entries).then(
      (results) => this.tickWritten(tick, results),
      (error: unknown) => this.tickFailed(tick, error),
    );
    this.inFlight.push(tick);
    forgetOldTransfers(state, forgetStepsPerTick);
    return { appended: true, expired: work.expired, durable: tick.durable };
  }

  /** A pipelined tick's record is durable: answer its submits (they are the oldest in flight). */
  private tickWritten(tick: InFlightTick, results: readonly AppendResult[]): boolean {
    assert(this.recovery === null, 'nothing decided on top of a failed append is written');
    assert(this.inFlight[0] === tick, 'pipelined appends complete in the order they were made');
    this.inFlight.shift();
    this.releaseCompanionStreams(tick.work);
    const work = tick.work;
    if (tick.lastRevision !== null) {
      const appended = results[work.before.length];
      assert(appended?.nextExpectedRevision === tick.lastRevision, `the ${this.stream} append ends after the records the engine wrote`);
      this.revision = appended.nextExpectedRevision;
    }
    const position = results.reduce((highest, result) => (result.position > highest ? result.position : highest), -1n);
    this.appendFailuresInRow = 0;
    this.pausedUntilMs = 0;
    this.answer(work, position);
    this.onTickCommitted?.({
      commands: work.results.reduce((sum, submitResults) => sum + (submitResults?.length ?? 0), 0),
      events: work.factCount,
      appendMs: performance.now() - tick.sentMs,
    });
    if (this.inFlight.length === 0) this.pipelineEmptied();
    if (this.queue.length > 0 || this.expiryDue(this.state)) this.schedule();
    return true;
  }

  /**
   * Nothing is in flight: the state is durable. A snapshot that fell due is written now, before the next tick, and
   * the callers that waited for durable state go on.
   */
  private pipelineEmptied(): void {
    this.drainRequested = false;
    const state = this.state;
    if (state !== null && this.busy === null && this.snapshotDue(state)) {
      const snapshot = this.writeSnapshot(state).then((): TickOutcome => {
        this.busy = null;
        this.wakeDrainWaiters();
        this.schedule();
        return { appended: true, expired: 0 };
      });
      this.busy = snapshot;
      return;
    }
    this.wakeDrainWaiters();
  }

  /**
   * A pipelined append failed. The appender writes nothing after it (it refuses the rest unwritten until resumed),
   * so the ticks in flight behind it, decided on top of it, are abandoned with it. The rebuild runs once, for the
   * first failure; the followers' own refusals arrive during it and are part of it.
   */
  private tickFailed(tick: InFlightTick, error: unknown): boolean {
    if (this.recovery !== null) return false;
    assert(this.inFlight[0] === tick, 'pipelined appends fail in the order they were made');
    const abandoned = this.inFlight.splice(0);
    this.companionStreamsInFlight.clear();
    this.drainRequested = false;
    this.recovery = this.recoverPipeline(abandoned, error).finally(() => {
      this.recovery = null;
      this.wakeDrainWaiters();
      if (this.queue.length > 0 || this.expiryDue(this.state)) this.schedule();
    });
    // Waiters for an empty pipeline now wait for the rebuild instead (settledState, stop).
    this.wakeDrainWaiters();
    return false;
  }

  /**
   * The rebuild after a failed pipelined append. The failed tick is treated as without a pipeline: its submits hear
   * the failure (for a companion stream changed meanwhile, those naming it do and the others are decided again).
   * The submits of the ticks behind it were never written and are not at fault: they go back to the head of the
   * queue and are decided once more on the state rebuilt from the log; a submit that follows a failed append a
   * second time hears that failure instead, so a failing disk cannot keep one in the queue for ever.
   */
  private async recoverPipeline(abandoned: InFlightTick[], error: unknown): Promise<void> {
    const [failed, ...followers] = abandoned;
    assert(failed !== undefined, 'a failed pipelined append has its tick');
    // A tick being decided now stands on the failed one too: let it finish and count it among the followers.
    while (this.busy !== null) await this.busy;
    followers.push(...this.inFlight.splice(0));
    this.companionStreamsInFlight.clear();
    // Each follower is refused unwritten; wait for every answer so that the log is final before it is read again.
    await Promise.allSettled(followers.map((follower) => follower.durable));
    const retried: QueuedSubmit[] = [];
    for (const follower of followers) {
      follower.work.submits.forEach((submit, index) => {
        // A submit refused before its decision (a companion stream not as expected) has been rejected already.
        if (follower.work.results[index] === null) return;
        if (submit.retriedAfterFailure === true) {
          submit.reject(this.writeFailure(error));
          return;
        }
        submit.retriedAfterFailure = true;
        retried.push(submit);
      });
    }
    this.queue.returnToFront(retried);
    if (error instanceof WrongExpectedRevisionError && error.stream !== this.stream) await this.retryWithoutCompanion(failed.work, error);
    else await this.recoverFromFailedAppend(failed.work, error);
    this.appender?.resume();
  }

  /**
   * Whether the submits name a companion stream that a record in flight writes: the revision it will have is not
   * known until that record is durable, so they go back to the queue and the pipeline empties before they are decided.
   */
  private heldBackForCompanions(submits: readonly QueuedSubmit[]): boolean {
    if (this.companionStreamsInFlight.size === 0) return false;
    const named = submits.some((submit) => submit.companions.some((companion) => this.companionStreamsInFlight.has(companion.stream)));
    if (!named) return false;
    this.queue.returnToFront(submits);
    this.drainRequested = true;
    return true;
  }

  private releaseCompanionStreams(work: TickWork): void {
    for (const entry of [...work.before, ...work.after]) {
      const count = (this.companionStreamsInFlight.get(entry.append.stream) ?? 0) - 1;
      if (count > 0) this.companionStreamsInFlight.set(entry.append.stream, count);
      else this.companionStreamsInFlight.delete(entry.append.stream);
    }
  }

  /**
   * The revision of every companion stream of these submits, read before they are decided (the engine is the only
   * writer of these streams while the submit is queued, in the usual case; a writer that gets in between is caught
   * by the append's own check, see retryWithoutCompanion).
   */
  private async companionRevisions(submits: readonly QueuedSubmit[]): Promise<Map<string, bigint | null>> {
    const revisions = new Map<string, bigint | null>();
    const streams = new Set<string>();
    for (const submit of submits) for (const companion of submit.companions) streams.add(companion.stream);
    if (streams.size === 0) return revisions;
    if (this.syncStore !== null) {
      for (const stream of streams) revisions.set(stream, this.syncStore.streamRevisionSync(stream));
      return revisions;
    }
    const read = await Promise.all([...streams].map(async (stream) => [stream, await this.store.streamRevision(stream)] as const));
    for (const [stream, revision] of read) revisions.set(stream, revision);
    return revisions;
  }

  /** Decides the submits taken (and due expiries) against the state, and collects their companions' events. */
  private decideBatch(state: LedgerState, submits: QueuedSubmit[], companionRevisions: Map<string, bigint | null>): TickWork {
    const nowMs = this.now().getTime();
    assert(Number.isFinite(nowMs), 'the injected clock returns a valid date');
    const context: DecideContext = { nowMs };
    // No actor on ledger events: the stream names its only writer, and every byte per event costs on the hot path.
    const metadata: EventMetadata = { at: new Date(nowMs).toISOString() };
    const firstFact = state.eventCount;
    const work: TickWork = { submits, results: [], appended: [], factCount: 0, events: [], before: [], after: [], expired: 0 };
    // The decider writes each fact into the tick's record as it decides it (no event object on the hot path).
    const encoder = this.encoder;
    encoder.begin(firstFact);
    /** Companion streams a submit of this tick writes: a later submit of the tick expecting them as they were loses. */
    const claimed = new Set<string>();
    for (let count = 0; count < this.expiriesPerTickMax; count += 1) {
      const decision = decideExpiry(state, context);
      if (decision === null || decision.result !== 'ok') break;
      evolve(state, decision.event);
      encoder.addFact(decision.event);
      work.expired += 1;
    }
    work.submits.forEach((submit, index) => {
      const conflict = submit.companions.find(
        (companion) =>
          claimed.has(companion.stream) || !revisionMatches(companion.expectedRevision, companionRevisions.get(companion.stream) ?? null),
      );
      if (conflict !== undefined) {
        work.results.push(null);
        work.appended.push(false);
        submit.reject(
          new WrongExpectedRevisionError(conflict.stream, conflict.expectedRevision, companionRevisions.get(conflict.stream) ?? null),
        );
        return;
      }
      const factsBefore = encoder.factCount;
      const results = decideCommands(state, submit.commands, context, encoder);
      work.results.push(results);
      let companionWrites = false;
      for (const companion of submit.companions) {
        claimed.add(companion.stream);
        const written = companionEvents(companion, results);
        if (written.length === 0) continue;
        companionWrites = true;
        const entry = {
          submit: index,
          append: { stream: companion.stream, events: written, expectedRevision: companion.expectedRevision },
        };
        if (companion.placement === 'before_ledger') work.before.push(entry);
        else work.after.push(entry);
      }
      work.appended.push(encoder.factCount > factsBefore || companionWrites);
    });
    // One record for the tick's facts (more only past the record size limit): one id, one row, one checksum.
    work.factCount = encoder.factCount;
    for (const bytes of encoder.finish()) work.events.push({ id: randomUUID(), type: ledgerBatchType, data: {}, metadata, bytes });
    return work;
  }

  private answer(work: TickWork, position: bigint | null): void {
    work.submits.forEach((submit, index) => {
      const results = work.results[index];
      // A submit refused before its decision has been rejected already.
      if (results === null || results === undefined) return;
      submit.resolve({ results, position: work.appended[index] === true ? position : null });
    });
  }

  /**
   * A companion stream changed between the check and the append (another writer got in), so nothing of the tick
   * was written (or, on a store without multi-stream transactions, a prefix was: the commands are idempotent by id
   * and their companions expect revisions, so deciding them again writes nothing twice). The submits with that
   * companion are refused; the others go back to the head of the queue and are decided again on the rebuilt
   * state, so another caller's payment is never failed for it.
   */
  private async retryWithoutCompanion(work: TickWork, error: WrongExpectedRevisionError): Promise<void> {
    const retried: QueuedSubmit[] = [];
    work.submits.forEach((submit, index) => {
      if (work.results[index] === null) return;
      if (submit.companions.some((companion) => companion.stream === error.stream)) submit.reject(error);
      else retried.push(submit);
    });
    this.queue.returnToFront(retried);
    this.state = null;
    await this.rebuildOrFail();
  }

  /**
   * The append failed, so nothing of this tick is in the log but the state has it: throw the state away,
   * tell the submits, and rebuild from the log (which may now hold another writer's events) before more work.
   */
  private async recoverFromFailedAppend(work: TickWork, error: unknown): Promise<void> {
    const failure = this.writeFailure(error);
    work.submits.forEach((submit, index) => {
      if (work.results[index] !== null) submit.reject(failure);
    });
    this.appendFailuresInRow += 1;
    // A store failing over is back within seconds: the engine retries it more often than a failing disk.
    const pauseMsMax = isStoreRefusal(error) ? storeOutagePauseMs : appendRetryPauseMsMax;
    this.pausedUntilMs = performance.now() + Math.min(pauseMsMax, appendRetryPauseMsFirst * 2 ** (this.appendFailuresInRow - 1));
    this.state = null;
    await this.rebuildOrFail();
  }

  /** What the submits of a failed append hear: a store that is failing over or fenced this process says so itself. */
  private writeFailure(error: unknown): DomainError {
    if (isStoreRefusal(error)) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new DomainError(
      'LEDGER_WRITE_FAILED',
      this.store.multiStreamAtomic
        ? `the ${this.ledger} ledger could not write its batch; nothing of it was applied (${reason})`
        : `the ${this.ledger} ledger could not write all of its batch; the switch finishes what was written (${reason})`,
    );
  }

  /**
   * Rebuilds the state after a store outage (PostgreSQL failing over). While the store is still away the queued
   * work hears its 503 and the next submit tries again after the pause; resolves whether the state is back.
   */
  private async reloadAfterOutage(): Promise<boolean> {
    try {
      await this.load();
      return true;
    } catch (error) {
      if (!isStoreRefusal(error)) throw error;
      this.rejectQueued(error);
      this.pausedUntilMs = performance.now() + storeOutagePauseMs;
      return false;
    }
  }

  /**
   * After a failed append or a conflict the state is rebuilt from the log. A store that is failing over cannot
   * answer yet: the state stays empty and the next tick rebuilds it (reloadAfterOutage). Any other failure to
   * rebuild leaves the engine without a state, so it refuses all work until it is restarted.
   */
  private async rebuildOrFail(): Promise<void> {
    try {
      await this.load();
    } catch (loadError) {
      if (isStoreRefusal(loadError)) return;
      this.failure = loadError;
      this.phase = 'failed';
      this.rejectQueued(this.unavailable());
    }
  }

  private async load(): Promise<void> {
    const loaded = await loadLedger(this.store, this.ledger, this.tunables, true);
    this.state = loaded.state;
    this.revision = loaded.revision;
    this.decidedRevision = loaded.revision;
    this.lastSnapshotEventCount = loaded.snapshotEventCount ?? 0;
    this.windowSegmentEvent = loaded.windowFromSegments ? loaded.snapshotEventCount : null;
  }

  private async writeSnapshot(state: LedgerState): Promise<void> {
    const at = this.now().toISOString();
    await this.writeWindowSegment(state, at);
    const events: NewEvent[] = snapshotChunks(state).map((data) => ({
      id: randomUUID(),
      type: snapshotChunkType,
      data,
      metadata: { at, actor: this.actor },
    }));
    this.lastSnapshotEventCount = state.eventCount;
    const stream = ledgerSnapshotStreamName(this.ledger);
    try {
      // Any position in the snapshot stream will do: every snapshot in it describes a durable ledger state.
      if (this.syncStore !== null) this.syncStore.appendSync(stream, events, 'any');
      else await this.store.append(stream, events, 'any');
    } catch {
      this.snapshotFailures += 1;
    }
  }

  /**
   * Appends the window segment that ends at this snapshot (transfer-id-window-segment.ts), before the snapshot
   * itself: the entries since the last segment and the statuses changed since, or the whole window when the chain
   * is broken (after a start that rebuilt the window, a failed append, or changes too many to keep).
   */
  private async writeWindowSegment(state: LedgerState, at: string): Promise<void> {
    const changes = state.window.takeStatusChanges(state.eventCount);
    const fromEvent = changes === null || this.windowSegmentEvent === null ? 0 : this.windowSegmentEvent;
    const events: NewEvent[] = windowSegmentParts(state.window, fromEvent, state.eventCount, changes ?? []).map((bytes) => ({
      id: randomUUID(),
      type: windowSegmentType,
      data: {},
      bytes,
      metadata: { at, actor: this.actor },
    }));
    const stream = ledgerWindowStreamName(this.ledger);
    this.windowSegmentEvent = null;
    try {
      if (this.syncStore !== null) this.syncStore.appendSync(stream, events, 'any');
      else await this.store.append(stream, events, 'any');
      this.windowSegmentEvent = state.eventCount;
    } catch {
      this.snapshotFailures += 1;
    }
  }

  /** The state once no tick, append or rebuild is in flight: lookups see durable facts only. */
  private async settledState(): Promise<LedgerState> {
    while (this.busy !== null || this.recovery !== null || this.inFlight.length > 0) {
      if (this.busy !== null) await this.busy;
      else if (this.recovery !== null) await this.recovery;
      else await this.drained();
    }
    if (this.state === null && this.phase === 'running') {
      // Rebuilt by the next tick once the store answers again (reloadAfterOutage).
      throw new DomainError('STORE_UNAVAILABLE', `the ${this.ledger} ledger is waiting for the event store to answer again`);
    }
    if (this.state === null) throw this.unavailable();
    return this.state;
  }

  private rejectQueued(error: DomainError): void {
    for (const submit of this.queue.take(Number.MAX_SAFE_INTEGER)) submit.reject(error);
  }

  private unavailable(): DomainError {
    if (this.phase === 'created' || this.phase === 'starting')
      return new DomainError('LEDGER_NOT_STARTED', `the ${this.ledger} ledger engine has not started`);
    if (this.phase === 'failed') {
      const reason = this.failure instanceof Error ? this.failure.message : String(this.failure);
      return new DomainError(
        'LEDGER_UNAVAILABLE',
        `the ${this.ledger} ledger engine could not rebuild its state and takes no work (${reason})`,
      );
    }
    return new DomainError('LEDGER_STOPPED', `the ${this.ledger} ledger engine is stopped`);
  }
}

function checkOptions(engine: SingleWriterLedgerEngine): void {
  const limits = engine.limits;
  const wholeNumber = (value: number, minimum: number, maximum: number, name: string) =>
    assert(Number.isSafeInteger(value) && value >= minimum && value <= maximum, `${name} is a whole number from ${minimum} to ${maximum}`);
  wholeNumber(limits.batchCommandsMax, 1, batchCommandsLimit, 'batchCommandsMax');
  wholeNumber(limits.queueCommandsMax, limits.batchCommandsMax, 10_000_000, 'queueCommandsMax');
  wholeNumber(limits.expiriesPerTickMax, 1, eventStoreLimits.eventsPerAppendMax - limits.batchCommandsMax, 'expiriesPerTickMax');
  wholeNumber(limits.snapshotEveryEvents, 0, Number.MAX_SAFE_INTEGER, 'snapshotEveryEvents');
  wholeNumber(limits.expiryCheckIntervalMs, 0, 3_600_000, 'expiryCheckIntervalMs');
  wholeNumber(limits.recordsInFlightMax, 1, recordsInFlightLimit, 'recordsInFlightMax');
  wholeNumber(limits.timeoutMsMax, 1, 366 * 24 * 3_600_000, 'timeoutMsMax');
  wholeNumber(limits.accountsMax, 1, 100_000_000, 'accountsMax');
  wholeNumber(limits.pendingTransfersMax, 1, pendingTransfersLimit, 'pendingTransfersMax');
  wholeNumber(limits.transfersRememberedEvents, 1, transfersRememberedEventsMax, 'transfersRememberedEvents');
}
