/**
 * Account kinds (an account's `code`). Per participant: a POSITION account (its net obligation in the current
 * settlement cycle, capped by its net debit cap) and a LIQUIDITY account (collateral recorded by funds in/out).
 * Per merchant: a MERCHANT account. The hub: fees, multilateral settlement, reconciliation.
 * Add a kind here; nothing in the ledger treats kinds differently, they are for people and projections.
 */
export const accountCodes = [
  'POSITION',
  'LIQUIDITY',
  'MERCHANT',
  'HUB_FEES',
  'HUB_SETTLEMENT',
  'HUB_RECONCILIATION',
  'HUB_SUSPENSE',
] as const;

export type AccountCode = (typeof accountCodes)[number];

const accountCodeSet: ReadonlySet<string> = new Set(accountCodes);

export function isAccountCode(value: unknown): value is AccountCode {
  return typeof value === 'string' && accountCodeSet.has(value);
}
