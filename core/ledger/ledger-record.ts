import { crc32 } from 'node:zlib';
import { AssertionError, assert, assertNever } from '../assert';
import type { RecordedEvent } from '../eventstore/event';
import type { CurrencyCode } from '../money';
import type { AccountCode } from './account-codes';
import { ledgerEventTypes, type LedgerEvent, type UserDataJson } from './events';
import { isoFromMs, msFromIso } from './instant-text';
import type { TransferCode } from './transfer-codes';

/**
 * The ledger's batch record: one event of type `LedgerBatch` per engine tick, its payload (NewEvent.bytes) every
 * fact the tick decided, in decision order. Readers never parse it themselves: `ledgerFacts` turns any event of a
 * ledger stream (a batch record, or one JSON event per fact as logs before it hold) into the facts of events.ts.
 *
 * Layout, version 1, little-endian:
 *   header (32 bytes): magic "HLB1" | u16 version | u16 row bytes (56) | u32 fact count | u32 string count |
 *                      f64 number of the first fact (a safe integer) | u32 CRC-32 of everything after the header |
 *                      u32 bytes of the string section;
 *   rows (56 bytes per fact, fixed width): u8 kind | u8 flags | u16 zero | six u32 string references (A id,
 *                      B pending id or ledger, C debit account or owner, D credit account, E code, F userData as
 *                      JSON) | u32 zero | three 8-byte slots: the amount (u64 minor units), then by kind u64 amounts
 *                      or f64 milliseconds (timeout, expiry);
 *   strings: each a u16 byte length and its UTF-8 bytes; every distinct string once per record (account ids
 *                      repeat across a batch).
 * A tick whose facts would pass `ledgerRecordBytesMax` is written as several records in the same append.
 */
export const ledgerBatchType = 'LedgerBatch';

/** Below the store's 1 MiB per event, with room for the metadata. */
export const ledgerRecordBytesMax = 1000 * 1024;

/**
 * Records per read of a ledger stream: a record may be up to ledgerRecordBytesMax, so a page of the store's maximum
 * (10,000) could be gigabytes. 64 keeps a page within 64 MB.
 */
export const ledgerRecordsPerReadMax = 64;

const magic = 0x31424c48;
const version = 1;
const headerBytes = 32;
const rowBytes = 56;
const stringLengthMax = 0xffff;
const noString = 0xffffffff;

const kinds = ledgerEventTypes;

const flagUserData = 1;
const flagFirstNull = 2;
const flagSecondNull = 4;
const flagThirdNull = 8;
const flagDebitsMustNotExceedCredits = 16;
const flagCreditsMustNotExceedDebits = 32;

/** A fact's strings and numbers, in row order, before they are written. */
type Row = {
  kind: number;
  flags: number;
  strings: [string | null, string | null, string | null, string | null, string | null, string | null];
  first: bigint;
  second: bigint | number;
  third: bigint | number;
};

/** Encodes facts numbered from `firstFact` into as few records as fit `recordBytesMax` each (one in the usual case). */
export function encodeLedgerRecords(facts: readonly LedgerEvent[], firstFact: number, recordBytesMax = ledgerRecordBytesMax): Uint8Array[] {
  assert(Number.isSafeInteger(firstFact) && firstFact >= 0, 'the first fact number is a whole number');
  const records: Uint8Array[] = [];
  let builder = new RecordBuilder(firstFact);
  for (const fact of facts) {
    const row = toRow(fact);
    if (builder.count > 0 && builder.bytesWith(row) > recordBytesMax) {
      records.push(builder.finish());
      builder = new RecordBuilder(builder.firstFact + builder.count);
    }
    builder.add(row);
    assert(builder.bytes <= recordBytesMax, 'one fact fits a record');
  }
  if (builder.count > 0) records.push(builder.finish());
  return records;
}

class RecordBuilder {
  readonly rows: Row[] = [];
  readonly strings = new Map<string, number>();
  stringBytes = 0;
  constructor(readonly firstFact: number) {}

  get count(): number {
    return this.rows.length;
  }

  get bytes(): number {
    return headerBytes + this.rows.length * rowBytes + this.stringBytes;
  }

  /** The record's size with this row added (its strings not yet held counted once). */
  bytesWith(row: Row): number {
    let added = rowBytes;
    const seen = new Set<string>();
    for (const text of row.strings) {
      if (text === null || this.strings.has(text) || seen.has(text)) continue;
      seen.add(text);
      added += 2 + Buffer.byteLength(text, 'utf8');
    }
    return this.bytes + added;
  }

  add(row: Row): void {
    for (const text of row.strings) {
      if (text === null || this.strings.has(text)) continue;
      const length = Buffer.byteLength(text, 'utf8');
      assert(length <= stringLengthMax, 'a ledger string fits its length field');
      this.strings.set(text, this.strings.size);
      this.stringBytes += 2 + length;
    }
    this.rows.push(row);
  }

  finish(): Uint8Array {
    const buffer = Buffer.alloc(this.bytes);
    buffer.writeUInt32LE(magic, 0);
    buffer.writeUInt16LE(version, 4);
    buffer.writeUInt16LE(rowBytes, 6);
    buffer.writeUInt32LE(this.rows.length, 8);
    buffer.writeUInt32LE(this.strings.size, 12);
    buffer.writeDoubleLE(this.firstFact, 16);
    buffer.writeUInt32LE(this.stringBytes, 28);
    let offset = headerBytes;
    for (const row of this.rows) {
      writeRow(buffer, offset, row, this.strings);
      offset += rowBytes;
    }
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

function writeRow(buffer: Buffer, offset: number, row: Row, strings: Map<string, number>): void {
  buffer.writeUInt8(row.kind, offset);
  buffer.writeUInt8(row.flags, offset + 1);
  row.strings.forEach((text, index) => {
    buffer.writeUInt32LE(text === null ? noString : (strings.get(text) as number), offset + 4 + 4 * index);
  });
  buffer.writeBigUInt64LE(row.first, offset + 32);
  writeSlot(buffer, offset + 40, row.second);
  writeSlot(buffer, offset + 48, row.third);
}

/** A slot holds minor units (bigint, u64) or milliseconds (number, f64); the fact's kind says which. */
function writeSlot(buffer: Buffer, offset: number, value: bigint | number): void {
  if (typeof value === 'bigint') buffer.writeBigUInt64LE(value, offset);
  else buffer.writeDoubleLE(value, offset);
}

const minor = (text: string | null): bigint => (text === null ? 0n : BigInt(text));
const userDataText = (userData: UserDataJson | null): string | null => (userData === null ? null : JSON.stringify(userData));

function toRow(fact: LedgerEvent): Row {
  const kind = kinds.indexOf(fact.type) + 1;
  switch (fact.type) {
    case 'LedgerAccountOpened': {
      const data = fact.data;
      const flags =
        (data.debitLimitMinor === null ? flagFirstNull : 0) |
        (data.debitsMustNotExceedCredits ? flagDebitsMustNotExceedCredits : 0) |
        (data.creditsMustNotExceedDebits ? flagCreditsMustNotExceedDebits : 0);
      return {
        kind,
        flags,
        strings: [data.accountId, data.ledger, data.owner, null, data.code, null],
        first: minor(data.debitLimitMinor),
        second: 0n,
        third: 0n,
      };
    }
    case 'LedgerDebitLimitChanged': {
      const data = fact.data;
      const flags = (data.debitLimitMinor === null ? flagFirstNull : 0) | (data.previousDebitLimitMinor === null ? flagSecondNull : 0);
      return {
        kind,
        flags,
        strings: [data.accountId, null, null, null, null, null],
        first: minor(data.debitLimitMinor),
        second: minor(data.previousDebitLimitMinor),
        third: 0n,
      };
    }
    case 'LedgerTransferPosted':
    case 'LedgerPendingVoided': {
      const data = fact.data;
      const pendingId = fact.type === 'LedgerPendingVoided' ? fact.data.pendingId : null;
      return transferRow(kind, data.transferId, pendingId, data, BigInt(data.amountMinor), 0n, 0n, 0);
    }
    case 'LedgerTransferReserved': {
      const data = fact.data;
      return transferRow(kind, data.transferId, null, data, BigInt(data.amountMinor), data.timeoutMs, msFromIso(data.expiresAt), 0);
    }
    case 'LedgerPendingPosted': {
      const data = fact.data;
      const requested = data.requestedAmountMinor;
      return transferRow(
        kind,
        data.transferId,
        data.pendingId,
        data,
        BigInt(data.amountMinor),
        BigInt(data.pendingAmountMinor),
        minor(requested),
        requested === null ? flagThirdNull : 0,
      );
    }
    case 'LedgerPendingExpired': {
      const data = fact.data;
      return transferRow(kind, null, data.pendingId, data, BigInt(data.amountMinor), 0n, 0n, 0);
    }
    default:
      return assertNever(fact);
  }
}

type TransferFields = { debitAccountId: string; creditAccountId: string; code: TransferCode; userData: UserDataJson | null };

function transferRow(
  kind: number,
  transferId: string | null,
  pendingId: string | null,
  data: TransferFields,
  first: bigint,
  second: bigint | number,
  third: bigint | number,
  flags: number,
): Row {
  const userData = userDataText(data.userData);
  return {
    kind,
    flags: flags | (userData === null ? 0 : flagUserData),
    strings: [transferId, pendingId, data.debitAccountId, data.creditAccountId, data.code, userData],
    first,
    second,
    third,
  };
}

/** Whether a recorded ledger event is a batch record (else it is one JSON fact, as logs before batches hold). */
export function isLedgerBatch(recorded: RecordedEvent): boolean {
  return recorded.type === ledgerBatchType;
}

/** The number of the first fact a ledger stream event holds: a batch record says it; a JSON fact is its revision. */
export function firstFactNumber(recorded: RecordedEvent): number {
  if (!isLedgerBatch(recorded)) return Number(recorded.revision);
  return checkedHeader(recorded).firstFact;
}

const knownTypes: ReadonlySet<string> = new Set(ledgerEventTypes);

/**
 * The facts of one event of a ledger stream, in decision order: the one decoder every reader uses (the engine's
 * replay, projections, `npm run verify`). Throws an AssertionError for anything the engine did not write (an
 * unknown type, a damaged or unknown record), which readers treat as a broken log.
 */
export function ledgerFacts(recorded: RecordedEvent): LedgerEvent[] {
  if (!isLedgerBatch(recorded)) {
    if (!knownTypes.has(recorded.type))
      throw new AssertionError(`ledger stream ${recorded.stream} holds only ledger events (found ${recorded.type})`);
    // Only the engine writes ledger streams, and before batch records it wrote exactly these shapes as JSON.
    return [{ type: recorded.type, data: recorded.data } as unknown as LedgerEvent];
  }
  const header = checkedHeader(recorded);
  const bytes = header.bytes;
  const strings = readStrings(bytes, headerBytes + header.factCount * rowBytes, header.stringCount, recorded);
  const facts: LedgerEvent[] = new Array<LedgerEvent>(header.factCount);
  for (let index = 0; index < header.factCount; index += 1)
    facts[index] = readFact(bytes, headerBytes + index * rowBytes, strings, recorded);
  return facts;
}

type Header = { bytes: Buffer; factCount: number; stringCount: number; firstFact: number };

function checkedHeader(recorded: RecordedEvent): Header {
  const raw = recorded.bytes;
  const where = `ledger record ${recorded.stream} revision ${recorded.revision}`;
  if (raw === undefined || raw.byteLength < headerBytes) throw new AssertionError(`${where} carries a batch record`);
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (bytes.readUInt32LE(0) !== magic) throw new AssertionError(`${where} starts with the batch record's magic`);
  if (bytes.readUInt16LE(4) !== version || bytes.readUInt16LE(6) !== rowBytes)
    throw new AssertionError(`${where} is of a version this code reads (found ${bytes.readUInt16LE(4)})`);
  const factCount = bytes.readUInt32LE(8);
  const stringCount = bytes.readUInt32LE(12);
  const firstFact = bytes.readDoubleLE(16);
  const stringBytes = bytes.readUInt32LE(28);
  if (headerBytes + factCount * rowBytes + stringBytes !== bytes.length || !Number.isSafeInteger(firstFact) || firstFact < 0)
    throw new AssertionError(`${where} has the size its header announces`);
  if (crc32(bytes.subarray(headerBytes)) !== bytes.readUInt32LE(24)) throw new AssertionError(`${where} matches its checksum`);
  return { bytes, factCount, stringCount, firstFact };
}

function readStrings(bytes: Buffer, start: number, count: number, recorded: RecordedEvent): string[] {
  const strings = new Array<string>(count);
  let offset = start;
  for (let index = 0; index < count; index += 1) {
    const length = bytes.readUInt16LE(offset);
    strings[index] = bytes.toString('utf8', offset + 2, offset + 2 + length);
    offset += 2 + length;
  }
  if (offset !== bytes.length)
    throw new AssertionError(`ledger record ${recorded.stream} revision ${recorded.revision} ends with its strings`);
  return strings;
}

/** Reads the fields of one row: its strings by reference, its amounts and milliseconds by slot. */
class RowReader {
  readonly flags: number;
  constructor(
    private readonly bytes: Buffer,
    private readonly offset: number,
    private readonly strings: readonly string[],
    private readonly where: string,
  ) {
    this.flags = bytes.readUInt8(offset + 1);
  }

  text(index: number): string {
    const reference = this.bytes.readUInt32LE(this.offset + 4 + 4 * index);
    const value = reference === noString ? undefined : this.strings[reference];
    if (value === undefined) throw new AssertionError(`${this.where} has every field of its facts, among its own strings`);
    return value;
  }

  amount(slot: number, nullFlag = 0): string | null {
    return (this.flags & nullFlag) !== 0 ? null : this.bytes.readBigUInt64LE(this.offset + 32 + 8 * slot).toString();
  }

  /** A non-null amount (the first slot of every transfer fact). */
  get amountMinor(): string {
    return this.bytes.readBigUInt64LE(this.offset + 32).toString();
  }

  milliseconds(slot: number): number {
    return this.bytes.readDoubleLE(this.offset + 32 + 8 * slot);
  }

  get userData(): UserDataJson | null {
    return (this.flags & flagUserData) === 0 ? null : (JSON.parse(this.text(5)) as UserDataJson);
  }
}

function readFact(bytes: Buffer, offset: number, strings: readonly string[], recorded: RecordedEvent): LedgerEvent {
  const where = `ledger record ${recorded.stream} revision ${recorded.revision}`;
  const row = new RowReader(bytes, offset, strings, where);
  const kind = bytes.readUInt8(offset);
  const type = kinds[kind - 1];
  switch (type) {
    case 'LedgerAccountOpened':
      return {
        type,
        data: {
          accountId: row.text(0),
          ledger: row.text(1) as CurrencyCode,
          code: row.text(4) as AccountCode,
          owner: row.text(2),
          debitsMustNotExceedCredits: (row.flags & flagDebitsMustNotExceedCredits) !== 0,
          creditsMustNotExceedDebits: (row.flags & flagCreditsMustNotExceedDebits) !== 0,
          debitLimitMinor: row.amount(0, flagFirstNull),
        },
      };
    case 'LedgerDebitLimitChanged':
      return {
        type,
        data: {
          accountId: row.text(0),
          debitLimitMinor: row.amount(0, flagFirstNull),
          previousDebitLimitMinor: row.amount(1, flagSecondNull),
        },
      };
    case 'LedgerTransferPosted':
    case 'LedgerTransferReserved':
    case 'LedgerPendingPosted':
    case 'LedgerPendingVoided':
    case 'LedgerPendingExpired':
      return readTransferFact(type, row);
    case undefined:
      throw new AssertionError(`${where} holds only known facts (kind ${kind})`);
    default:
      return assertNever(type);
  }
}

function readTransferFact(
  type: Exclude<LedgerEvent['type'], 'LedgerAccountOpened' | 'LedgerDebitLimitChanged'>,
  row: RowReader,
): LedgerEvent {
  const accounts = { debitAccountId: row.text(2), creditAccountId: row.text(3) };
  const code = row.text(4) as TransferCode;
  switch (type) {
    case 'LedgerTransferPosted':
      return { type, data: { transferId: row.text(0), ...accounts, amountMinor: row.amountMinor, code, userData: row.userData } };
    case 'LedgerTransferReserved':
      return {
        type,
        data: {
          transferId: row.text(0),
          ...accounts,
          amountMinor: row.amountMinor,
          code,
          timeoutMs: row.milliseconds(1),
          expiresAt: isoFromMs(row.milliseconds(2)),
          userData: row.userData,
        },
      };
    case 'LedgerPendingPosted':
      return {
        type,
        data: {
          transferId: row.text(0),
          pendingId: row.text(1),
          ...accounts,
          amountMinor: row.amountMinor,
          pendingAmountMinor: row.amount(1) as string,
          requestedAmountMinor: row.amount(2, flagThirdNull),
          code,
          userData: row.userData,
        },
      };
    case 'LedgerPendingVoided':
      return {
        type,
        data: { transferId: row.text(0), pendingId: row.text(1), ...accounts, amountMinor: row.amountMinor, code, userData: row.userData },
      };
    case 'LedgerPendingExpired':
      return { type, data: { pendingId: row.text(1), ...accounts, amountMinor: row.amountMinor, code, userData: row.userData } };
    default:
      return assertNever(type);
  }
}
