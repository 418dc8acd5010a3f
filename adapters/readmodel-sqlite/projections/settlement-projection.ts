import type { SettlementLineRecord } from '../../../core/settlement/settlement-reader';
import { assert, assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { LedgerPendingPosted, LedgerTransferPosted } from '../../../core/ledger/events';
import { ledgerBatchType, ledgerFacts } from '../../../core/ledger/ledger-record';
import { positionAccountId } from '../../../core/participants/participant-accounts';
import type { SettlementWindowEvent } from '../../../core/settlement/settlement-window-events';
import { settlementWindowId } from '../../../core/settlement/settlement-window-events';
import type { TransferEvent } from '../../../core/transfers/transfer-events';
import { clearTables } from '../clear-tables';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { insertRows } from '../row-inserts';
import { preparedStatement } from '../statement-cache';

const handledTypes = [
  'SettlementWindowOpened',
  'SettlementWindowClosed',
  'SettlementWindowSettled',
  'TransferInitiated',
  'TransferCommitted',
  'TransferAborted',
  'TransferReversed',
  'LedgerTransferPosted',
  'LedgerPendingPosted',
  ledgerBatchType,
] as const;

/** Ledger stream events: one fact each (logs before batch records) or a batch record; ledgerFacts reads both. */
type LedgerStreamEvent = { type: LedgerTransferPosted['type'] | LedgerPendingPosted['type'] | typeof ledgerBatchType };

type HandledEvent = SettlementWindowEvent | TransferEvent | LedgerStreamEvent;

/** The transfer events a run of payments holds (see applyPaymentRun). */
type PaymentEvent = Extract<TransferEvent, { type: 'TransferInitiated' | 'TransferCommitted' | 'TransferAborted' }>;

/** How one event moves one participant's line in the window open at that event. */
type Movement = Omit<SettlementLineRecord, 'participant' | 'openingBalanceMinor'>;

const noMovement: Movement = { sentCount: 0, sentMinor: 0n, receivedCount: 0, receivedMinor: 0n, feesMinor: 0n, settlementChangeMinor: 0n };

/**
 * Settlement windows and what each participant did in each (docs/ARCHITECTURE.md section 8), folded from the log in order:
 * - window membership is log order: a payment belongs to the window open when its TransferCommitted was written
 *   (the window whose SettlementWindowOpened this projection has seen and whose SettlementWindowClosed it has not),
 *   so a payment committed while a window closes lands in exactly one window, by construction;
 * - a reversal of a committed payment counts as a payment the other way, in the window open when it is recorded;
 * - fees are the FEE legs the ledger posts on participants' position accounts;
 * - SETTLEMENT postings are recorded per settled window, for the statements (they move balances) and so that a
 *   settle retried long after a crash can see what the ledger booked already.
 * Payments before the first window opens belong to window 1 (it covers the log from its beginning).
 */
export const settlementProjection: Projection<SqliteReadModelTx> = {
  name: 'settlement',
  handles: handledTypes,
  setup(tx) {
    tx.exec(schema);
  },
  reset(tx) {
    clearTables(tx, [
      'settlement_windows',
      'settlement_current',
      'settlement_lines',
      'settlement_balances',
      'settlement_transfers',
      'settlement_postings',
    ]);
  },
  apply(recorded, tx) {
    applySettlementEvents([recorded], tx);
  },
  applyMany(events, tx) {
    applySettlementEvents(events, tx);
  },
};

/**
 * Applies events in log order: each run of consecutive transfer initiations and finishes is folded together
 * (applyPaymentRun); anything else (a window event, a reversal, the ledger's postings) is applied as it comes,
 * between runs, so that what a run adds up lands in the window open at it.
 */
function applySettlementEvents(events: readonly RecordedEvent[], tx: SqliteReadModelTx): void {
  let run: (RecordedEvent & PaymentEvent)[] = [];
  for (const recorded of events) {
    const event = recorded as RecordedEvent & HandledEvent;
    if (event.type === 'TransferInitiated' || event.type === 'TransferCommitted' || event.type === 'TransferAborted') {
      run.push(event);
      continue;
    }
    applyPaymentRun(tx, run);
    run = [];
    applyOne(tx, event);
  }
  applyPaymentRun(tx, run);
}

function applyOne(tx: SqliteReadModelTx, event: RecordedEvent & HandledEvent): void {
  switch (event.type) {
    case 'SettlementWindowOpened':
    case 'SettlementWindowClosed':
    case 'SettlementWindowSettled':
      applyWindowEvent(tx, event, event.position);
      return;
    case 'TransferInitiated':
    case 'TransferCommitted':
    case 'TransferAborted':
      applyPaymentRun(tx, [event]);
      return;
    case 'TransferReversed': {
      const transfer = findTransfer(tx, event.data.transferId);
      if (transfer.state !== 'COMMITTED') return;
      preparedStatement(tx, sql.reverseTransfer).run(transfer.transfer_id);
      move(tx, transfer.currency, transfer.payee, { ...noMovement, sentCount: 1, sentMinor: transfer.amount_minor }, event.position);
      move(
        tx,
        transfer.currency,
        transfer.payer,
        { ...noMovement, receivedCount: 1, receivedMinor: transfer.amount_minor },
        event.position,
      );
      return;
    }
    case 'LedgerTransferPosted':
    case 'LedgerPendingPosted':
    case ledgerBatchType:
      for (const fact of ledgerFacts(event))
        if (fact.type === 'LedgerTransferPosted' || fact.type === 'LedgerPendingPosted') applyLedgerPosting(tx, fact, event);
      return;
    default:
      assertNever(event);
  }
}

/** A participant's movements of one run in its currency's open window, summed, with the positions they span. */
type RunMovement = Movement & { currency: string; participant: string; firstPosition: bigint; lastPosition: bigint };

/**
 * A run of payment events with no window event among them, so every commit of the run lands in one window per
 * currency. Transfers initiated in the run are kept in memory and written once, as the run leaves them (committed
 * into their window, still initiated, or not at all when aborted); each participant's movements are summed and
 * added to its line and balance once. The read model ends exactly as applying each event in turn leaves it: a
 * line opens at the participant's balance before its first movement in the window, which is its balance before
 * the run (its earlier movements in the run, in the same window, would have opened the line).
 */
function applyPaymentRun(tx: SqliteReadModelTx, run: readonly (RecordedEvent & PaymentEvent)[]): void {
  if (run.length === 0) return;
  const initiated = new Map<string, TransferRow & { window_id: string | null }>();
  const movements = new Map<string, RunMovement>();
  const sequences = new Map<string, number>();
  const sequenceOf = (currency: string): number => {
    let sequence = sequences.get(currency);
    if (sequence === undefined) {
      sequence = currentSequence(tx, currency);
      sequences.set(currency, sequence);
    }
    return sequence;
  };
  const add = (currency: string, participant: string, movement: Partial<Movement>, position: bigint): void => {
    const key = `${currency}\u0000${participant}`;
    const sum = movements.get(key) ?? { ...noMovement, currency, participant, firstPosition: position, lastPosition: position };
    sum.sentCount += movement.sentCount ?? 0;
    sum.sentMinor += movement.sentMinor ?? 0n;
    sum.receivedCount += movement.receivedCount ?? 0;
    sum.receivedMinor += movement.receivedMinor ?? 0n;
    sum.lastPosition = position;
    movements.set(key, sum);
  };
  for (const event of run) {
    switch (event.type) {
      case 'TransferInitiated': {
        const data = event.data;
        initiated.set(data.transferId, {
          transfer_id: data.transferId,
          currency: data.currency,
          payer: data.payerParticipant,
          payee: data.payeeParticipant,
          amount_minor: BigInt(data.amountMinor),
          state: 'INITIATED',
          window_id: null,
        });
        break;
      }
      case 'TransferCommitted': {
        const held = initiated.get(event.data.transferId);
        const transfer = held ?? findTransfer(tx, event.data.transferId);
        if (transfer.state !== 'INITIATED') break;
        const windowId = settlementWindowId(transfer.currency, sequenceOf(transfer.currency));
        if (held === undefined) preparedStatement(tx, sql.commitTransfer).run(windowId, transfer.transfer_id);
        else Object.assign(held, { state: 'COMMITTED', window_id: windowId });
        add(transfer.currency, transfer.payer, { sentCount: 1, sentMinor: transfer.amount_minor }, event.position);
        add(transfer.currency, transfer.payee, { receivedCount: 1, receivedMinor: transfer.amount_minor }, event.position);
        break;
      }
      case 'TransferAborted': {
        // Nothing moved: the transfer is of no further interest to settlement.
        const held = initiated.get(event.data.transferId);
        if (held === undefined) preparedStatement(tx, sql.deleteInitiated).run(event.data.transferId);
        else if (held.state === 'INITIATED') initiated.delete(event.data.transferId);
        break;
      }
      default:
        assertNever(event);
    }
  }
  insertRows(
    tx,
    sql.insertTransfers,
    7,
    [...initiated.values()].map((row) => [row.transfer_id, row.currency, row.payer, row.payee, row.amount_minor, row.state, row.window_id]),
  );
  // Per currency, the positions of the run's first and last commit: the window's span grows to them.
  const spans = new Map<string, { firstPosition: bigint; lastPosition: bigint }>();
  for (const sum of movements.values()) {
    const span = spans.get(sum.currency);
    if (span === undefined) spans.set(sum.currency, { firstPosition: sum.firstPosition, lastPosition: sum.lastPosition });
    else if (sum.lastPosition > span.lastPosition) span.lastPosition = sum.lastPosition;
  }
  for (const [currency, span] of spans) ensureWindow(tx, currency, sequenceOf(currency), span.firstPosition);
  for (const sum of movements.values()) addMovement(tx, sum.currency, sequenceOf(sum.currency), sum.participant, sum);
  for (const [currency, span] of spans)
    preparedStatement(tx, sql.windowSpan).run(span.firstPosition, span.lastPosition, settlementWindowId(currency, sequenceOf(currency)));
}

function applyWindowEvent(tx: SqliteReadModelTx, event: SettlementWindowEvent, position: bigint): void {
  switch (event.type) {
    case 'SettlementWindowOpened': {
      const { currency, sequence, openedAt } = event.data;
      ensureWindow(tx, currency, sequence, position);
      preparedStatement(tx, sql.openWindow).run({ openedAt, position, windowId: event.data.windowId });
      preparedStatement(tx, sql.setCurrent).run(currency, sequence);
      return;
    }
    case 'SettlementWindowClosed': {
      const { currency, windowId, closedAt } = event.data;
      const sequence = currentSequence(tx, currency);
      assert(settlementWindowId(currency, sequence) === windowId, `the window closing, ${windowId}, is the one open`);
      preparedStatement(tx, sql.closeWindow).run(closedAt, position, windowId);
      // The next window opens in the same append. Pointing at it now keeps a closed window closed even if another
      // stream's event were ever to land between the two.
      preparedStatement(tx, sql.setCurrent).run(currency, sequence + 1);
      return;
    }
    case 'SettlementWindowSettled':
      preparedStatement(tx, sql.settleWindow).run(event.data.settledAt, event.data.reference, event.data.windowId);
      return;
    default:
      assertNever(event);
  }
}

const ledgerStreamPrefix = 'ledger-';

function applyLedgerPosting(tx: SqliteReadModelTx, event: LedgerTransferPosted | LedgerPendingPosted, recorded: RecordedEvent): void {
  const { code, debitAccountId, creditAccountId } = event.data;
  if (code !== 'FEE' && code !== 'SETTLEMENT' && code !== 'CHARGEBACK' && code !== 'INBOUND') return;
  assert(recorded.stream.startsWith(ledgerStreamPrefix), `ledger events live in ledger-<currency> streams, not ${recorded.stream}`);
  const currency = recorded.stream.slice(ledgerStreamPrefix.length);
  const amountMinor = BigInt(event.data.amountMinor);
  const debited = participantOfPosition(debitAccountId);
  const credited = participantOfPosition(creditAccountId);
  // An in-bound payment's legs (issue 17) have no transfer stream either: each posted leg is sent by its debited
  // position and received by its credited one, in its own currency's window.
  if (code === 'CHARGEBACK' || code === 'INBOUND') {
    // A dispute's chargeback moves money between positions with no transfer stream of its own: like a reversal,
    // the respondent sends it back and the claimant receives it, so the window's nets (and settling them) include it.
    if (debited !== null) move(tx, currency, debited, { ...noMovement, sentCount: 1, sentMinor: amountMinor }, recorded.position);
    if (credited !== null) move(tx, currency, credited, { ...noMovement, receivedCount: 1, receivedMinor: amountMinor }, recorded.position);
    return;
  }
  if (code === 'FEE') {
    if (debited !== null) move(tx, currency, debited, { ...noMovement, feesMinor: amountMinor }, recorded.position);
    if (credited !== null) move(tx, currency, credited, { ...noMovement, feesMinor: -amountMinor }, recorded.position);
    return;
  }
  // The settlement service books single-phase transfers that name their window; anything else is a bug upstream.
  assert(event.type === 'LedgerTransferPosted', 'SETTLEMENT transfers are posted in one phase');
  const settledWindowId = event.data.userData?.['windowId'];
  const participant = event.data.userData?.['participant'];
  assert(settledWindowId !== undefined && participant !== undefined, 'a SETTLEMENT posting names its window and participant');
  assert(debited === participant || credited === participant, `the SETTLEMENT posting of ${participant} moves its own position`);
  // Debiting the position of a participant that was owed pays it out: the switch owes it that much less.
  const changeMinor = debited === participant ? -amountMinor : amountMinor;
  const bookedWindowId = settlementWindowId(currency, currentSequence(tx, currency));
  preparedStatement(tx, sql.insertPosting).run(
    settledWindowId,
    participant,
    changeMinor,
    bookedWindowId,
    recorded.metadata.at,
    recorded.position,
  );
  move(tx, currency, participant, { ...noMovement, settlementChangeMinor: changeMinor }, recorded.position);
}

/** The participant whose position account this is, or null for any other account (hub, liquidity, merchant). */
function participantOfPosition(accountId: string): string | null {
  const suffix = positionAccountId('');
  if (!accountId.endsWith(suffix)) return null;
  const participant = accountId.slice(0, accountId.length - suffix.length);
  return participant.length > 0 && positionAccountId(participant) === accountId ? participant : null;
}

/** Adds a movement to the participant's line of the window open now, and to its running balance. */
function move(tx: SqliteReadModelTx, currency: string, participant: string, movement: Movement, position: bigint): void {
  const sequence = currentSequence(tx, currency);
  ensureWindow(tx, currency, sequence, position);
  addMovement(tx, currency, sequence, participant, movement);
  preparedStatement(tx, sql.windowSpan).run(position, position, settlementWindowId(currency, sequence));
}

/** Adds a movement to the participant's line of window `sequence` (opening it first) and to its running balance. */
function addMovement(tx: SqliteReadModelTx, currency: string, sequence: number, participant: string, movement: Movement): void {
  const windowId = settlementWindowId(currency, sequence);
  // A participant's first line in a window opens at its running balance: nothing of it has moved in this window yet.
  preparedStatement(tx, sql.ensureLine).run(windowId, participant, currency, sequence, currency, participant);
  preparedStatement(tx, sql.addToLine).run(
    movement.sentCount,
    movement.sentMinor,
    movement.receivedCount,
    movement.receivedMinor,
    movement.feesMinor,
    movement.settlementChangeMinor,
    windowId,
    participant,
  );
  const balanceChangeMinor = movement.receivedMinor - movement.sentMinor - movement.feesMinor + movement.settlementChangeMinor;
  preparedStatement(tx, sql.addToBalance).run(currency, participant, balanceChangeMinor);
}

function currentSequence(tx: SqliteReadModelTx, currency: string): number {
  const row = preparedStatement(tx, sql.current).get(currency) as { sequence: bigint } | undefined;
  return row === undefined ? 1 : Number(row.sequence);
}

function ensureWindow(tx: SqliteReadModelTx, currency: string, sequence: number, position: bigint): void {
  preparedStatement(tx, sql.ensureWindow).run(settlementWindowId(currency, sequence), currency, sequence, position);
}

type TransferRow = { transfer_id: string; currency: string; payer: string; payee: string; amount_minor: bigint; state: string };

function findTransfer(tx: SqliteReadModelTx, transferId: string): TransferRow {
  const row = preparedStatement(tx, sql.findTransfer).get(transferId) as TransferRow | undefined;
  assert(row !== undefined, `transfer ${transferId} was initiated before it completed`);
  return row;
}

const schema = `
  CREATE TABLE IF NOT EXISTS settlement_windows (
    window_id        TEXT PRIMARY KEY,
    currency         TEXT NOT NULL,
    sequence         INTEGER NOT NULL,
    state            TEXT NOT NULL,
    opened_at        TEXT,
    closed_at        TEXT,
    settled_at       TEXT,
    reference        TEXT,
    first_position   INTEGER,
    last_position    INTEGER,
    created_position INTEGER NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX IF NOT EXISTS settlement_windows_by_number ON settlement_windows (currency, sequence);
  CREATE INDEX IF NOT EXISTS settlement_windows_by_creation ON settlement_windows (created_position);
  CREATE TABLE IF NOT EXISTS settlement_current (
    currency TEXT PRIMARY KEY,
    sequence INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS settlement_lines (
    window_id               TEXT NOT NULL,
    participant             TEXT NOT NULL,
    currency                TEXT NOT NULL,
    sequence                INTEGER NOT NULL,
    sent_count              INTEGER NOT NULL DEFAULT 0,
    sent_minor              INTEGER NOT NULL DEFAULT 0,
    received_count          INTEGER NOT NULL DEFAULT 0,
    received_minor          INTEGER NOT NULL DEFAULT 0,
    fees_minor              INTEGER NOT NULL DEFAULT 0,
    settlement_change_minor INTEGER NOT NULL DEFAULT 0,
    opening_balance_minor   INTEGER NOT NULL,
    PRIMARY KEY (window_id, participant)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS settlement_lines_by_participant ON settlement_lines (currency, participant, sequence);
  CREATE TABLE IF NOT EXISTS settlement_balances (
    currency      TEXT NOT NULL,
    participant   TEXT NOT NULL,
    balance_minor INTEGER NOT NULL,
    PRIMARY KEY (currency, participant)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS settlement_transfers (
    transfer_id  TEXT PRIMARY KEY,
    currency     TEXT NOT NULL,
    payer        TEXT NOT NULL,
    payee        TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    state        TEXT NOT NULL,
    window_id    TEXT
  ) STRICT;
  CREATE TABLE IF NOT EXISTS settlement_postings (
    settled_window_id TEXT NOT NULL,
    participant       TEXT NOT NULL,
    change_minor      INTEGER NOT NULL,
    booked_window_id  TEXT NOT NULL,
    booked_at         TEXT NOT NULL,
    position          INTEGER NOT NULL,
    PRIMARY KEY (settled_window_id, participant)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS settlement_postings_by_booking ON settlement_postings (booked_window_id, participant, position);
`;

const sql = {
  current: 'SELECT sequence FROM settlement_current WHERE currency = ?',
  setCurrent:
    'INSERT INTO settlement_current (currency, sequence) VALUES (?, ?) ON CONFLICT (currency) DO UPDATE SET sequence = excluded.sequence',
  ensureWindow: `INSERT INTO settlement_windows (window_id, currency, sequence, state, created_position) VALUES (?, ?, ?, 'OPEN', ?)
                 ON CONFLICT (window_id) DO NOTHING`,
  openWindow: `UPDATE settlement_windows SET opened_at = @openedAt,
                 first_position = MIN(COALESCE(first_position, @position), @position), last_position = MAX(COALESCE(last_position, @position), @position)
               WHERE window_id = @windowId`,
  closeWindow: "UPDATE settlement_windows SET state = 'CLOSED', closed_at = ?, last_position = ? WHERE window_id = ? AND state = 'OPEN'",
  settleWindow: "UPDATE settlement_windows SET state = 'SETTLED', settled_at = ?, reference = ? WHERE window_id = ? AND state = 'CLOSED'",
  windowSpan: 'UPDATE settlement_windows SET first_position = COALESCE(first_position, ?), last_position = ? WHERE window_id = ?',
  ensureLine: `INSERT INTO settlement_lines (window_id, participant, currency, sequence, opening_balance_minor)
               VALUES (?, ?, ?, ?, COALESCE((SELECT balance_minor FROM settlement_balances WHERE currency = ? AND participant = ?), 0))
               ON CONFLICT (window_id, participant) DO NOTHING`,
  addToLine: `UPDATE settlement_lines SET sent_count = sent_count + ?, sent_minor = sent_minor + ?, received_count = received_count + ?,
                received_minor = received_minor + ?, fees_minor = fees_minor + ?, settlement_change_minor = settlement_change_minor + ?
              WHERE window_id = ? AND participant = ?`,
  addToBalance: `INSERT INTO settlement_balances (currency, participant, balance_minor) VALUES (?, ?, ?)
                 ON CONFLICT (currency, participant) DO UPDATE SET balance_minor = balance_minor + excluded.balance_minor`,
  insertTransfers: 'INSERT INTO settlement_transfers (transfer_id, currency, payer, payee, amount_minor, state, window_id)',
  findTransfer: 'SELECT transfer_id, currency, payer, payee, amount_minor, state FROM settlement_transfers WHERE transfer_id = ?',
  commitTransfer: "UPDATE settlement_transfers SET state = 'COMMITTED', window_id = ? WHERE transfer_id = ?",
  reverseTransfer: "UPDATE settlement_transfers SET state = 'REVERSED' WHERE transfer_id = ?",
  deleteInitiated: "DELETE FROM settlement_transfers WHERE transfer_id = ? AND state = 'INITIATED'",
  insertPosting: `INSERT INTO settlement_postings (settled_window_id, participant, change_minor, booked_window_id, booked_at, position)
                  VALUES (?, ?, ?, ?, ?, ?)`,
} as const;
