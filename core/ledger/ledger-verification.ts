import type { RecordedEvent } from '../eventstore/event';
import type { EventStore } from '../eventstore/event-store';
import { currencyCodes, type CurrencyCode } from '../money';
import { canonicalState } from './canonical-state';
import type { LedgerEvent } from './events';
import { ledgerStreamName } from './events';
import { firstFactNumber, ledgerFacts, ledgerRecordsPerReadMax } from './ledger-record';
import { loadLedger } from './ledger-loader';
import { defaultTunables, type LedgerTunables } from './ledger-limits';
import { isLimitExempt, type TransferCode } from './transfer-codes';

/**
 * An independent check of a ledger's log, used by `npm run verify` and by the tests. It does not reuse the
 * decider's evolve for the invariants (a bug there would otherwise hide itself); it folds the events with a
 * model of its own and checks, at every event boundary:
 * 1. double entry: total debits equal total credits, posted and pending, so the balances sum to zero;
 * 2. no balance is negative; every event names accounts that were opened, once;
 * 3. limits: after every debit that is not REVERSAL/CHARGEBACK/SETTLEMENT, the debit account is within its
 *    debit limit (or its credits) and the credit account within its debits, under the limit in force then;
 * 4. every pending transfer is resolved (posted, voided, expired) at most once, a post is within the pending
 *    amount, posts and voids happen before the timeout and expiries not before it (by the events' `at`);
 * 5. loading the latest snapshot (plus the tail) gives exactly the state of a replay from empty.
 */
export type LedgerReport = {
  ledger: CurrencyCode;
  events: number;
  accounts: number;
  transfers: number;
  openPendingTransfers: number;
  snapshotChecked: boolean;
  violations: string[];
};

type ModelAccount = {
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
  debitLimit: bigint | null;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
};

type ModelPending = {
  debit: string;
  credit: string;
  amount: bigint;
  code: TransferCode;
  expiresAtMs: number;
  status: 'pending' | 'posted' | 'voided' | 'expired';
};

/** Violations are capped: a broken log could otherwise produce one line per event. */
const violationsMax = 50;

/** Folds a ledger stream's events in order and collects the invariants they break (see the header). */
export class LedgerInvariantChecker {
  readonly accounts = new Map<string, ModelAccount>();
  readonly pending = new Map<string, ModelPending>();
  readonly violations: string[] = [];
  transfers = 0;
  /** Facts folded so far, and the stream records that held them. */
  events = 0;
  records = 0;
  private totals = { debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n };

  constructor(readonly ledger: CurrencyCode) {}

  /** Folds one record of the stream: a batch record's facts, or one JSON fact (logs before batch records). */
  apply(recorded: RecordedEvent): void {
    const where = `ledger-${this.ledger} revision ${recorded.revision}`;
    if (recorded.revision !== BigInt(this.records)) this.fail(`${where}: expected revision ${this.records} (no gaps)`);
    this.records += 1;
    let facts: LedgerEvent[];
    try {
      if (firstFactNumber(recorded) !== this.events) this.fail(`${where}: expected its first fact to be fact ${this.events}`);
      facts = ledgerFacts(recorded);
    } catch (error) {
      return this.fail(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const atMs = Date.parse(recorded.metadata.at);
    for (const fact of facts) {
      this.events += 1;
      this.applyEvent(fact, atMs, where);
      this.checkTotals(where);
    }
  }

  private checkTotals(where: string): void {
    const totals = this.totals;
    if (totals.debitsPosted !== totals.creditsPosted || totals.debitsPending !== totals.creditsPending) {
      this.fail(
        `${where}: balances do not sum to zero (debits ${totals.debitsPosted}/${totals.debitsPending}, credits ${totals.creditsPosted}/${totals.creditsPending})`,
      );
    }
  }

  private applyEvent(event: LedgerEvent, atMs: number, where: string): void {
    switch (event.type) {
      case 'LedgerAccountOpened': {
        const data = event.data;
        if (this.accounts.has(data.accountId)) return this.fail(`${where}: account ${data.accountId} opened twice`);
        if (data.ledger !== this.ledger) return this.fail(`${where}: account ${data.accountId} opened for ledger ${data.ledger}`);
        this.accounts.set(data.accountId, {
          debitsPending: 0n,
          debitsPosted: 0n,
          creditsPending: 0n,
          creditsPosted: 0n,
          debitLimit: data.debitLimitMinor === null ? null : BigInt(data.debitLimitMinor),
          debitsMustNotExceedCredits: data.debitsMustNotExceedCredits,
          creditsMustNotExceedDebits: data.creditsMustNotExceedDebits,
        });
        return;
      }
      case 'LedgerDebitLimitChanged': {
        const account = this.account(event.data.accountId, where);
        if (account) account.debitLimit = event.data.debitLimitMinor === null ? null : BigInt(event.data.debitLimitMinor);
        return;
      }
      case 'LedgerTransferPosted':
      case 'LedgerTransferReserved':
        return this.applyTransfer(event, atMs, where);
      case 'LedgerPendingPosted':
      case 'LedgerPendingVoided':
      case 'LedgerPendingExpired':
        return this.applyResolution(event, atMs, where);
    }
  }

  private applyTransfer(
    event: Extract<LedgerEvent, { type: 'LedgerTransferPosted' | 'LedgerTransferReserved' }>,
    atMs: number,
    where: string,
  ): void {
    const data = event.data;
    const amount = BigInt(data.amountMinor);
    const debit = this.account(data.debitAccountId, where);
    const credit = this.account(data.creditAccountId, where);
    if (!debit || !credit) return;
    if (amount <= 0n) this.fail(`${where}: transfer ${data.transferId} moves a non-positive amount`);
    if (data.debitAccountId === data.creditAccountId) this.fail(`${where}: transfer ${data.transferId} debits and credits one account`);
    this.transfers += 1;
    if (event.type === 'LedgerTransferPosted') {
      this.move(debit, credit, amount, 'posted');
    } else {
      if (this.pending.get(data.transferId)?.status === 'pending')
        this.fail(`${where}: pending transfer ${data.transferId} reserved again while it is pending`);
      this.move(debit, credit, amount, 'pending');
      const expiresAtMs = Date.parse(event.data.expiresAt);
      if (expiresAtMs !== atMs + event.data.timeoutMs)
        this.fail(`${where}: pending ${data.transferId} expires at its reserve time plus its timeout`);
      this.pending.set(data.transferId, {
        debit: data.debitAccountId,
        credit: data.creditAccountId,
        amount,
        code: data.code,
        expiresAtMs,
        status: 'pending',
      });
    }
    if (isLimitExempt(data.code)) return;
    const debitsAfter = debit.debitsPending + debit.debitsPosted;
    if (debit.debitLimit !== null && debitsAfter > debit.creditsPosted + debit.debitLimit) {
      this.fail(`${where}: transfer ${data.transferId} takes ${data.debitAccountId} past its net debit cap`);
    }
    if (debit.debitsMustNotExceedCredits && debitsAfter > debit.creditsPosted)
      this.fail(`${where}: transfer ${data.transferId} takes ${data.debitAccountId} past its credits`);
    if (credit.creditsMustNotExceedDebits && credit.creditsPending + credit.creditsPosted > credit.debitsPosted) {
      this.fail(`${where}: transfer ${data.transferId} takes ${data.creditAccountId} past its debits`);
    }
  }

  private applyResolution(
    event: Extract<LedgerEvent, { type: 'LedgerPendingPosted' | 'LedgerPendingVoided' | 'LedgerPendingExpired' }>,
    atMs: number,
    where: string,
  ): void {
    const data = event.data;
    const pending = this.pending.get(data.pendingId);
    if (!pending) return this.fail(`${where}: ${event.type} of unknown pending transfer ${data.pendingId}`);
    if (pending.status !== 'pending')
      return this.fail(`${where}: pending transfer ${data.pendingId} resolved again (it was ${pending.status})`);
    if (pending.debit !== data.debitAccountId || pending.credit !== data.creditAccountId)
      this.fail(`${where}: ${event.type} names other accounts than ${data.pendingId}`);
    const debit = this.account(pending.debit, where);
    const credit = this.account(pending.credit, where);
    if (!debit || !credit) return;
    this.move(debit, credit, -pending.amount, 'pending');
    if (event.type === 'LedgerPendingExpired') {
      if (atMs < pending.expiresAtMs) this.fail(`${where}: pending transfer ${data.pendingId} expired before its timeout`);
      pending.status = 'expired';
      return;
    }
    if (atMs >= pending.expiresAtMs) this.fail(`${where}: pending transfer ${data.pendingId} resolved after its timeout`);
    this.transfers += 1;
    if (event.type === 'LedgerPendingVoided') {
      if (BigInt(event.data.amountMinor) !== pending.amount)
        this.fail(`${where}: void of ${data.pendingId} releases other than its pending amount`);
      pending.status = 'voided';
      return;
    }
    const posted = BigInt(event.data.amountMinor);
    if (posted <= 0n || posted > pending.amount) this.fail(`${where}: post of ${data.pendingId} is outside its pending amount`);
    this.move(debit, credit, posted, 'posted');
    pending.status = 'posted';
  }

  get openPendingTransfers(): number {
    let open = 0;
    for (const pending of this.pending.values()) if (pending.status === 'pending') open += 1;
    return open;
  }

  private move(debit: ModelAccount, credit: ModelAccount, amount: bigint, side: 'pending' | 'posted'): void {
    if (side === 'pending') {
      debit.debitsPending += amount;
      credit.creditsPending += amount;
      this.totals.debitsPending += amount;
      this.totals.creditsPending += amount;
    } else {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
      this.totals.debitsPosted += amount;
      this.totals.creditsPosted += amount;
    }
    for (const account of [debit, credit]) {
      if (account.debitsPending < 0n || account.debitsPosted < 0n || account.creditsPending < 0n || account.creditsPosted < 0n) {
        this.fail('a balance went negative');
      }
    }
  }

  private account(accountId: string, where: string): ModelAccount | undefined {
    const account = this.accounts.get(accountId);
    if (!account) this.fail(`${where}: account ${accountId} was never opened`);
    return account;
  }

  fail(message: string): void {
    if (this.violations.length < violationsMax) this.violations.push(message);
  }
}

/** Checks one ledger's stream (see the header for what). */
export async function verifyLedger(
  store: EventStore,
  ledger: CurrencyCode,
  tunables: LedgerTunables = defaultTunables,
): Promise<LedgerReport> {
  const model = new LedgerInvariantChecker(ledger);
  const stream = ledgerStreamName(ledger);
  // A running switch may append while this reads: everything is checked on one prefix of the log, the events
  // present when the check began (or up to the latest snapshot, if one was written since).
  const revisionAtStart = await store.streamRevision(stream);
  let recordCount = revisionAtStart === null ? 0 : Number(revisionAtStart) + 1;
  let snapshotChecked = false;
  try {
    const fromSnapshot = await loadLedger(store, ledger, tunables, true, recordCount);
    recordCount = fromSnapshot.state.recordCount;
    const fromEmpty = await loadLedger(store, ledger, tunables, false, recordCount);
    snapshotChecked = fromSnapshot.snapshotEventCount !== null;
    if (canonicalState(fromEmpty.state) !== canonicalState(fromSnapshot.state)) {
      model.fail(`ledger-${ledger}: the latest snapshot plus the tail does not reproduce the replay from empty`);
    }
  } catch (error) {
    model.fail(`ledger-${ledger}: replaying the log failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  let next = 0;
  while (next < recordCount) {
    const page = await store.readStream(stream, BigInt(next), Math.min(ledgerRecordsPerReadMax, recordCount - next));
    for (const recorded of page) model.apply(recorded);
    if (page.length === 0) break;
    next += page.length;
  }
  if (model.records !== recordCount)
    model.fail(`ledger-${ledger}: the log holds ${model.records} records where ${recordCount} were expected`);
  return {
    ledger,
    events: model.events,
    accounts: model.accounts.size,
    transfers: model.transfers,
    openPendingTransfers: model.openPendingTransfers,
    snapshotChecked,
    violations: model.violations,
  };
}

/** The currencies of the table that have a ledger stream in the store. */
export async function ledgersInStore(store: EventStore): Promise<CurrencyCode[]> {
  const found: CurrencyCode[] = [];
  for (const code of currencyCodes) if ((await store.streamRevision(ledgerStreamName(code))) !== null) found.push(code);
  return found;
}
