import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { assert, assertNever } from '../assert';
import type { LedgerEvent, UserDataJson } from './events';
import { msFromIso } from './instant-text';
import type { AccountRecord } from './ledger-state';
import {
  flagCreditsMustNotExceedDebits,
  flagDebitsMustNotExceedCredits,
  flagFirstNull,
  flagSecondNull,
  flagThirdNull,
  flagUserData as flagUserDataExport,
  headerBytes as headerBytesExport,
  kinds,
  ledgerRecordBytesMax,
  magic,
  noString as noStringExport,
  rowBytes as rowBytesExport,
  stringLengthMax as stringLengthMaxExport,
  version,
} from './ledger-record';

// Module constants of their own: under tsx an imported binding is read through a getter on every use, and these
// are read for every row.
const flagUserData = flagUserDataExport;
const headerBytes = headerBytesExport;
const noString = noStringExport;
const rowBytes = rowBytesExport;
const stringLengthMax = stringLengthMaxExport;
// Rows are written through typed views of their buffer, in the machine's byte order, which the format fixes as little-endian.
assert(endianness() === 'LE', 'ledger records are written on a little-endian machine');
assert(rowBytes % 8 === 0, 'rows keep their slots aligned for float64s');

/**
 * Writes a tick's facts as batch records (the layout is in ledger-record.ts), straight into reused buffers. The
 * engine's decider writes its transfers and posts a row at a time from what it decided (`transferRow`, then the
 * slots): no event object, amount text or string map entry per transfer (issue 18 item 3). Any other fact (an
 * account opened, an expiry, the facts of a linked chain) comes as an event (`addFact`).
 *
 * Strings: an account id is written once per record (found by the account's dense index, with a stamp per record
 * instead of a map), other strings given as events and codes once per record through a small map, and a transfer's
 * own id (unique by the decider's check) where it occurs. Readers take any string by reference, so a string written
 * twice (an account id that also came in an event, a pending id posted in the tick that reserved it) reads the same.
 */
export class LedgerRecordEncoder {
  private rows: Buffer;
  /**
   * The rows' buffer as 32-bit words and as float64s (a row is 56 bytes and its slots start 32 bytes in, so every
   * field is aligned): a store into a typed array never boxes a word above 2^31 into a heap number, and costs less
   * than Buffer's range-checked writes. Replaced with `rows`.
   */
  private rowWords: Uint32Array;
  private rowDoubles: Float64Array;
  private strings: Buffer;
  private readonly records: Uint8Array[] = [];
  private firstFact = 0;
  private count = 0;
  private stringCount = 0;
  private stringBytes = 0;
  private rowOffset = 0;
  /** Facts of the tick in records already finished. */
  private finishedFacts = 0;
  private readonly texts = new Map<string, number>();
  /** Per account index: the record stamp when its id was written to this record, and the reference it got. */
  private accountStamps = new Uint32Array(1024);
  private accountReferences = new Uint32Array(1024);
  private stamp = 1;

  constructor(private readonly recordBytesMax = ledgerRecordBytesMax) {
    assert(Number.isSafeInteger(recordBytesMax) && recordBytesMax > headerBytes, 'a record holds its header');
    this.rows = Buffer.alloc(rowBytes * 256);
    this.rowWords = wordsOf(this.rows);
    this.rowDoubles = doublesOf(this.rows);
    this.strings = Buffer.alloc(16 * 1024);
  }

  /** Starts a tick whose first fact is numbered `firstFact`; anything not finished before is dropped. */
  begin(firstFact: number): void {
    assert(Number.isSafeInteger(firstFact) && firstFact >= 0, 'the first fact number is a whole number');
    this.records.length = 0;
    this.finishedFacts = 0;
    this.startRecord(firstFact);
  }

  /** Facts written since `begin`. */
  get factCount(): number {
    return this.finishedFacts + this.count;
  }

  /** The tick's records (usually one; none when it decided nothing). */
  finish(): Uint8Array[] {
    if (this.count > 0) this.finishRecord();
    const records = this.records.slice();
    this.records.length = 0;
    return records;
  }

  /** Writes one fact given as an event. */
  addFact(fact: LedgerEvent): void {
    fillScratch(fact);
    const texts = scratch.strings;
    let textLength = 0;
    for (const text of texts) textLength += text === null ? 0 : text.length;
    this.startRow(scratch.kind, scratch.flags, textLength);
    for (let field = 0; field < texts.length; field += 1) {
      const text = texts[field] ?? null;
      if (text !== null) this.sharedText(field, text);
    }
    for (let slot = 0; slot < 3; slot += 1) {
      const value = scratch.slots[slot] ?? null;
      if (value === null) continue;
      if (scratch.slotIsMilliseconds[slot] === true) this.milliseconds(slot, value as number);
      else this.amountText(slot, value as string);
    }
  }

  /**
   * Starts the row of a transfer fact (`kind`, an index of `kinds` + 1) between two accounts the ledger holds, with
   * its strings; its slots follow (`amount`, `milliseconds`). `userData` is its JSON text, or null.
   */
  transferRow(
    kind: number,
    flags: number,
    transferId: string | null,
    pendingId: string | null,
    debit: AccountRecord,
    credit: AccountRecord,
    code: string,
    userData: string | null,
  ): void {
    const textLength =
      (transferId?.length ?? 0) + (pendingId?.length ?? 0) + debit.id.length + credit.id.length + code.length + (userData?.length ?? 0);
    this.startRow(kind, userData === null ? flags : flags | flagUserData, textLength);
    if (transferId !== null) this.uniqueText(0, transferId);
    if (pendingId !== null) this.uniqueText(1, pendingId);
    this.accountText(2, debit);
    this.accountText(3, credit);
    this.sharedText(4, code);
    if (userData !== null) this.uniqueText(5, userData);
  }

  /** An amount of minor units, as two 32-bit words, into a slot of the current row. */
  amount(slot: number, low: number, high: number): void {
    const at = (this.rowOffset + 32 + 8 * slot) >>> 2;
    this.rowWords[at] = low;
    this.rowWords[at + 1] = high;
  }

  milliseconds(slot: number, value: number): void {
    this.rowDoubles[(this.rowOffset + 32 + 8 * slot) >>> 3] = value;
  }

  /**
   * Starts a row whose strings are `textLength` UTF-16 units in all: first a new record when the row might not fit
   * this one (at most 3 UTF-8 bytes a unit, so the record never passes its maximum), then room for it.
   */
  private startRow(kind: number, flags: number, textLength: number): void {
    const bound = rowBytes + 6 * 2 + 3 * textLength;
    if (this.count > 0 && headerBytes + this.count * rowBytes + this.stringBytes + bound > this.recordBytesMax) {
      this.finishRecord();
      this.startRecord(this.firstFact + this.count);
    }
    const offset = this.count * rowBytes;
    if (offset + rowBytes > this.rows.length) {
      this.rows = grown(this.rows, offset + rowBytes);
      this.rowWords = wordsOf(this.rows);
      this.rowDoubles = doublesOf(this.rows);
    }
    if (this.stringBytes + bound > this.strings.length) this.strings = grown(this.strings, this.stringBytes + bound);
    // Through the word view: TypedArray fill is a builtin, where Buffer's fill checks and converts its arguments in
    // JS first (a profile showed it at 2 % of a 1M run). The six string references start as `noString` (all bits set).
    const at = offset >>> 2;
    this.rowWords.fill(0, at, at + rowBytes / 4);
    this.rowWords.fill(noString, at + 1, at + 1 + 6);
    this.rows[offset] = kind;
    this.rows[offset + 1] = flags;
    this.rowOffset = offset;
    this.count += 1;
  }

  private setReference(field: number, reference: number): void {
    this.rowWords[(this.rowOffset + 4 + 4 * field) >>> 2] = reference;
  }

  /**
   * Appends a string to the record's strings and gives its reference. Ids and codes are ASCII (idPattern), so a short
   * string is copied a character a byte in JS, which costs less than a call into the UTF-8 writer; anything else
   * (user data, a name with other characters) takes the UTF-8 writer.
   */
  private appendText(text: string): number {
    const offset = this.stringBytes;
    const strings = this.strings;
    let length = text.length;
    let ascii = length <= asciiCopyLengthMax;
    for (let index = 0; ascii && index < length; index += 1) {
      const code = text.charCodeAt(index);
      if (code > 0x7f) ascii = false;
      else strings[offset + 2 + index] = code;
    }
    if (!ascii) length = strings.write(text, offset + 2, 'utf8');
    assert(length <= stringLengthMax, 'a ledger string fits its length field');
    strings.writeUInt16LE(length, offset);
    this.stringBytes += 2 + length;
    const reference = this.stringCount;
    this.stringCount += 1;
    return reference;
  }

  private uniqueText(field: number, text: string): void {
    this.setReference(field, this.appendText(text));
  }

  private sharedText(field: number, text: string): void {
    let reference = this.texts.get(text);
    if (reference === undefined) {
      reference = this.appendText(text);
      this.texts.set(text, reference);
    }
    this.setReference(field, reference);
  }

  private accountText(field: number, account: AccountRecord): void {
    const index = account.index;
    if (index >= this.accountStamps.length) {
      let size = this.accountStamps.length;
      while (size <= index) size *= 2;
      const stamps = new Uint32Array(size);
      stamps.set(this.accountStamps);
      const references = new Uint32Array(size);
      references.set(this.accountReferences);
      this.accountStamps = stamps;
      this.accountReferences = references;
    }
    if (this.accountStamps[index] !== this.stamp) {
      this.accountStamps[index] = this.stamp;
      this.accountReferences[index] = this.appendText(account.id);
    }
    this.setReference(field, this.accountReferences[index] as number);
  }

  /** An amount given as decimal text (an event's): below 2^53 without a bigint. */
  private amountText(slot: number, text: string): void {
    const offset = this.rowOffset + 32 + 8 * slot;
    if (text.length <= exactDigitsMax) {
      const amount = Number(text);
      this.rows.writeUInt32LE(amount % twoTo32, offset);
      this.rows.writeUInt32LE(Math.floor(amount / twoTo32), offset + 4);
    } else this.rows.writeBigUInt64LE(BigInt(text), offset);
  }

  private startRecord(firstFact: number): void {
    this.firstFact = firstFact;
    this.count = 0;
    this.stringCount = 0;
    this.stringBytes = 0;
    this.texts.clear();
    // A new stamp makes every account's reference stale at once; at 2^32 records the stamps start again from zero.
    this.stamp = this.stamp === 0xffffffff ? 1 : this.stamp + 1;
    if (this.stamp === 1) this.accountStamps.fill(0);
  }

  private finishRecord(): void {
    const rowsEnd = headerBytes + this.count * rowBytes;
    const buffer = Buffer.allocUnsafe(rowsEnd + this.stringBytes);
    buffer.writeUInt32LE(magic, 0);
    buffer.writeUInt16LE(version, 4);
    buffer.writeUInt16LE(rowBytes, 6);
    buffer.writeUInt32LE(this.count, 8);
    buffer.writeUInt32LE(this.stringCount, 12);
    buffer.writeDoubleLE(this.firstFact, 16);
    buffer.writeUInt32LE(this.stringBytes, 28);
    this.rows.copy(buffer, headerBytes, 0, this.count * rowBytes);
    this.strings.copy(buffer, rowsEnd, 0, this.stringBytes);
    buffer.writeUInt32LE(crc32(buffer.subarray(headerBytes)), 24);
    this.records.push(buffer);
    this.finishedFacts += this.count;
  }
}

/** Encodes facts numbered from `firstFact` into as few records as fit `recordBytesMax` each (one in the usual case). */
export function encodeLedgerRecords(facts: readonly LedgerEvent[], firstFact: number, recordBytesMax = ledgerRecordBytesMax): Uint8Array[] {
  const encoder = new LedgerRecordEncoder(recordBytesMax);
  encoder.begin(firstFact);
  for (const fact of facts) encoder.addFact(fact);
  return encoder.finish();
}

/** A buffer's bytes as 32-bit words (it starts at an aligned offset and is a whole number of them long). */
function wordsOf(buffer: Buffer): Uint32Array {
  assert(buffer.byteOffset % 8 === 0 && buffer.length % 8 === 0, 'a row buffer is aligned for words and float64s');
  return new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.length / 4);
}

function doublesOf(buffer: Buffer): Float64Array {
  return new Float64Array(buffer.buffer, buffer.byteOffset, buffer.length / 8);
}

/** A buffer at least `bytes` long (doubling), holding what `buffer` held. */
function grown(buffer: Buffer, bytes: number): Buffer {
  let size = buffer.length;
  while (size < bytes) size *= 2;
  const larger = Buffer.alloc(size);
  buffer.copy(larger);
  return larger;
}

/** The longest string copied a byte at a time (ids are at most 64 characters). */
const asciiCopyLengthMax = 128;

/** Numbers below 2^53 are exact as doubles: most amounts are written without a bigint. */
const exactDigitsMax = 15;
const twoTo32 = 2 ** 32;

/** One event's fields in row order; reused for every event (the encoder is synchronous and single-threaded). */
const scratch = {
  kind: 0,
  flags: 0,
  strings: [null, null, null, null, null, null] as (string | null)[],
  slots: [0, 0, 0] as (string | number | null)[],
  /** Per slot: true when it holds milliseconds (f64), false for minor units (u64 from decimal text). */
  slotIsMilliseconds: [false, false, false],
};

const userDataText = (userData: UserDataJson | null): string | null => (userData === null ? null : JSON.stringify(userData));

function setStrings(a: string | null, b: string | null, c: string | null, d: string | null, e: string | null, f: string | null): void {
  const texts = scratch.strings;
  texts[0] = a;
  texts[1] = b;
  texts[2] = c;
  texts[3] = d;
  texts[4] = e;
  texts[5] = f;
}

function setSlots(first: string | null, second: string | number | null, third: string | number | null, milliseconds: boolean): void {
  scratch.slots[0] = first;
  scratch.slots[1] = second;
  scratch.slots[2] = third;
  scratch.slotIsMilliseconds[1] = milliseconds;
  scratch.slotIsMilliseconds[2] = milliseconds;
}

function fillScratch(fact: LedgerEvent): void {
  scratch.kind = kinds.indexOf(fact.type) + 1;
  switch (fact.type) {
    case 'LedgerAccountOpened': {
      const data = fact.data;
      scratch.flags =
        (data.debitLimitMinor === null ? flagFirstNull : 0) |
        (data.debitsMustNotExceedCredits ? flagDebitsMustNotExceedCredits : 0) |
        (data.creditsMustNotExceedDebits ? flagCreditsMustNotExceedDebits : 0);
      setStrings(data.accountId, data.ledger, data.owner, null, data.code, null);
      setSlots(data.debitLimitMinor, null, null, false);
      return;
    }
    case 'LedgerDebitLimitChanged': {
      const data = fact.data;
      scratch.flags = (data.debitLimitMinor === null ? flagFirstNull : 0) | (data.previousDebitLimitMinor === null ? flagSecondNull : 0);
      setStrings(data.accountId, null, null, null, null, null);
      setSlots(data.debitLimitMinor, data.previousDebitLimitMinor, null, false);
      return;
    }
    case 'LedgerTransferPosted':
    case 'LedgerTransferReserved':
    case 'LedgerPendingPosted':
    case 'LedgerPendingVoided':
    case 'LedgerPendingExpired':
      fillTransferScratch(fact);
      return;
    default:
      assertNever(fact);
  }
}

function fillTransferScratch(fact: Exclude<LedgerEvent, { type: 'LedgerAccountOpened' | 'LedgerDebitLimitChanged' }>): void {
  const data = fact.data;
  const userData = userDataText(data.userData);
  scratch.flags = userData === null ? 0 : flagUserData;
  switch (fact.type) {
    case 'LedgerTransferPosted':
      setStrings(fact.data.transferId, null, data.debitAccountId, data.creditAccountId, data.code, userData);
      setSlots(data.amountMinor, null, null, false);
      return;
    case 'LedgerTransferReserved':
      setStrings(fact.data.transferId, null, data.debitAccountId, data.creditAccountId, data.code, userData);
      setSlots(data.amountMinor, fact.data.timeoutMs, msFromIso(fact.data.expiresAt), true);
      return;
    case 'LedgerPendingPosted':
      if (fact.data.requestedAmountMinor === null) scratch.flags |= flagThirdNull;
      setStrings(fact.data.transferId, fact.data.pendingId, data.debitAccountId, data.creditAccountId, data.code, userData);
      setSlots(data.amountMinor, fact.data.pendingAmountMinor, fact.data.requestedAmountMinor, false);
      return;
    case 'LedgerPendingVoided':
      setStrings(fact.data.transferId, fact.data.pendingId, data.debitAccountId, data.creditAccountId, data.code, userData);
      setSlots(data.amountMinor, null, null, false);
      return;
    case 'LedgerPendingExpired':
      setStrings(null, fact.data.pendingId, data.debitAccountId, data.creditAccountId, data.code, userData);
      setSlots(data.amountMinor, null, null, false);
      return;
    default:
      assertNever(fact);
  }
}
