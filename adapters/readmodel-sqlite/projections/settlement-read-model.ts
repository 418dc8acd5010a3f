import type Database from 'better-sqlite3';
import { assert } from '../../../core/assert';
import {
  settlementLinesMax,
  settlementWindowPageLimitMax,
  settlementWindowStates,
  type SettlementLineRecord,
  type SettlementPostingRecord,
  type SettlementReader,
  type SettlementWindowQuery,
  type SettlementWindowRecord,
  type SettlementWindowState,
} from '../../../core/settlement/settlement-reader';
import { preparedStatement } from '../statement-cache';

type WindowRow = {
  window_id: string;
  currency: string;
  sequence: bigint;
  state: string;
  opened_at: string | null;
  closed_at: string | null;
  settled_at: string | null;
  reference: string | null;
  first_position: bigint | null;
  last_position: bigint | null;
  created_position: bigint;
};

type LineRow = {
  participant: string;
  sent_count: bigint;
  sent_minor: bigint;
  received_count: bigint;
  received_minor: bigint;
  fees_minor: bigint;
  settlement_change_minor: bigint;
  opening_balance_minor: bigint;
};

type PostingRow = { settled_window_id: string; participant: string; change_minor: bigint; booked_window_id: string; booked_at: string };

const lineColumns =
  'participant, sent_count, sent_minor, received_count, received_minor, fees_minor, settlement_change_minor, opening_balance_minor';

/** SettlementReader over the settlement projection. Its tables must exist: run the projection's setup first. */
export class SqliteSettlementReader implements SettlementReader {
  constructor(private readonly database: Database.Database) {}

  listWindows(query: SettlementWindowQuery): SettlementWindowRecord[] {
    assert(
      Number.isSafeInteger(query.limit) && query.limit >= 1 && query.limit <= settlementWindowPageLimitMax,
      'a page of windows is within bounds',
    );
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (query.currency !== null) {
      conditions.push('currency = ?');
      parameters.push(query.currency);
    }
    if (query.state !== null) {
      conditions.push('state = ?');
      parameters.push(query.state);
    }
    if (query.beforeCreatedPosition !== null) {
      conditions.push('created_position < ?');
      parameters.push(query.beforeCreatedPosition);
    }
    parameters.push(query.limit);
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const rows = preparedStatement(this.database, `SELECT * FROM settlement_windows ${where} ORDER BY created_position DESC LIMIT ?`).all(
      ...parameters,
    ) as WindowRow[];
    return rows.map(toWindow);
  }

  findWindow(windowId: string): SettlementWindowRecord | null {
    const row = preparedStatement(this.database, 'SELECT * FROM settlement_windows WHERE window_id = ?').get(windowId) as
      WindowRow | undefined;
    return row === undefined ? null : toWindow(row);
  }

  windowLines(windowId: string): SettlementLineRecord[] {
    const rows = preparedStatement(
      this.database,
      `SELECT ${lineColumns} FROM settlement_lines WHERE window_id = ? ORDER BY participant LIMIT ?`,
    ).all(windowId, settlementLinesMax + 1) as LineRow[];
    assert(rows.length <= settlementLinesMax, `a window holds at most ${settlementLinesMax} participant lines`);
    return rows.map(toLine);
  }

  windowLine(windowId: string, participant: string): SettlementLineRecord | null {
    const row = preparedStatement(this.database, `SELECT ${lineColumns} FROM settlement_lines WHERE window_id = ? AND participant = ?`).get(
      windowId,
      participant,
    ) as LineRow | undefined;
    return row === undefined ? null : toLine(row);
  }

  balanceAtEnd(window: SettlementWindowRecord, participant: string): bigint {
    // The participant's last line up to this window: between its end and this window's end nothing of it moved.
    const row = preparedStatement(
      this.database,
      `SELECT ${lineColumns} FROM settlement_lines WHERE currency = ? AND participant = ? AND sequence <= ? ORDER BY sequence DESC LIMIT 1`,
    ).get(window.currency, participant, window.sequence) as LineRow | undefined;
    if (row === undefined) return 0n;
    const line = toLine(row);
    return line.openingBalanceMinor + line.receivedMinor - line.sentMinor - line.feesMinor + line.settlementChangeMinor;
  }

  postingsBookedIn(windowId: string, participant: string): SettlementPostingRecord[] {
    const rows = preparedStatement(
      this.database,
      'SELECT * FROM settlement_postings WHERE booked_window_id = ? AND participant = ? ORDER BY position LIMIT ?',
    ).all(windowId, participant, settlementLinesMax) as PostingRow[];
    return rows.map(toPosting);
  }

  postingsOf(settledWindowId: string): SettlementPostingRecord[] {
    const rows = preparedStatement(
      this.database,
      'SELECT * FROM settlement_postings WHERE settled_window_id = ? ORDER BY participant LIMIT ?',
    ).all(settledWindowId, settlementLinesMax) as PostingRow[];
    return rows.map(toPosting);
  }

  windowOfTransfer(transferId: string): string | null {
    const row = preparedStatement(this.database, 'SELECT window_id FROM settlement_transfers WHERE transfer_id = ?').get(transferId) as
      { window_id: string | null } | undefined;
    return row?.window_id ?? null;
  }
}

function toWindow(row: WindowRow): SettlementWindowRecord {
  assert((settlementWindowStates as readonly string[]).includes(row.state), `window ${row.window_id} has a known state`);
  return {
    windowId: row.window_id,
    currency: row.currency,
    sequence: Number(row.sequence),
    state: row.state as SettlementWindowState,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    settledAt: row.settled_at,
    reference: row.reference,
    firstPosition: row.first_position,
    lastPosition: row.last_position,
    createdPosition: row.created_position,
  };
}

function toLine(row: LineRow): SettlementLineRecord {
  return {
    participant: row.participant,
    sentCount: safeCount(row.sent_count),
    sentMinor: row.sent_minor,
    receivedCount: safeCount(row.received_count),
    receivedMinor: row.received_minor,
    feesMinor: row.fees_minor,
    settlementChangeMinor: row.settlement_change_minor,
    openingBalanceMinor: row.opening_balance_minor,
  };
}

function toPosting(row: PostingRow): SettlementPostingRecord {
  return {
    settledWindowId: row.settled_window_id,
    participant: row.participant,
    changeMinor: row.change_minor,
    bookedWindowId: row.booked_window_id,
    bookedAt: row.booked_at,
  };
}

function safeCount(count: bigint): number {
  assert(count >= 0n && count <= BigInt(Number.MAX_SAFE_INTEGER), 'a count fits a safe integer');
  return Number(count);
}
