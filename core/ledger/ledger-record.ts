import { crc32 } from 'node:zlib';
import { AssertionError, assertNever } from '../assert';
import type { RecordedEvent } from '../eventstore/event';
import type { CurrencyCode } from '../money';
import type { AccountCode } from './account-codes';
import { amountTextOfWords as amountTextOfWordsExport } from './amount-text';
import { ledgerEventTypes, type LedgerEvent, type UserDataJson } from './events';
import { isoFromMs } from './instant-text';
import type { TransferCode } from './transfer-codes';

// A module constant of its own: under tsx an imported binding is read through a getter on every use, and this is
// read for every amount a record's reader decodes.
const amountTextOfWords = amountTextOfWordsExport;

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

export const magic = 0x31424c48;
export const version = 1;
export const headerBytes = 32;
export const rowBytes = 56;
export const stringLengthMax = 0xffff;
export const noString = 0xffffffff;

export const kinds = ledgerEventTypes;

export const flagUserData = 1;
export const flagFirstNull = 2;
export const flagSecondNull = 4;
export const flagThirdNull = 8;
export const flagDebitsMustNotExceedCredits = 16;
export const flagCreditsMustNotExceedDebits = 32;

/** Whether a recorded ledger event is a batch record (else it is one JSON fact, as logs before batches hold). */
export function isLedgerBatch(recorded: RecordedEvent): boolean {
  return recorded.type === ledgerBatchType;
}

/** The number of the first fact a ledger stream event holds: a batch record says it; a JSON fact is its revision. */
export function firstFactNumber(recorded: RecordedEvent): number {
  if (!isLedgerBatch(recorded)) return Number(recorded.revision);
  return checkedHeader(recorded).firstFact;
}

/** The number of facts a ledger stream event holds: a batch record says it; a JSON fact is one. */
export function factCount(recorded: RecordedEvent): number {
  if (!isLedgerBatch(recorded)) return 1;
  return checkedHeader(recorded).factCount;
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

/** A batch record whose header, size and checksum were checked: where its rows and strings are. */
export type BatchRecordHeader = { bytes: Buffer; factCount: number; stringCount: number; firstFact: number };

/** The checked header of a batch record (throws an AssertionError for a damaged or unknown one). */
export function checkedHeader(recorded: RecordedEvent): BatchRecordHeader {
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

/**
 * Where each string of a batch record starts (its u16 length; its bytes follow), checking that they end the record:
 * for a reader that decodes only the strings it needs (the start-up replay hashes transfer ids from their bytes).
 */
export function stringOffsets(header: BatchRecordHeader, recorded: RecordedEvent, out: Uint32Array): void {
  const bytes = header.bytes;
  let offset = headerBytes + header.factCount * rowBytes;
  for (let index = 0; index < header.stringCount; index += 1) {
    out[index] = offset;
    offset += 2 + bytes.readUInt16LE(offset);
  }
  if (offset !== bytes.length)
    throw new AssertionError(`ledger record ${recorded.stream} revision ${recorded.revision} ends with its strings`);
}

/** Every string of a batch record, decoded, by reference. */
export function recordStrings(header: BatchRecordHeader, recorded: RecordedEvent): string[] {
  return readStrings(header.bytes, headerBytes + header.factCount * rowBytes, header.stringCount, recorded);
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

/** A u64 of minor units as decimal text; below 2^53 (nearly every amount) without a bigint. */
function minorTextAt(bytes: Buffer, offset: number): string {
  return amountTextOfWords(bytes.readUInt32LE(offset), bytes.readUInt32LE(offset + 4));
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
    return (this.flags & nullFlag) !== 0 ? null : this.minorText(this.offset + 32 + 8 * slot);
  }

  /** A non-null amount (the first slot of every transfer fact). */
  get amountMinor(): string {
    return this.minorText(this.offset + 32);
  }

  private minorText(offset: number): string {
    return minorTextAt(this.bytes, offset);
  }

  milliseconds(slot: number): number {
    return this.bytes.readDoubleLE(this.offset + 32 + 8 * slot);
  }

  get userData(): UserDataJson | null {
    return (this.flags & flagUserData) === 0 ? null : (JSON.parse(this.text(5)) as UserDataJson);
  }
}

/** The fact in the row at `offset` of a batch record whose strings are `strings`: the one decoder of a row. */
export function readFact(bytes: Buffer, offset: number, strings: readonly string[], recorded: RecordedEvent): LedgerEvent {
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
