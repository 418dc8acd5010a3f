import { assert } from '../assert';
import { DomainError } from '../errors';
import type { EventMetadata, NewEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { eventStoreLimits } from '../eventstore/limits';
import { foldStream } from '../eventstore/read-stream';
import { fromRecordedEvent, outboxStream, toNewEvent } from './delivery-event-codec';
import { decide, evolve, initialState, type DeliveryCommand, type DeliveryState } from './delivery-decider';
import type { DeliveryEvent } from './delivery-events';

type PendingWrite = { events: NewEvent[]; resolve: () => void; reject: (error: unknown) => void };

export type PendingDelivery = Extract<DeliveryState, { status: 'pending' }>;

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

  constructor(
    private readonly store: EventStore,
    channel: string,
    /** Called after memory was rebuilt from the stream, so the worker can reschedule what is pending. */
    private readonly onReload: () => void,
    /**
     * Finished deliveries remembered at most, newest kept. A finished one is remembered so that queueing it
     * again is recognised and does nothing; one forgotten and queued again is delivered again, which receivers
     * absorb (they deduplicate by transferId). Without this bound an ADVICE-mode participant, one advice per
     * payment, would grow memory without end.
     */
    private readonly finishedRememberedMax: number,
  ) {
    this.stream = outboxStream(channel);
  }

  /** Reads the whole stream into memory: what was queued before a restart is pending again. */
  async load(): Promise<void> {
    this.states = new Map<string, DeliveryState>();
    this.finishedOrder = [];
    this.finishedOrderStart = 0;
    this.pending = 0;
    this.revision = await foldStream(this.store, this.stream, 0n, (recorded) => {
      const event = fromRecordedEvent(recorded);
      const before = this.state(event.data.deliveryId);
      this.setState(event.data.deliveryId, before, evolve(before, event));
    });
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
    if (this.failure !== null) {
      throw new DomainError('OUTBOX_UNAVAILABLE', `the ${this.stream} stream could not be read back after a failed append`, [
        describe(this.failure),
      ]);
    }
    precondition?.();
    const deliveryId = command.type === 'QueueDelivery' ? command.data.delivery.deliveryId : command.data.deliveryId;
    const before = this.state(deliveryId);
    const events = decide(command, before);
    if (events.length === 0) return events;
    let after = before;
    for (const event of events) after = evolve(after, event);
    this.setState(deliveryId, before, after);
    await this.commit(events.map((event) => toNewEvent(event, metadata)));
    return events;
  }

  /** Resolves once every write handed in so far has been appended (or has failed). */
  async drain(): Promise<void> {
    while (this.flushRun !== null || this.reloading !== null) {
      await this.flushRun;
      await this.reloading;
    }
  }

  private setState(deliveryId: string, before: DeliveryState, after: DeliveryState): void {
    this.pending += (after.status === 'pending' ? 1 : 0) - (before.status === 'pending' ? 1 : 0);
    assert(this.pending >= 0, 'the count of pending deliveries is never negative');
    this.states.set(deliveryId, after);
    if (isFinished(after) && !isFinished(before)) this.rememberFinished(deliveryId);
  }

  private rememberFinished(deliveryId: string): void {
    this.finishedOrder.push(deliveryId);
    while (this.finishedOrder.length - this.finishedOrderStart > this.finishedRememberedMax) {
      const oldest = this.finishedOrder[this.finishedOrderStart] as string;
      this.finishedOrderStart += 1;
      if (isFinished(this.state(oldest))) this.states.delete(oldest);
    }
    // Drop the forgotten prefix now and then, so the queue's array does not keep it alive.
    if (this.finishedOrderStart > this.finishedRememberedMax) {
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
      () => this.onReload(),
      (loadError: unknown) => {
        this.failure = loadError;
      },
    );
    for (const write of failed) write.reject(error);
    await this.reloading;
    this.reloading = null;
  }
}

function isFinished(state: DeliveryState): boolean {
  return state.status === 'delivered' || state.status === 'abandoned';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
