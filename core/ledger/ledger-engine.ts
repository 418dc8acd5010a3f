/**
 * The ledger engine: the single writer of one ledger stream `ledger-<currency>`. Everything that moves money
 * (payments, fees, refunds, chargebacks, reversals, settlement) is a transfer submitted here.
 *
 * Use:
 *   const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date() });
 *   await engine.start();                      // loads the latest snapshot, replays the tail of the stream
 *   const { results, position } = await engine.submit([
 *     { type: 'create_account', id: 'MARGALLA-position', ledger: 'PKR', code: 'POSITION', owner: 'MARGALLA',
 *       debitLimitMinor: 500_000_00n },
 *     { type: 'pending_transfer', id: 't-1', ledger: 'PKR', debitAccountId: 'MARGALLA-position',
 *       creditAccountId: 'RAVI-position', amountMinor: 1500_50n, code: 'P2P', timeoutMs: 10_000,
 *       userData: { transferId: 't-1' }, linked: true },
 *     { type: 'pending_transfer', id: 't-1-fee', …, code: 'FEE', timeoutMs: 10_000 },   // last of the chain
 *   ]);
 *   // results[i] answers commands[i]: 'ok', 'exists', 'exceeds_net_debit_cap', … (see result-codes.ts)
 *   await engine.submit([{ type: 'post_pending', id: 't-1-post', pendingId: 't-1' }]);
 *   await engine.stop();
 *
 * Guarantees:
 * - A submit resolves only after the events of its `ok` commands are durable (one append per tick, fsync'd);
 *   `position` is that append's global log position (wait for a projection to pass it to read your write),
 *   or null when nothing was appended for this submit.
 * - Commands are decided in submit order; a later command sees the effect of an earlier one, also inside
 *   one submit. A submit is never split across appends.
 * - `linked: true` joins a command to the next one: the chain (up to and including the first command without
 *   `linked`) is applied wholly or not at all. The failing command gets its own code, the others
 *   `linked_event_failed`. A chain must end inside its submit (else `linked_event_chain_open`). `exists` does
 *   not fail a chain, so a retried chain answers `exists` throughout.
 * - Idempotency: a transfer id answers `exists` when repeated with the same fields, for as long as the
 *   engine remembers it (every pending transfer; resolved ones for `transfersRememberedEvents` ledger events,
 *   default 10,000,000). Choose ids that are never reused (uuids, or the switch's own transfer ids).
 * - Limits: debitsMustNotExceedCredits, creditsMustNotExceedDebits or a debit limit (net debit cap) per
 *   account. REVERSAL, CHARGEBACK and SETTLEMENT transfers are never refused for a limit.
 * - Pending transfers expire at reserve time + timeoutMs, by the injected clock: the engine checks on every
 *   tick and every `expiryCheckIntervalMs`, or when `expire()` is called. A post or void after the timeout
 *   gets `pending_expired`. Each reservation is released exactly once.
 * - Backpressure: at most `queueCommandsMax` commands wait; a submit that does not fit gets `overloaded` for
 *   every item and changes nothing. One submit holds at most `batchCommandsMax` (8190) commands.
 * - Fencing: appends carry the stream's expected revision, so a second engine on the same stream fails to
 *   write instead of forking it. After a failed append the engine rebuilds its state from the log; the
 *   submits of the failed tick reject with a DomainError LEDGER_WRITE_FAILED (nothing of theirs was written;
 *   resubmitting the same ids is safe).
 * - Lookups see only durable state: they wait for a tick in flight to finish.
 * - Companions: `submit(commands, companions)` may carry events of other streams (a payment's `transfer-<id>`)
 *   that are written in the same durable write as the tick's ledger events (`appendMany`; one SQLite
 *   transaction). Their expected revisions are checked before the submit is decided: a stream not as expected
 *   rejects that submit alone with WrongExpectedRevisionError, its commands undecided (two submits of one tick
 *   naming the same stream: the later one). If another writer changes a companion stream between that check and
 *   the write, the submits naming it are rejected and the tick's others are decided again in the next tick.
 *
 * What it writes (events.ts has the facts; readers decode them with ledgerFacts in ledger-record.ts):
 * - stream `ledger-<currency>`: one LedgerBatch record per tick (several only past the 1,000 KiB record limit), all
 *   of a tick in one append, holding one fact per accepted command or expiry in decision order: LedgerAccountOpened,
 *   LedgerDebitLimitChanged, LedgerTransferPosted (single phase), LedgerTransferReserved (pending),
 *   LedgerPendingPosted, LedgerPendingVoided, LedgerPendingExpired. The record is binary (fixed-width rows, amounts
 *   as u64 minor units, a CRC-32); metadata `at` is the tick's injected time. Logs written before batch records hold
 *   one JSON event per fact; ledgerFacts reads both, and new records follow old ones in the same stream;
 * - stream `snapshot-ledger-<currency>`: LedgerSnapshotChunk events (accounts and pending transfers at one
 *   fact count and record count), written after every `snapshotEveryEvents` ledger facts; start-up reads the latest.
 * - stream `snapshot-ledger-window-<currency>`: LedgerWindowSegment binary events appended just before each
 *   snapshot: the transfer id window's entries since the last segment (transfer-id-window-segment.ts), so that a
 *   start reads the window instead of rebuilding it from the log; the log stays the truth if one is unusable.
 * `npm run verify` checks a store's ledgers (core/ledger/ledger-verification.ts).
 *
 * Pipelining (`recordsInFlightMax: 2`, off by default): on the SQLite store the next tick is decided, on the state
 * after the last one, while the last one's record is written by a worker thread holding its own connection
 * (core/eventstore/pipelined-appender.ts). The guarantees above hold as they are: a submit is answered once its own
 * record is durable, records are appended in decision order, and lookups, expire(), snapshots and a submit naming a
 * companion stream that a record in flight writes wait for the records in flight first. If an append fails, the
 * writer writes nothing after it: that tick's submits hear the failure as above, the submits of the ticks decided on
 * top of it go back to the head of the queue and are decided once more on the state rebuilt from the log (a second
 * such failure is answered LEDGER_WRITE_FAILED).
 *
 * On the SQLite store the engine uses its synchronous `appendSync` / `appendManySync` (one call per tick, no
 * promise); on any other EventStore it awaits `append` / `appendMany`. Both keep the same guarantees, except that a
 * store without multi-stream transactions (EventStoreDB) writes a tick's companions and ledger events stream by
 * stream (see CompanionAppend for the order).
 */
import { SingleWriterLedgerEngine } from './single-writer-engine';
import type { LedgerEngine, LedgerEngineOptions } from './ledger-engine-contract';

export type { LedgerEngine, LedgerEngineOptions } from './ledger-engine-contract';

/** The engine for one ledger (currency). Call `start()` before submitting. */
export function createLedgerEngine(options: LedgerEngineOptions): LedgerEngine {
  return new SingleWriterLedgerEngine(options);
}
