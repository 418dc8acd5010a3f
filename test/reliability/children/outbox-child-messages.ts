import type { PayeeCreditMessage } from '../../../core/payee-port';

/** The credit message of the outbox child's transfer number `index`: the same in every run. */
export function outboxChildMessage(index: number): PayeeCreditMessage {
  return {
    transferId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    amount: `${index + 1}.00`,
    currency: 'PKR',
    payee: { type: 'WALLET', value: '03001234567' },
    payer: { participant: 'INDUS' },
  };
}
