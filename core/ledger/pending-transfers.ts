import { getRandomValues } from 'node:crypto';
import { assert, AssertionError } from '../assert';
import type { UserDataJson } from './events';
import { murmurHash128 } from './murmur-hash-128';
import { transferCodes as transferCodesExport, type TransferCode } from './transfer-codes';

// A module constant of its own: under tsx an imported binding is read through a getter on every use.
const transferCodes = transferCodesExport;

/**
 * Slots the table starts with room for; doubled as pending transfers are added, up to `capacityMax`. Small: every
 * ledger state has a table (a replay builds a fresh one), and most ledgers hold few pending transfers at a time.
 */
const initialSlots = 64;
/** The index is at most half full, so that a probe, hit or miss, stays short. */
const indexSlotsPerSlot = 2;
/** A slot's place in the expiry heap when it holds no pending transfer. */
const notHeld = -1;
/** The end of the free list. */
const noSlot = -1;

/** A pending transfer as the table holds it, but its id (see `PendingTransfers.saved`). */
export type SavedPendingTransfer = {
  debitIndex: number;
  creditIndex: number;
  amountLow: number;
  amountHigh: number;
  code: TransferCode;
  timeoutMs: number;
  expiresAtMs: number;
  createdAtFact: number;
  userData: UserDataJson | null;
};

/**
 * The pending (two-phase) transfers of a ledger, held off the object heap (issue 18 item 3): a reservation is the
 * one thing the engine keeps per two-phase transfer until it is posted, voided or expired, and as a `Transfer`
 * object in a `Map` (with an entry in a heap of objects for its expiry) it was most of a two-phase transfer's
 * garbage and old-generation growth.
 *
 * Struct of arrays: per slot the transfer's accounts by dense index, its amount as two 32-bit words (the form
 * AccountBalances adds and compares), its code's index, its timeout, expiry and creating fact (float64: all are
 * whole numbers below 2^53), the 128-bit MurmurHash3 of its id, and two references that stay objects because they
 * already are: the id string (the command's own, needed to write expiry facts and snapshots) and the user data (null
 * for most). Found by id through an open-addressing index (linear probing, at most half full, backward-shift
 * deletion) whose slots hold a table slot + 1, compared by all 128 bits of the hash and then by the id itself, so a
 * collision can cost a probe but never a wrong answer. Freed slots go on a free list and are reused first.
 *
 * Expiry order is kept inside: a binary heap of slots by (expiry, creating fact), each slot knowing its place in
 * it, so a post or void takes its transfer out at once. The order is total (no two pending transfers are created by
 * the same fact), so expiries come out in the same order live and after a replay, whatever the slots.
 *
 * A limit on everything: at most `capacityMax` pending transfers (asserted); the decider refuses new ones at the
 * ledger's `pendingTransfersMax` long before, and a log or snapshot holding more than a lowered maximum still loads.
 */
export class PendingTransfers {
  readonly capacityMax: number;
  /** Pending transfers held. */
  count = 0;
  /** Slots the columns have room for, and slots ever handed out (those past it were never used). */
  private capacity: number;
  private slotsUsed = 0;
  private freeHead = noSlot;
  private ids: string[];
  private userData: (UserDataJson | null)[];
  /** Four words per slot: the id's 128-bit hash. */
  private idHashes: Uint32Array;
  /** Two per slot: debit, then credit account index. */
  private accountIndexes: Int32Array;
  /** Two per slot: the amount's low word, then its high word. */
  private amountWords: Uint32Array;
  private codes: Uint8Array;
  private timeoutsMs: Float64Array;
  private expiriesMs: Float64Array;
  private createdAtFacts: Float64Array;
  /** Per slot: its place in `heap`, or `notHeld`; for a free slot, the next free one in `nextFree`. */
  private heapPlaces: Int32Array;
  private nextFree: Int32Array;
  /** The slots held, as a binary heap: the earliest expiry (then the earliest creating fact) first. */
  private heap: Int32Array;
  private index: Int32Array;
  private indexMask: number;
  private readonly seed: number;
  private readonly idHash = new Uint32Array(4);
  private hashedId: string | null = null;

  constructor(capacityMax: number, seed?: number) {
    assert(Number.isSafeInteger(capacityMax) && capacityMax >= 1, 'a pending transfer table holds at least one transfer');
    assert(capacityMax <= 2 ** 28, 'a pending transfer table holds at most 2^28 transfers');
    this.capacityMax = capacityMax;
    this.capacity = Math.min(capacityMax, initialSlots);
    this.ids = new Array<string>(this.capacity).fill('');
    this.userData = new Array<UserDataJson | null>(this.capacity).fill(null);
    this.idHashes = new Uint32Array(this.capacity * 4);
    this.accountIndexes = new Int32Array(this.capacity * 2);
    this.amountWords = new Uint32Array(this.capacity * 2);
    this.codes = new Uint8Array(this.capacity);
    this.timeoutsMs = new Float64Array(this.capacity);
    this.expiriesMs = new Float64Array(this.capacity);
    this.createdAtFacts = new Float64Array(this.capacity);
    this.heapPlaces = new Int32Array(this.capacity).fill(notHeld);
    this.nextFree = new Int32Array(this.capacity).fill(noSlot);
    this.heap = new Int32Array(this.capacity);
    this.index = new Int32Array(indexSlotsFor(this.capacity));
    this.indexMask = this.index.length - 1;
    // Drawn per process, as the id window's: ids chosen to collide cannot be prepared in advance.
    // Held signed (murmurHash128 takes `seed | 0`): a small integer in V8, which a call per id does not box.
    const drawnSeed: number = seed ?? (getRandomValues(new Uint32Array(1))[0] as number);
    this.seed = drawnSeed | 0;
  }

  /** The slot holding the pending transfer `transferId`, or -1. */
  find(transferId: string): number {
    if (this.count === 0) return -1;
    this.hashId(transferId);
    const hash = this.idHash;
    const first = hash[0] as number;
    const second = hash[1] as number;
    const third = hash[2] as number;
    const fourth = hash[3] as number;
    const index = this.index;
    const mask = this.indexMask;
    const hashes = this.idHashes;
    for (let probe = first & mask; ; probe = (probe + 1) & mask) {
      const value = index[probe] as number;
      if (value === 0) return -1;
      const slot = value - 1;
      const base = slot * 4;
      if (
        hashes[base] === first &&
        hashes[base + 1] === second &&
        hashes[base + 2] === third &&
        hashes[base + 3] === fourth &&
        this.ids[slot] === transferId
      )
        return slot;
    }
  }

  /**
   * Holds a new pending transfer and returns its slot. Its id must not be held already (the decider answers a held
   * id `exists`); its accounts are dense indexes of accounts the ledger holds; its amount is in 32-bit words.
   */
  add(
    transferId: string,
    debitIndex: number,
    creditIndex: number,
    amountLow: number,
    amountHigh: number,
    code: TransferCode,
    timeoutMs: number,
    expiresAtMs: number,
    createdAtFact: number,
    userData: UserDataJson | null,
  ): number {
    if (this.count >= this.capacityMax) throw new AssertionError(`the ledger holds at most ${this.capacityMax} pending transfers`);
    if (this.find(transferId) !== -1) throw new AssertionError(`pending transfer ${transferId} is held once`);
    const codeIndex = transferCodes.indexOf(code);
    assert(codeIndex !== -1, 'a pending transfer has a known code');
    const slot = this.takeSlot();
    this.ids[slot] = transferId;
    this.userData[slot] = userData;
    // find() above left the id's hash in idHash (it hashed transferId, or the table was empty: hash it now).
    this.hashId(transferId);
    const hash = this.idHash;
    const hashBase = slot * 4;
    this.idHashes[hashBase] = hash[0] as number;
    this.idHashes[hashBase + 1] = hash[1] as number;
    this.idHashes[hashBase + 2] = hash[2] as number;
    this.idHashes[hashBase + 3] = hash[3] as number;
    this.accountIndexes[slot * 2] = debitIndex;
    this.accountIndexes[slot * 2 + 1] = creditIndex;
    this.amountWords[slot * 2] = amountLow;
    this.amountWords[slot * 2 + 1] = amountHigh;
    this.codes[slot] = codeIndex;
    this.timeoutsMs[slot] = timeoutMs;
    this.expiriesMs[slot] = expiresAtMs;
    this.createdAtFacts[slot] = createdAtFact;
    const mask = this.indexMask;
    let probe = (hash[0] as number) & mask;
    while (this.index[probe] !== 0) probe = (probe + 1) & mask;
    this.index[probe] = slot + 1;
    this.heap[this.count] = slot;
    this.heapPlaces[slot] = this.count;
    this.count += 1;
    this.siftUp(this.count - 1);
    return slot;
  }

  /** Lets go of the pending transfer at `slot` (posted, voided, expired or undone): out of the index and the heap. */
  remove(slot: number): void {
    if (!this.holds(slot)) throw new AssertionError(`pending slot ${slot} holds a transfer`);
    const place = this.heapPlaces[slot] as number;
    this.removeFromIndex(slot);
    const last = this.heap[this.count - 1] as number;
    this.count -= 1;
    this.heapPlaces[slot] = notHeld;
    if (last !== slot) {
      this.heap[place] = last;
      this.heapPlaces[last] = place;
      this.siftUp(place);
      this.siftDown(this.heapPlaces[last]);
    }
    // The references go with the transfer, so the id and user data strings can be collected.
    this.ids[slot] = '';
    this.userData[slot] = null;
    this.nextFree[slot] = this.freeHead;
    this.freeHead = slot;
  }

  /** The slot of the pending transfer that expires first (the earliest created among equals), or -1 when none. */
  firstExpiry(): number {
    return this.count === 0 ? -1 : (this.heap[0] as number);
  }

  /** Whether `slot` holds a pending transfer: to walk every one, slots 0 to `slotsEverUsed` - 1. */
  holds(slot: number): boolean {
    return slot >= 0 && slot < this.slotsUsed && this.heapPlaces[slot] !== notHeld;
  }

  get slotsEverUsed(): number {
    return this.slotsUsed;
  }

  idOf(slot: number): string {
    return this.ids[slot] as string;
  }

  debitIndexOf(slot: number): number {
    return this.accountIndexes[slot * 2] as number;
  }

  creditIndexOf(slot: number): number {
    return this.accountIndexes[slot * 2 + 1] as number;
  }

  amountLowOf(slot: number): number {
    return this.amountWords[slot * 2] as number;
  }

  amountHighOf(slot: number): number {
    return this.amountWords[slot * 2 + 1] as number;
  }

  /** The amount as a bigint: for events, lookups, snapshots and the canonical state, never the hot path. */
  amountMinorOf(slot: number): bigint {
    return (BigInt(this.amountHighOf(slot)) << 32n) | BigInt(this.amountLowOf(slot));
  }

  codeOf(slot: number): TransferCode {
    return transferCodes[this.codes[slot] as number] as TransferCode;
  }

  timeoutMsOf(slot: number): number {
    return this.timeoutsMs[slot] as number;
  }

  expiresAtMsOf(slot: number): number {
    return this.expiriesMs[slot] as number;
  }

  createdAtFactOf(slot: number): number {
    return this.createdAtFacts[slot] as number;
  }

  userDataOf(slot: number): UserDataJson | null {
    return this.userData[slot] ?? null;
  }

  /**
   * Everything the table holds of the pending transfer at `slot` but its id, to hold it again with `restore`: what
   * a linked chain's undo keeps (chain-undo.ts), so that a column added here is saved and restored with the rest.
   */
  saved(slot: number): SavedPendingTransfer {
    return {
      debitIndex: this.debitIndexOf(slot),
      creditIndex: this.creditIndexOf(slot),
      amountLow: this.amountLowOf(slot),
      amountHigh: this.amountHighOf(slot),
      code: this.codeOf(slot),
      timeoutMs: this.timeoutMsOf(slot),
      expiresAtMs: this.expiresAtMsOf(slot),
      createdAtFact: this.createdAtFactOf(slot),
      userData: this.userDataOf(slot),
    };
  }

  /** Holds again a pending transfer `saved` before it was resolved or let go, with its own expiry and creating fact. */
  restore(transferId: string, saved: SavedPendingTransfer): number {
    return this.add(
      transferId,
      saved.debitIndex,
      saved.creditIndex,
      saved.amountLow,
      saved.amountHigh,
      saved.code,
      saved.timeoutMs,
      saved.expiresAtMs,
      saved.createdAtFact,
      saved.userData,
    );
  }

  /** A free slot: the most recently freed, else the next never used (growing the columns when all are used). */
  private takeSlot(): number {
    if (this.freeHead !== noSlot) {
      const slot = this.freeHead;
      this.freeHead = this.nextFree[slot] as number;
      this.nextFree[slot] = noSlot;
      return slot;
    }
    if (this.slotsUsed === this.capacity) this.grow();
    const slot = this.slotsUsed;
    this.slotsUsed += 1;
    return slot;
  }

  /** Doubles the columns (at most to `capacityMax`) and rebuilds the index for them. */
  private grow(): void {
    const capacity = Math.min(this.capacityMax, this.capacity * 2);
    assert(capacity > this.capacity, 'a pending transfer table grows only below its maximum');
    this.ids = grownArray(this.ids, capacity, '');
    this.userData = grownArray(this.userData, capacity, null);
    this.idHashes = grownWords(this.idHashes, new Uint32Array(capacity * 4));
    this.accountIndexes = grownWords(this.accountIndexes, new Int32Array(capacity * 2));
    this.amountWords = grownWords(this.amountWords, new Uint32Array(capacity * 2));
    this.codes = grownWords(this.codes, new Uint8Array(capacity));
    this.timeoutsMs = grownWords(this.timeoutsMs, new Float64Array(capacity));
    this.expiriesMs = grownWords(this.expiriesMs, new Float64Array(capacity));
    this.createdAtFacts = grownWords(this.createdAtFacts, new Float64Array(capacity));
    const heapPlaces = new Int32Array(capacity).fill(notHeld);
    heapPlaces.set(this.heapPlaces);
    this.heapPlaces = heapPlaces;
    const nextFree = new Int32Array(capacity).fill(noSlot);
    nextFree.set(this.nextFree);
    this.nextFree = nextFree;
    this.heap = grownWords(this.heap, new Int32Array(capacity));
    this.capacity = capacity;
    this.index = new Int32Array(indexSlotsFor(capacity));
    this.indexMask = this.index.length - 1;
    const mask = this.indexMask;
    for (let place = 0; place < this.count; place += 1) {
      const slot = this.heap[place] as number;
      let probe = (this.idHashes[slot * 4] as number) & mask;
      while (this.index[probe] !== 0) probe = (probe + 1) & mask;
      this.index[probe] = slot + 1;
    }
  }

  /** Deletes the index entry of `slot`, then shifts later entries of its probe chain back into the hole. */
  private removeFromIndex(slot: number): void {
    const index = this.index;
    const mask = this.indexMask;
    let hole = (this.idHashes[slot * 4] as number) & mask;
    let probes = 0;
    while (index[hole] !== slot + 1) {
      if (index[hole] === 0 || probes > mask) throw new AssertionError(`the pending transfer table indexes its slot ${slot}`);
      hole = (hole + 1) & mask;
      probes += 1;
    }
    let next = (hole + 1) & mask;
    for (;;) {
      const value = index[next] as number;
      if (value === 0) break;
      const home = (this.idHashes[(value - 1) * 4] as number) & mask;
      // The entry at `next` may fill the hole when the hole lies on its probe path (between its home and it).
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        index[hole] = value;
        hole = next;
      }
      next = (next + 1) & mask;
    }
    index[hole] = 0;
  }

  private siftUp(start: number): void {
    const heap = this.heap;
    const slot = heap[start] as number;
    let place = start;
    while (place > 0) {
      const parentPlace = (place - 1) >> 1;
      const parent = heap[parentPlace] as number;
      if (!this.earlier(slot, parent)) break;
      heap[place] = parent;
      this.heapPlaces[parent] = place;
      place = parentPlace;
    }
    heap[place] = slot;
    this.heapPlaces[slot] = place;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const count = this.count;
    const slot = heap[start] as number;
    let place = start;
    for (;;) {
      const left = place * 2 + 1;
      if (left >= count) break;
      const right = left + 1;
      let child = left;
      if (right < count && this.earlier(heap[right] as number, heap[left] as number)) child = right;
      const childSlot = heap[child] as number;
      if (!this.earlier(childSlot, slot)) break;
      heap[place] = childSlot;
      this.heapPlaces[childSlot] = place;
      place = child;
    }
    heap[place] = slot;
    this.heapPlaces[slot] = place;
  }

  /** Whether the transfer at slot `a` expires before the one at `b`: by expiry, then by the fact that created it. */
  private earlier(a: number, b: number): boolean {
    const aExpiry = this.expiriesMs[a] as number;
    const bExpiry = this.expiriesMs[b] as number;
    return aExpiry < bExpiry || (aExpiry === bExpiry && (this.createdAtFacts[a] as number) < (this.createdAtFacts[b] as number));
  }

  private hashId(transferId: string): void {
    // The decider looks an id up and the table then adds or removes it: hash it once for both.
    if (transferId === this.hashedId) return;
    murmurHash128(transferId, this.seed, this.idHash);
    this.hashedId = transferId;
  }
}

/** Index slots for a table of `capacity`: a power of two, at most half full. */
function indexSlotsFor(capacity: number): number {
  let slots = 16;
  while (slots < capacity * indexSlotsPerSlot) slots *= 2;
  return slots;
}

function grownArray<T>(old: T[], capacity: number, empty: T): T[] {
  const grown = new Array<T>(capacity).fill(empty);
  for (let slot = 0; slot < old.length; slot += 1) grown[slot] = old[slot] as T;
  return grown;
}

function grownWords<T extends Uint32Array | Int32Array | Uint8Array | Float64Array>(old: T, grown: T): T {
  grown.set(old);
  return grown;
}
