import { assert } from '../assert';
import { BoundedMemory } from '../bounded-memory';
import {
  handleStreamCommandFrom,
  loadStream,
  loadStreamAfter,
  type CommandContext,
  type Decider,
  type DomainEvent,
  type KnownStream,
  type LoadedStream,
  type StreamCommandResult,
} from './decider-stream';
import type { EventStore } from './event-store';

/**
 * The states of a decider's busiest streams as last read or written, each with its revision, at most `entriesMax`
 * of them, so that a read folds only the events appended after the revision remembered (`loadStreamAfter`) instead
 * of the whole stream again. A read still asks the store every time, so it sees every writer's events (another
 * process's, the ledger engine's companions); what it saves is the fold of what was read before.
 *
 * Why it cannot make a wrong decision: a remembered state is the fold of exactly the events up to its revision, and
 * streams only grow. A command decided on a state that another writer has since moved past is appended at the
 * revision decided on, so that append fails and the command is decided again on a fresh read; a stale entry costs a
 * conflict, never a decision on a state the stream did not have. States are never changed in place (evolve returns
 * a new state), so a state handed out stays right for the revision it is remembered at.
 */
export class RememberedStreams<Command, Event extends DomainEvent, State> {
  private readonly memory: BoundedMemory<string, KnownStream<State>>;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<Command, Event, State>,
    entriesMax: number,
  ) {
    this.memory = new BoundedMemory(entriesMax);
  }

  /** Streams remembered now: never more than the bound given at construction. */
  get size(): number {
    return this.memory.size;
  }

  /** The stream as it is now: the remembered state with the events after it, or the whole stream if none is. */
  async load(stream: string): Promise<LoadedStream<State>> {
    const known = this.memory.get(stream);
    const loaded =
      known === undefined
        ? await loadStream(this.store, stream, this.decider)
        : await loadStreamAfter(this.store, stream, this.decider, known);
    if (loaded.revision !== null) this.remember(stream, { state: loaded.state, revision: loaded.revision });
    return loaded;
  }

  /**
   * Load → decide → append with the expected revision (`handleStreamCommandFrom`), every read through this memory,
   * and the state the command leaves remembered.
   */
  async handle(
    stream: string,
    command: Command,
    context: CommandContext,
    loadedBefore: LoadedStream<State> | null = null,
  ): Promise<StreamCommandResult<Event, State>> {
    const result = await handleStreamCommandFrom(this.store, stream, this.decider, command, context, {
      loadedBefore,
      load: (name) => this.load(name),
    });
    if (result.revision !== null) this.remember(stream, { state: result.state, revision: result.revision });
    return result;
  }

  /**
   * Remembers a state the caller has just written itself (a stream it created, say), so that the next read folds
   * nothing it already knows. A later revision already remembered is kept: reads that finish out of order never
   * move the memory back (an earlier revision would still be right, only dearer to bring up to date).
   */
  remember(stream: string, known: KnownStream<State>): void {
    assert(known.revision >= 0n, `a remembered state of ${stream} is at a revision the stream has`);
    const current = this.memory.get(stream);
    if (current !== undefined && current.revision >= known.revision) return;
    this.memory.remember(stream, known);
  }
}
