import { WakeableLoop } from '../eventstore/wakeable-loop';
import { LogCheckpoint, recordedText } from '../eventstore/log-checkpoint';
import { assert } from '../assert';
import type { JsonObject, RecordedEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { START_POSITION } from '../eventstore/event-store';
import { eventStoreLimits } from '../eventstore/limits';
import type { PresentSession } from '../gateway/checkout-session-decider';
import { checkoutStreamName } from '../gateway/checkout-session-profile';
import type { WebhookEventType, WebhookPublication } from './webhook-event';

export type SessionWebhookFollowerLimits = {
  /** Checkout events read and published per group: a crash publishes at most this group again (the same event ids). */
  eventsPerGroupMax: number;
  /** Pause between reads of the log once the follower has caught up: the completed webhook's added latency at most. */
  idlePollMs: number;
  /** Groups being published at once (read, not yet durable in the outbox): the next is read while one is written. */
  groupsInFlightMax: number;
  /** Pause before publishing a group again after the outbox refused it (full, or its store failed). */
  retryPauseMs: number;
  /** Without a publication in them, groups are checkpointed only after this many events of the log: fewer writes when quiet. */
  eventsBetweenQuietCheckpointsMax: number;
  /**
   * Publications are checkpointed once this many are past the last checkpoint, or `checkpointIntervalMs` after it,
   * not after every group: under load a group held one or two completions, and its checkpoint was a durable write of
   * its own per checkout or two. A crash publishes what is past the checkpoint again, the very same events, which the
   * publisher recognises (see the class comment); a graceful stop checkpoints everything.
   */
  publicationsBetweenCheckpointsMax: number;
  checkpointIntervalMs: number;
};

export const sessionWebhookFollowerLimitsDefault: SessionWebhookFollowerLimits = {
  eventsPerGroupMax: 500,
  idlePollMs: 10,
  groupsInFlightMax: 4,
  retryPauseMs: 1_000,
  eventsBetweenQuietCheckpointsMax: 10_000,
  publicationsBetweenCheckpointsMax: 100,
  checkpointIntervalMs: 250,
};

export type SessionWebhookFollowerOptions = {
  store: EventStore;
  /** The session as it is now (a completion made by recovery is written on this read). */
  findSession: (sessionId: string) => Promise<PresentSession | null>;
  /** The session as GET /v1/checkout/sessions/{id} answers it: the webhook's `data.object`. */
  sessionView: (session: PresentSession) => JsonObject;
  /** Resolves once the event is durable in the webhooks outbox; publishing the same fact again queues nothing new. */
  publish: (publication: WebhookPublication) => Promise<unknown>;
  now: () => Date;
  limits?: Partial<SessionWebhookFollowerLimits>;
  /** Sees failures the follower survives (an outbox that refused, a checkpoint that failed). Must not throw. */
  onError?: (error: unknown) => void;
};

/** The follower's own stream: its checkpoint in the global log, one event per group published. */
export const sessionWebhookFollowerStream = 'session-webhooks';
export const sessionWebhookCheckpointType = 'SessionWebhooksCheckpointed';

const checkoutStreamPrefix = checkoutStreamName('');

type Publication = { type: WebhookEventType; sessionId: string; at: string };
type GroupInFlight = { through: bigint; eventsRead: number; publications: number; published: Promise<void>; finished: boolean };

/** Which recorded session fact becomes which webhook. */
const webhookTypeOf: Readonly<Record<string, WebhookEventType>> = {
  SessionCompleted: 'checkout.session.completed',
  SessionExpired: 'checkout.session.expired',
};

/**
 * Publishes `checkout.session.completed` and `checkout.session.expired` from the log (issue 11), as the advice
 * intake hands advices over (core/outbox/advice-intake.ts): it follows the global log's checkout events from a
 * checkpoint kept in the event store, publishes a webhook for every SessionCompleted and SessionExpired, waits until
 * each is durable in the webhooks outbox, then moves its checkpoint past the group (written every
 * `publicationsBetweenCheckpointsMax` publications or `checkpointIntervalMs`). A crash between a session's
 * event and its publication therefore loses nothing: the group is read again at the next start, and since a
 * webhook's id derives from the merchant, the type and the session, and its `createdAt` is the fact's own instant,
 * the publication is the very same event, which the publisher recognises and does not queue twice.
 *
 * Without a checkpoint (a new data dir, or one written before the follower existed) it starts at the beginning of
 * the log: no session webhook was published before, so every finished session is owed one.
 */
export class SessionWebhookFollower {
  private readonly limits: SessionWebhookFollowerLimits;
  /** Published and checkpointed through here. */
  private position = START_POSITION;
  /** Read through here: groups between the two are being published. */
  private readPosition = START_POSITION;
  private inFlight: GroupInFlight[] = [];
  private readonly checkpoint: LogCheckpoint;
  private eventsSinceCheckpoint = 0;
  private publicationsSinceCheckpoint = 0;
  /** Date.now() at the last checkpoint written: the interval is of real time, whatever clock the facts carry. */
  private lastCheckpointAtMs = Number.NEGATIVE_INFINITY;
  private readonly loop = new WakeableLoop();
  private published = 0;

  constructor(private readonly options: SessionWebhookFollowerOptions) {
    this.limits = { ...sessionWebhookFollowerLimitsDefault, ...options.limits };
    for (const [name, value] of Object.entries(this.limits)) {
      assert(Number.isSafeInteger(value) && value >= 1, `session webhook limit ${name} is a positive whole number, got ${String(value)}`);
    }
    assert(this.limits.eventsPerGroupMax <= eventStoreLimits.readLimitMax, 'a group is one read of the log');
    this.checkpoint = new LogCheckpoint({
      store: options.store,
      stream: sessionWebhookFollowerStream,
      eventType: sessionWebhookCheckpointType,
      actor: 'switch:session-webhooks',
      now: options.now,
    });
  }

  /** The log position up to which every session webhook has been published. */
  get publishedThrough(): bigint {
    return this.position;
  }

  /** Webhooks published by this process since it started (repeats the publisher recognised included). */
  get publicationsMade(): number {
    return this.published;
  }

  async start(): Promise<void> {
    assert(this.loop.isNew, 'a session webhook follower starts once');
    const last = await this.checkpoint.read();
    if (last !== null) {
      this.position = last;
      this.readPosition = last;
    }
    this.loop.start(() => this.follow());
  }

  /** Writes the position reached (after a group); quiet groups are counted from here again. */
  private async writeCheckpoint(): Promise<void> {
    await this.checkpoint.write(this.position);
    this.eventsSinceCheckpoint = 0;
    this.publicationsSinceCheckpoint = 0;
    this.lastCheckpointAtMs = Date.now();
  }

  /** Whether the position reached is to be written now (see publicationsBetweenCheckpointsMax). */
  private checkpointDue(): boolean {
    if (this.eventsSinceCheckpoint >= this.limits.eventsBetweenQuietCheckpointsMax) return true;
    if (this.publicationsSinceCheckpoint === 0) return false;
    return (
      this.publicationsSinceCheckpoint >= this.limits.publicationsBetweenCheckpointsMax ||
      Date.now() - this.lastCheckpointAtMs >= this.limits.checkpointIntervalMs
    );
  }

  /** Reads the log again now instead of at the next poll. */
  nudge(): void {
    this.loop.nudge();
  }

  /** Stops after the group in hand; what was not checkpointed is published again (the same events) at the next start. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private get running(): boolean {
    return this.loop.running;
  }

  private async follow(): Promise<void> {
    while (this.running) {
      try {
        if (await this.readAndPublishNextGroup()) {
          await this.settleGroups(this.limits.groupsInFlightMax - 1, true);
          continue;
        }
        // Caught up: groups that finished meanwhile are settled, the others are looked at after the pause; what was
        // published and not yet checkpointed is, once its interval has passed.
        await this.settleGroups(0, false);
        if (this.inFlight.length === 0 && this.checkpointDue()) await this.writeCheckpoint();
      } catch (error) {
        // Groups still in flight are let finish (each publication is durable or not, never half), then the log is
        // read again from the checkpoint: what was published after it is published again, the very same events.
        await Promise.allSettled(this.inFlight.map((group) => group.published));
        this.inFlight = [];
        this.readPosition = this.position;
        if (!this.running) return;
        this.options.onError?.(error);
        await this.loop.pause(this.limits.retryPauseMs);
        continue;
      }
      await this.loop.pause(this.limits.idlePollMs);
    }
    await this.settleGroups(0, true).catch(() => undefined);
    // Stopping: everything published is checkpointed, so a restart publishes nothing again.
    if (this.inFlight.length === 0 && this.publicationsSinceCheckpoint > 0) await this.writeCheckpoint().catch(() => undefined);
  }

  /**
   * Reads one group after the read position and starts publishing its webhooks without waiting for them: the next
   * group is read while this one is made durable in the outbox (its append waits for the store), so a completion
   * is not held back behind the previous group's write. True when the log had something new.
   */
  private async readAndPublishNextGroup(): Promise<boolean> {
    // The head is read first: every event at or before it is in this read unless the read is full, so a read of
    // fewer events may move the read position up to it. Without that, a log of other traffic (P2P transfers) would
    // be scanned again from the last checkout event on every idle poll.
    const head = await this.options.store.headPosition();
    const events = await this.options.store.readAll(this.readPosition, this.limits.eventsPerGroupMax, {
      streamPrefixes: [checkoutStreamPrefix],
    });
    const publications: Publication[] = [];
    for (const event of events) {
      const type = webhookTypeOf[event.type];
      if (type !== undefined) publications.push({ type, sessionId: recordedText(event, 'sessionId'), at: recordedText(event, 'at') });
    }
    const full = events.length === this.limits.eventsPerGroupMax;
    const lastRead = events.length === 0 ? this.readPosition : (events[events.length - 1] as RecordedEvent).position;
    const through = full || lastRead > head ? lastRead : head;
    if (through === this.readPosition) return false;
    this.readPosition = through;
    const group: GroupInFlight = {
      through,
      eventsRead: events.length,
      publications: publications.length,
      published: this.publishAll(publications),
      finished: false,
    };
    // Observed at once, so that a failure is not reported as unhandled before settleGroups awaits it.
    const finish = (): void => {
      group.finished = true;
    };
    group.published.then(finish, finish);
    this.inFlight.push(group);
    return true;
  }

  /**
   * Checkpoints finished groups in log order until at most `keep` are in flight; `wait`: waits for the oldest when
   * it has not finished yet, else stops at it.
   */
  private async settleGroups(keep: number, wait: boolean): Promise<void> {
    while (this.inFlight.length > keep) {
      const oldest = this.inFlight[0] as GroupInFlight;
      if (!wait && !oldest.finished) return;
      await oldest.published;
      this.inFlight.shift();
      // The log the group passed over counts, not only the checkout events read from it: a log of other traffic
      // (P2P transfers) is passed over too, and counted by checkout events alone a switch without checkouts never
      // checkpointed, and read its whole log again at every start (9.6 to 35 s on 6.9 million events, bench:startup).
      this.eventsSinceCheckpoint += Number(oldest.through - this.position);
      this.position = oldest.through;
      this.published += oldest.publications;
      this.publicationsSinceCheckpoint += oldest.publications;
      if (this.checkpointDue()) await this.writeCheckpoint();
    }
  }

  /** Publishes every webhook of a group and resolves once all are durable in the outbox; throws if any was refused. */
  private async publishAll(publications: readonly Publication[]): Promise<void> {
    const outcomes = await Promise.allSettled(
      publications.map(async ({ type, sessionId, at }) => {
        const session = await this.options.findSession(sessionId);
        assert(session !== null, `session ${sessionId} has a ${type} fact in the log`);
        await this.options.publish({
          merchantId: session.created.merchantId,
          type,
          object: this.options.sessionView(session),
          sourceId: sessionId,
          createdAt: new Date(at),
        });
      }),
    );
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}
