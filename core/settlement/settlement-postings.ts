import { assert } from '../assert';
import type { LedgerCommand } from '../ledger/commands';
import type { CurrencyCode } from '../money';
import { positionAccountId } from '../participants/participant-accounts';
import type { SettlementLineRecord } from './settlement-reader';
import type { SettledPosition } from './settlement-window-events';

/** The hub's side of every settlement posting: what moves through the central bank's RTGS. */
export const hubSettlementAccountId = 'hub:settlement';

/**
 * What a participant is owed (positive) or owes (negative) for one window: the payments it received less those it
 * sent, less the fees it paid. Settling the window moves exactly this off its position account.
 */
export function windowObligationMinor(line: SettlementLineRecord): bigint {
  return line.receivedMinor - line.sentMinor - line.feesMinor;
}

/** The window's positions to settle, one per participant whose obligation is not zero, ordered by participant. */
export function settledPositions(lines: readonly SettlementLineRecord[]): SettledPosition[] {
  const positions: SettledPosition[] = [];
  for (const line of lines) {
    const obligationMinor = windowObligationMinor(line);
    if (obligationMinor === 0n) continue;
    positions.push({
      participant: line.participant,
      direction: obligationMinor > 0n ? 'RECEIVES' : 'PAYS',
      amountMinor: (obligationMinor > 0n ? obligationMinor : -obligationMinor).toString(),
    });
  }
  return positions;
}

/**
 * The ledger transfer id of a window's posting for a participant. Derived, never random: a settle retried after a
 * crash asks the ledger for the same ids, which it answers `exists` instead of moving the money twice.
 */
export function settlementTransferId(windowId: string, participant: string): string {
  const id = `settlement:${windowId}:${participant}`;
  assert(id.length <= 64, 'a settlement transfer id fits the ledger id limit');
  return id;
}

/**
 * The SETTLEMENT transfer that takes a participant's window obligation off its position account, against the
 * hub's settlement account. A participant that is owed had its position credited by the window's payments, so
 * the posting debits it back; one that owes is credited. Liquidity accounts are not touched: settling moves the
 * obligation, the collateral stays where it is.
 */
export function settlementPostingCommand(ledger: CurrencyCode, windowId: string, position: SettledPosition): LedgerCommand {
  const amountMinor = BigInt(position.amountMinor);
  assert(amountMinor > 0n, 'a settlement posting moves a positive amount');
  const participantAccount = positionAccountId(position.participant);
  const receives = position.direction === 'RECEIVES';
  return {
    type: 'transfer',
    id: settlementTransferId(windowId, position.participant),
    ledger,
    debitAccountId: receives ? participantAccount : hubSettlementAccountId,
    creditAccountId: receives ? hubSettlementAccountId : participantAccount,
    amountMinor,
    code: 'SETTLEMENT',
    userData: { windowId, participant: position.participant },
  };
}

/** How a booked settlement posting moved what the switch owes the participant (the sign of a statement entry). */
export function settlementChangeMinor(position: SettledPosition): bigint {
  const amountMinor = BigInt(position.amountMinor);
  return position.direction === 'RECEIVES' ? -amountMinor : amountMinor;
}
