import { WakeableLoop } from '../eventstore/wakeable-loop';
import { LogCheckpoint, recordedText } from '../eventstore/log-checkpoint';
import { assert } from '../assert';
import { DomainError } from '../errors';
import type { RecordedEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { eventStoreLimits } from '../eventstore/limits';
import type { TransferInitiated } from '../transfers/transfer-events';
import { transferStreamName } from '../transfers/transfer-events';
import type { Delivery } from './delivery';
import { creditAdviceDelivery, creditMessageOf } from './payee-deliveries';

/**
 * Where the intake hands its advices over: the outbox of the channel that reaches each payee (wallet HTTP or ISO
 * 8583, chosen as for every other delivery, adapters/payee-routing.ts).
 */
export interface AdviceOutboxes {
  /**
   * How many more deliveries the intake may queue for this payee's outbox now. Below the outbox's own limit: the
   * rest is kept for the reversals the payment path queues itself, so the outbox never refuses a payment.
   */
  roomFor(payeeParticipantId: string): number;
  /** Resolves when the payee's outbox next finishes a delivery (room may have come back), or when it stops. */
  nextFinishedFor(payeeParticipantId: string): Promise<void>;
  /** Queues the delivery and resolves once it is durable; the same delivery id again queues nothing new. */
  enqueue(payeeParticipantId: string, delivery: Delivery, context: { correlationId: string }): Promise<void>;
}

export type AdviceIntakeLimits = {
  /** Transfer events read and handed over per group: a crash hands at most this group over again. */
  eventsPerGroupMax: number;
  /** TransferInitiated events of transfers not finished yet, kept to build their advice without a stream read. */
  initiatedRememberedMax: number;
  /** Pause between reads of the log once the intake has caught up. */
  idlePollMs: number;
  /** Longest wait for room in a full outbox before it looks again (a finished delivery wakes it sooner). */
  roomPollMs: number;
  /** Pause before handing a group over again after the outbox failed to take it. */
  retryPauseMs: number;
  /** Without an advice in them, groups are checkpointed only after this many events: fewer writes when idle of advices. */
  eventsBetweenQuietCheckpointsMax: number;
};

export const adviceIntakeLimitsDefault: AdviceIntakeLimits = {
  eventsPerGroupMax: 2_000,
  initiatedRememberedMax: 100_000,
  idlePollMs: 10,
  roomPollMs: 250,
  retryPauseMs: 1_000,
  eventsBetweenQuietCheckpointsMax: 10_000,
};

export type AdviceIntakeOptions = {
  store: EventStore;
  outboxes: AdviceOutboxes;
  now: () => Date;
  limits?: Partial<AdviceIntakeLimits>;
  /** Sees failures the intake survives (an outbox that refused, a checkpoint that failed). Must not throw. */
  onError?: (error: unknown) => void;
};

/** The intake's own stream: its checkpoint in the global log, one event per group handed over. */
export const adviceIntakeStream = 'advice-intake';
export const adviceIntakeCheckpointType = 'AdviceIntakeCheckpointed';

const transferStreamPrefix = transferStreamName('');

/**
 * The log is the queue (issue 10): an ADVICE payment commits in one durable write and queues nothing itself. The
 * intake follows the global log's transfer events from a checkpoint kept in the event store (not in the read-model
 * database, which can be rebuilt), and for every TransferCommitted of an ADVICE transfer queues its credit advice
 * in the payee's outbox. It takes the transfer's details from its TransferInitiated, which precedes the commit in
 * the log (remembered, bounded; a forgotten one is read back from the transfer's stream).
 *
 * It hands events over in groups: it queues every advice of a group, waits until all are durable in the outboxes,
 * then writes its checkpoint after the group. A crash therefore hands at most one group over again, and the outbox
 * recognises each of those advices by its delivery id (`CREDIT_ADVICE:<transferId>`) and queues nothing new. While
 * a payee's outbox is at the intake's share of its pending limit the intake waits, and goes on as deliveries
 * finish: payments never wait for advices, the outbox never refuses one, and memory stays bounded whatever the
 * backlog (it is the log's tail, on disk).
 */
export class AdviceIntake {
  private readonly limits: AdviceIntakeLimits;
  /** Transfers initiated and not finished yet, oldest first: ADVICE ones with their data, the others as null. */
  private readonly initiated = new Map<string, TransferInitiated['data'] | null>();
  private position = -1n;
  private readonly checkpoint: LogCheckpoint;
  private eventsSinceCheckpoint = 0;
  private readonly loop = new WakeableLoop();
  private advicesHandedOver = 0;

  constructor(private readonly options: AdviceIntakeOptions) {
    this.limits = { ...adviceIntakeLimitsDefault, ...options.limits };
    for (const [name, value] of Object.entries(this.limits)) {
      assert(Number.isSafeInteger(value) && value >= 1, `advice intake limit ${name} is a positive whole number, got ${String(value)}`);
    }
    assert(this.limits.eventsPerGroupMax <= eventStoreLimits.readLimitMax, 'a group is one read of the log');
    this.checkpoint = new LogCheckpoint({
      store: options.store,
      stream: adviceIntakeStream,
      eventType: adviceIntakeCheckpointType,
      actor: 'switch:advice-intake',
      now: options.now,
    });
  }

  /** The log position up to which every advice has been handed over (what the checkpoint says, or more). */
  get handedOverThrough(): bigint {
    return this.position;
  }

  /** Advices queued by this process since it started (repeats that the outbox recognised included). */
  get advicesQueued(): number {
    return this.advicesHandedOver;
  }

  /**
   * Reads the checkpoint and starts following the log. Without a checkpoint (a new data dir, or one written before
   * the intake existed, when every committed ADVICE transfer had queued its advice itself) it starts at the head.
   */
  async start(): Promise<void> {
    assert(this.loop.isNew, 'an advice intake starts once');
    const last = await this.checkpoint.read();
    if (last === null) {
      this.position = await this.options.store.headPosition();
      await this.writeCheckpoint();
    } else {
      this.position = last;
    }
    this.loop.start(() => this.follow());
  }

  /** Writes the position reached (after a group); quiet groups are counted from here again. */
  private async writeCheckpoint(): Promise<void> {
    await this.checkpoint.write(this.position);
    this.eventsSinceCheckpoint = 0;
  }

  /** Reads the log again now instead of at the next poll (a payment just committed). */
  nudge(): void {
    this.loop.nudge();
  }

  /** Stops after the group in hand (an outbox wait is cut short); what was not checkpointed is handed over at the next start. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private get running(): boolean {
    return this.loop.running;
  }

  private async follow(): Promise<void> {
    while (this.running) {
      let handedOver: boolean;
      try {
        handedOver = await this.handOverNextGroup();
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(error);
        // Memory of initiated transfers may be ahead of the checkpoint; the group is read again from the checkpoint.
        await this.loop.pause(this.limits.retryPauseMs);
        continue;
      }
      if (!handedOver) await this.loop.pause(this.limits.idlePollMs);
    }
  }

  /** Reads one group after the position and hands its advices over; false when the log had nothing new. */
  private async handOverNextGroup(): Promise<boolean> {
    const events = await this.options.store.readAll(this.position, this.limits.eventsPerGroupMax, {
      streamPrefixes: [transferStreamPrefix],
    });
    if (events.length === 0) return false;
    const advices: TransferInitiated['data'][] = [];
    for (const event of events) {
      const advice = await this.advised(event);
      if (advice !== null) advices.push(advice);
    }
    await this.handOver(advices);
    const last = events[events.length - 1] as RecordedEvent;
    this.position = last.position;
    this.eventsSinceCheckpoint += events.length;
    if (advices.length > 0 || this.eventsSinceCheckpoint >= this.limits.eventsBetweenQuietCheckpointsMax) await this.writeCheckpoint();
    return true;
  }

  /** The transfer an event commits, when it is an ADVICE transfer; remembers and forgets initiated transfers as it goes. */
  private async advised(event: RecordedEvent): Promise<TransferInitiated['data'] | null> {
    switch (event.type) {
      case 'TransferInitiated': {
        const data = event.data as TransferInitiated['data'];
        this.remember(data.transferId, data.creditMode === 'ADVICE' ? data : null);
        return null;
      }
      case 'TransferCommitted': {
        const transferId = recordedText(event, 'transferId');
        const remembered = this.initiated.get(transferId);
        this.initiated.delete(transferId);
        const data = remembered === undefined ? await this.readInitiated(event.stream) : remembered;
        return data !== null && data.creditMode === 'ADVICE' ? data : null;
      }
      case 'TransferAborted':
        this.initiated.delete(recordedText(event, 'transferId'));
        return null;
      default:
        // TransferReversed and any later event of a transfer's life: no advice.
        return null;
    }
  }

  private remember(transferId: string, data: TransferInitiated['data'] | null): void {
    this.initiated.set(transferId, data);
    // The oldest first: a transfer that has waited that long is finished by recovery and read back if it commits.
    while (this.initiated.size > this.limits.initiatedRememberedMax) {
      const oldest = this.initiated.keys().next();
      if (oldest.done === true) break;
      this.initiated.delete(oldest.value);
    }
  }

  private async readInitiated(stream: string): Promise<TransferInitiated['data'] | null> {
    const [first] = await this.options.store.readStream(stream, 0n, 1);
    return first !== undefined && first.type === 'TransferInitiated' ? (first.data as TransferInitiated['data']) : null;
  }

  /** Queues every advice, no more at a time than each payee's outbox has room for, and resolves once all are durable. */
  private async handOver(advices: readonly TransferInitiated['data'][]): Promise<void> {
    const queued: Promise<void>[] = [];
    /** Per payee, advices handed to its outbox and not durable yet: room the outbox has not counted yet. */
    const unsettled = new Map<string, number>();
    for (const advice of advices) {
      const payee = advice.payeeParticipant;
      while (this.options.outboxes.roomFor(payee) - (unsettled.get(payee) ?? 0) <= 0) {
        if (!this.running) throw new DomainError('OUTBOX_STOPPED', 'the advice intake stopped while it waited for room');
        await Promise.race([this.options.outboxes.nextFinishedFor(payee), this.sleep(this.limits.roomPollMs)]);
      }
      unsettled.set(payee, (unsettled.get(payee) ?? 0) + 1);
      const delivery = creditAdviceDelivery(payee, creditMessageOf(advice));
      queued.push(
        this.options.outboxes.enqueue(payee, delivery, { correlationId: advice.transferId }).finally(() => {
          unsettled.set(payee, (unsettled.get(payee) ?? 1) - 1);
        }),
      );
    }
    // Every advice is settled before the group's failure (if any) is reported, so none is left half-queued in memory.
    const outcomes = await Promise.allSettled(queued);
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    this.advicesHandedOver += advices.length;
  }

  private sleep(durationMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationMs);
      timer.unref();
    });
  }
}
