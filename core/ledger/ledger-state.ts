import { AssertionError } from '../assert';
import { eventStoreLimits } from '../eventstore/limits';
import type { CurrencyCode } from '../money';
import type { Account } from './account';
import type { AccountCode } from './account-codes';
import {
  AccountBalances,
  creditsPendingLane,
  creditsPostedLane,
  debitLimitLane,
  debitsPendingLane,
  debitsPostedLane,
} from './account-balances';
import { defaultTunables, pendingTransfersLimit, type LedgerTunables } from './ledger-limits';
import { PendingTransfers } from './pending-transfers';
import type { PendingStatus, TransferKind } from './transfer';
import { digestTransferBetween, fieldsDigest, idDigest } from './transfer-fields-digest';
import { TransferIdWindow } from './transfer-id-window';

/**
 * An account as the engine holds it: what never changes, its dense index, and the limit it was opened with (for
 * `exists` on a retry). Its balances and cap live in the ledger's AccountBalances at `index`; the getters read them
 * as bigints for lookups, snapshots and the canonical state, while the decider and `evolve` use the words.
 */
export class AccountRecord {
  constructor(
    readonly index: number,
    readonly id: string,
    readonly ledger: CurrencyCode,
    readonly code: AccountCode,
    readonly owner: string,
    readonly debitsMustNotExceedCredits: boolean,
    readonly creditsMustNotExceedDebits: boolean,
    readonly openingDebitLimitMinor: bigint | null,
    private readonly balances: AccountBalances,
  ) {}

  get debitLimitMinor(): bigint | null {
    return this.balances.hasLimit(this.index) ? this.balances.read(this.index, debitLimitLane) : null;
  }

  get debitsPendingMinor(): bigint {
    return this.balances.read(this.index, debitsPendingLane);
  }

  get debitsPostedMinor(): bigint {
    return this.balances.read(this.index, debitsPostedLane);
  }

  get creditsPendingMinor(): bigint {
    return this.balances.read(this.index, creditsPendingLane);
  }

  get creditsPostedMinor(): bigint {
    return this.balances.read(this.index, creditsPostedLane);
  }

  /** A plain copy, as lookupAccount returns it. */
  toAccount(): Account {
    return {
      id: this.id,
      ledger: this.ledger,
      code: this.code,
      owner: this.owner,
      debitsMustNotExceedCredits: this.debitsMustNotExceedCredits,
      creditsMustNotExceedDebits: this.creditsMustNotExceedDebits,
      debitLimitMinor: this.debitLimitMinor,
      debitsPendingMinor: this.debitsPendingMinor,
      debitsPostedMinor: this.debitsPostedMinor,
      creditsPendingMinor: this.creditsPendingMinor,
      creditsPostedMinor: this.creditsPostedMinor,
    };
  }
}

/** What opening an account records: everything but its balances (zero when opened, restored from a snapshot). */
export type AccountOpening = {
  id: string;
  code: AccountCode;
  owner: string;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  debitLimitMinor: bigint | null;
  openingDebitLimitMinor: bigint | null;
};

/** Adds an account to the state at the next dense index, its balances zero. */
export function addAccount(state: LedgerState, opening: AccountOpening): AccountRecord {
  const balances = state.balances;
  const digest = accountIdDigest;
  idDigest(opening.id, digest, 0);
  const index = balances.open(opening.debitLimitMinor, digest[0] as number, digest[1] as number);
  const account = new AccountRecord(
    index,
    opening.id,
    state.ledger,
    opening.code,
    opening.owner,
    opening.debitsMustNotExceedCredits,
    opening.creditsMustNotExceedDebits,
    opening.openingDebitLimitMinor,
    balances,
  );
  state.accounts.set(account.id, account);
  state.accountsByIndex[index] = account;
  return account;
}

const accountIdDigest = new Uint32Array(2);

/** The account at a dense index, which a pending transfer or the decider holds: it must exist. */
export function accountAtIndex(state: LedgerState, index: number): AccountRecord {
  const account = state.accountsByIndex[index];
  if (account === undefined) throw new AssertionError(`the ledger holds an account at index ${index}`);
  return account;
}

/**
 * The ledger's state. Unlike most deciders' state it is mutable: `evolve` updates it in place, because the
 * engine applies up to 8190 events per tick and copying maps per event would cost more than deciding them.
 * The engine never shares it; on a failed append it throws it away and rebuilds it from the log.
 */
export type LedgerState = {
  readonly ledger: CurrencyCode;
  readonly tunables: LedgerTunables;
  /**
   * Ledger facts (events.ts) applied so far: the next fact's number, which places a transfer in the idempotency
   * window. Logs before batch records hold one event per fact; since, one record holds a tick's facts.
   */
  eventCount: number;
  /** Records of the ledger stream the state includes: the next record's stream revision. */
  recordCount: number;
  accounts: Map<string, AccountRecord>;
  /** The same accounts by dense index (AccountRecord.index), and their balances by that index. */
  accountsByIndex: AccountRecord[];
  balances: AccountBalances;
  /**
   * Every pending transfer, whole (posting or voiding it needs its fields), for as long as it is pending, in expiry
   * order, off the object heap (pending-transfers.ts). `pending.count` is the ledger's pending count.
   */
  pending: PendingTransfers;
  /** The ids of the transfers created inside the idempotency window, pending or resolved, off the object heap. */
  window: TransferIdWindow;
};

export function initialState(ledger: CurrencyCode, tunables: LedgerTunables = defaultTunables): LedgerState {
  return {
    ledger,
    tunables,
    eventCount: 0,
    recordCount: 0,
    accounts: new Map(),
    accountsByIndex: [],
    balances: new AccountBalances(),
    // Bounded by the hard limit, not the tunable: a log or snapshot written under a higher maximum must still load.
    pending: new PendingTransfers(pendingTransfersLimit),
    // The margin covers the events of one tick, which the engine decides before it forgets the expired ids.
    window: new TransferIdWindow(tunables.transfersRememberedEvents, eventStoreLimits.eventsPerAppendMax),
  };
}

/**
 * The first ledger event number whose transfers are still remembered: a resolved transfer created before it
 * is treated as unknown, whether or not it has been dropped from memory yet. Decisions therefore depend only
 * on the log, never on when the engine got round to forgetting.
 */
export function rememberedFromEvent(state: LedgerState): number {
  return state.eventCount - state.tunables.transfersRememberedEvents;
}

/** What the ledger remembers of a transfer id: enough to decide a repeat of it, and a pending transfer whole. */
export type RememberedTransfer = {
  kind: TransferKind;
  pendingStatus: PendingStatus | null;
  /** Its slot in `state.pending` while it is pending; -1 once resolved (the window keeps only a digest of it). */
  pendingSlot: number;
  /** Whether a command's fields digest (transfer-fields-digest.ts) is that of the fields the transfer was created with. */
  sameFields(digestFirst: number, digestSecond: number): boolean;
};

/**
 * The transfer with that id if the ledger still remembers it: a pending one (whatever its age) or one created
 * inside the idempotency window. Allocates only when the id is found, which is the rare case (a repeat).
 */
export function rememberedTransfer(state: LedgerState, transferId: string): RememberedTransfer | undefined {
  const pendingSlot = state.pending.find(transferId);
  if (pendingSlot !== -1) {
    return {
      kind: 'pending_transfer',
      pendingStatus: 'pending',
      pendingSlot,
      sameFields: (digestFirst, digestSecond) => {
        digestPendingFields(state, pendingSlot);
        return fieldsDigest[0] === digestFirst && fieldsDigest[1] === digestSecond;
      },
    };
  }
  const window = state.window;
  const place = window.find(transferId, state.eventCount);
  if (place === -1) return undefined;
  return {
    kind: window.kindAt(place),
    pendingStatus: window.statusAt(place),
    pendingSlot: -1,
    sameFields: (digestFirst, digestSecond) => window.sameFields(place, digestFirst, digestSecond),
  };
}

/** Where the log holds a resolved transfer still inside the window, and its pending status: what a lookup reads. */
export function windowedTransfer(
  state: LedgerState,
  transferId: string,
): { eventNumber: number; pendingStatus: PendingStatus | null } | undefined {
  const place = state.window.find(transferId, state.eventCount);
  if (place === -1) return undefined;
  return { eventNumber: state.window.eventNumberAt(place, state.eventCount), pendingStatus: state.window.statusAt(place) };
}

/** The fields digest of a pending transfer held whole, into `fieldsDigest`, as its command gave it. */
function digestPendingFields(state: LedgerState, slot: number): void {
  const pending = state.pending;
  digestTransferBetween(
    state.balances.words,
    'pending_transfer',
    pending.debitIndexOf(slot),
    pending.creditIndexOf(slot),
    pending.amountLowOf(slot),
    pending.amountHighOf(slot),
    pending.codeOf(slot),
    pending.timeoutMsOf(slot),
    pending.userDataOf(slot),
  );
}

/** Removes the ids that have left the idempotency window, at most `stepsMax` of them (a bounded step). */
export function forgetOldTransfers(state: LedgerState, stepsMax: number): number {
  return state.window.forgetExpired(state.eventCount, stepsMax);
}
