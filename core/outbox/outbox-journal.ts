import { isStoreRefusal } from '../eventstore/event-store-errors';
import { assert } from '../assert';
import { DomainError } from '../errors';
import type { EventMetadata, NewEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { eventStoreLimits } from '../eventstore/limits';
import { foldStream } from '../eventstore/read-stream';
import { newId } from '../ids';
import { fromRecordedEvent, outboxStream, toNewEvent } from './delivery-event-codec';
import { decide, deliveryIdOf, evolve, initialState, type DeliveryCommand, type DeliveryState } from './delivery-decider';
import type { DeliveryEvent } from './delivery-events';
import {
  outboxSnapshotChunks,
  outboxSnapshotChunkType,
  outboxSnapshotStream,
  readLatestOutboxSnapshot,
  type FinishedDelivery,
  type OutboxSnapshot,
  type PendingDelivery,
} from './outbox-snapshot';

type PendingWrite = { events: NewEvent[]; resolve: () => void; reject: (error: unknown) => void };

export type OutboxJournalOptions = {
  /** Called after memory was rebuilt from the stream, so the worker can reschedule what is pending. */
  onReload: () => void;
  /**
   * Finished deliveries remembered at most, newest kept. A finished one is remembered so that queueing it
   * again is recognised and does nothing; one forgotten and queued again is delivered again, which receivers
   * absorb (they deduplicate by transferId). Without this bound an ADVICE-mode participant, one advice per
   * payment, would grow memory without end.
   */
  finishedRememberedMax: number;
  /** A snapshot of memory is written after this many events of the stream, so start-up reads at most this many. */
  snapshotEveryEvents: number;
  now: () => Date;
  /** A snapshot that could not be written: the outbox goes on without it, and start-up replays more. */
  onSnapshotError: (error: unknown) => void;
};

/** How the journal's memory was last loaded: from which snapshot, and how many stream events were read after it. */
export type OutboxLoad = { snapshotRevision: bigint | null; eventsReplayed: number };

/** How soon memory is rebuilt again when the store was away (PostgreSQL failing over) at the last try. */
const outageReloadPauseMs = 500;

/**
 * The state of every delivery of one channel, kept in memory and made durable in the channel's outbox stream.
 * It is the stream's only writer in this process: commands are decided against memory and evolved into it at
 * once (so the next command sees them), and their events are appended in groups, one append for whatever
 * queued up while the previous append was being made durable. The stream's revision fences it: if another
 * writer got in, or an append fails, memory is thrown away and rebuilt from the stream before the next command.
 */
export class OutboxJournal {
  readonly stream: string;
  private states = new Map<string, DeliveryState>();
  /** Ids of finished deliveries, oldest first: the order they are forgotten in. */
  private finishedOrder: string[] = [];
  private finishedOrderStart = 0;
  private pending = 0;
  private revision: bigint | null = null;
  private writes: PendingWrite[] = [];
  private flushing = false;
  private flushRun: Promise<void> | null = null;
  private reloading: Promise<void> | null = null;
  private failure: unknown = null;
  /**
   * The store was away (failing over) when memory was last rebuilt: memory is empty, and is rebuilt again, by a
   * timer and before the next decision, once the store answers. Not a failure: the outbox resumes by itself.
   */
  private outage: unknown = null;
  /** Events decided into memory since the stream began: memory is the stream's state after this many events. */
  private eventsDecided = 0n;
  private eventsDecidedAtSnapshot = 0n;
  /** Counts loads: a snapshot captured before a reload describes memory that was thrown away, and is dropped. */
  private generation = 0;
  private snapshotWrite: Promise<void> | null = null;
  private lastLoad: OutboxLoad = { snapshotRevision: null, eventsReplayed: 0 };

  constructor(
    private readonly store: EventStore,
    channel: string,
    private readonly options: OutboxJournalOptions,
  ) {
    this.stream = outboxStream(channel);
  }

  /**
   * Reads the latest snapshot and the stream after it into memory: what was queued before a restart is pending
   * again, and what finished recently is still recognised. Start-up reads at most a snapshot's interval of events,
   * however long the stream. A stream read this way without a recent snapshot (one written before snapshots) gets
   * one at once, so the next start is short.
   */
  async load(): Promise<void> {
    this.generation += 1;
    this.states = new Map<string, DeliveryState>();
    this.finishedOrder = [];
    this.finishedOrderStart = 0;
    this.pending = 0;
    const snapshot = await readLatestOutboxSnapshot(this.store, this.stream);
    if (snapshot !== null) this.restore(snapshot);
    let eventsReplayed = 0;
    const from = snapshot === null ? 0n : snapshot.revision + 1n;
    const last = await foldStream(this.store, this.stream, from, (recorded) => {
      const event = fromRecordedEvent(recorded);
      const before = this.state(event.data.deliveryId);
      this.setState(event.data.deliveryId, before, evolve(before, event));
      eventsReplayed += 1;
    });
    if (last === null && snapshot !== null) {
      const actual = await this.store.streamRevision(this.stream);
      assert(actual === snapshot.revision, `${this.stream} ends where its latest snapshot does (${String(actual)})`);
    }
    this.revision = last ?? snapshot?.revision ?? null;
    this.eventsDecided = this.revision === null ? 0n : this.revision + 1n;
    this.eventsDecidedAtSnapshot = snapshot === null ? 0n : snapshot.revision + 1n;
    this.lastLoad = { snapshotRevision: snapshot?.revision ?? null, eventsReplayed };
    // Memory is exactly the durable stream now: a snapshot due is taken at once.
    if (this.snapshotDue()) this.snapshotOnceDurable(Promise.resolve());
  }

  /** How memory was last loaded (start-up, or a rebuild after a failed append). */
  get loaded(): OutboxLoad {
    return this.lastLoad;
  }

  private restore(snapshot: OutboxSnapshot): void {
    for (const pending of snapshot.pending) {
      this.states.set(pending.delivery.deliveryId, pending);
      this.pending += 1;
    }
    for (const finished of snapshot.finished) {
      this.states.set(finished.deliveryId, finished.state);
      this.rememberFinished(finished.deliveryId);
    }
  }

  state(deliveryId: string): DeliveryState {
    return this.states.get(deliveryId) ?? initialState;
  }

  get pendingCount(): number {
    return this.pending;
  }

  *pendingDeliveries(): Generator<PendingDelivery> {
    for (const state of this.states.values()) if (state.status === 'pending') yield state;
  }

  /**
   * Decides a command, applies its events to memory and resolves once they are durable. `precondition` runs
   * against memory just before the decision (after any rebuild), so a limit it checks holds exactly.
   */
  async execute(command: DeliveryCommand, metadata: EventMetadata, precondition?: () => void): Promise<DeliveryEvent[]> {
    if (this.reloading) await this.reloading;
    if (this.outage !== null) await this.reloadAfterOutage();
    if (this.outage !== null) {
      throw new DomainError('STORE_UNAVAILABLE', `the ${this.stream} stream cannot be read while the event store is away`, [
        describe(this.outage),
      ]);
    }
    if (this.failure !== null) {
      throw new DomainError('OUTBOX_UNAVAILABLE', `the ${this.stream} stream could not be read back after a failed append`, [
        describe(this.failure),
      ]);
    }
    precondition?.();
    const deliveryId = deliveryIdOf(command);
    const before = this.state(deliveryId);
    const events = decide(command, before);
    if (events.length === 0) return events;
    let after = before;
    for (const event of events) after = evolve(after, event);
    this.setState(deliveryId, before, after);
    this.eventsDecided += BigInt(events.length);
    const durable = this.commit(events.map((event) => toNewEvent(event, metadata)));
    if (this.snapshotDue()) this.snapshotOnceDurable(durable);
    await durable;
    return events;
  }

  /** Resolves once every write handed in so far has been appended (or has failed), and a snapshot under way written. */
  async drain(): Promise<void> {
    while (this.flushRun !== null || this.reloading !== null || this.snapshotWrite !== null) {
      await this.flushRun;
      await this.reloading;
      await this.snapshotWrite;
    }
  }

  private snapshotDue(): boolean {
    return this.snapshotWrite === null && this.eventsDecided - this.eventsDecidedAtSnapshot >= BigInt(this.options.snapshotEveryEvents);
  }

  /**
   * Captures memory now, which is the stream's state after every event decided so far, and writes it as a
   * snapshot once `durable` (the write holding the last of those events) has been appended. Writes are appended in
   * the order they were decided, so then every event the snapshot includes is durable. If an append fails first,
   * memory is rebuilt from the stream and the capture, which held events that never became durable, is dropped.
   */
  private snapshotOnceDurable(durable: Promise<void>): void {
    const generation = this.generation;
    const revision = this.eventsDecided - 1n;
    const captured = this.capture();
    this.eventsDecidedAtSnapshot = this.eventsDecided;
    this.snapshotWrite = durable
      .then(
        () => (generation === this.generation ? this.writeSnapshot(revision, captured) : undefined),
        // The append failed: its own caller hears of it, and the rebuild takes care of memory.
        () => undefined,
      )
      .catch((error: unknown) => this.options.onSnapshotError(error))
      .finally(() => {
        this.snapshotWrite = null;
      });
  }

  private capture(): Omit<OutboxSnapshot, 'revision'> {
    const finished: FinishedDelivery[] = [];
    for (let index = this.finishedOrderStart; index < this.finishedOrder.length; index += 1) {
      const deliveryId = this.finishedOrder[index] as string;
      const state = this.state(deliveryId);
      if (state.status === 'delivered' || state.status === 'abandoned') finished.push({ deliveryId, state });
    }
    return { pending: [...this.pendingDeliveries()], finished };
  }

  private async writeSnapshot(revision: bigint, captured: Omit<OutboxSnapshot, 'revision'>): Promise<void> {
    const metadata = { at: this.options.now().toISOString(), actor: `outbox:${this.stream}` };
    const events: NewEvent[] = outboxSnapshotChunks(this.stream, revision, newId(), captured).map((data) => ({
      id: newId(),
      type: outboxSnapshotChunkType,
      data,
      metadata,
    }));
    // Any position in the snapshot stream will do: every snapshot in it describes a durable prefix of the outbox
    // stream, which the outbox stream's own revision fences to one writer.
    await this.store.append(outboxSnapshotStream(this.stream), events, 'any');
  }

  private setState(deliveryId: string, before: DeliveryState, after: DeliveryState): void {
    this.pending += (after.status === 'pending' ? 1 : 0) - (before.status === 'pending' ? 1 : 0);
    assert(this.pending >= 0, 'the count of pending deliveries is never negative');
    this.states.set(deliveryId, after);
    if (isFinished(after) && !isFinished(before)) this.rememberFinished(deliveryId);
  }

  private rememberFinished(deliveryId: string): void {
    this.finishedOrder.push(deliveryId);
    while (this.finishedOrder.length - this.finishedOrderStart > this.options.finishedRememberedMax) {
      const oldest = this.finishedOrder[this.finishedOrderStart] as string;
      this.finishedOrderStart += 1;
      if (isFinished(this.state(oldest))) this.states.delete(oldest);
    }
    // Drop the forgotten prefix now and then, so the queue's array does not keep it alive.
    if (this.finishedOrderStart > this.options.finishedRememberedMax) {
      this.finishedOrder = this.finishedOrder.slice(this.finishedOrderStart);
      this.finishedOrderStart = 0;
    }
  }

  private commit(events: NewEvent[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.writes.push({ events, resolve, reject });
      if (!this.flushing) this.flushRun = this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.writes.length > 0) {
        const batch = this.takeBatch();
        try {
          const result = await this.store.append(
            this.stream,
            batch.flatMap((write) => write.events),
            this.revision ?? 'no_stream',
          );
          this.revision = result.nextExpectedRevision;
          for (const write of batch) write.resolve();
        } catch (error) {
          await this.recoverFrom(error, batch);
        }
      }
    } finally {
      this.flushing = false;
      this.flushRun = null;
    }
  }

  /** The longest run of waiting writes that fits in one append. */
  private takeBatch(): PendingWrite[] {
    let eventCount = 0;
    let taken = 0;
    for (const write of this.writes) {
      if (taken > 0 && eventCount + write.events.length > eventStoreLimits.eventsPerAppendMax) break;
      eventCount += write.events.length;
      taken += 1;
    }
    return this.writes.splice(0, taken);
  }

  /**
   * Memory already holds the failed events and everything decided after them, none of it durable: every
   * waiting write fails with the append's error and memory is rebuilt from the stream.
   */
  private async recoverFrom(error: unknown, batch: PendingWrite[]): Promise<void> {
    const failed = [...batch, ...this.writes.splice(0)];
    this.reloading = this.load().then(
      () => this.options.onReload(),
      (loadError: unknown) => this.loadFailed(loadError),
    );
    for (const write of failed) write.reject(error);
    await this.reloading;
    this.reloading = null;
  }

  /** A store that is failing over is tried again shortly; anything else leaves the outbox refusing work. */
  private loadFailed(loadError: unknown): void {
    if (!isStoreRefusal(loadError)) {
      this.failure = loadError;
      return;
    }
    this.outage = loadError;
    const timer = setTimeout(() => void this.reloadAfterOutage(), outageReloadPauseMs);
    timer.unref();
  }

  /** Rebuilds memory after an outage (once, however many callers ask at a time); the outage stays if it goes on. */
  private async reloadAfterOutage(): Promise<void> {
    if (this.reloading === null && this.outage !== null) {
      this.outage = null;
      this.reloading = this.load().then(
        () => this.options.onReload(),
        (loadError: unknown) => this.loadFailed(loadError),
      );
      await this.reloading;
      this.reloading = null;
      return;
    }
    await this.reloading;
  }
}

function isFinished(state: DeliveryState): boolean {
  return state.status === 'delivered' || state.status === 'abandoned';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
