import { assert } from '../assert';
import { newId } from '../ids';
import type { RecordedEvent } from './event';
import type { EventStore } from './event-store';

/**
 * Where a follower of the global log has got to, kept in a stream of its own in the event store (not in the
 * read-model database, which can be rebuilt): the advice intake, the session webhook follower. Each write appends the
 * position reached; the expected revision makes the follower the stream's only writer, so a second one started by
 * mistake beside it fails on its first write and hands nothing over, while the first goes on.
 */
export class LogCheckpoint {
  private revision: bigint | null = null;

  constructor(private readonly options: { store: EventStore; stream: string; eventType: string; actor: string; now: () => Date }) {}

  /** The position last written, or null when the follower never wrote one (a new log, or one older than it). */
  async read(): Promise<bigint | null> {
    const { store, stream, eventType } = this.options;
    const revision = await store.streamRevision(stream);
    if (revision === null) return null;
    const [last] = await store.readStream(stream, revision, 1);
    assert(last !== undefined && last.type === eventType, `the last event of ${stream} is a checkpoint`);
    this.revision = revision;
    return BigInt(recordedText(last, 'position'));
  }

  async write(position: bigint): Promise<void> {
    const { store, stream, eventType, actor, now } = this.options;
    const event = { id: newId(), type: eventType, data: { position: position.toString() }, metadata: { at: now().toISOString(), actor } };
    const result = await store.append(stream, [event], this.revision ?? 'no_stream');
    this.revision = result.nextExpectedRevision;
  }
}

/** A text field of an event the switch wrote itself: anything else is a broken log, and its reader stops on it. */
export function recordedText(event: RecordedEvent, field: string): string {
  const value = event.data[field];
  assert(typeof value === 'string', `${event.type} at ${event.position} has a text ${field}`);
  return value;
}
