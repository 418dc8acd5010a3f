import { assert } from '../assert';
import type { JsonObject, JsonValue, RecordedEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { eventStoreLimits } from '../eventstore/limits';
import type { DeliveryState } from './delivery-decider';

/**
 * Outbox snapshots (issue 14): what an outbox's memory holds at one revision of its stream, so that start-up
 * reads the latest snapshot and the events after it instead of the whole stream, which grows with every
 * delivery ever made. A snapshot is a few `OutboxSnapshotChunk` events appended in one append to
 * `snapshot-outbox-<channel>` (a stream of its own, so nothing that follows `outbox-` streams sees them). It holds
 * every pending delivery whole (payload included: the stream before it is never read again) and the finished
 * deliveries still remembered, oldest first, as id, outcome, fingerprint and attempts: what recognising a
 * repeated enqueue needs.
 */
export const outboxSnapshotChunkType = 'OutboxSnapshotChunk';

export function outboxSnapshotStream(outboxStreamName: string): string {
  return `snapshot-${outboxStreamName}`;
}

/** [deliveryId, kind, destination, payload, fingerprint, attempts, nextAttemptAt, queuedAt] */
type PendingRow = [string, string, string, JsonObject, string, number, string, string];
/** [deliveryId, 'delivered' | 'abandoned', fingerprint, attempts] */
type FinishedRow = [string, 'delivered' | 'abandoned', string, number];

type OutboxSnapshotChunk = {
  stream: string;
  /** Revision of the last outbox event the snapshot includes: start-up replays the stream after it. */
  revision: string;
  /** Tells one snapshot's chunks from another's. */
  snapshotId: string;
  chunkIndex: number;
  chunkCount: number;
  pending: PendingRow[];
  finished: FinishedRow[];
};

export type PendingDelivery = Extract<DeliveryState, { status: 'pending' }>;
export type FinishedDelivery = { deliveryId: string; state: Extract<DeliveryState, { status: 'delivered' | 'abandoned' }> };

/** What a snapshot restores: the state of every delivery it holds, and the finished ones in the order they finished. */
export type OutboxSnapshot = { revision: bigint; pending: PendingDelivery[]; finished: FinishedDelivery[] };

/**
 * Serialized rows per chunk, in UTF-16 code units of their JSON: at most three UTF-8 bytes each, so a chunk stays
 * under the store's 1 MiB event limit whatever it holds (a pending row is at most a 64 KiB payload and a few ids).
 */
const chunkTextMax = 256 * 1024;
/**
 * A finished row's JSON beyond its id: a 32-character fingerprint, an outcome, a count, quotes and commas. Delivery
 * ids are letters, digits and `._:-` (checkDelivery), which JSON does not escape.
 */
const finishedRowTextBeyondId = 64;

/**
 * The chunks of a snapshot, each a JSON object under the store's event limit. At the outbox's default maxima
 * (10,000 pending, 50,000 finished remembered) a snapshot is at most a few hundred chunks, within one append.
 */
export function outboxSnapshotChunks(
  stream: string,
  revision: bigint,
  snapshotId: string,
  snapshot: Omit<OutboxSnapshot, 'revision'>,
): JsonObject[] {
  const bodies: { pending: PendingRow[]; finished: FinishedRow[] }[] = [];
  let current: { pending: PendingRow[]; finished: FinishedRow[] } = { pending: [], finished: [] };
  let currentText = 0;
  const add = (rowText: number, put: (body: typeof current) => void): void => {
    if (currentText > 0 && currentText + rowText > chunkTextMax) {
      bodies.push(current);
      current = { pending: [], finished: [] };
      currentText = 0;
    }
    put(current);
    currentText += rowText;
  };
  for (const pending of snapshot.pending) {
    const row = pendingRow(pending);
    add(JSON.stringify(row).length, (body) => body.pending.push(row));
  }
  for (const finished of snapshot.finished) {
    const row: FinishedRow = [finished.deliveryId, finished.state.status, finished.state.fingerprint, finished.state.attempts];
    add(finished.deliveryId.length + finishedRowTextBeyondId, (body) => body.finished.push(row));
  }
  bodies.push(current);
  assert(bodies.length <= eventStoreLimits.eventsPerAppendMax, 'an outbox snapshot fits one append');
  return bodies.map((body, chunkIndex) => {
    const chunk: OutboxSnapshotChunk = {
      stream,
      revision: revision.toString(),
      snapshotId,
      chunkIndex,
      chunkCount: bodies.length,
      ...body,
    };
    return chunk;
  });
}

function pendingRow(pending: PendingDelivery): PendingRow {
  const { delivery } = pending;
  return [
    delivery.deliveryId,
    delivery.kind,
    delivery.destination,
    delivery.payload,
    pending.fingerprint,
    pending.attempts,
    pending.nextAttemptAt,
    pending.queuedAt,
  ];
}

/**
 * The newest whole snapshot of an outbox stream, or null when none was written. Its last chunk is the snapshot
 * stream's last event and its chunks were appended together; anything else there is a broken store, and start-up
 * stops on it rather than guess.
 */
export async function readLatestOutboxSnapshot(store: EventStore, stream: string): Promise<OutboxSnapshot | null> {
  const snapshotStream = outboxSnapshotStream(stream);
  const last = await store.streamRevision(snapshotStream);
  if (last === null) return null;
  const [lastEvent] = await store.readStream(snapshotStream, last, 1);
  const lastChunk = chunkOf(lastEvent, snapshotStream);
  assert(lastChunk.chunkIndex === lastChunk.chunkCount - 1, `${snapshotStream} ends with the last chunk of a snapshot`);
  const first = last - BigInt(lastChunk.chunkCount - 1);
  const pending: PendingDelivery[] = [];
  const finished: FinishedDelivery[] = [];
  let expectedIndex = 0;
  for (let from = first; from <= last; from += BigInt(eventStoreLimits.readLimitMax)) {
    const page = await store.readStream(snapshotStream, from, Math.min(eventStoreLimits.readLimitMax, Number(last - from) + 1));
    for (const recorded of page) {
      const chunk = chunkOf(recorded, snapshotStream);
      assert(
        chunk.snapshotId === lastChunk.snapshotId && chunk.chunkIndex === expectedIndex && chunk.stream === stream,
        `${snapshotStream} holds chunk ${expectedIndex} of snapshot ${lastChunk.snapshotId} at revision ${recorded.revision}`,
      );
      expectedIndex += 1;
      for (const row of chunk.pending) pending.push(restorePending(row));
      for (const row of chunk.finished) finished.push(restoreFinished(row));
    }
  }
  assert(expectedIndex === lastChunk.chunkCount, `${snapshotStream} holds every chunk of its latest snapshot`);
  return { revision: BigInt(lastChunk.revision), pending, finished };
}

function chunkOf(recorded: RecordedEvent | undefined, snapshotStream: string): OutboxSnapshotChunk {
  assert(recorded !== undefined && recorded.type === outboxSnapshotChunkType, `${snapshotStream} holds outbox snapshot chunks`);
  const data = recorded.data as Record<string, JsonValue>;
  assert(
    typeof data['revision'] === 'string' &&
      /^(0|[1-9][0-9]*)$/.test(data['revision']) &&
      Number.isSafeInteger(data['chunkIndex']) &&
      Number.isSafeInteger(data['chunkCount']) &&
      Array.isArray(data['pending']) &&
      Array.isArray(data['finished']),
    `${snapshotStream} event ${recorded.revision} is a well-formed snapshot chunk`,
  );
  // Only the outbox writes these streams, in exactly this shape (checked above in its parts).
  return data as unknown as OutboxSnapshotChunk;
}

function restorePending(row: PendingRow): PendingDelivery {
  const [deliveryId, kind, destination, payload, fingerprint, attempts, nextAttemptAt, queuedAt] = row;
  return { status: 'pending', delivery: { deliveryId, kind, destination, payload }, fingerprint, attempts, nextAttemptAt, queuedAt };
}

function restoreFinished(row: FinishedRow): FinishedDelivery {
  const [deliveryId, status, fingerprint, attempts] = row;
  assert(
    status === 'delivered' || status === 'abandoned',
    `a finished delivery in a snapshot is delivered or abandoned, not ${String(status)}`,
  );
  return { deliveryId, state: { status, fingerprint, attempts } };
}
