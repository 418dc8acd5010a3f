/**
 * Ledger account ids of a participant, shared by everything that moves its money (participants, transfers,
 * settlement). Ids stay within the ledger's id rules (1-64 of A-Z a-z 0-9 . _ : -) since participant ids are
 * at most 16 characters of A-Z 0-9 _.
 */
export function positionAccountId(participantId: string): string {
  return `${participantId}:position`;
}

export function liquidityAccountId(participantId: string): string {
  return `${participantId}:liquidity`;
}

/** The hub's side of funds in/out: money held at the central bank on behalf of participants. */
export const hubReconciliationAccountId = 'hub:reconciliation';
