import type { SettlementReader, SettlementWindowRecord } from '../settlement/settlement-reader';
import type { StatementInput } from './camt053-statement';

/**
 * What a participant's statement for a window is made of, read from the settlement read model. A participant with
 * no movement in the window opens and closes it at the balance it carried through. A closed window's statement is
 * dated by the window (its settlement, else its close), so it reads the same every time it is fetched.
 */
export function settlementStatementInput(
  reader: SettlementReader,
  window: SettlementWindowRecord,
  participant: { id: string; name: string | null },
  now: Date,
): StatementInput {
  const line = reader.windowLine(window.windowId, participant.id);
  const closingBalanceMinor = reader.balanceAtEnd(window, participant.id);
  return {
    window,
    participant,
    line,
    openingBalanceMinor: line === null ? closingBalanceMinor : line.openingBalanceMinor,
    closingBalanceMinor,
    postings: reader.postingsBookedIn(window.windowId, participant.id),
    createdAt: window.settledAt ?? window.closedAt ?? now.toISOString(),
  };
}
