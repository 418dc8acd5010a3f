/** What a transfer is for (its `code`). */
export const transferCodes = [
  'P2P',
  'P2M',
  'FEE',
  'REFUND',
  'CHARGEBACK',
  'FUNDS_IN',
  'FUNDS_OUT',
  'SETTLEMENT',
  'REVERSAL',
  'INBOUND',
] as const;

export type TransferCode = (typeof transferCodes)[number];

const transferCodeSet: ReadonlySet<string> = new Set(transferCodes);

export function isTransferCode(value: unknown): value is TransferCode {
  return typeof value === 'string' && transferCodeSet.has(value);
}

/**
 * Transfers that undo or settle earlier ones are never refused for a limit: money that has moved must always
 * be able to move back (a reversal after a payee timeout, a chargeback after a dispute, a settlement reset).
 */
const limitExemptCodes: ReadonlySet<TransferCode> = new Set<TransferCode>(['REVERSAL', 'CHARGEBACK', 'SETTLEMENT']);

export function isLimitExempt(code: TransferCode): boolean {
  return limitExemptCodes.has(code);
}
