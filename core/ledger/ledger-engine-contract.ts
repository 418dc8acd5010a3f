/**
 * What a ledger engine promises its callers (the guarantees are written out in ledger-engine.ts). The types live
 * apart from `createLedgerEngine` so that the engine implementing them does not import the module that builds it.
 */
import type { NewEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import type { ExpectedRevision } from '../eventstore/expected-revision';
import type { CurrencyCode } from '../money';
import type { Account } from './account';
import type { LedgerCommand } from './commands';
import type { LedgerResultCode } from './result-codes';
import type { Transfer } from './transfer';

export type SubmitReceipt = {
  /** results[i] is the answer to commands[i]. */
  results: LedgerResultCode[];
  /** Global log position of the append that carried this submit's events; null if it needed none. */
  position: bigint | null;
};

/**
 * Events of another stream (a transfer's) that ride in the same durable write as a submit's ledger events, so
 * that a payment's own record and its money move together. The engine checks `expectedRevision` before deciding
 * the submit: a stream not as expected rejects that submit alone with WrongExpectedRevisionError, its commands
 * undecided. Once the submit's commands are decided, `companionEvents` (companion-events.ts) says what to write
 * from the result of the command at `resultIndex` (the first by default): `accepted` when it is one of `acceptedWhen`, else `refused` with the refusal
 * filled in (nothing: []). It is data, not a function, so that a submit can cross a process boundary (a front-end
 * worker's remote engine, api/cluster/). On a store without multi-stream transactions (EventStoreDB) the entries
 * are written one stream at a time: `before_ledger` companions first, then the ledger's events, then
 * `after_ledger` companions.
 */
export type CompanionAppend = {
  stream: string;
  expectedRevision: ExpectedRevision;
  placement: 'before_ledger' | 'after_ledger';
  /** The command whose result decides what is written: its index in the submit's commands. Default 0, the first. */
  resultIndex?: number;
  /** That command's results that count as accepted. */
  acceptedWhen: readonly LedgerResultCode[];
  accepted: readonly NewEvent[];
  /**
   * Events written after `accepted` when another command of the same submit is accepted too: an ADVICE payment's
   * TransferCommitted rides with its reservation once the post (the next command) is accepted.
   */
  acceptedFollowUp?: CompanionFollowUp;
  refused: readonly NewEvent[];
  /** How the refused events of one type record the refusing result; absent: they are written as they are. */
  refusal?: CompanionRefusal;
};

export type CompanionFollowUp = { resultIndex: number; acceptedWhen: readonly LedgerResultCode[]; events: readonly NewEvent[] };

/**
 * The events of type `eventType` among the refused get the result code in `resultField` and the reason it maps
 * to (`reasons[result]`, else `otherReason`) in `reasonField`.
 */
export type CompanionRefusal = {
  eventType: string;
  resultField: string;
  reasonField: string;
  reasons: Readonly<Partial<Record<LedgerResultCode, string>>>;
  otherReason: string;
};

export type LedgerEngineStats = {
  ledger: CurrencyCode;
  /** Revision of the last ledger event applied, or null for an empty stream. */
  revision: bigint | null;
  queuedCommands: number;
  accounts: number;
  pendingTransfers: number;
  rememberedTransfers: number;
};

export interface LedgerEngine {
  readonly ledger: CurrencyCode;
  /** Loads the latest snapshot and replays the rest of the stream. Call once, before anything else. */
  start(): Promise<void>;
  /**
   * Queues commands; resolves with one result per command once they are decided and durable, together with the
   * companions' events (which are in the same durable write where the store allows it).
   */
  submit(commands: readonly LedgerCommand[], companions?: readonly CompanionAppend[]): Promise<SubmitReceipt>;
  /** A copy of the account, or undefined. */
  lookupAccount(accountId: string): Promise<Account | undefined>;
  /** A copy of the transfer, or undefined (also when it has left the idempotency window). */
  lookupTransfer(transferId: string): Promise<Transfer | undefined>;
  /** Expires every pending transfer whose timeout has passed at `now()`; resolves with how many expired. */
  expire(): Promise<number>;
  stats(): LedgerEngineStats;
  /** Finishes the work already queued, then stops; later submits reject with LEDGER_STOPPED. */
  stop(): Promise<void>;
}

/** One tick as metrics see it: how many commands one append carried, and how long the append took. */
export type TickCommitted = { commands: number; events: number; appendMs: number };

export type LedgerEngineOptions = {
  ledger: CurrencyCode;
  store: EventStore;
  /** The injected clock: decides expiries and stamps events. */
  now: () => Date;
  /** Commands decided and appended per tick. Default and maximum 8190. */
  batchCommandsMax?: number;
  /** Commands waiting at most; beyond this, submits get `overloaded`. Default 65,520 (8 full ticks). */
  queueCommandsMax?: number;
  /** A snapshot is written after at least this many ledger events since the last one. Default 100,000; 0: never. */
  snapshotEveryEvents?: number;
  /** Longest timeout a pending transfer may ask for. Default 24 hours. */
  timeoutMsMax?: number;
  /** Most accounts the ledger holds. Default 1,000,000. */
  accountsMax?: number;
  /** Most pending transfers held at once. Default 1,000,000. */
  pendingTransfersMax?: number;
  /**
   * How many ledger events back resolved transfers are remembered for idempotency. Default 10,000,000, at most
   * 100,000,000; the id window grows as it fills to about 31 bytes per event of it (see TransferIdWindow).
   */
  transfersRememberedEvents?: number;
  /** How often (wall clock) the engine looks for expired pending transfers while idle. Default 100 ms; 0: never. */
  expiryCheckIntervalMs?: number;
  /** Expiries per tick at most (they share the tick's append with the commands). Default 1024. */
  expiriesPerTickMax?: number;
  /**
   * Ledger records being written at most while the engine decides the next (1: decide, write, answer, then the
   * next; default). Above 1, on a store that offers a pipelined appender (SQLite, a worker thread with its own
   * connection), the next batch is decided on the state after the last while that one's durable write runs; answers
   * still wait for their own record to be durable, and appends stay in order. At most 4.
   */
  recordsInFlightMax?: number;
  /** Sees each tick once its events are durable (metrics: batch sizes). Must not throw. */
  onTickCommitted?: (tick: TickCommitted) => void;
};
