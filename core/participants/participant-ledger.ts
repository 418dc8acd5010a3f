/**
 * What participants need from the ledger: their accounts, their net debit cap, their balances and the funds
 * the operator records. This port keeps core/participants and the API independent of the ledger's event
 * encoding; `ledger-participant-ledger.ts` implements it on core/ledger's engine.
 *
 * Every operation is idempotent, because each is retried after a crash: opening accounts that exist with the
 * same cap succeeds, setting a cap to its current value succeeds, and funds are keyed by `transferId`.
 */
export type ParticipantBalances = {
  /** Net obligation not yet settled: positive when the participant owes (it paid out more than it received). */
  positionMinor: bigint;
  /** What pending (reserved, not yet committed) outgoing transfers hold against the net debit cap. */
  reservedMinor: bigint;
  /** Collateral recorded at the central bank through funds in/out. */
  liquidityMinor: bigint;
};

export type FundsDirection = 'IN' | 'OUT';

export type FundsMovement = {
  participantId: string;
  currency: string;
  direction: FundsDirection;
  amountMinor: bigint;
  /** The ledger transfer id: derived from the request's idempotency key, so a retry is recognised by the ledger. */
  transferId: string;
  /** The operator's reference for the movement at the central bank (RTGS reference). */
  reference: string;
};

export type FundsResult =
  /** Recorded now, or recorded earlier with the same transfer id and the same fields. */
  | { status: 'ok' }
  /** OUT beyond what is free: liquidity minus position and reserved. */
  | { status: 'insufficient_liquidity'; freeMinor: bigint }
  /** The transfer id was used before for a different movement. */
  | { status: 'conflict' };

export type ParticipantAccountsInput = { participantId: string; currency: string; netDebitCapMinor: bigint };

export interface ParticipantLedger {
  /** Creates the participant's position and liquidity accounts; sets the cap when they exist already. */
  openAccounts(input: ParticipantAccountsInput): Promise<void>;
  setNetDebitCap(input: ParticipantAccountsInput): Promise<void>;
  /** The balances now (durable state); null when the participant has no accounts in this currency. */
  balances(participantId: string, currency: string): Promise<ParticipantBalances | null>;
  recordFunds(movement: FundsMovement): Promise<FundsResult>;
}
