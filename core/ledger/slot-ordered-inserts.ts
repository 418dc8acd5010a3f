import { assert } from '../assert';

/** Slots per bucket: 2,048 slots are 8 KiB of index, which a bucket's inserts then touch from the first cache level. */
const bucketSlotBits = 11;
/** Below this many entries a batch is inserted as it came: counting buckets would cost more than it saves. */
const directInsertsMax = 64;

/**
 * Inserts into an open-addressing table with linear probing (the transfer id window's index), collected and then
 * made in the order of their home slots: issue 18 item 5. Inserted one by one as they arrive, millions of entries
 * (a start restoring 10M ids) each land on a random slot of a 64 MiB table, a cache and page-table miss apiece (about
 * half a microsecond each on the shared build machine, 5.3 s for 10M). Sorted by home slot into buckets of 2,048
 * slots (a counting sort, two sequential passes), a batch sweeps the table once from start to end.
 *
 * Linear probing gives a valid table whatever the order of inserts (each entry lies on the probe path from its
 * home, with no free slot between), so lookups and backward-shift deletion work on the result as on one built entry
 * by entry; only which of two colliding entries sits first may differ.
 */
export class SlotOrderedInserts {
  /** Each collected entry's home slot and the value its slot takes, in arrival order. */
  private readonly homes: Uint32Array;
  private readonly values: Uint32Array;
  /** The same, sorted by bucket: the value, and the home's place within its bucket. */
  private readonly sortedValues: Uint32Array;
  private readonly sortedOffsets: Uint16Array;
  private collected = 0;

  constructor(readonly entriesMax: number) {
    assert(Number.isSafeInteger(entriesMax) && entriesMax >= 1, 'slot-ordered inserts collect at least one entry');
    this.homes = new Uint32Array(entriesMax);
    this.values = new Uint32Array(entriesMax);
    this.sortedValues = new Uint32Array(entriesMax);
    this.sortedOffsets = new Uint16Array(entriesMax);
  }

  /** Entries collected and not yet inserted. */
  get count(): number {
    return this.collected;
  }

  /** Collects an entry whose home is `home` and whose slot takes `value` (not 0); returns whether the batch is full. */
  add(home: number, value: number): boolean {
    assert(this.collected < this.entriesMax, 'slot-ordered inserts are made before more are collected');
    this.homes[this.collected] = home;
    this.values[this.collected] = value;
    this.collected += 1;
    return this.collected === this.entriesMax;
  }

  /** Inserts every collected entry into `index` (a power of two of slots, 0 a free slot, room for them all), then forgets them. */
  insertInto(index: Uint32Array): void {
    const count = this.collected;
    this.collected = 0;
    const mask = index.length - 1;
    assert((index.length & mask) === 0, 'a linear-probing index has a power of two of slots');
    if (count <= directInsertsMax) {
      for (let entry = 0; entry < count; entry += 1) insertAt(index, mask, this.homes[entry] as number, this.values[entry] as number);
      return;
    }
    const slotBits = Math.min(bucketSlotBits, Math.log2(index.length));
    const bucketEnds = this.sortByBucket(count, mask, slotBits);
    const sortedValues = this.sortedValues;
    const sortedOffsets = this.sortedOffsets;
    let bucket = 0;
    for (let sorted = 0; sorted < count; sorted += 1) {
      while (sorted >= (bucketEnds[bucket] as number)) bucket += 1;
      insertAt(index, mask, (bucket << slotBits) | (sortedOffsets[sorted] as number), sortedValues[sorted] as number);
    }
  }

  /**
   * A counting sort of the first `count` entries by bucket (their home in an index of `mask` + 1 slots, shifted
   * right by `slotBits`) into the sorted arrays, stable;
   * returns each bucket's end in them.
   */
  private sortByBucket(count: number, mask: number, slotBits: number): Int32Array {
    const bucketCount = (mask + 1) >>> slotBits;
    const homes = this.homes;
    const values = this.values;
    const offsetMask = (1 << slotBits) - 1;
    const starts = new Int32Array(bucketCount + 1);
    for (let entry = 0; entry < count; entry += 1) {
      const next = (((homes[entry] as number) & mask) >>> slotBits) + 1;
      starts[next] = (starts[next] as number) + 1;
    }
    for (let bucket = 0; bucket < bucketCount; bucket += 1)
      starts[bucket + 1] = (starts[bucket + 1] as number) + (starts[bucket] as number);
    // After the scatter each bucket's start has moved to its end.
    for (let entry = 0; entry < count; entry += 1) {
      const home = (homes[entry] as number) & mask;
      const bucket = home >>> slotBits;
      const at = starts[bucket] as number;
      starts[bucket] = at + 1;
      this.sortedValues[at] = values[entry] as number;
      this.sortedOffsets[at] = home & offsetMask;
    }
    return starts;
  }
}

/** Linear probing: the first free slot from `home` on takes `value`. */
function insertAt(index: Uint32Array, mask: number, home: number, value: number): void {
  let slot = home & mask;
  while (index[slot] !== 0) slot = (slot + 1) & mask;
  index[slot] = value;
}
