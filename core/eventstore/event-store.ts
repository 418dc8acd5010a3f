import type { NewEvent, RecordedEvent } from './event';
import type { ExpectedRevision } from './expected-revision';

/** Position before the first event of the global log: `readAll(START_POSITION, …)` reads from the beginning. */
export const START_POSITION = -1n;

export type AppendResult = {
  /** Revision of the last event appended: the expected revision for the writer's next append. */
  nextExpectedRevision: bigint;
  /** Global position of the last event appended: wait for a projection to pass it to read your own write. */
  position: bigint;
};

/** One stream's part of a multi-stream append. */
export type StreamAppend = { stream: string; events: readonly NewEvent[]; expectedRevision: ExpectedRevision };

export type SubscriptionFilter = {
  /** Deliver only events of streams whose name starts with one of these. Absent: every stream. */
  streamPrefixes?: readonly string[];
};

export type SubscribeOptions = {
  filter?: SubscriptionFilter;
  /** Called once if the subscription stops because the handler or the store failed. */
  onError?: (error: unknown) => void;
};

export type Subscription = {
  /** Stops delivery; resolves once the handler is no longer running. */
  close(): Promise<void>;
  /** Resolves when a closed subscription has stopped; rejects with the error that stopped it otherwise. */
  readonly finished: Promise<void>;
};

export type SubscriptionHandler = (event: RecordedEvent) => Promise<void> | void;

/**
 * The event store port. Adapters: `adapters/eventstore-sqlite` (embedded default), `adapters/eventstore-postgres`
 * (PostgreSQL, one fenced writer) and `adapters/eventstore-esdb` (EventStoreDB / KurrentDB). All pass
 * `test/contract/event-store.contract.ts`.
 */
export interface EventStore {
  /**
   * Appends events to one stream atomically, all or none, and resolves only once they are durable.
   * Throws WrongExpectedRevisionError when the stream is not as expected, EventStoreInputError on bad input.
   */
  append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;

  /**
   * Appends to several streams in the order given, each with its own expected revision, and resolves (one result
   * per entry) once all are durable. A store with multi-stream transactions (SQLite) writes all or none in one
   * durable write. A store without them (EventStoreDB) appends stream by stream in the order given and stops at the
   * first failure, so a prefix of the entries may be durable when it throws: callers order the entries so that any
   * prefix is a state their recovery finishes (`multiStreamAtomic` says which kind of store this is).
   */
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]>;

  /** Whether appendMany is all or none across streams. */
  readonly multiStreamAtomic: boolean;

  /** Up to `limit` events of one stream from `fromRevision` on, in order; [] for a stream that does not exist. */
  readStream(stream: string, fromRevision: bigint, limit: number): Promise<RecordedEvent[]>;

  /** Revision of the stream's last event, or null when it has none. */
  streamRevision(stream: string): Promise<bigint | null>;

  /**
   * Which of these streams hold at least one event, in one lookup (a batch of payments checks its ids at once).
   * At most `eventStoreLimits.streamsPerLookupMax` names.
   */
  existingStreams(streams: readonly string[]): Promise<Set<string>>;

  /** Up to `limit` events of the global log strictly after `afterPosition`, in log order. */
  readAll(afterPosition: bigint, limit: number, filter?: SubscriptionFilter): Promise<RecordedEvent[]>;

  /**
   * Delivers every event after `afterPosition` in log order, then every new one as it is appended, one at
   * a time: the next is delivered only after the handler's promise resolves. No gaps, no repeats.
   */
  subscribeAll(afterPosition: bigint, handler: SubscriptionHandler, options?: SubscribeOptions): Subscription;

  /** Position of the last event in the global log, or START_POSITION for an empty log. */
  headPosition(): Promise<bigint>;

  close(): Promise<void>;
}
