import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../core/eventstore/event';

/**
 * Events shaped like the ledger's: a transfer fact of about 250 bytes of JSON (data plus metadata). Generated
 * before timing starts, so the benchmark measures the store, not the generator.
 */
export function transferEvents(count: number): NewEvent[] {
  const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
  return Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    type: 'TransferPosted',
    data: {
      transferId: `t-${index}`,
      debitAccountId: `POSITION-${index % 97}`,
      creditAccountId: `POSITION-${(index * 7) % 89}`,
      amountMinor: String(100_000 + (index % 5000)),
      code: 'P2P',
    },
    metadata: { at, correlationId: `c-${index}`, actor: 'engine:ledger-PKR' },
  }));
}
