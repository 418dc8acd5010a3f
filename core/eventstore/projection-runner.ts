import { assert } from '../assert';
import type { RecordedEvent } from './event';
import { START_POSITION, type EventStore, type Subscription } from './event-store';
import type { Projection, ReadModelStore } from './projection';
import { applyBatch, prepareProjection, type BatchProgress, type PreparedProjection } from './projection-batch';
import { ProjectionError } from './projection-errors';

export const projectionRunnerLimits = {
  /** Events applied in one read-model transaction at most (also the most events buffered in memory). */
  batchSizeMax: 10_000,
  batchSizeDefault: 1000,
  /** The longest a caller may wait for the read model to reach a position. */
  waitTimeoutMsMax: 60_000,
  /** Callers waiting for positions at once; more are refused rather than queued without end. */
  waitersMax: 10_000,
  projectionsMax: 200,
  projectionNameLengthMax: 100,
} as const;

export type ProjectionRunnerOptions<Tx> = {
  store: EventStore;
  readModels: ReadModelStore<Tx>;
  projections: readonly Projection<Tx>[];
  /** Events per read-model transaction, 1 to projectionRunnerLimits.batchSizeMax; default 1000. */
  batchSize?: number;
  /** Callers waiting in waitForPosition at once; default projectionRunnerLimits.waitersMax. */
  waitersMax?: number;
  /** Called after each committed batch: progress reports and metrics. */
  onBatchCommitted?: (commit: BatchCommitted) => void;
  /** Called once when the runner fails and stops (a projection threw, the store failed). */
  onError?: (error: ProjectionError) => void;
};

export type BatchCommitted = {
  /** Events in the batch, all of them accounted for (applied or skipped as unhandled). */
  eventCount: number;
  /** Position of the batch's last event: every projection's checkpoint is now at least this. */
  position: bigint;
};

export type RebuildResult = {
  projectionName: string;
  /** Events of the log read into the projection since its reset, of every type. */
  eventsReplayed: number;
  /** Of those, the events of types it handles. */
  eventsApplied: number;
  /** The projection's checkpoint when the rebuild finished: at least the head of the log when it began. */
  position: bigint;
};

export type ProjectionStatus = { name: string; position: bigint; eventsSeen: number; eventsApplied: number };

export type RunnerState = 'stopped' | 'running' | 'failed';

type Waiter = {
  position: bigint;
  projectionName: string | null;
  resolve: () => void;
  reject: (error: ProjectionError) => void;
  timer: ReturnType<typeof setTimeout> | null;
};

/**
 * Feeds projections the global log in order, from their checkpoints: catch-up, then live, through the store's
 * subscribeAll. Events are buffered and applied in batches (up to `batchSize`, or whatever arrived before the
 * event loop next turns), each batch in ONE read-model transaction together with every projection's
 * checkpoint (see applyBatch), so the read model is always exactly "the log up to its checkpoint".
 *
 * All projections share one subscription, from the lowest checkpoint; a projection already past an event skips it.
 *
 * Use (a server):
 *   const readModels = new SqliteReadModelStore(readModelPath(dataDir));
 *   const runner = new ProjectionRunner({ store, readModels, projections: switchProjections, onError: crash });
 *   await runner.start();
 *   const { position } = await store.append(...);          // a client's write
 *   await runner.waitForPosition(position, 5_000);           // then its read shows it
 */
export class ProjectionRunner<Tx> {
  private readonly store: EventStore;
  private readonly readModels: ReadModelStore<Tx>;
  private readonly prepared: readonly PreparedProjection<Tx>[];
  private readonly batchSize: number;
  private readonly waitersMax: number;
  private readonly onBatchCommitted: ((commit: BatchCommitted) => void) | undefined;
  private readonly onError: ((error: ProjectionError) => void) | undefined;

  /** Checkpoint per projection as last committed (or read) by this runner. */
  private readonly positions = new Map<string, bigint>();
  private readonly counters = new Map<string, { eventsSeen: number; eventsApplied: number }>();
  /** Last event of the last committed batch: the position reached when there are no projections. */
  private committedPosition = START_POSITION;
  private state: RunnerState = 'stopped';
  private failure: ProjectionError | null = null;
  private subscription: Subscription | null = null;
  private buffer: RecordedEvent[] = [];
  private flushTimer: ReturnType<typeof setImmediate> | null = null;
  /** Set when a stored checkpoint moved back: deliveries are dropped until the subscription restarts. */
  private resyncPending = false;
  private readonly waiters = new Set<Waiter>();
  private resyncs = 0;
  /** start, stop, rebuild and resync run one at a time, in call order. */
  private operations: Promise<unknown> = Promise.resolve();

  constructor(options: ProjectionRunnerOptions<Tx>) {
    checkProjections(options.projections);
    const batchSize = options.batchSize ?? projectionRunnerLimits.batchSizeDefault;
    assert(
      Number.isSafeInteger(batchSize) && batchSize >= 1 && batchSize <= projectionRunnerLimits.batchSizeMax,
      `batchSize is 1 to ${projectionRunnerLimits.batchSizeMax}`,
    );
    const waitersMax = options.waitersMax ?? projectionRunnerLimits.waitersMax;
    assert(
      Number.isSafeInteger(waitersMax) && waitersMax >= 1 && waitersMax <= projectionRunnerLimits.waitersMax,
      `waitersMax is 1 to ${projectionRunnerLimits.waitersMax}`,
    );
    this.store = options.store;
    this.readModels = options.readModels;
    this.prepared = options.projections.map(prepareProjection);
    this.batchSize = batchSize;
    this.waitersMax = waitersMax;
    this.onBatchCommitted = options.onBatchCommitted;
    this.onError = options.onError;
  }

  /** Creates missing tables, reads the checkpoints and starts applying the log. Resolves once subscribed. */
  start(): Promise<void> {
    return this.serialize(async () => {
      this.throwIfFailed();
      if (this.state === 'running') return;
      this.open();
      this.state = 'running';
      this.subscribe();
    });
  }

  /** Applies what it has already received, then stops. Waiters still waiting are refused. */
  stop(): Promise<void> {
    return this.serialize(async () => {
      if (this.state === 'running') {
        await this.closeSubscription();
        this.flushOrFail();
        if (this.state === 'running') this.state = 'stopped';
      }
      this.rejectWaiters(() => new ProjectionError('PROJECTION_RUNNER_STOPPED', 'the projection runner was stopped'));
    });
  }

  get currentState(): RunnerState {
    return this.state;
  }

  /** Times this runner found a projection reset under it (by the rebuild command) and re-read the log. */
  get resyncCount(): number {
    return this.resyncs;
  }

  /** The position every projection has reached: a read model query sees the log up to at least here. */
  position(): bigint {
    if (this.prepared.length === 0) return this.committedPosition;
    let lowest: bigint | null = null;
    for (const prepared of this.prepared) {
      const position = this.positions.get(prepared.projection.name) ?? START_POSITION;
      if (lowest === null || position < lowest) lowest = position;
    }
    return lowest ?? START_POSITION;
  }

  projectionPosition(projectionName: string): bigint {
    this.findProjection(projectionName);
    return this.positions.get(projectionName) ?? START_POSITION;
  }

  status(): ProjectionStatus[] {
    return this.prepared.map(({ projection }) => ({
      name: projection.name,
      position: this.positions.get(projection.name) ?? START_POSITION,
      eventsSeen: this.counters.get(projection.name)?.eventsSeen ?? 0,
      eventsApplied: this.counters.get(projection.name)?.eventsApplied ?? 0,
    }));
  }

  /**
   * Resolves once every projection (or the one named) has applied the log up to `position`: after a write at
   * `position`, the writer's next read shows it. Rejects with PROJECTION_WAIT_TIMEOUT after `timeoutMs`.
   */
  // Async so that a bad argument rejects, as every other failure of a wait does, rather than throwing.
  async waitForPosition(position: bigint, timeoutMs: number, projectionName?: string): Promise<void> {
    checkWait(position, timeoutMs);
    if (projectionName !== undefined) this.findProjection(projectionName);
    return this.wait(position, projectionName ?? null, timeoutMs);
  }

  /**
   * Clears one projection's tables and checkpoint and replays the log into it from position 0, up to the head
   * of the log as it was when the rebuild began. The other projections are not touched. Works whether or not
   * the runner is started; a stopped runner is stopped again afterwards.
   */
  async rebuild(projectionName: string): Promise<RebuildResult> {
    const { target, wasRunning } = await this.serialize(() => this.resetForRebuild(projectionName));
    try {
      await this.wait(target, projectionName, null);
    } finally {
      if (!wasRunning) await this.stop();
    }
    const counters = this.counters.get(projectionName) ?? { eventsSeen: 0, eventsApplied: 0 };
    return {
      projectionName,
      eventsReplayed: counters.eventsSeen,
      eventsApplied: counters.eventsApplied,
      position: this.positions.get(projectionName) ?? START_POSITION,
    };
  }

  private async resetForRebuild(projectionName: string): Promise<{ target: bigint; wasRunning: boolean }> {
    this.throwIfFailed();
    const { projection } = this.findProjection(projectionName);
    const wasRunning = this.state === 'running';
    if (wasRunning) {
      await this.closeSubscription();
      this.flushOrFail();
      this.throwIfFailed();
    } else {
      this.open();
    }
    this.readModels.transaction((tx) => {
      projection.reset(tx);
      // setup after reset: a reset may drop its tables rather than empty them.
      projection.setup(tx);
      this.readModels.writeCheckpoint(tx, projection.name, START_POSITION);
    });
    this.positions.set(projection.name, START_POSITION);
    this.counters.set(projection.name, { eventsSeen: 0, eventsApplied: 0 });
    const target = await this.store.headPosition();
    this.state = 'running';
    this.subscribe();
    return { target, wasRunning };
  }

  /**
   * Runs every projection's setup and reads every checkpoint, in one transaction. A projection whose stored version
   * is not its current one is emptied and started again from position 0 in that transaction: its old rows were
   * written by other code and must not be mixed with new ones.
   */
  private open(): void {
    this.readModels.transaction((tx) => {
      for (const { projection } of this.prepared) {
        const version = projection.version ?? 1;
        assert(Number.isSafeInteger(version) && version >= 1, `projection ${projection.name} has a version from 1`);
        const storedVersion = this.readModels.readVersion(tx, projection.name);
        if (storedVersion !== null && storedVersion !== version) {
          projection.reset(tx);
          this.readModels.writeCheckpoint(tx, projection.name, START_POSITION);
        }
        projection.setup(tx);
        if (storedVersion !== version) this.readModels.writeVersion(tx, projection.name, version);
        this.positions.set(projection.name, this.readModels.readCheckpoint(tx, projection.name));
        if (!this.counters.has(projection.name)) this.counters.set(projection.name, { eventsSeen: 0, eventsApplied: 0 });
      }
    });
  }

  private subscribe(): void {
    assert(this.subscription === null, 'one subscription at a time');
    this.resyncPending = false;
    this.buffer = [];
    const subscription = this.store.subscribeAll(this.position(), this.deliver);
    this.subscription = subscription;
    subscription.finished.catch((error: unknown) => this.fail(error));
  }

  private async closeSubscription(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) await subscription.close();
    if (this.flushTimer !== null) {
      clearImmediate(this.flushTimer);
      this.flushTimer = null;
    }
  }

  /**
   * The subscription handler. A full buffer is applied at once, then the handler yields to the event loop so a
   * long catch-up does not starve the process; a partial one is applied when the event loop next turns.
   */
  private readonly deliver = (event: RecordedEvent): Promise<void> | undefined => {
    if (this.resyncPending || this.state !== 'running') return undefined;
    this.buffer.push(event);
    if (this.buffer.length < this.batchSize) {
      this.scheduleFlush();
      return undefined;
    }
    this.flush();
    return new Promise<void>((resolve) => setImmediate(resolve));
  };

  private scheduleFlush(): void {
    if (this.flushTimer !== null) return;
    this.flushTimer = setImmediate(() => {
      this.flushTimer = null;
      this.flushOrFail();
    });
  }

  private flushOrFail(): void {
    try {
      this.flush();
    } catch (error) {
      this.fail(error);
    }
  }

  private flush(): void {
    if (this.buffer.length === 0 || this.resyncPending) return;
    const events = this.buffer;
    this.buffer = [];
    const outcome = applyBatch(this.readModels, this.prepared, events, this.positions);
    if (outcome.kind === 'checkpoint_moved_back') {
      this.requestResync();
      return;
    }
    this.recordProgress(outcome.progress);
    this.committedPosition = events[events.length - 1]!.position;
    this.onBatchCommitted?.({ eventCount: events.length, position: this.committedPosition });
    this.settleWaiters();
  }

  private recordProgress(progress: ReadonlyMap<string, BatchProgress>): void {
    for (const [name, batch] of progress) {
      this.positions.set(name, batch.position);
      const counters = this.counters.get(name);
      assert(counters !== undefined, `counters exist for ${name}`);
      counters.eventsSeen += batch.eventsSeen;
      counters.eventsApplied += batch.eventsApplied;
    }
  }

  /**
   * Another process (the rebuild command) reset a projection under this runner. Re-read the checkpoints and
   * subscribe again from the lowest, so the reset projection gets the events it lost and nothing twice.
   */
  private requestResync(): void {
    this.resyncPending = true;
    this.resyncs += 1;
    this.buffer = [];
    void this.serialize(async () => {
      if (this.state !== 'running') return;
      await this.closeSubscription();
      this.open();
      this.subscribe();
    }).catch((error: unknown) => this.fail(error));
  }

  private fail(cause: unknown): void {
    if (this.state === 'failed') return;
    const message = cause instanceof Error ? cause.message : String(cause);
    const error = new ProjectionError('PROJECTION_RUNNER_FAILED', `the projection runner stopped: ${message}`, [], cause);
    this.state = 'failed';
    this.failure = error;
    this.buffer = [];
    void this.closeSubscription();
    this.rejectWaiters(() => error);
    this.onError?.(error);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private findProjection(projectionName: string): PreparedProjection<Tx> {
    const found = this.prepared.find(({ projection }) => projection.name === projectionName);
    if (!found) {
      const known = this.prepared.map(({ projection }) => projection.name);
      throw new ProjectionError(
        'UNKNOWN_PROJECTION',
        `there is no projection named "${projectionName}"; known: ${known.length === 0 ? '(none)' : known.join(', ')}`,
        known,
      );
    }
    return found;
  }

  private reached(projectionName: string | null): bigint {
    return projectionName === null ? this.position() : (this.positions.get(projectionName) ?? START_POSITION);
  }

  /** `timeoutMs` null: an internal wait (a rebuild) that ends only with progress, a stop or a failure. */
  private wait(position: bigint, projectionName: string | null, timeoutMs: number | null): Promise<void> {
    if (this.reached(projectionName) >= position) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    if (this.state !== 'running') {
      return Promise.reject(
        new ProjectionError('PROJECTION_RUNNER_STOPPED', 'the projection runner is not running, so the read model will not advance'),
      );
    }
    if (this.waiters.size >= this.waitersMax) {
      return Promise.reject(
        new ProjectionError(
          'PROJECTION_WAITERS_FULL',
          `${this.waitersMax} callers are already waiting for the read model; try again shortly`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { position, projectionName, resolve, reject, timer: null };
      if (timeoutMs !== null) {
        waiter.timer = setTimeout(() => {
          this.waiters.delete(waiter);
          const reached = this.reached(projectionName);
          reject(
            new ProjectionError(
              'PROJECTION_WAIT_TIMEOUT',
              `the read model reached position ${reached} but not ${position} within ${timeoutMs} ms; it is behind the log, try again`,
              [{ reached: reached.toString(), awaited: position.toString(), timeoutMs }],
            ),
          );
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  private settleWaiters(): void {
    for (const waiter of this.waiters) {
      if (this.reached(waiter.projectionName) < waiter.position) continue;
      if (waiter.timer !== null) clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  private rejectWaiters(makeError: () => ProjectionError): void {
    for (const waiter of this.waiters) {
      if (waiter.timer !== null) clearTimeout(waiter.timer);
      waiter.reject(makeError());
    }
    this.waiters.clear();
  }

  private serialize<Result>(work: () => Promise<Result>): Promise<Result> {
    const result = this.operations.then(work);
    this.operations = result.catch(() => undefined);
    return result;
  }
}

function checkProjections<Tx>(projections: readonly Projection<Tx>[]): void {
  assert(
    projections.length <= projectionRunnerLimits.projectionsMax,
    `at most ${projectionRunnerLimits.projectionsMax} projections per runner`,
  );
  const names = new Set<string>();
  for (const projection of projections) {
    const name = projection.name;
    assert(
      typeof name === 'string' && /^\S+$/.test(name) && name.length <= projectionRunnerLimits.projectionNameLengthMax,
      `projection name "${name}" is 1 to ${projectionRunnerLimits.projectionNameLengthMax} characters without spaces`,
    );
    assert(!names.has(name), `projection names are unique: "${name}" appears twice`);
    names.add(name);
  }
}

function checkWait(position: bigint, timeoutMs: number): void {
  if (typeof position !== 'bigint' || position < START_POSITION) {
    throw new ProjectionError('PROJECTION_INVALID_ARGUMENT', `a log position is a whole number from ${START_POSITION}`);
  }
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > projectionRunnerLimits.waitTimeoutMsMax) {
    throw new ProjectionError('PROJECTION_INVALID_ARGUMENT', `a wait takes 0 to ${projectionRunnerLimits.waitTimeoutMsMax} ms`);
  }
}
