import { assert } from '../assert';
import { formatAmount } from '../money';
import type { TransferState } from './transfer-decider';
import type { TransferInitiated } from './transfer-events';

/** A transfer as every reader sees it (API answer, ISO 8583 mapping, read model rows). */
export type TransferView = {
  /** The id the payer gave the transfer: unique among that payer's transfers only. */
  id: string;
  /**
   * The switch's id of the transfer, unique across the switch: what the payee is told, and what the ledger,
   * settlement reports and statements carry. The same as `id` for transfers banks send over ISO 8583.
   */
  switchTransferId: string;
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
    id: clientTransferIdOf(initiated),
    switchTransferId: initiated.transferId,
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

/** The id the payer's client knows the transfer by. */
export function clientTransferIdOf(initiated: Pick<TransferInitiated['data'], 'transferId' | 'clientTransferId'>): string {
  return initiated.clientTransferId ?? initiated.transferId;
}
