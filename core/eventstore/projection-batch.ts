import { assert } from '../assert';
import type { RecordedEvent } from './event';
import type { Projection, ReadModelStore } from './projection';

/** A projection with its handled types in a set, so a batch checks each event's type in constant time. */
export type PreparedProjection<Tx> = {
  readonly projection: Projection<Tx>;
  readonly handledTypes: ReadonlySet<string>;
};

export function prepareProjection<Tx>(projection: Projection<Tx>): PreparedProjection<Tx> {
  return { projection, handledTypes: new Set(projection.handles) };
}

export type BatchProgress = {
  /** Checkpoint after the batch. */
  position: bigint;
  /** Events of the batch past the stored checkpoint: each is now accounted for exactly once. */
  eventsSeen: number;
  /** Of those, the events of a type the projection handles, passed to `apply`. */
  eventsApplied: number;
};

export type BatchOutcome =
  | { kind: 'committed'; progress: Map<string, BatchProgress> }
  /**
   * A stored checkpoint is behind the one this runner last committed: someone else (the rebuild command)
   * reset the projection. Nothing was written; the runner must read the log again from the stored checkpoint.
   */
  | { kind: 'checkpoint_moved_back'; projectionName: string; storedPosition: bigint; knownPosition: bigint };

class CheckpointMovedBack extends Error {
  constructor(
    readonly projectionName: string,
    readonly storedPosition: bigint,
    readonly knownPosition: bigint,
  ) {
    super(`checkpoint of ${projectionName} moved back from ${knownPosition} to ${storedPosition}`);
  }
}

/**
 * Applies a batch of consecutive log events to every projection and stores each projection's checkpoint, all in
 * ONE read-model transaction: either the writes and the checkpoint are both stored or neither is, so a crash
 * at any moment can neither apply an event twice nor skip one.
 *
 * The checkpoint is read inside the transaction rather than trusted from memory: an event at or before the
 * stored checkpoint is skipped, so two runners on one read model (a server and the rebuild command) still
 * apply each event once.
 */
export function applyBatch<Tx>(
  readModels: ReadModelStore<Tx>,
  projections: readonly PreparedProjection<Tx>[],
  events: readonly RecordedEvent[],
  knownPositions: ReadonlyMap<string, bigint>,
): BatchOutcome {
  assert(events.length > 0, 'a batch holds at least one event');
  for (let index = 1; index < events.length; index += 1) {
    assert(events[index]!.position > events[index - 1]!.position, 'a batch is in strictly increasing log order');
  }
  try {
    const progress = readModels.transaction((tx) => {
      const byProjection = new Map<string, BatchProgress>();
      for (const prepared of projections) {
        byProjection.set(prepared.projection.name, applyToProjection(readModels, tx, prepared, events, knownPositions));
      }
      return byProjection;
    });
    return { kind: 'committed', progress };
  } catch (error) {
    if (error instanceof CheckpointMovedBack) {
      return {
        kind: 'checkpoint_moved_back',
        projectionName: error.projectionName,
        storedPosition: error.storedPosition,
        knownPosition: error.knownPosition,
      };
    }
    throw error;
  }
}

function applyToProjection<Tx>(
  readModels: ReadModelStore<Tx>,
  tx: Tx,
  prepared: PreparedProjection<Tx>,
  events: readonly RecordedEvent[],
  knownPositions: ReadonlyMap<string, bigint>,
): BatchProgress {
  const { projection, handledTypes } = prepared;
  const stored = readModels.readCheckpoint(tx, projection.name);
  const known = knownPositions.get(projection.name);
  assert(known !== undefined, `the runner knows the checkpoint of ${projection.name}`);
  // Thrown, not returned: it must roll back the writes of projections already applied in this transaction.
  if (stored < known) throw new CheckpointMovedBack(projection.name, stored, known);
  let eventsSeen = 0;
  const handled: RecordedEvent[] = [];
  for (const event of events) {
    if (event.position <= stored) continue;
    eventsSeen += 1;
    if (handledTypes.has(event.type)) handled.push(event);
  }
  if (projection.applyMany !== undefined) {
    if (handled.length > 0) projection.applyMany(handled, tx);
  } else {
    for (const event of handled) projection.apply(event, tx);
  }
  const eventsApplied = handled.length;
  const last = events[events.length - 1]!.position;
  const position = last > stored ? last : stored;
  if (position !== stored) readModels.writeCheckpoint(tx, projection.name, position);
  return { position, eventsSeen, eventsApplied };
}
