import { assert } from '../assert';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { EventMetadata, JsonObject, NewEvent, RecordedEvent } from './event';
import type { EventStore } from './event-store';
import { WrongExpectedRevisionError } from './expected-revision';
import { foldStream } from './read-stream';

/** A domain event as a decider sees it: a type and JSON data (money as integer strings of minor units). */
export type DomainEvent = { type: string; data: JsonObject };

/** Emmett-style decider: business logic as three pure pieces, plus the event types it owns. */
export type Decider<Command, Event extends DomainEvent, State> = {
  initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
  /** Every event type the decider's streams hold; anything else found in such a stream is a programmer error. */
  eventTypes: readonly Event['type'][];
};

export type LoadedStream<State> = { state: State; revision: bigint | null };

/** A stream's state as it was at a revision it has: what a fold or an append of the stream left. */
export type KnownStream<State> = { state: State; revision: bigint };

/** Reads a stream for a command: from its start (`loadStream`), or after a state remembered (`RememberedStreams`). */
export type StreamLoader<State> = (stream: string) => Promise<LoadedStream<State>>;

export type StreamCommandResult<Event, State> = {
  /** The events this command appended (empty when the decision was that nothing changes). */
  events: Event[];
  /** The stream's state after them. */
  state: State;
  /** Global position of the last appended event, for read-your-writes; null when nothing was appended. */
  position: bigint | null;
  /** The stream's revision that `state` is at (its last appended event's, or the one decided on); null: no stream. */
  revision: bigint | null;
};

/** Who and why, stamped on every event appended for a command. `at` comes from the command's injected time. */
export type CommandContext = Omit<EventMetadata, 'at'> & { now: Date };

/** Attempts when another writer appends to the same stream between our read and our append. */
export const concurrentAttemptsMax = 5;

/** Folds a stream through a decider's evolve. */
export async function loadStream<Command, Event extends DomainEvent, State>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, Event, State>,
): Promise<LoadedStream<State>> {
  let state = decider.initialState;
  const revision = await foldStream(store, stream, 0n, (recorded) => {
    state = decider.evolve(state, toDomainEvent(recorded, decider));
  });
  return { state, revision };
}

/**
 * Folds only the events appended after `known`, on top of its state. A stream only grows, so what it held up to that
 * revision is what `known` folded, and the events after it are all that can be new: a state remembered at revision
 * 40 costs a read of the events from 41 on (none, usually), not of all 41 before them.
 */
export async function loadStreamAfter<Command, Event extends DomainEvent, State>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, Event, State>,
  known: KnownStream<State>,
): Promise<KnownStream<State>> {
  assert(known.revision >= 0n, `a known state of ${stream} is at a revision the stream has, not ${known.revision.toString()}`);
  let state = known.state;
  let expected = known.revision + 1n;
  const last = await foldStream(store, stream, expected, (recorded) => {
    // A gap would mean the known state was not this stream's: the events in it would be missing from the fold.
    assert(recorded.revision === expected, `${stream} read from revision ${expected.toString()} gave ${recorded.revision.toString()}`);
    expected += 1n;
    state = decider.evolve(state, toDomainEvent(recorded, decider));
  });
  return { state, revision: last ?? known.revision };
}

/**
 * Load → decide → append with the stream's expected revision. When another writer got there first the whole
 * cycle runs again on the new state (bounded), so a decision is always made on the state it is appended to.
 */
export async function handleStreamCommand<Command, Event extends DomainEvent, State>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  context: CommandContext,
): Promise<StreamCommandResult<Event, State>> {
  return handleStreamCommandFrom(store, stream, decider, command, context, {});
}

export type StreamCommandOptions<State> = {
  /**
   * The stream as the caller has just read it, revision included: the first decision is made on it instead of on a
   * read of its own. A writer that appended in between makes that append fail on the revision, and the cycle runs
   * again on the stream as it is then, so the guarantee is the same.
   */
  loadedBefore?: LoadedStream<State> | null;
  /** How the stream is read, at first and after a conflict: `loadStream` (the whole stream) unless given. */
  load?: StreamLoader<State>;
};

/** handleStreamCommand, with a first decision on what the caller has read, or a reader of its own (see the options). */
export async function handleStreamCommandFrom<Command, Event extends DomainEvent, State>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  context: CommandContext,
  options: StreamCommandOptions<State>,
): Promise<StreamCommandResult<Event, State>> {
  const loadedBefore = options.loadedBefore ?? null;
  const load = options.load ?? ((name: string) => loadStream(store, name, decider));
  for (let attempt = 1; attempt <= concurrentAttemptsMax; attempt += 1) {
    const loaded = attempt === 1 && loadedBefore !== null ? loadedBefore : await load(stream);
    const events = decider.decide(command, loaded.state);
    if (events.length === 0) return { events, state: loaded.state, position: null, revision: loaded.revision };
    const state = events.reduce((current, event) => decider.evolve(current, event), loaded.state);
    try {
      const appended = await store.append(stream, stampEvents(events, context), loaded.revision === null ? 'no_stream' : loaded.revision);
      return { events, state, position: appended.position, revision: appended.nextExpectedRevision };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }
  throw new DomainError('CONCURRENT_UPDATE', `${stream} kept changing while this request was decided; retry it`);
}

function toDomainEvent<Command, Event extends DomainEvent, State>(recorded: RecordedEvent, decider: Decider<Command, Event, State>): Event {
  assert(
    (decider.eventTypes as readonly string[]).includes(recorded.type),
    `stream ${recorded.stream} holds unknown event type ${recorded.type}`,
  );
  // The type check above is the guard: these streams are written only through this decider.
  return { type: recorded.type, data: recorded.data } as Event;
}

/** Decided events as the store takes them: each its own id, and the command's context as metadata, at its time. */
export function stampEvents(events: readonly DomainEvent[], context: CommandContext): NewEvent[] {
  const { now, ...metadata } = context;
  const at = now.toISOString();
  return events.map((event) => ({ id: newId(), type: event.type, data: event.data, metadata: { ...metadata, at } }));
}
