import { assert } from '../assert';
import { formatAmount } from '../money';
import type { TransferState } from './transfer-decider';

/** A transfer as every reader sees it (API answer, ISO 8583 mapping, read model rows). */
export type TransferView = {
  id: string;
  state: 'COMMITTED' | 'ABORTED' | 'IN_FLIGHT';
  abortReason: string | null;
  payerParticipant: string;
  payeeParticipant: string;
  payer: { type: string; value: string; name?: string };
  payee: { type: string; value: string };
  amount: string;
  currency: string;
  purpose: string;
  note: string | null;
  reversed: boolean;
  createdAt: string;
  completedAt: string | null;
};

export function transferView(state: TransferState): TransferView {
  assert(state.status !== 'none', 'a view is made of a transfer that exists');
  const initiated = state.initiated;
  const base = {
    id: initiated.transferId,
    payerParticipant: initiated.payerParticipant,
    payeeParticipant: initiated.payeeParticipant,
    payer: initiated.payer,
    payee: initiated.payee,
    amount: formatAmount(BigInt(initiated.amountMinor), initiated.currency),
    currency: initiated.currency,
    purpose: initiated.purpose,
    note: initiated.note,
    createdAt: initiated.createdAt,
  };
  switch (state.status) {
    case 'initiated':
      return { ...base, state: 'IN_FLIGHT', abortReason: null, reversed: false, completedAt: null };
    case 'committed':
      return { ...base, state: 'COMMITTED', abortReason: null, reversed: state.reversed, completedAt: state.completedAt };
    case 'aborted':
      return { ...base, state: 'ABORTED', abortReason: state.reason, reversed: false, completedAt: state.completedAt };
  }
}
