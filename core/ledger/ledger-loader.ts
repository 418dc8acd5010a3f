import { AssertionError, assert } from '../assert';
import type { RecordedEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { eventStoreLimits } from '../eventstore/limits';
import type { CurrencyCode } from '../money';
import { ledgerEventTypes, ledgerSnapshotStreamName, ledgerStreamName, type LedgerEvent } from './events';
import { evolve } from './evolve';
import type { LedgerTunables } from './ledger-limits';
import { forgetOldTransfers, initialState, rememberedFromEvent, type LedgerState } from './ledger-state';
import { rememberFromLog } from './remember-from-log';
import { restoreSnapshot, snapshotChunkType, type SnapshotChunk } from './snapshot';

export type LoadedLedger = {
  state: LedgerState;
  /** Revision of the ledger stream's last event, or null for an empty stream: the next append's expectation. */
  revision: bigint | null;
  /** Event count of the snapshot the state was loaded from, or null when it was replayed from empty. */
  snapshotEventCount: number | null;
};

const knownTypes: ReadonlySet<string> = new Set(ledgerEventTypes);

/** A ledger event as the decider knows it, from a recorded one; an unknown type in a ledger stream is a crash. */
export function toLedgerEvent(recorded: RecordedEvent): LedgerEvent {
  if (!knownTypes.has(recorded.type))
    throw new AssertionError(`ledger stream ${recorded.stream} holds only ledger events (found ${recorded.type})`);
  // Only the engine writes ledger streams, and it writes exactly these shapes.
  return { type: recorded.type, data: recorded.data } as unknown as LedgerEvent;
}

/**
 * Builds the ledger state from the store: the latest snapshot (when asked to use it and there is one), the
 * idempotency window's part of the log before it (for memory only), then every later event.
 *
 * `eventCountMax` is for readers of a log that a running switch may still be appending to (`npm run verify`):
 * the tail is replayed up to that many events at most (a snapshot newer than that is still used whole), and the
 * stream may hold more than was loaded. Without it the whole stream is loaded and must end where the load did:
 * the engine, the stream's only writer, loading its own stream.
 */
export async function loadLedger(
  store: EventStore,
  ledger: CurrencyCode,
  tunables: LedgerTunables,
  useSnapshot: boolean,
  eventCountMax?: number,
): Promise<LoadedLedger> {
  const stream = ledgerStreamName(ledger);
  const chunks = useSnapshot ? await readLatestSnapshot(store, ledger) : null;
  let state: LedgerState;
  if (chunks === null) {
    state = initialState(ledger, tunables);
  } else {
    state = restoreSnapshot(chunks, ledger, tunables);
    const snapshotEventCount = state.eventCount;
    await readRange(store, stream, Math.max(0, rememberedFromEvent(state)), snapshotEventCount, (recorded) => {
      rememberFromLog(state, toLedgerEvent(recorded), Number(recorded.revision));
    });
  }
  const snapshotEventCount = chunks === null ? null : state.eventCount;
  await readRange(store, stream, state.eventCount, eventCountMax ?? Number.MAX_SAFE_INTEGER, (recorded) => {
    if (recorded.revision !== BigInt(state.eventCount))
      throw new AssertionError(`ledger stream ${stream} has no gaps (revision ${recorded.revision} after ${state.eventCount} events)`);
    evolve(state, toLedgerEvent(recorded));
  });
  forgetOldTransfers(state, Number.MAX_SAFE_INTEGER);
  const revision = state.eventCount === 0 ? null : BigInt(state.eventCount - 1);
  const actual = await store.streamRevision(stream);
  if (eventCountMax === undefined) assert(actual === revision, `ledger ${ledger} loaded up to its last event (${String(actual)})`);
  else
    assert(revision === null || (actual !== null && actual >= revision), `ledger ${ledger} holds every event loaded (${String(actual)})`);
  return { state, revision, snapshotEventCount };
}

/** Reads events with revisions in [fromRevision, toRevision) page by page. */
async function readRange(
  store: EventStore,
  stream: string,
  fromRevision: number,
  toRevision: number,
  visit: (recorded: RecordedEvent) => void,
): Promise<void> {
  let next = fromRevision;
  while (next < toRevision) {
    const limit = Math.min(eventStoreLimits.readLimitMax, toRevision - next);
    const page = await store.readStream(stream, BigInt(next), limit);
    for (const recorded of page) visit(recorded);
    if (page.length < limit) return;
    next += page.length;
  }
}

/** The newest whole snapshot: its last chunk is the stream's last event; its chunks precede it in one append. */
async function readLatestSnapshot(store: EventStore, ledger: CurrencyCode): Promise<SnapshotChunk[] | null> {
  const stream = ledgerSnapshotStreamName(ledger);
  const last = await store.streamRevision(stream);
  if (last === null) return null;
  const [lastEvent] = await store.readStream(stream, last, 1);
  assert(lastEvent !== undefined && lastEvent.type === snapshotChunkType, `${stream} holds snapshot chunks`);
  const lastChunk = lastEvent.data as unknown as SnapshotChunk;
  assert(lastChunk.chunkIndex === lastChunk.chunkCount - 1, `${stream} ends with the last chunk of a snapshot`);
  const first = last - BigInt(lastChunk.chunkCount - 1);
  const events = await store.readStream(stream, first, lastChunk.chunkCount);
  assert(events.length === lastChunk.chunkCount, `${stream} holds every chunk of its latest snapshot`);
  return events.map((recorded) => recorded.data as unknown as SnapshotChunk);
}
