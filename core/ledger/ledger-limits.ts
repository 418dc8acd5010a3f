/**
 * Fixed limits of the ledger model. Balances are capped at 2^63 - 1 minor units so that every balance and
 * amount fits a signed 64-bit integer: the read models (SQLite INTEGER) and ISO 8583 can hold any of them.
 */
export const balanceMinorMax = 2n ** 63n - 1n;

/** Ids (accounts, transfers, owners): short, printable, safe in logs, URLs and SQL keys. */
export const idPattern = /^[A-Za-z0-9._:-]{1,64}$/;

export const userDataEntriesMax = 8;
export const userDataKeyPattern = /^[A-Za-z0-9_]{1,32}$/;
export const userDataValueLengthMax = 128;

/** The most commands one tick decides and one append carries: TigerBeetle's batch size. */
export const batchCommandsMax = 8190;

/**
 * The most ledger records an engine has being written while it decides the next (recordsInFlightMax): each holds
 * up to a tick's batch in memory until it is durable, and more than a few would only queue behind one writer.
 */
export const recordsInFlightLimit = 4;

/**
 * The most pending transfers a ledger holds (PendingTransfers' columns), and so the highest `pendingTransfersMax`
 * an engine takes: the decider refuses new ones at that tunable, while a log or snapshot written under a higher one
 * still loads up to this.
 */
export const pendingTransfersLimit = 100_000_000;

/** Tunable limits of one engine (see LedgerEngineOptions for what each means). */
export type LedgerTunables = {
  timeoutMsMax: number;
  accountsMax: number;
  pendingTransfersMax: number;
  transfersRememberedEvents: number;
};

export const defaultTunables: LedgerTunables = {
  timeoutMsMax: 24 * 60 * 60 * 1000,
  accountsMax: 1_000_000,
  pendingTransfersMax: 1_000_000,
  // Issue 18's 10,000,000 events. The id window grows as it fills (from 65,536 entries, about 1.5 MiB), so six
  // enabled currencies no longer reserve 1.8 GB up front; a full window is about 304 MiB per ledger.
  transfersRememberedEvents: 10_000_000,
};

/**
 * The longest idempotency window an engine takes, in ledger events: its id window (TransferIdWindow) grows to
 * 24 bytes per event of it plus its index, 3.1 GB at this maximum once full.
 */
export const transfersRememberedEventsMax = 100_000_000;
