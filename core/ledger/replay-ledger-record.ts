import { AssertionError } from '../assert';
import type { RecordedEvent } from '../eventstore/event';
import type { UserDataJson } from './events';
import { digestPostedTransfer, evolve, evolvePostedTransfer } from './evolve';
import { rememberFromLog } from './remember-from-log';
import {
  checkedHeader,
  flagUserData,
  headerBytes as headerBytesExport,
  kinds,
  noString,
  readFact,
  recordStrings,
  rowBytes as rowBytesExport,
  stringOffsets,
} from './ledger-record';
import type { AccountRecord, LedgerState } from './ledger-state';
import { fieldsDigest as fieldsDigestExport } from './transfer-fields-digest';
import { isTransferCode, type TransferCode } from './transfer-codes';

// Module constants of their own: under tsx an imported binding is read through a getter on every use, and these
// are read for every fact of a replay.
const headerBytes = headerBytesExport;
const rowBytes = rowBytesExport;
const fieldsDigest = fieldsDigestExport;
const postedKind = kinds.indexOf('LedgerTransferPosted') + 1;
const unresolved = -1;

/**
 * The start-up replay of batch records (issue 18 item 5): applies each record to the state, fact by fact, as
 * `evolve` of each of `ledgerFacts(recorded)` would. Posted transfers, the bulk of every log, go from their row to
 * the dense state with no object in between: an account string is found by a hash of its bytes (once per record and
 * string), with no string decoded, the amount is read as two 32-bit words, and the transfer id is hashed straight from its bytes (ids
 * are ASCII) into the id window. Every other fact is decoded by the one row decoder (`readFact`) and evolved. The
 * checks are those of `ledgerFacts`: header, size and checksum, every string reference within the record, known
 * kinds and codes. One replay serves one state, whose accounts only grow while it runs.
 */
export class LedgerRecordReplay {
  /** Per string of the record being replayed: where it starts, and the account index or code it names once known. */
  private offsets = new Uint32Array(16_384);
  private accountIndexes = new Int32Array(16_384);
  private codes: (TransferCode | undefined)[] = [];
  /** Account index + 1 by a hash of its id (open addressing, linear probing, at most half full); 0 is a free slot. */
  private accountSlots = new Int32Array(0);
  private accountsIndexed = 0;

  constructor(private readonly state: LedgerState) {}

  /** Applies every fact of the record to the state. */
  apply(recorded: RecordedEvent): void {
    this.replay(recorded, false, 0, Number.MAX_SAFE_INTEGER);
  }

  /**
   * Replays the record's facts numbered in [fromFact, toFact) for the idempotency window only (`rememberFromLog`):
   * a state restored from a snapshot holds their effect on balances, but the window's ids come only from the log.
   */
  remember(recorded: RecordedEvent, fromFact: number, toFact: number): void {
    this.replay(recorded, true, fromFact, toFact);
  }

  private replay(recorded: RecordedEvent, windowOnly: boolean, fromFact: number, toFact: number): void {
    const state = this.state;
    const header = checkedHeader(recorded);
    const bytes = header.bytes;
    const stringCount = header.stringCount;
    if (this.offsets.length < stringCount) {
      this.offsets = new Uint32Array(stringCount);
      this.accountIndexes = new Int32Array(stringCount);
    }
    stringOffsets(header, recorded, this.offsets);
    this.accountIndexes.fill(unresolved, 0, stringCount);
    this.codes.length = 0;
    let strings: string[] | null = null;
    const first = Math.max(0, fromFact - header.firstFact);
    const end = Math.min(header.factCount, toFact - header.firstFact);
    for (let fact = first; fact < end; fact += 1) {
      const row = headerBytes + fact * rowBytes;
      if (bytes[row] !== postedKind) {
        strings ??= recordStrings(header, recorded);
        if (windowOnly) rememberFromLog(state, readFact(bytes, row, strings, recorded), header.firstFact + fact);
        else evolve(state, readFact(bytes, row, strings, recorded));
        continue;
      }
      const idReference = bytes.readUInt32LE(row + 4);
      const debitReference = bytes.readUInt32LE(row + 12);
      const creditReference = bytes.readUInt32LE(row + 16);
      const codeReference = bytes.readUInt32LE(row + 20);
      if (idReference >= stringCount || debitReference >= stringCount || creditReference >= stringCount || codeReference >= stringCount)
        throw new AssertionError(`${where(recorded)} has every field of its facts, among its own strings`);
      const debitIndex = this.accountIndex(bytes, debitReference);
      const creditIndex = this.accountIndex(bytes, creditReference);
      const code = this.codes[codeReference] ?? this.transferCode(bytes, codeReference, recorded);
      const userData = ((bytes[row + 1] as number) & flagUserData) === 0 ? null : this.userData(bytes, row, stringCount, recorded);
      const amountLow = bytes.readUInt32LE(row + 32);
      const amountHigh = bytes.readUInt32LE(row + 36);
      if (windowOnly) digestPostedTransfer(state, debitIndex, creditIndex, amountLow, amountHigh, code, userData);
      else evolvePostedTransfer(state, debitIndex, creditIndex, amountLow, amountHigh, code, userData);
      const idStart = (this.offsets[idReference] as number) + 2;
      const idLength = bytes.readUInt16LE(idStart - 2);
      if (!isAscii(bytes, idStart, idLength)) throw new AssertionError(`${where(recorded)} holds only ASCII transfer ids`);
      const eventNumber = windowOnly ? header.firstFact + fact : state.eventCount;
      state.window.insertAscii(
        bytes,
        idStart,
        idLength,
        eventNumber,
        'transfer',
        null,
        fieldsDigest[0] as number,
        fieldsDigest[1] as number,
      );
      if (!windowOnly) state.eventCount += 1;
    }
  }

  private stringAt(bytes: Buffer, reference: number): string {
    const start = this.offsets[reference] as number;
    return bytes.toString('utf8', start + 2, start + 2 + bytes.readUInt16LE(start));
  }

  /** The index of the account a string of the record names: by the hash of its bytes, checked byte for byte. */
  private accountIndex(bytes: Buffer, reference: number): number {
    const known = this.accountIndexes[reference] as number;
    if (known !== unresolved) return known;
    const start = (this.offsets[reference] as number) + 2;
    const length = bytes.readUInt16LE(start - 2);
    this.indexNewAccounts();
    const index = isAscii(bytes, start, length) ? this.findAccount(bytes, start, length) : unresolved;
    if (index === unresolved) throw new AssertionError(`account ${this.stringAt(bytes, reference)} exists`);
    this.accountIndexes[reference] = index;
    return index;
  }

  private findAccount(bytes: Buffer, start: number, length: number): number {
    const slots = this.accountSlots;
    const mask = slots.length - 1;
    for (let slot = hashAscii(bytes, start, length) & mask; ; slot = (slot + 1) & mask) {
      const value = slots[slot] as number;
      if (value === 0) return unresolved;
      const account = this.state.accountsByIndex[value - 1];
      if (account !== undefined && sameAscii(account.id, bytes, start, length)) return value - 1;
    }
  }

  /** Adds the accounts opened since the last lookup (the log opens them as it goes) to the table by id hash. */
  private indexNewAccounts(): void {
    const accounts = this.state.accountsByIndex;
    const count = accounts.length;
    if (count === this.accountsIndexed) return;
    if (count * 2 > this.accountSlots.length) {
      let size = 1024;
      while (size < count * 2) size *= 2;
      this.accountSlots = new Int32Array(size);
      this.accountsIndexed = 0;
    }
    const slots = this.accountSlots;
    const mask = slots.length - 1;
    for (let index = this.accountsIndexed; index < count; index += 1) {
      let slot = hashText((accounts[index] as AccountRecord).id) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.accountsIndexed = count;
  }

  private transferCode(bytes: Buffer, reference: number, recorded: RecordedEvent): TransferCode {
    const code = this.stringAt(bytes, reference);
    if (!isTransferCode(code)) throw new AssertionError(`${where(recorded)} holds only known transfer codes (found ${code})`);
    this.codes[reference] = code;
    return code;
  }

  private userData(bytes: Buffer, row: number, stringCount: number, recorded: RecordedEvent): UserDataJson {
    const reference = bytes.readUInt32LE(row + 24);
    if (reference === noString || reference >= stringCount)
      throw new AssertionError(`${where(recorded)} has every field of its facts, among its own strings`);
    return JSON.parse(this.stringAt(bytes, reference)) as UserDataJson;
  }
}

function where(recorded: RecordedEvent): string {
  return `ledger record ${recorded.stream} revision ${recorded.revision}`;
}

/** Ids are ASCII (idPattern): a byte past it is in a record the engine did not write, or names no account. */
function isAscii(bytes: Buffer, start: number, length: number): boolean {
  let bits = 0;
  for (let index = start; index < start + length; index += 1) bits |= bytes[index] as number;
  return bits <= 0x7f;
}

/** FNV-1a of an ASCII id's bytes: only places an account in the replay's table, where its id is then compared. */
function hashAscii(bytes: Buffer, start: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < start + length; index += 1) hash = Math.imul(hash ^ (bytes[index] as number), 0x01000193);
  return hash >>> 0;
}

/** The same hash of an id held as a string. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

function sameAscii(text: string, bytes: Buffer, start: number, length: number): boolean {
  if (text.length !== length) return false;
  for (let index = 0; index < length; index += 1) if (text.charCodeAt(index) !== bytes[start + index]) return false;
  return true;
}
