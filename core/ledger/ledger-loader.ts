import { AssertionError, assert } from '../assert';
import type { RecordedEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import type { CurrencyCode } from '../money';
import { ledgerSnapshotStreamName, ledgerStreamName } from './events';
import { factCount, firstFactNumber, isLedgerBatch, ledgerFacts, ledgerRecordsPerReadMax } from './ledger-record';
import { evolve } from './evolve';
import { LedgerRecordReplay } from './replay-ledger-record';
import type { LedgerTunables } from './ledger-limits';
import { forgetOldTransfers, initialState, rememberedFromEvent, type LedgerState } from './ledger-state';
import { rememberFromLog } from './remember-from-log';
import { restoreSnapshot, snapshotChunkType, type SnapshotChunk } from './snapshot';
import { TransferIdWindow } from './transfer-id-window';
import { ledgerWindowStreamName, restoreSegmentPart, segmentHeader } from './transfer-id-window-segment';

export type LoadedLedger = {
  state: LedgerState;
  /** Revision of the ledger stream's last event, or null for an empty stream: the next append's expectation. */
  revision: bigint | null;
  /** Event count of the snapshot the state was loaded from, or null when it was replayed from empty. */
  snapshotEventCount: number | null;
  /** Whether the id window came from the window segments at the snapshot (else from the log, or empty). */
  windowFromSegments: boolean;
};

/**
 * Builds the ledger state from the store: the latest snapshot (when asked to use it and there is one), the
 * idempotency window's part of the log before it (for memory only), then every later record.
 *
 * `recordCountMax` is for readers of a log that a running switch may still be appending to (`npm run verify`):
 * the tail is replayed up to that many records of the stream at most (a snapshot newer than that is still used
 * whole), and the stream may hold more than was loaded. Without it the whole stream is loaded and must end where
 * the load did: the engine, the stream's only writer, loading its own stream.
 */
export async function loadLedger(
  store: EventStore,
  ledger: CurrencyCode,
  tunables: LedgerTunables,
  useSnapshot: boolean,
  recordCountMax?: number,
): Promise<LoadedLedger> {
  const stream = ledgerStreamName(ledger);
  const chunks = useSnapshot ? await readLatestSnapshot(store, ledger) : null;
  let windowFromSegments = false;
  const state = chunks === null ? initialState(ledger, tunables) : restoreSnapshot(chunks, ledger, tunables);
  const wanted = await windowEntriesWanted(store, stream, state, recordCountMax);
  if (chunks !== null) windowFromSegments = await restoreWindowFromSegments(store, state, wanted);
  state.window.reserve(wanted);
  // Millions of ids go into the window below: indexed in slot order, in batches, not one random slot each.
  state.window.beginBulkLoad();
  if (chunks !== null && !windowFromSegments) await rememberBeforeSnapshot(store, stream, state);
  const snapshotEventCount = chunks === null ? null : state.eventCount;
  const replay = new LedgerRecordReplay(state);
  await readRange(store, stream, state.recordCount, recordCountMax ?? Number.MAX_SAFE_INTEGER, (recorded) => {
    if (recorded.revision !== BigInt(state.recordCount))
      throw new AssertionError(`ledger stream ${stream} has no gaps (revision ${recorded.revision} after ${state.recordCount} records)`);
    if (firstFactNumber(recorded) !== state.eventCount)
      throw new AssertionError(`ledger stream ${stream} revision ${recorded.revision} starts at fact ${state.eventCount}`);
    // Posted transfers go from the record's bytes to the state with no event object in between: what makes start-up
    // fast (issue 18 item 5); every other fact is decoded and evolved as usual.
    if (isLedgerBatch(recorded)) replay.apply(recorded);
    else for (const fact of ledgerFacts(recorded)) evolve(state, fact);
    state.recordCount += 1;
  });
  state.window.endBulkLoad();
  forgetOldTransfers(state, Number.MAX_SAFE_INTEGER);
  const revision = state.recordCount === 0 ? null : BigInt(state.recordCount - 1);
  const actual = await store.streamRevision(stream);
  if (recordCountMax === undefined) assert(actual === revision, `ledger ${ledger} loaded up to its last record (${String(actual)})`);
  else
    assert(revision === null || (actual !== null && actual >= revision), `ledger ${ledger} holds every record loaded (${String(actual)})`);
  return { state, revision, snapshotEventCount, windowFromSegments };
}

/** One window segment of the chain a load restores: its parts' revisions and the events its entries span. */
type ChainSegment = { firstRevision: number; lastRevision: number; fromEvent: number; toEvent: number };

/**
 * Fills the window of a state just restored from a snapshot from the window segments that end at it
 * (transfer-id-window-segment.ts): a walk back to find them, then a read forward of exactly their parts that
 * restores them. Returns false, with an empty window of the latest segment's seed, when they cannot serve: the
 * caller then rebuilds the window from the log.
 */
async function restoreWindowFromSegments(store: EventStore, state: LedgerState, wanted: number): Promise<boolean> {
  const stream = ledgerWindowStreamName(state.ledger);
  const eventCount = state.eventCount;
  const fromFact = Math.max(0, rememberedFromEvent(state));
  const old = state.window;
  const chain = await segmentChain(store, stream, eventCount, fromFact, old.capacity);
  state.window = new TransferIdWindow(old.windowEvents, old.capacity - old.windowEvents, chain.seed ?? undefined);
  if (chain.segments === null) return false;
  state.window.reserve(wanted);
  state.window.beginBulkLoad();
  let lastEvent: number | null = -1;
  for (const segment of chain.segments) {
    let partIndex = 0;
    await readRange(store, stream, segment.firstRevision, segment.lastRevision + 1, (recorded) => {
      // Each part must be the next of its segment: a part the walk did not read is checked here.
      const header = segmentHeader(recorded.bytes);
      const inPlace =
        header !== null &&
        header.seed === chain.seed &&
        header.partIndex === partIndex &&
        header.fromEvent === segment.fromEvent &&
        header.toEvent === segment.toEvent;
      partIndex += 1;
      if (lastEvent === null || !inPlace || recorded.bytes === undefined) lastEvent = null;
      else lastEvent = restoreSegmentPart(state.window, recorded.bytes, fromFact, eventCount, lastEvent);
    });
    if (partIndex !== segment.lastRevision - segment.firstRevision + 1) lastEvent = null;
  }
  // Statuses set while restoring are not changes a later segment must record.
  state.window.takeStatusChanges(eventCount);
  if (lastEvent !== null) return true;
  state.window = new TransferIdWindow(old.windowEvents, old.capacity - old.windowEvents, chain.seed ?? undefined);
  return false;
}

/**
 * The segments whose entries cover the window before a snapshot at `eventCount` (from `fromFact` on), oldest
 * first, found by reading only each segment's last part (its header names its part count and where it starts):
 * back from the newest part, segments past the snapshot are skipped, then each segment must end where the later
 * one began. Parts are hundreds of kilobytes: a walk that read them all read the whole window twice. Null segments
 * when the chain is broken, damaged, or of another hash seed or window size; `seed` is the newest part's.
 */
async function segmentChain(
  store: EventStore,
  stream: string,
  eventCount: number,
  fromFact: number,
  capacity: number,
): Promise<{ seed: number | null; segments: ChainSegment[] | null }> {
  const last = await store.streamRevision(stream);
  if (last === null) return { seed: null, segments: null };
  let seed: number | null = null;
  let needTo = eventCount;
  const segments: ChainSegment[] = [];
  for (let revision = Number(last); revision >= 0;) {
    const [recorded] = await store.readStream(stream, BigInt(revision), 1);
    const header = segmentHeader(recorded?.bytes);
    if (header === null || header.partIndex > revision) break;
    seed ??= header.seed;
    const firstRevision = revision - header.partIndex;
    if (header.partIndex !== header.partCount - 1 || header.toEvent < needTo) break;
    if (header.toEvent > needTo) {
      // A segment past the snapshot (its snapshot was never written): skipped whole.
      revision = firstRevision - 1;
      continue;
    }
    if (header.seed !== seed || header.capacity !== capacity) break;
    segments.push({ firstRevision, lastRevision: revision, fromEvent: header.fromEvent, toEvent: header.toEvent });
    if (header.fromEvent <= fromFact) return { seed, segments: segments.reverse() };
    needTo = header.fromEvent;
    revision = firstRevision - 1;
  }
  return { seed, segments: null };
}

/**
 * The entries the id window will hold once the load is done (at most its capacity): the window's part before the
 * snapshot and the facts after it, from the last record's header. Reserved once before the window is filled:
 * otherwise its index doubles its way up, re-indexing all it holds at each step (the ring itself only gains blocks).
 */
async function windowEntriesWanted(
  store: EventStore,
  stream: string,
  state: LedgerState,
  recordCountMax: number | undefined,
): Promise<number> {
  const before = state.eventCount - Math.max(0, rememberedFromEvent(state));
  const last = await store.streamRevision(stream);
  if (last === null || recordCountMax !== undefined) return before;
  const [lastRecord] = await store.readStream(stream, last, 1);
  if (lastRecord === undefined) return before;
  const factsAfter = firstFactNumber(lastRecord) + factCount(lastRecord) - state.eventCount;
  // The ring never holds more than its capacity: older entries are evicted as newer ones come.
  return Math.min(before + factsAfter, state.window.capacity);
}

/**
 * Replays, for memory only, the facts from rememberedFromEvent(state) up to the snapshot: resolved transfers inside
 * the idempotency window come only from the log. A record holds many facts, so the first record to read is found by
 * a binary search on the records' first fact numbers (one record read per step).
 */
async function rememberBeforeSnapshot(store: EventStore, stream: string, state: LedgerState): Promise<void> {
  const fromFact = Math.max(0, rememberedFromEvent(state));
  const snapshotEventCount = state.eventCount;
  if (fromFact >= snapshotEventCount) return;
  const fromRecord = await recordHoldingFact(store, stream, fromFact, state.recordCount);
  const replay = new LedgerRecordReplay(state);
  await readRange(store, stream, fromRecord, state.recordCount, (recorded) => {
    if (isLedgerBatch(recorded)) {
      // Posted transfers straight from the record's bytes, as the replay after the snapshot reads them.
      replay.remember(recorded, fromFact, snapshotEventCount);
      return;
    }
    let factNumber = firstFactNumber(recorded);
    for (const fact of ledgerFacts(recorded)) {
      if (factNumber >= fromFact && factNumber < snapshotEventCount) rememberFromLog(state, fact, factNumber);
      factNumber += 1;
    }
  });
}

/** The revision of the record (among the first `recordCount`) that holds fact number `factNumber`. */
export async function recordHoldingFact(store: EventStore, stream: string, factNumber: number, recordCount: number): Promise<number> {
  let low = 0;
  let high = recordCount - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const [recorded] = await store.readStream(stream, BigInt(middle), 1);
    assert(recorded !== undefined, `ledger stream ${stream} holds record ${middle}`);
    if (firstFactNumber(recorded) <= factNumber) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Reads records with revisions in [fromRevision, toRevision) page by page. */
async function readRange(
  store: EventStore,
  stream: string,
  fromRevision: number,
  toRevision: number,
  visit: (recorded: RecordedEvent) => void,
): Promise<void> {
  let next = fromRevision;
  while (next < toRevision) {
    const limit = Math.min(ledgerRecordsPerReadMax, toRevision - next);
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
