/**
 * The read side of settlement: a projection of the log (adapters/readmodel-sqlite/projections/settlement-*.ts)
 * holding windows, each participant's movements per window, and the settlement postings the ledger booked.
 * Synchronous, like every local SQLite read model.
 */
export const settlementWindowStates = ['OPEN', 'CLOSED', 'SETTLED'] as const;
export type SettlementWindowState = (typeof settlementWindowStates)[number];

export type SettlementWindowRecord = {
  windowId: string;
  currency: string;
  sequence: number;
  state: SettlementWindowState;
  /** Null only for the first window while a payment committed before it opened is all the log holds of it. */
  openedAt: string | null;
  closedAt: string | null;
  settledAt: string | null;
  /** The RTGS confirmation recorded at settlement. */
  reference: string | null;
  /** Log positions of the first and last event the window accounts for (its opening .. its close). */
  firstPosition: bigint | null;
  lastPosition: bigint | null;
  /** Position of the first event that named the window: the order windows are listed in. */
  createdPosition: bigint;
};

/**
 * A participant's movements inside one window. Payments committed count on both sides; a committed payment
 * reversed afterwards counts as a payment the other way, in the window open when it was reversed.
 */
export type SettlementLineRecord = {
  participant: string;
  sentCount: number;
  sentMinor: bigint;
  receivedCount: number;
  receivedMinor: bigint;
  /** Fees the participant paid (FEE legs debited to its position) less fees it earned (credited). */
  feesMinor: bigint;
  /** Settlement postings of earlier windows that the ledger booked while this window was open (its balance moves). */
  settlementChangeMinor: bigint;
  /** What the switch owed the participant (negative: what it owed the switch) when this window opened. */
  openingBalanceMinor: bigint;
};

/** A SETTLEMENT transfer the ledger booked for a settled window: how it moved the participant's balance. */
export type SettlementPostingRecord = {
  settledWindowId: string;
  participant: string;
  /** Change of what the switch owes the participant: negative when it was paid out, positive when it paid in. */
  changeMinor: bigint;
  /** The window open when the ledger booked it. */
  bookedWindowId: string;
  bookedAt: string;
};

export type SettlementWindowQuery = {
  currency: string | null;
  state: SettlementWindowState | null;
  /** Only windows named before this position (the cursor); null: from the newest. */
  beforeCreatedPosition: bigint | null;
  limit: number;
};

export const settlementWindowPageLimitDefault = 100;
export const settlementWindowPageLimitMax = 500;
/** Lines of one window at most: every participant of a currency fits. */
export const settlementLinesMax = 100_000;

export interface SettlementReader {
  /** Newest first. */
  listWindows(query: SettlementWindowQuery): SettlementWindowRecord[];
  findWindow(windowId: string): SettlementWindowRecord | null;
  /** Every participant line of the window, ordered by participant id. */
  windowLines(windowId: string): SettlementLineRecord[];
  windowLine(windowId: string, participant: string): SettlementLineRecord | null;
  /** What the switch owed the participant when the window closed (now, while it is open). */
  balanceAtEnd(window: SettlementWindowRecord, participant: string): bigint;
  /** Settlement postings the ledger booked while the window was open, for one participant, in log order. */
  postingsBookedIn(windowId: string, participant: string): SettlementPostingRecord[];
  /** Settlement postings already booked for a window being settled, by participant. */
  postingsOf(settledWindowId: string): SettlementPostingRecord[];
  /** The window a committed payment belongs to, or null when the read model holds no commit of it. */
  windowOfTransfer(transferId: string): string | null;
}
