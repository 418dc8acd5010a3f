import { assert } from '../assert';
import { DomainError } from '../errors';
import type { EventMetadata } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { WrongExpectedRevisionError } from '../eventstore/expected-revision';
import { exponentialRetrySchedule, retryPolicyDefault, type RetryPolicy, type RetrySchedule } from './backoff';
import { checkDelivery, type Delivery } from './delivery';
import { deliveryIdOf, type DeliveryCommand, type DeliveryState, type FirstAttemptOutcome } from './delivery-decider';
import type { DeliveryEvent } from './delivery-events';
import type { DeliveryAttemptResult, DeliveryTransport } from './delivery-transport';
import { DestinationGates } from './destination-gates';
import { DueQueue, type DueEntry } from './due-queue';
import { OutboxJournal, type OutboxLoad } from './outbox-journal';

export type OutboxLimits = RetryPolicy & {
  /** Deliveries pending at once; queueing beyond this is refused with OUTBOX_FULL. */
  pendingMax: number;
  /** Attempts in flight at once, over all destinations. */
  concurrencyMax: number;
  /** Handed to the transport as its deadline; the outbox stops waiting a little after it regardless. */
  attemptDeadlineMs: number;
  /** After this many failed attempts a delivery is abandoned for an operator to look at. */
  attemptsMax: number;
  /**
   * Finished deliveries remembered (to recognise a repeated enqueue); older ones are forgotten. Forgetting is
   * safe: every producer derives a delivery's id from the transfer, dispute or event it is about, and queues it
   * again only when a crash or a failed write cut it short after the first enqueue (recovery of a transfer still in
   * flight, the advice intake's or the webhook follower's last group, a dispute decided again). Before that repeat
   * the outbox can finish at most what it held pending (pendingMax) plus that last group, far below this window;
   * and a delivery forgotten and queued again anyway is delivered twice, which receivers absorb (they deduplicate
   * by transfer id, as the payee contract requires).
   */
  finishedRememberedMax: number;
  /**
   * Events of the outbox stream between snapshots of its memory (pending deliveries and the finished window):
   * start-up reads the latest snapshot and at most this many events after it, however long the stream has grown.
   */
  snapshotEveryEvents: number;
  /**
   * How long `enqueueAttemptingFirst` waits for a first attempt before it queues the delivery on its own: a slow
   * receiver holds its producer up at most this long.
   */
  firstAttemptHoldMs: number;
};

export const outboxLimitsDefault: OutboxLimits = {
  ...retryPolicyDefault,
  pendingMax: 10_000,
  concurrencyMax: 8,
  attemptDeadlineMs: 10_000,
  // At the 30 s cap this is about three and a half days of retrying.
  attemptsMax: 10_000,
  finishedRememberedMax: 50_000,
  // A snapshot at the default window is ~6 MB; every 50,000 events (~25,000 deliveries, ~25 MB of events) keeps
  // it to a fifth of what the stream itself grows by, and start-up to a few hundred milliseconds of replay.
  snapshotEveryEvents: 50_000,
  firstAttemptHoldMs: 1_000,
};

/** How long past its deadline an attempt may run before its slot is taken back and it counts as failed. */
const attemptGraceMs = 1_000;

export type OutboxOptions = {
  store: EventStore;
  /** Names the stream `outbox-<channel>` and the actor of its events: `wallet-http`, `iso8583`, `webhooks`. */
  channel: string;
  transport: DeliveryTransport;
  now?: () => Date;
  /** Returns a number in [0, 1); used for backoff jitter. */
  random?: () => number;
  limits?: Partial<OutboxLimits>;
  /**
   * When a failed delivery is tried again, and when it is given up before the attempt limit. Defaults to the
   * exponential backoff of `limits` (retryDelayBaseMs, retryDelayCapMs) that the payment channels use.
   */
  retrySchedule?: RetrySchedule;
  /** Sees every group of events once it is durable (logs, metrics). Must not throw. */
  onRecorded?: (events: readonly DeliveryEvent[]) => void;
  /** Sees failures the outbox survives (an append that failed, a transport that threw). Must not throw. */
  onError?: (error: unknown) => void;
};

export type EnqueueContext = { correlationId?: string; causationId?: string };

/**
 * Store-and-forward delivery for one channel (issue 4). `enqueue` makes a delivery durable in the channel's
 * outbox stream and returns; a worker then attempts it through the transport until the receiver acknowledges,
 * with jittered exponential backoff capped at 30 s between tries, a bounded number of attempts in flight and a
 * bounded number pending. On start it reads back whatever was pending, so nothing queued is lost to a restart.
 */
export class Outbox {
  private readonly journal: OutboxJournal;
  private readonly limits: OutboxLimits;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly retrySchedule: RetrySchedule;
  private readonly due = new DueQueue();
  private readonly gates = new DestinationGates();
  /** Deliveries being attempted or having their attempt recorded: never attempted twice at once. */
  private readonly busy = new Set<string>();
  /** Transport calls in progress: what the concurrency limit bounds. A slot is free once the answer is in. */
  private slotsInUse = 0;
  private readonly attempts = new Set<Promise<void>>();
  /** Callers waiting for the next delivery to finish (the advice intake, when it waits for room): at most a few. */
  private finishWaiters: (() => void)[] = [];
  private lifecycle: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  private loaded: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: OutboxOptions) {
    this.limits = { ...outboxLimitsDefault, ...options.limits };
    checkLimits(this.limits);
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.retrySchedule = options.retrySchedule ?? exponentialRetrySchedule(this.limits);
    this.journal = new OutboxJournal(options.store, options.channel, {
      onReload: () => this.reschedule(),
      finishedRememberedMax: this.limits.finishedRememberedMax,
      snapshotEveryEvents: this.limits.snapshotEveryEvents,
      now: this.now,
      onSnapshotError: (error) => options.onError?.(error),
    });
  }

  get stream(): string {
    return this.journal.stream;
  }

  get pendingCount(): number {
    return this.journal.pendingCount;
  }

  /** How the outbox's memory was last loaded: from which snapshot, and how many stream events were read after it. */
  get startedFrom(): OutboxLoad {
    return this.journal.loaded;
  }

  /** Deliveries pending at most: queueing past it is refused with OUTBOX_FULL. */
  get pendingLimit(): number {
    return this.limits.pendingMax;
  }

  /** Resolves when a delivery next finishes (delivered or abandoned: room comes back), or when the outbox stops. */
  nextFinished(): Promise<void> {
    if (this.lifecycle === 'stopped') return Promise.resolve();
    return new Promise<void>((resolve) => this.finishWaiters.push(resolve));
  }

  get inFlightCount(): number {
    return this.slotsInUse;
  }

  /** Where a delivery stands: `none` (never queued), `pending` (with its attempts), `delivered`, `abandoned`. */
  inspect(deliveryId: string): DeliveryState {
    return this.journal.state(deliveryId);
  }

  /** Reads back what is pending and starts delivering it. */
  async start(): Promise<void> {
    assert(this.lifecycle === 'new', 'an outbox starts once');
    this.lifecycle = 'starting';
    this.loaded = this.journal.load();
    await this.loaded;
    this.lifecycle = 'running';
    this.reschedule();
  }

  /**
   * Queues a delivery and resolves once it is durable. The same delivery id with the same content again is
   * the same delivery (`queued: false`); with different content it is refused with DELIVERY_CONFLICT.
   */
  async enqueue(delivery: Delivery, context: EnqueueContext = {}): Promise<{ queued: boolean }> {
    assert(this.loaded !== null, 'an outbox is started before anything is queued');
    await this.loaded;
    if (this.lifecycle === 'stopped')
      throw new DomainError('OUTBOX_STOPPED', `the ${this.stream} outbox has stopped and takes no more deliveries`);
    const command: DeliveryCommand = { type: 'QueueDelivery', data: { delivery }, now: this.now() };
    const precondition = (): void => {
      const known = this.journal.state(delivery.deliveryId).status !== 'none';
      if (!known && this.journal.pendingCount >= this.limits.pendingMax) {
        throw new DomainError('OUTBOX_FULL', `the ${this.stream} outbox already holds ${this.limits.pendingMax} pending deliveries`);
      }
    };
    let events: DeliveryEvent[];
    try {
      events = await this.record(command, context, precondition);
    } catch (error) {
      // Another writer appended to the stream (a second instance, an operator tool): the journal has read it
      // back by now, so deciding again is deciding against the stream as it is.
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      events = await this.record(command, context, precondition);
    }
    if (events.length === 0) return { queued: false };
    this.due.push({ dueAtMs: command.now.getTime(), deliveryId: delivery.deliveryId, attempts: 0 });
    this.pump();
    return { queued: true };
  }

  /**
   * `enqueue` for a producer whose own durable fact stands for the delivery until this resolves (the session webhook
   * follower publishes again, after a crash, every completion past its checkpoint): the first attempt is made before
   * anything is written, and the delivery is queued with that attempt's outcome in one durable write, so a receiver
   * that answers at once costs one write, not two. The delivery goes out before it is durable here, which at least
   * once allows: a crash before the write sends it again under the same id. An attempt still running after
   * `firstAttemptHoldMs` has its delivery queued on its own (a slow receiver holds the producer up no longer) and its
   * outcome recorded when it comes. A delivery known already, a destination that failed lately (its gate decides),
   * no free slot or a full outbox: it is `enqueue`.
   */
  async enqueueAttemptingFirst(delivery: Delivery, context: EnqueueContext = {}): Promise<{ queued: boolean }> {
    assert(this.loaded !== null, 'an outbox is started before anything is queued');
    await this.loaded;
    const deliveryId = delivery.deliveryId;
    if (
      this.lifecycle !== 'running' ||
      this.journal.state(deliveryId).status !== 'none' ||
      this.busy.has(deliveryId) ||
      this.slotsInUse >= this.limits.concurrencyMax ||
      !this.gates.isOpen(delivery.destination) ||
      this.journal.pendingCount >= this.limits.pendingMax
    )
      return this.enqueue(delivery, context);
    // Refused before it is sent: an out-of-shape delivery must not reach a receiver and then fail to be recorded.
    checkDelivery(delivery);
    const queuedAt = this.now();
    this.busy.add(deliveryId);
    this.slotsInUse += 1;
    const answered = this.transportResult(delivery);
    let settleQueued: (outcome: { queued: boolean } | { error: unknown }) => void = () => undefined;
    const queued = new Promise<{ queued: boolean } | { error: unknown }>((resolve) => (settleQueued = resolve));
    const attempt = this.attemptBeforeQueueing(delivery, queuedAt, answered, context, settleQueued).finally(() => {
      this.busy.delete(deliveryId);
      this.attempts.delete(attempt);
      this.pump();
    });
    this.attempts.add(attempt);
    const outcome = await queued;
    if ('error' in outcome) throw outcome.error;
    return outcome;
  }

  /** The first attempt of `enqueueAttemptingFirst`, then its durable write(s); `settleQueued` once it is queued. */
  private async attemptBeforeQueueing(
    delivery: Delivery,
    queuedAt: Date,
    answered: Promise<DeliveryAttemptResult>,
    context: EnqueueContext,
    settleQueued: (outcome: { queued: boolean } | { error: unknown }) => void,
  ): Promise<void> {
    const early = await resultWithin(answered, this.limits.firstAttemptHoldMs);
    if (early !== null) {
      const now = this.now();
      const outcome = this.outcomeOf(delivery, early, 0, queuedAt, now);
      try {
        const events = await this.record({ type: 'QueueAttemptedDelivery', data: { delivery, queuedAt, outcome }, now }, context);
        this.scheduleRetry(delivery.deliveryId, outcome, now);
        settleQueued({ queued: events.some((event) => event.type === 'DeliveryQueued') });
      } catch (error) {
        settleQueued({ error });
      }
      return;
    }
    try {
      const events = await this.record({ type: 'QueueDelivery', data: { delivery }, now: queuedAt }, context);
      settleQueued({ queued: events.length > 0 });
    } catch (error) {
      // Not queued: the producer is told and publishes it again; the attempt's answer has nothing to be recorded on.
      settleQueued({ error });
      await answered;
      return;
    }
    const result = await answered;
    const state = this.journal.state(delivery.deliveryId);
    if (state.status !== 'pending') return;
    const now = this.now();
    const outcome = this.outcomeOf(delivery, result, state.attempts, queuedAt, now);
    const command: DeliveryCommand =
      outcome.outcome === 'delivered'
        ? { type: 'RecordDelivered', data: { deliveryId: delivery.deliveryId, detail: outcome.detail }, now }
        : { type: 'RecordAttemptFailure', data: { deliveryId: delivery.deliveryId, ...withoutOutcome(outcome) }, now };
    const events = await this.record(command, {});
    if (events.length > 0) this.scheduleRetry(delivery.deliveryId, outcome, now);
  }

  /** Stops starting attempts, waits for those in flight (each bounded by its deadline) and for their events. */
  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'stopped';
    this.announceFinished();
    this.clearTimer();
    await Promise.allSettled([...this.attempts]);
    await this.journal.drain();
    this.due.clear();
    this.gates.clear();
  }

  /** Rebuilds the due queue from memory: at start and after memory was rebuilt from the stream. */
  private reschedule(): void {
    this.due.clear();
    this.gates.clear();
    for (const pending of this.journal.pendingDeliveries()) {
      this.due.push({ dueAtMs: Date.parse(pending.nextAttemptAt), deliveryId: pending.delivery.deliveryId, attempts: pending.attempts });
    }
    this.pump();
  }

  /** Starts every due attempt a free slot allows, then sleeps until the next one is due. */
  private pump(): void {
    if (this.lifecycle !== 'running') return;
    this.clearTimer();
    const nowMs = this.now().getTime();
    while (this.slotsInUse < this.limits.concurrencyMax) {
      const entry = this.due.peek();
      if (entry === undefined || entry.dueAtMs > nowMs) break;
      this.due.pop();
      const state = this.journal.state(entry.deliveryId);
      // Entries are never removed when a delivery moves on: a stale one is recognised and dropped here.
      if (state.status !== 'pending' || state.attempts !== entry.attempts || this.busy.has(entry.deliveryId)) continue;
      const admission = this.gates.admit(state.delivery.destination, entry, nowMs);
      if (admission.decision === 'wait') this.due.push({ ...entry, dueAtMs: admission.untilMs });
      if (admission.decision === 'attempt') this.startAttempt(state.delivery, entry.attempts, new Date(state.queuedAt));
    }
    const next = this.due.peek();
    if (next === undefined || this.slotsInUse >= this.limits.concurrencyMax) return;
    // Bounded so that a clock that jumps is noticed within one cap period.
    const sleepMs = Math.min(Math.max(next.dueAtMs - nowMs, 0), this.limits.retryDelayCapMs);
    this.timer = setTimeout(() => this.pump(), sleepMs);
  }

  private startAttempt(delivery: Delivery, attemptsBefore: number, queuedAt: Date): void {
    this.busy.add(delivery.deliveryId);
    this.slotsInUse += 1;
    const attempt = this.attempt(delivery, attemptsBefore, queuedAt).finally(() => {
      this.busy.delete(delivery.deliveryId);
      this.attempts.delete(attempt);
      this.pump();
    });
    this.attempts.add(attempt);
  }

  private async attempt(delivery: Delivery, attemptsBefore: number, queuedAt: Date): Promise<void> {
    const result = await this.transportResult(delivery);
    const now = this.now();
    const outcome = this.outcomeOf(delivery, result, attemptsBefore, queuedAt, now);
    const command: DeliveryCommand =
      outcome.outcome === 'delivered'
        ? { type: 'RecordDelivered', data: { deliveryId: delivery.deliveryId, detail: outcome.detail }, now }
        : { type: 'RecordAttemptFailure', data: { deliveryId: delivery.deliveryId, ...withoutOutcome(outcome) }, now };
    const events = await this.record(command, {});
    if (events.length > 0) this.scheduleRetry(delivery.deliveryId, outcome, now);
  }

  /** Takes a slot (the caller checked there was one) and calls the transport; the slot is free once the answer is in. */
  private async transportResult(delivery: Delivery): Promise<DeliveryAttemptResult> {
    try {
      return await this.callTransport(delivery);
    } finally {
      // The slot is free as soon as the answer is in: recording it waits for a group commit, not for the network.
      this.slotsInUse -= 1;
    }
  }

  /**
   * What an attempt's answer means for the delivery (the next try's delay chosen by the retry schedule), with the
   * destination's gate opened or closed at once, so that deliveries behind it move before the outcome is durable.
   */
  private outcomeOf(
    delivery: Delivery,
    result: DeliveryAttemptResult,
    attemptsBefore: number,
    queuedAt: Date,
    now: Date,
  ): FirstAttemptOutcome {
    if (result.outcome === 'delivered') {
      this.requeue(this.gates.answered(delivery.destination));
      this.pump();
      return { outcome: 'delivered', detail: result.detail };
    }
    const failuresInARow = result.scope === 'destination' ? this.gates.failuresInARow(delivery.destination) + 1 : 0;
    const delayMs = this.retrySchedule.retryDelayMs(
      { failedAttempts: attemptsBefore + 1, destinationFailuresInARow: failuresInARow, queuedAt, now },
      this.random,
    );
    assert(delayMs === null || (Number.isSafeInteger(delayMs) && delayMs >= 0), 'a retry schedule answers whole milliseconds or null');
    // A delivery given up frees its destination's gate at once: the deliveries parked behind it keep their own schedules.
    const retryAtMs = now.getTime() + (delayMs ?? 0);
    this.requeue(
      result.scope === 'destination' ? this.gates.failed(delivery.destination, retryAtMs) : this.gates.answered(delivery.destination),
    );
    this.pump();
    return { outcome: 'failed', failure: result.detail, scope: result.scope, retryDelayMs: delayMs, attemptsMax: this.limits.attemptsMax };
  }

  /** After a failed attempt was recorded: the delivery, still pending, is due again when its schedule says. */
  private scheduleRetry(deliveryId: string, outcome: FirstAttemptOutcome, now: Date): void {
    if (outcome.outcome !== 'failed') return;
    const state = this.journal.state(deliveryId);
    if (state.status !== 'pending') return;
    this.due.push({ dueAtMs: now.getTime() + (outcome.retryDelayMs ?? 0), deliveryId, attempts: state.attempts });
  }

  /** The transport's answer, or a destination failure if it throws or outlives its deadline. */
  private async callTransport(delivery: Delivery): Promise<DeliveryAttemptResult> {
    const deadlineMs = this.limits.attemptDeadlineMs;
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<DeliveryAttemptResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            outcome: 'failed',
            scope: 'destination',
            detail: `the transport gave no result within ${deadlineMs + attemptGraceMs} ms`,
          }),
        deadlineMs + attemptGraceMs,
      );
    });
    const attempted = this.options.transport.deliver(delivery, { deadlineMs }).catch((error: unknown): DeliveryAttemptResult => {
      this.options.onError?.(error);
      return {
        outcome: 'failed',
        scope: 'destination',
        detail: `the transport failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    });
    try {
      return await Promise.race([attempted, overdue]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs a command through the journal. Enqueue errors go to its caller; a worker's failure to record is
   * reported and survived (the journal rebuilds itself and the delivery is attempted again).
   */
  private async record(command: DeliveryCommand, context: EnqueueContext, precondition?: () => void): Promise<DeliveryEvent[]> {
    const metadata: EventMetadata = { at: command.now.toISOString(), actor: `outbox:${this.options.channel}`, ...context };
    try {
      const events = await this.journal.execute(command, metadata, precondition);
      if (events.length > 0) this.options.onRecorded?.(events);
      if (this.journal.state(deliveryIdOf(command)).status !== 'pending') this.announceFinished();
      return events;
    } catch (error) {
      if (command.type === 'QueueDelivery' || command.type === 'QueueAttemptedDelivery') throw error;
      this.options.onError?.(error);
      return [];
    }
  }

  private announceFinished(): void {
    if (this.finishWaiters.length === 0) return;
    for (const resolve of this.finishWaiters.splice(0)) resolve();
  }

  private requeue(entries: readonly DueEntry[]): void {
    for (const entry of entries) this.due.push(entry);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** The attempt's answer if it comes within `holdMs`, else null (the attempt goes on). */
async function resultWithin(answered: Promise<DeliveryAttemptResult>, holdMs: number): Promise<DeliveryAttemptResult | null> {
  let timer: NodeJS.Timeout | undefined;
  const held = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), holdMs);
  });
  try {
    return await Promise.race([answered, held]);
  } finally {
    clearTimeout(timer);
  }
}

function withoutOutcome(outcome: Extract<FirstAttemptOutcome, { outcome: 'failed' }>): Omit<typeof outcome, 'outcome'> {
  const { outcome: _failed, ...failure } = outcome;
  return failure;
}

function checkLimits(limits: OutboxLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    assert(Number.isSafeInteger(value) && value >= 1, `outbox limit ${name} is a positive whole number, got ${String(value)}`);
  }
  assert(limits.retryDelayBaseMs <= limits.retryDelayCapMs, 'the retry base delay is at most the cap');
}
