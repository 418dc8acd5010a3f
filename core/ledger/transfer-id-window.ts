import { getRandomValues } from 'node:crypto';
import { assert, AssertionError } from '../assert';
import { murmurHash128, murmurHash128Ascii } from './murmur-hash-128';
import { SlotOrderedInserts } from './slot-ordered-inserts';
import { WindowStatusChanges } from './window-status-changes';
import type { PendingStatus, TransferKind } from './transfer';

/** Words of one entry in the ring; see TransferIdWindow for what each holds. */
const recordWords = 6;
/** Words of one entry in a window segment: the ring's and the id hash's first word (its fingerprint bits). */
export const segmentEntryWords = recordWords + 1;
/** The index is at most this full, so that a linear probe stays short (about 2.5 slots for a miss at 0.75). */
const indexLoadMax = 0.75;
/** The most entries a window may hold: an index slot keeps the entry's place in 28 bits and 4 bits of fingerprint. */
export const transferIdWindowEntriesMax = 2 ** 28 - 1;
const wordRange = 2 ** 32;
const kinds: readonly TransferKind[] = ['transfer', 'pending_transfer', 'post_pending', 'void_pending'];
const statuses: readonly PendingStatus[] = ['pending', 'posted', 'voided', 'expired'];
/** The bits of a fields digest's second word an entry keeps beside its kind and status. */
const digestMask = 0x0fffffff;

/**
 * Entries per block of the ring (1.5 MiB): the ring is allocated a block at a time as the window first fills, and
 * its index starts with room for one block's entries (512 KiB).
 */
const blockBits = 16;
const blockEntries = 2 ** blockBits;
const blockMask = blockEntries - 1;
const initialEntries = blockEntries;
/**
 * Entries a bulk load collects before indexing them in slot order: an eighth of the index (each batch then sweeps
 * it with about one insert per cache line), at most 2 Mi (29 MB of scratch while a load runs).
 */
const bulkEntriesMax = 2 ** 21;
const bulkEntriesMin = 4096;

/**
 * The transfer ids created in the last `windowEvents` ledger events, with a digest of each transfer's fields, held
 * off the object heap in two typed arrays that grow as the window fills: the engine's idempotency memory for
 * resolved transfers.
 *
 * - A ring of entries in creation order, 24 bytes each: 96 bits of the id's 128-bit hash (words 1 to 3 of
 *   MurmurHash3 x86_128 of the id), a 60-bit digest of the transfer's fields (transfer-fields-digest.ts), the
 *   transfer's kind and pending status in 4 bits, and the ledger event that created it (modulo 2^32; its
 *   age is always below the window, so the full number is recovered from the ledger's event count).
 * - An open-addressing index (linear probing, at most 75 % full, a power of two) of 32-bit slots: the entry's
 *   place in the ring plus the top bits of the hash's first word as a fingerprint, so that a probe reads the ring
 *   only when the fingerprint matches. Removal shifts the probe chain back (no tombstones).
 *
 * The ring has `capacity` places (the window plus a tick's margin), an entry's place its sequence number modulo
 * `capacity`, so an entry never moves; its memory is allocated in blocks of 65,536 entries as the ring first
 * reaches them (issue 18 item 3). Growing used to double the ring and copy every entry into it, leaving the old
 * ring, tens of MiB, to the collector each time (V8 counts it as external memory and answers with full
 * collections). Only the index still doubles as the window fills, rebuilt from itself (4 bytes an entry, no ring
 * read but each entry's home word). So a ledger that has seen few transfers holds little: six currencies at the
 * default 10,000,000 events do not reserve 1.8 GB up front. Full, at the default: 240 MB of ring and 64 MiB of
 * index, 30.7 bytes per id.
 *
 * Two ids are taken for one only when 104 compared bits and the probe path agree; the seed is drawn per process, so
 * a colliding pair cannot be prepared in advance. Membership follows the log, never the moment of removal: an entry
 * is alive while its age in events is at most `windowEvents`, whether or not `forgetExpired` has removed it yet.
 */
export class TransferIdWindow {
  readonly windowEvents: number;
  /** Entries the ring may grow to: the window plus the events of a tick or so before `forgetExpired` runs. */
  readonly capacity: number;
  /** The ring's blocks allocated so far, in place order: a place's entry is in block `place >>> 16`. */
  private blocks: Uint32Array[] = [];
  /** Entries the index has room for at most 75 % full: doubles as the window fills, up to `capacity`. */
  private indexEntries: number;
  private index: Uint32Array;
  private indexMask: number;
  private readonly positionBits: number;
  private readonly positionMask: number;
  private readonly seed: number;
  /** Sequence numbers: entries ever inserted (the next one's number), and the oldest still held. */
  private head = 0;
  private tail = 0;
  private readonly idHash = new Uint32Array(4);
  private hashedId: string | null = null;
  /**
   * Entries whose pending status changed since `takeStatusChanges`: what a window segment
   * (transfer-id-window-segment.ts) records beside the entries it adds. At most `capacity` are kept.
   */
  private readonly statusChanges: WindowStatusChanges;
  /**
   * During a bulk load (`beginBulkLoad`), the newest entries, in the ring but not yet in the index: they are
   * indexed in slot order when the batch is full, at `endBulkLoad`, or before anything reads the index.
   */
  private pendingInserts: SlotOrderedInserts | null = null;

  constructor(windowEvents: number, marginEntries: number, seed?: number) {
    assert(Number.isSafeInteger(windowEvents) && windowEvents >= 1, 'a transfer id window spans at least one event');
    assert(Number.isSafeInteger(marginEntries) && marginEntries >= 1, 'a transfer id window has a margin');
    this.windowEvents = windowEvents;
    this.capacity = windowEvents + marginEntries;
    assert(this.capacity <= transferIdWindowEntriesMax, `a transfer id window holds at most ${transferIdWindowEntriesMax} entries`);
    this.indexEntries = Math.min(this.capacity, initialEntries);
    this.index = newIndex(this.indexEntries);
    this.indexMask = this.index.length - 1;
    // Sized for the largest ring, so that the fingerprint's width does not change as the ring grows.
    this.positionBits = Math.ceil(Math.log2(this.capacity + 1));
    this.positionMask = 2 ** this.positionBits - 1;
    this.statusChanges = new WindowStatusChanges(this.capacity);
    // Held signed (murmurHash128 takes `seed | 0`): a small integer in V8, which a call per id does not box.
    const drawnSeed: number = seed ?? (getRandomValues(new Uint32Array(1))[0] as number);
    this.seed = drawnSeed | 0;
  }

  /** The seed of the id hash: a window segment holds hashes, which only a window with the same seed can take. */
  get hashSeed(): number {
    return this.seed >>> 0;
  }

  /** Entries held, alive or not yet removed. */
  get length(): number {
    return this.head - this.tail;
  }

  /** The sequence number the next entry gets: what `truncate` takes to undo later inserts. */
  get end(): number {
    return this.head;
  }

  /**
   * Adds the transfer `transferId`, created by ledger event `eventNumber`, whose fields digest to the two words
   * given (transfer-fields-digest.ts). If the ring is full its oldest entry goes; that entry must have left the window.
   */
  insert(
    transferId: string,
    eventNumber: number,
    kind: TransferKind,
    status: PendingStatus | null,
    digestFirst: number,
    digestSecond: number,
  ): void {
    this.hashId(transferId);
    this.insertHashed(eventNumber, kind, status, digestFirst, digestSecond);
  }

  /**
   * `insert` for an id given as `length` ASCII bytes of `bytes` from `start` (a batch record's string table): the
   * start-up replay adds each transfer this way, without decoding its id to a string.
   */
  insertAscii(
    bytes: Uint8Array,
    start: number,
    length: number,
    eventNumber: number,
    kind: TransferKind,
    status: PendingStatus | null,
    digestFirst: number,
    digestSecond: number,
  ): void {
    murmurHash128Ascii(bytes, start, length, this.seed, this.idHash);
    this.hashedId = null;
    this.insertHashed(eventNumber, kind, status, digestFirst, digestSecond);
  }

  /**
   * Makes room in the index for `entries` in all (at most `capacity`) before they are inserted: a replay that knows
   * how many transfers it will add sizes the index once instead of doubling and re-indexing it many times.
   */
  reserve(entries: number): void {
    const wanted = Math.min(this.capacity, entries);
    if (wanted > this.indexEntries) this.growIndex(wanted);
  }

  private insertHashed(
    eventNumber: number,
    kind: TransferKind,
    status: PendingStatus | null,
    digestFirst: number,
    digestSecond: number,
  ): void {
    if (this.length === this.indexEntries && this.indexEntries < this.capacity)
      this.growIndex(Math.min(this.capacity, this.indexEntries * 2));
    if (this.length === this.capacity) {
      assert(this.age(this.tail % this.capacity, eventNumber + 1) > this.windowEvents, 'the transfer id window evicts only expired ids');
      this.removeOldest();
    }
    const place = this.head % this.capacity;
    const base = (place & blockMask) * recordWords;
    const records = this.blocks[place >>> blockBits] ?? this.addBlock(place);
    const idHash = this.idHash;
    records[base] = idHash[1] as number;
    records[base + 1] = idHash[2] as number;
    records[base + 2] = idHash[3] as number;
    records[base + 3] = digestFirst;
    records[base + 4] = packFlags(digestSecond, kind, status);
    records[base + 5] = eventNumber % wordRange;
    // Signed words (`| 0`; the index stores them back as unsigned): an unsigned word above 2^31 passed on is a heap
    // number made per transfer.
    this.indexEntry((idHash[1] as number) | 0, (this.fingerprint() * (this.positionMask + 1) + place + 1) | 0);
    this.head += 1;
  }

  /**
   * Until `endBulkLoad`, inserts are indexed in batches in the order of their index slots instead of one by one at
   * random slots (slot-ordered-inserts.ts): what a start restoring or replaying millions of ids calls. Lookups stay
   * exact meanwhile: anything that reads the index first indexes what is waiting.
   */
  beginBulkLoad(): void {
    this.pendingInserts ??= new SlotOrderedInserts(Math.max(bulkEntriesMin, Math.min(bulkEntriesMax, this.index.length >>> 3)));
  }

  /** Indexes every entry a bulk load holds back and drops its scratch. */
  endBulkLoad(): void {
    this.indexPending();
    this.pendingInserts = null;
  }

  /** Puts the entry whose id hash's second word is `hashWord` into the index, or into the bulk load's batch. */
  private indexEntry(hashWord: number, value: number): void {
    const mask = this.indexMask;
    const pending = this.pendingInserts;
    if (pending !== null) {
      if (pending.add(hashWord & mask, value)) pending.insertInto(this.index);
      return;
    }
    const index = this.index;
    let slot = hashWord & mask;
    while (index[slot] !== 0) slot = (slot + 1) & mask;
    index[slot] = value;
  }

  /** Indexes the entries a bulk load holds back, if any: before the index is read, changed or rebuilt. */
  private indexPending(): void {
    const pending = this.pendingInserts;
    if (pending !== null && pending.count > 0) pending.insertInto(this.index);
  }

  /** The place of the alive entry for `transferId` at `eventCount` events, or -1. */
  find(transferId: string, eventCount: number): number {
    if (this.pendingInserts !== null) this.indexPending();
    this.hashId(transferId);
    const fingerprint = this.fingerprint();
    const h2 = this.idHash[1] as number;
    const h3 = this.idHash[2] as number;
    const h4 = this.idHash[3] as number;
    const blocks = this.blocks;
    let slot = h2 & this.indexMask;
    for (;;) {
      const value = this.index[slot] as number;
      if (value === 0) return -1;
      if (Math.floor(value / (this.positionMask + 1)) === fingerprint) {
        const place = (value & this.positionMask) - 1;
        const records = blocks[place >>> blockBits] as Uint32Array;
        const base = (place & blockMask) * recordWords;
        // A match that has left the window is skipped, not taken: a newer entry for the same id may follow it.
        if (records[base] === h2 && records[base + 1] === h3 && records[base + 2] === h4 && this.isAlive(place, eventCount)) return place;
      }
      slot = (slot + 1) & this.indexMask;
    }
  }

  kindAt(place: number): TransferKind {
    return kinds[(this.word(place, 4) >>> 28) & 3] as TransferKind;
  }

  /** The pending status of a pending transfer's entry; null for the other kinds. */
  statusAt(place: number): PendingStatus | null {
    if (this.kindAt(place) !== 'pending_transfer') return null;
    return statuses[(this.word(place, 4) >>> 30) & 3] as PendingStatus;
  }

  setStatus(place: number, status: PendingStatus): void {
    assert(this.kindAt(place) === 'pending_transfer', 'only a pending transfer has a status');
    const records = this.blocks[place >>> blockBits] as Uint32Array;
    const base = (place & blockMask) * recordWords;
    records[base + 4] = ((records[base + 4] as number) & 0x3fffffff) | (statuses.indexOf(status) << 30);
    this.statusChanges.add(place, records[base + 5] as number);
  }

  /**
   * The [created event, status] of every entry still held whose status changed since the last call (with the
   * event count given), or null when more changed than were kept; then forgets them.
   */
  takeStatusChanges(eventCount: number): [number, PendingStatus][] | null {
    const changes = this.statusChanges;
    if (changes.lost) {
      changes.clear();
      return null;
    }
    const taken: [number, PendingStatus][] = [];
    for (let change = 0; change < changes.count; change += 1) {
      const place = changes.placeAt(change);
      // A place reused by a later entry, or an entry removed since, has nothing to say.
      if (!this.holds(place) || this.word(place, 5) !== changes.createdAt(change)) continue;
      taken.push([this.eventNumberAt(place, eventCount), this.statusAt(place) as PendingStatus]);
    }
    changes.clear();
    return taken;
  }

  /** Whether `place` holds an entry (its sequence number lies in [tail, head)). */
  private holds(place: number): boolean {
    if (place >= this.capacity) return false;
    const offset = (place - (this.tail % this.capacity) + this.capacity) % this.capacity;
    return offset < this.length;
  }

  /**
   * The entries created at ledger events in [fromEvent, eventCount), oldest first, as seven words each (a window
   * segment's layout): the id hash's first word as far as the index keeps it (its fingerprint bits), its other
   * three, the fields digest's first word, the second with kind and status, the created event modulo 2^32.
   */
  entryWordsFrom(fromEvent: number, eventCount: number): Uint32Array {
    this.indexPending();
    let first = this.head;
    while (first > this.tail && this.eventNumberAt((first - 1) % this.capacity, eventCount) >= fromEvent) first -= 1;
    const count = this.head - first;
    const words = new Uint32Array(count * segmentEntryWords);
    const firstPlace = first % this.capacity;
    for (let offset = 0; offset < count; offset += 1) {
      const place = (firstPlace + offset) % this.capacity;
      for (let word = 0; word < recordWords; word += 1) words[offset * segmentEntryWords + 1 + word] = this.word(place, word);
    }
    const positionRange = this.positionMask + 1;
    const fingerprintWord = (value: number): number => (Math.floor(value / positionRange) * positionRange) >>> 0;
    if (count * 8 < this.index.length) {
      for (let offset = 0; offset < count; offset += 1)
        words[offset * segmentEntryWords] = fingerprintWord(this.index[this.slotOf((firstPlace + offset) % this.capacity)] as number);
      return words;
    }
    // Most of the window: one pass over the index gives every entry's fingerprint without a probe.
    for (let slot = 0; slot < this.index.length; slot += 1) {
      const value = this.index[slot] as number;
      if (value === 0) continue;
      const offset = ((value & this.positionMask) - 1 - firstPlace + this.capacity) % this.capacity;
      if (offset < count) words[offset * segmentEntryWords] = fingerprintWord(value);
    }
    return words;
  }

  /**
   * Inserts `count` entries laid out as `entryWordsFrom` gives them (from a window with the same seed and
   * capacity), created at events from `fromEvent` on (their event words modulo 2^32 count from it), below
   * `toEvent`; those created before `fromFact` are skipped. Each must follow `lastEvent` (-1 at first). Returns the
   * last entry's event, or null when an entry is out of order or range (a damaged segment).
   */
  insertEntryWords(
    words: Uint32Array,
    count: number,
    fromEvent: number,
    toEvent: number,
    fromFact: number,
    lastEvent: number,
  ): number | null {
    const base = fromEvent % wordRange;
    let last = lastEvent;
    for (let entry = 0; entry < count; entry += 1) {
      const at = entry * segmentEntryWords;
      const eventNumber = fromEvent + (((words[at + 6] as number) - base + wordRange) % wordRange);
      if (eventNumber <= last || eventNumber >= toEvent) return null;
      last = eventNumber;
      if (eventNumber < fromFact) continue;
      if (this.length === this.indexEntries && this.indexEntries < this.capacity)
        this.growIndex(Math.min(this.capacity, this.indexEntries * 2));
      if (this.length === this.capacity) {
        assert(this.age(this.tail % this.capacity, eventNumber + 1) > this.windowEvents, 'the transfer id window evicts only expired ids');
        this.removeOldest();
      }
      const place = this.head % this.capacity;
      const records = this.blocks[place >>> blockBits] ?? this.addBlock(place);
      const recordBase = (place & blockMask) * recordWords;
      // Word by word: a subarray per entry would be garbage on a path that restores millions.
      for (let word = 0; word < recordWords; word += 1) records[recordBase + word] = words[at + 1 + word] as number;
      const fingerprint = Math.floor((words[at] as number) / (this.positionMask + 1));
      this.indexEntry((words[at + 1] as number) | 0, (fingerprint * (this.positionMask + 1) + place + 1) | 0);
      this.head += 1;
    }
    this.hashedId = null;
    return last;
  }

  /** The place of the entry created by ledger event `eventNumber` (a binary search in creation order), or -1. */
  placeOfEvent(eventNumber: number, eventCount: number): number {
    let low = this.tail;
    let high = this.head - 1;
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      const created = this.eventNumberAt(middle % this.capacity, eventCount);
      if (created === eventNumber) return middle % this.capacity;
      if (created < eventNumber) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** Whether the entry's fields digest equals the one given (its 60 bits the entry keeps). */
  sameFields(place: number, digestFirst: number, digestSecond: number): boolean {
    return this.word(place, 3) === digestFirst >>> 0 && (this.word(place, 4) & digestMask) === (digestSecond & digestMask);
  }

  /** The ledger event that created the entry, given the ledger's event count (the entry is alive). */
  eventNumberAt(place: number, eventCount: number): number {
    return eventCount - this.age(place, eventCount);
  }

  isAlive(place: number, eventCount: number): boolean {
    return this.age(place, eventCount) <= this.windowEvents;
  }

  /** Removes up to `stepsMax` entries that have left the window at `eventCount` events, oldest first; returns how many. */
  forgetExpired(eventCount: number, stepsMax: number): number {
    let forgotten = 0;
    while (forgotten < stepsMax && this.length > 0 && !this.isAlive(this.tail % this.capacity, eventCount)) {
      this.removeOldest();
      forgotten += 1;
    }
    return forgotten;
  }

  /** Removes the entries inserted since sequence number `end` (a linked chain that failed), newest first. */
  truncate(end: number): void {
    assert(end >= this.tail && end <= this.head, 'a transfer id window is truncated to an entry it holds');
    this.indexPending();
    while (this.head > end) {
      this.head -= 1;
      this.removeFromIndex(this.head % this.capacity);
    }
  }

  /** The alive entries in creation order, as [event number, kind, status]: what the canonical state compares. */
  aliveEntries(eventCount: number): [number, TransferKind, PendingStatus | null][] {
    const entries: [number, TransferKind, PendingStatus | null][] = [];
    for (let sequence = this.tail; sequence < this.head; sequence += 1) {
      const place = sequence % this.capacity;
      if (this.isAlive(place, eventCount)) entries.push([this.eventNumberAt(place, eventCount), this.kindAt(place), this.statusAt(place)]);
    }
    return entries;
  }

  /** Events since the entry's creation: the difference of the two event numbers modulo 2^32. */
  private age(place: number, eventCount: number): number {
    const created = this.word(place, 5);
    return (eventCount - created + wordRange) % wordRange;
  }

  /** Word `word` of the entry at `place`. */
  private word(place: number, word: number): number {
    return (this.blocks[place >>> blockBits] as Uint32Array)[(place & blockMask) * recordWords + word] as number;
  }

  /** Allocates the ring's block holding `place`: the next one, as places are first reached in order. */
  private addBlock(place: number): Uint32Array {
    const block = place >>> blockBits;
    assert(block === this.blocks.length, 'the ring blocks are allocated in place order');
    // The last block holds only the places up to `capacity`.
    const entries = Math.min(blockEntries, this.capacity - block * blockEntries);
    const records = new Uint32Array(entries * recordWords);
    this.blocks.push(records);
    return records;
  }

  /**
   * Grows the index to room for `entries` (doubling, or as reserved; up to `capacity`) and indexes every entry
   * again. Entries stay where they are in the ring: only their index slots move.
   */
  private growIndex(entries: number): void {
    this.indexPending();
    const index = newIndex(entries);
    const mask = index.length - 1;
    // Walks the old index rather than the ring: each slot gives the entry's place and its fingerprint (which the
    // ring does not hold), with no probe to find it; only the entry's home word is read from the ring.
    for (let slot = 0; slot < this.index.length; slot += 1) {
      const value = this.index[slot] as number;
      if (value === 0) continue;
      let newSlot = this.word((value & this.positionMask) - 1, 0) & mask;
      while (index[newSlot] !== 0) newSlot = (newSlot + 1) & mask;
      index[newSlot] = value;
    }
    this.index = index;
    this.indexMask = mask;
    this.indexEntries = entries;
  }

  /** The index slot that holds the entry at `place`. */
  private slotOf(place: number): number {
    const mask = this.indexMask;
    const target = place + 1;
    let slot = this.word(place, 0) & mask;
    let probes = 0;
    while (((this.index[slot] as number) & this.positionMask) !== target) {
      if (this.index[slot] === 0 || probes > mask) throw new AssertionError(`the transfer id window indexes its entry ${place}`);
      slot = (slot + 1) & mask;
      probes += 1;
    }
    return slot;
  }

  private removeOldest(): void {
    // Only the oldest entry is taken out of the index: the batch waits unless it holds that entry.
    if (this.pendingInserts !== null && this.tail >= this.head - this.pendingInserts.count) this.indexPending();
    this.removeFromIndex(this.tail % this.capacity);
    this.tail += 1;
  }

  /** Deletes the index slot of the entry at `place`, then shifts later slots of its probe chain back into the hole. */
  private removeFromIndex(place: number): void {
    const index = this.index;
    const mask = this.indexMask;
    let hole = this.slotOf(place);
    let next = (hole + 1) & mask;
    for (;;) {
      const value = index[next] as number;
      if (value === 0) break;
      const home = this.word((value & this.positionMask) - 1, 0) & mask;
      // The entry at `next` may fill the hole when the hole lies on its probe path (between its home and it).
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        index[hole] = value;
        hole = next;
      }
      next = (next + 1) & mask;
    }
    index[hole] = 0;
  }

  private hashId(transferId: string): void {
    // The decider looks an id up and `evolve` then inserts it: hash it once for both.
    if (transferId === this.hashedId) return;
    murmurHash128(transferId, this.seed, this.idHash);
    this.hashedId = transferId;
  }

  /** The top bits of the hash's first word, as many as an index slot has beside the entry's place. */
  private fingerprint(): number {
    return Math.floor((this.idHash[0] as number) / (this.positionMask + 1));
  }
}

/**
 * A zeroed index for a ring of `entries`, at most 75 % full, every page written once: resident memory then steps
 * up at a doubling instead of creeping up as random slots are first written (which a soak would take for a leak).
 */
function newIndex(entries: number): Uint32Array {
  let slots = 16;
  while (slots * indexLoadMax < entries) slots *= 2;
  const index = new Uint32Array(slots);
  for (let slot = 0; slot < slots; slot += 1024) index[slot] = 0;
  return index;
}

function packFlags(digestSecond: number, kind: TransferKind, status: PendingStatus | null): number {
  const statusCode = status === null ? 0 : statuses.indexOf(status);
  return ((digestSecond & digestMask) + kinds.indexOf(kind) * 2 ** 28 + statusCode * 2 ** 30) >>> 0;
}
