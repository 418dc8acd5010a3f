import { assert } from '../assert';
import { DomainError } from '../errors';
import type { LedgerCommand } from '../ledger/commands';
import type { LedgerEngine } from '../ledger/ledger-engine';
import type { LedgerResultCode } from '../ledger/result-codes';
import { isCurrencyCode } from '../money';
import { hubReconciliationAccountId, liquidityAccountId, positionAccountId } from './participant-accounts';
import type { FundsMovement, FundsResult, ParticipantAccountsInput, ParticipantBalances, ParticipantLedger } from './participant-ledger';

/**
 * ParticipantLedger on the ledger engines (one per currency). Per participant:
 * - a POSITION account whose debit limit is the net debit cap: payments out debit it, payments in credit it,
 *   so debits minus credits posted is the position (positive: it owes) and pending debits are what is reserved;
 * - a LIQUIDITY account (debits must not exceed credits): funds IN credit it from the hub's reconciliation
 *   account (money held at the central bank), funds OUT debit it back.
 */
export class LedgerParticipantLedger implements ParticipantLedger {
  private readonly engines: ReadonlyMap<string, LedgerEngine>;

  constructor(engines: readonly LedgerEngine[]) {
    this.engines = new Map(engines.map((engine) => [engine.ledger, engine]));
  }

  async openAccounts(input: ParticipantAccountsInput): Promise<void> {
    const engine = this.engine(input.currency);
    const ledger = engine.ledger;
    const commands: LedgerCommand[] = [
      { type: 'create_account', id: hubReconciliationAccountId, ledger, code: 'HUB_RECONCILIATION', owner: 'hub' },
      {
        type: 'create_account',
        id: positionAccountId(input.participantId),
        ledger,
        code: 'POSITION',
        owner: input.participantId,
        debitLimitMinor: input.netDebitCapMinor,
      },
      {
        type: 'create_account',
        id: liquidityAccountId(input.participantId),
        ledger,
        code: 'LIQUIDITY',
        owner: input.participantId,
        debitsMustNotExceedCredits: true,
      },
    ];
    const { results } = await engine.submit(commands);
    results.forEach((result, index) => {
      // An account that exists with another cap is fine here: the cap is set separately, right after.
      const acceptable = result === 'ok' || result === 'exists' || (index === 1 && result === 'exists_with_different_fields');
      if (!acceptable) throw ledgerFailure(result, `opening accounts for ${input.participantId}`);
    });
  }

  async setNetDebitCap(input: ParticipantAccountsInput): Promise<void> {
    const engine = this.engine(input.currency);
    // The same cap again is no news: the ledger's log records changes, not confirmations.
    const position = await engine.lookupAccount(positionAccountId(input.participantId));
    if (position !== undefined && position.debitLimitMinor === input.netDebitCapMinor) return;
    const { results } = await engine.submit([
      { type: 'change_debit_limit', accountId: positionAccountId(input.participantId), debitLimitMinor: input.netDebitCapMinor },
    ]);
    const result = results[0];
    if (result !== 'ok') throw ledgerFailure(result, `setting the net debit cap of ${input.participantId}`);
  }

  async balances(participantId: string, currency: string): Promise<ParticipantBalances | null> {
    const engine = this.engine(currency);
    const [position, liquidity] = await Promise.all([
      engine.lookupAccount(positionAccountId(participantId)),
      engine.lookupAccount(liquidityAccountId(participantId)),
    ]);
    if (position === undefined || liquidity === undefined) return null;
    return {
      positionMinor: position.debitsPostedMinor - position.creditsPostedMinor,
      reservedMinor: position.debitsPendingMinor,
      liquidityMinor: liquidity.creditsPostedMinor - liquidity.debitsPostedMinor,
    };
  }

  async recordFunds(movement: FundsMovement): Promise<FundsResult> {
    const engine = this.engine(movement.currency);
    const liquidity = liquidityAccountId(movement.participantId);
    if (movement.direction === 'OUT') {
      // A retry of a movement already recorded answers as before, whatever the balances are now.
      const earlier = await engine.lookupTransfer(movement.transferId);
      if (earlier === undefined) {
        const freeMinor = await this.freeLiquidity(movement.participantId, movement.currency);
        if (movement.amountMinor > freeMinor) return { status: 'insufficient_liquidity', freeMinor };
      }
    }
    const inward = movement.direction === 'IN';
    const { results } = await engine.submit([
      {
        type: 'transfer',
        id: movement.transferId,
        ledger: engine.ledger,
        debitAccountId: inward ? hubReconciliationAccountId : liquidity,
        creditAccountId: inward ? liquidity : hubReconciliationAccountId,
        amountMinor: movement.amountMinor,
        code: inward ? 'FUNDS_IN' : 'FUNDS_OUT',
        userData: { participantId: movement.participantId, reference: movement.reference },
      },
    ]);
    const result = results[0];
    switch (result) {
      case 'ok':
      case 'exists':
        return { status: 'ok' };
      case 'exists_with_different_fields':
        return { status: 'conflict' };
      case 'exceeds_credits':
        return { status: 'insufficient_liquidity', freeMinor: await this.freeLiquidity(movement.participantId, movement.currency) };
      default:
        throw ledgerFailure(result, `recording funds ${movement.direction} for ${movement.participantId}`);
    }
  }

  /**
   * What may leave: liquidity minus what the participant owes now and what its pending payments may add,
   * never more than the liquidity itself (a participant that is owed cannot withdraw what it has not settled).
   */
  private async freeLiquidity(participantId: string, currency: string): Promise<bigint> {
    const balances = await this.balances(participantId, currency);
    if (balances === null) return 0n;
    const committed = balances.positionMinor + balances.reservedMinor;
    const free = balances.liquidityMinor - (committed > 0n ? committed : 0n);
    return free > 0n ? free : 0n;
  }

  private engine(currency: string): LedgerEngine {
    const engine = isCurrencyCode(currency) ? this.engines.get(currency) : undefined;
    if (engine === undefined) throw new DomainError('UNKNOWN_CURRENCY', `the switch runs no ledger for ${currency.slice(0, 8)}`);
    return engine;
  }
}

function ledgerFailure(result: LedgerResultCode | undefined, doing: string): Error {
  assert(result !== undefined, 'the ledger answers every command');
  if (result === 'overloaded') return new DomainError('OVERLOADED', `the ledger is busy (${doing}); retry shortly`);
  // Anything else means the switch sent the ledger something it should not have: a programmer error.
  return new Error(`ledger refused ${doing}: ${result}`);
}
