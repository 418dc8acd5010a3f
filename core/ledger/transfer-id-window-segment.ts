import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { assert } from '../assert';
import type { CurrencyCode } from '../money';
import type { PendingStatus } from './transfer';
import { segmentEntryWords, type TransferIdWindow } from './transfer-id-window';

/**
 * Window segments (issue 18 item 5): the transfer id window written beside each ledger snapshot, so that a start
 * reads it instead of rebuilding it from the window's part of the log (10M transfers took ~47 s to re-remember).
 * Each segment holds the window's entries created at ledger events in [fromEvent, toEvent) (toEvent is the
 * snapshot's event count) as their seven words, and the pending statuses that changed since the previous segment
 * for entries created before it. Segments chain: a load walks back from the one that ends at its snapshot through
 * segments that end where the later one starts, until the window's start is covered. A segment that starts at 0
 * holds the whole window (written after a start that could not use the chain, or when changes were lost).
 * The log stays the truth: a missing, damaged or foreign segment (another hash seed or window size) makes the load
 * rebuild the window from the log as before.
 *
 * A segment is one append of binary parts of at most `partPayloadBytesMax` bytes beside a 48-byte header:
 * version, CRC-32 of the rest, hash seed, window capacity, fromEvent, toEvent (float64), part index and count,
 * entry and change counts; then 28 bytes per entry and 12 per change (created event as float64, status).
 */
export const windowSegmentType = 'LedgerWindowSegment';
const version = 1;
const segmentHeaderBytes = 48;
const entryBytes = 28;
const changeBytes = 12;
/** Below the store's 1 MiB per event with room for the metadata: 32,142 entries per part. */
const partPayloadBytesMax = 900_000;
const statuses: readonly PendingStatus[] = ['pending', 'posted', 'voided', 'expired'];
// Entries are copied to and from the window's Uint32Arrays as they lie in memory, which the format fixes as little-endian.
assert(endianness() === 'LE', 'window segments are written on a little-endian machine');

export function ledgerWindowStreamName(ledger: CurrencyCode): string {
  return `snapshot-ledger-window-${ledger}`;
}

type SegmentHeader = {
  seed: number;
  capacity: number;
  fromEvent: number;
  toEvent: number;
  partIndex: number;
  partCount: number;
  entryCount: number;
  changeCount: number;
};

/** The parts of the segment of entries created in [fromEvent, eventCount) and the status changes given. */
export function windowSegmentParts(
  window: TransferIdWindow,
  fromEvent: number,
  eventCount: number,
  changes: readonly [number, PendingStatus][],
): Buffer[] {
  const entryWords = window.entryWordsFrom(fromEvent, eventCount);
  const entryCount = entryWords.length / segmentEntryWords;
  const entries = Buffer.from(entryWords.buffer, entryWords.byteOffset, entryWords.byteLength);
  // A whole-window segment holds every entry's status as it is now.
  const changeCount = fromEvent > 0 ? changes.length : 0;
  const entriesPerPart = Math.floor(partPayloadBytesMax / entryBytes);
  const changesPerPart = Math.floor(partPayloadBytesMax / changeBytes);
  const partCount = Math.max(1, Math.ceil(entryCount / entriesPerPart) + Math.ceil(changeCount / changesPerPart));
  const parts: Buffer[] = [];
  for (let first = 0; first < entryCount; first += entriesPerPart) {
    const count = Math.min(entriesPerPart, entryCount - first);
    const part = partStart(window, fromEvent, eventCount, parts.length, partCount, count, 0);
    entries.copy(part, segmentHeaderBytes, first * entryBytes, (first + count) * entryBytes);
    parts.push(part);
  }
  for (let first = 0; first < changeCount; first += changesPerPart) {
    const count = Math.min(changesPerPart, changeCount - first);
    const part = partStart(window, fromEvent, eventCount, parts.length, partCount, 0, count);
    for (let change = 0; change < count; change += 1) {
      const [eventNumber, status] = changes[first + change] as [number, PendingStatus];
      part.writeDoubleLE(eventNumber, segmentHeaderBytes + change * changeBytes);
      part.writeUInt32LE(statuses.indexOf(status), segmentHeaderBytes + change * changeBytes + 8);
    }
    parts.push(part);
  }
  if (parts.length === 0) parts.push(partStart(window, fromEvent, eventCount, 0, 1, 0, 0));
  assert(parts.length === partCount, 'a window segment has the parts it announces');
  for (const part of parts) part.writeUInt32LE(crc32(part.subarray(8)), 4);
  return parts;
}

/** A part with its header written (but its checksum) and room for its entries and changes. */
function partStart(
  window: TransferIdWindow,
  fromEvent: number,
  eventCount: number,
  partIndex: number,
  partCount: number,
  entryCount: number,
  changeCount: number,
): Buffer {
  const part = Buffer.alloc(segmentHeaderBytes + entryCount * entryBytes + changeCount * changeBytes);
  part.writeUInt32LE(version, 0);
  part.writeUInt32LE(window.hashSeed, 8);
  part.writeUInt32LE(window.capacity, 12);
  part.writeDoubleLE(fromEvent, 16);
  part.writeDoubleLE(eventCount, 24);
  part.writeUInt32LE(partIndex, 32);
  part.writeUInt32LE(partCount, 36);
  part.writeUInt32LE(entryCount, 40);
  part.writeUInt32LE(changeCount, 44);
  return part;
}

/** A part's header if it looks like one (its checksum is checked by `restoreSegmentPart`), or null. */
export function segmentHeader(bytes: Uint8Array | undefined): SegmentHeader | null {
  if (bytes === undefined || bytes.length < segmentHeaderBytes) return null;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.readUInt32LE(0) !== version) return null;
  const header: SegmentHeader = {
    seed: buffer.readUInt32LE(8),
    capacity: buffer.readUInt32LE(12),
    fromEvent: buffer.readDoubleLE(16),
    toEvent: buffer.readDoubleLE(24),
    partIndex: buffer.readUInt32LE(32),
    partCount: buffer.readUInt32LE(36),
    entryCount: buffer.readUInt32LE(40),
    changeCount: buffer.readUInt32LE(44),
  };
  const sane =
    Number.isSafeInteger(header.fromEvent) &&
    Number.isSafeInteger(header.toEvent) &&
    header.fromEvent >= 0 &&
    header.fromEvent <= header.toEvent &&
    header.partIndex < header.partCount &&
    buffer.length === segmentHeaderBytes + header.entryCount * entryBytes + header.changeCount * changeBytes;
  return sane ? header : null;
}

/**
 * Adds a part's entries created at events in [fromFact, eventCount) to the window (which has the segment's seed
 * and capacity), after `lastEvent` (the last entry's event so far, -1 at first), then its status changes. Returns
 * the last entry's event, or null when the part is damaged (its checksum, or an entry out of order or range): the
 * caller then rebuilds the window from the log.
 */
export function restoreSegmentPart(
  window: TransferIdWindow,
  bytes: Uint8Array,
  fromFact: number,
  eventCount: number,
  lastEvent: number,
): number | null {
  const header = segmentHeader(bytes);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (header === null || crc32(buffer.subarray(8)) !== buffer.readUInt32LE(4)) return null;
  // Copied into words of their own: the store's buffer need not be aligned for a Uint32Array view.
  const words = new Uint32Array(header.entryCount * segmentEntryWords);
  buffer.copy(Buffer.from(words.buffer), 0, segmentHeaderBytes, segmentHeaderBytes + header.entryCount * entryBytes);
  const last = window.insertEntryWords(
    words,
    header.entryCount,
    header.fromEvent,
    Math.min(header.toEvent, eventCount),
    fromFact,
    lastEvent,
  );
  if (last === null) return null;
  const changesStart = segmentHeaderBytes + header.entryCount * entryBytes;
  for (let change = 0; change < header.changeCount; change += 1) {
    const offset = changesStart + change * changeBytes;
    const eventNumber = buffer.readDoubleLE(offset);
    const status = statuses[buffer.readUInt32LE(offset + 8)];
    if (status === undefined || !Number.isSafeInteger(eventNumber)) return null;
    // An entry older than the window (not restored) has no status to change.
    const place = window.placeOfEvent(eventNumber, eventCount);
    if (place !== -1 && window.kindAt(place) === 'pending_transfer') window.setStatus(place, status);
  }
  return last;
}
