import { crc32 } from 'node:zlib';
import { assert, assertNever } from '../assert';
import type { LedgerEvent, UserDataJson } from './events';
import { msFromIso } from './instant-text';
import {
  flagCreditsMustNotExceedDebits,
  flagDebitsMustNotExceedCredits,
  flagFirstNull,
  flagSecondNull,
  flagThirdNull,
  flagUserData,
  headerBytes,
  kinds,
  ledgerRecordBytesMax,
  magic,
  noString,
  rowBytes,
  stringLengthMax,
  version,
} from './ledger-record';

/**
 * Writes facts as batch records (the layout is in ledger-record.ts). It runs once per tick on the engine's hot
 * path, so it writes each row straight into one reused buffer from a reused scratch row: no object per fact.
 */

/** One fact's fields in row order; reused for every fact (the encoder is synchronous and single-threaded). */
const scratch = {
  kind: 0,
  flags: 0,
  strings: [null, null, null, null, null, null] as (string | null)[],
  slots: [0, 0, 0] as (string | number | null)[],
  /** Per slot: true when it holds milliseconds (f64), false for minor units (u64 from decimal text). */
  slotIsMilliseconds: [false, false, false],
};

/** The rows of the record being written; grown when a tick has more facts than it holds. */
let rowsBuffer = Buffer.alloc(rowBytes * 1024);

/** Encodes facts numbered from `firstFact` into as few records as fit `recordBytesMax` each (one in the usual case). */
export function encodeLedgerRecords(facts: readonly LedgerEvent[], firstFact: number, recordBytesMax = ledgerRecordBytesMax): Uint8Array[] {
  assert(Number.isSafeInteger(firstFact) && firstFact >= 0, 'the first fact number is a whole number');
  if (rowsBuffer.length < facts.length * rowBytes) rowsBuffer = Buffer.alloc(facts.length * rowBytes);
  const records: Uint8Array[] = [];
  let writer = new RecordWriter(firstFact);
  for (const fact of facts) {
    fillScratch(fact);
    if (writer.tryAdd(recordBytesMax)) continue;
    records.push(writer.finish());
    writer = new RecordWriter(writer.firstFact + writer.count);
    assert(writer.tryAdd(recordBytesMax), 'one fact fits a record');
  }
  if (writer.count > 0) records.push(writer.finish());
  return records;
}

class RecordWriter {
  count = 0;
  private readonly strings = new Map<string, number>();
  private stringBytes = 0;
  constructor(readonly firstFact: number) {}

  private get bytes(): number {
    return headerBytes + this.count * rowBytes + this.stringBytes;
  }

  /** Adds the scratch fact unless the record would pass `recordBytesMax` (a first fact is always added). */
  tryAdd(recordBytesMax: number): boolean {
    const texts = scratch.strings;
    let added = rowBytes;
    for (let index = 0; index < texts.length; index += 1) {
      const text = texts[index];
      if (text === null || text === undefined || this.strings.has(text) || texts.indexOf(text) < index) continue;
      added += 2 + Buffer.byteLength(text, 'utf8');
    }
    if (this.count > 0 && this.bytes + added > recordBytesMax) return false;
    const offset = this.count * rowBytes;
    rowsBuffer.fill(0, offset, offset + rowBytes);
    rowsBuffer.writeUInt8(scratch.kind, offset);
    rowsBuffer.writeUInt8(scratch.flags, offset + 1);
    for (let index = 0; index < texts.length; index += 1) {
      rowsBuffer.writeUInt32LE(this.reference(texts[index] ?? null), offset + 4 + 4 * index);
    }
    for (let slot = 0; slot < 3; slot += 1)
      writeSlot(offset + 32 + 8 * slot, scratch.slots[slot] ?? null, scratch.slotIsMilliseconds[slot] === true);
    this.count += 1;
    return true;
  }

  private reference(text: string | null): number {
    if (text === null) return noString;
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    const length = Buffer.byteLength(text, 'utf8');
    assert(length <= stringLengthMax, 'a ledger string fits its length field');
    const reference = this.strings.size;
    this.strings.set(text, reference);
    this.stringBytes += 2 + length;
    return reference;
  }

  finish(): Uint8Array {
    const buffer = Buffer.allocUnsafe(this.bytes);
    buffer.writeUInt32LE(magic, 0);
    buffer.writeUInt16LE(version, 4);
    buffer.writeUInt16LE(rowBytes, 6);
    buffer.writeUInt32LE(this.count, 8);
    buffer.writeUInt32LE(this.strings.size, 12);
    buffer.writeDoubleLE(this.firstFact, 16);
    buffer.writeUInt32LE(this.stringBytes, 28);
    rowsBuffer.copy(buffer, headerBytes, 0, this.count * rowBytes);
    let offset = headerBytes + this.count * rowBytes;
    for (const text of this.strings.keys()) {
      const length = buffer.write(text, offset + 2, 'utf8');
      buffer.writeUInt16LE(length, offset);
      offset += 2 + length;
    }
    assert(offset === buffer.length, 'the record is filled exactly');
    buffer.writeUInt32LE(crc32(buffer.subarray(headerBytes)), 24);
    return buffer;
  }
}

/** Numbers below 2^53 are exact as doubles: most amounts are written without a bigint. */
const exactDigitsMax = 15;
const twoTo32 = 2 ** 32;

/** A slot: milliseconds as f64, or minor units (decimal text) as u64; null leaves it zero. */
function writeSlot(offset: number, value: string | number | null, milliseconds: boolean): void {
  if (value === null) return;
  if (milliseconds) {
    rowsBuffer.writeDoubleLE(value as number, offset);
    return;
  }
  const text = value as string;
  if (text.length <= exactDigitsMax) {
    const amount = Number(text);
    rowsBuffer.writeUInt32LE(amount % twoTo32, offset);
    rowsBuffer.writeUInt32LE(Math.floor(amount / twoTo32), offset + 4);
  } else rowsBuffer.writeBigUInt64LE(BigInt(text), offset);
}

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
