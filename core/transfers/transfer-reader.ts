import type { TransferView } from './transfer-view';

export const transferPageLimitDefault = 100;
export const transferPageLimitMax = 500;

export type TransferQuery = {
  /** Only transfers this participant paid or received; null: every participant's (operator, regulator). */
  participantId: string | null;
  state: TransferView['state'] | null;
  /** createdAt bounds, ISO-8601: from inclusive, to exclusive. */
  from: string | null;
  to: string | null;
  /** The sequence after which the page starts (decoded from the opaque cursor); null: from the first. */
  afterSequence: bigint | null;
  limit: number;
};

export type TransferPage = { transfers: TransferView[]; nextSequence: bigint | null };

/** The read side of transfers: a projection of the transfer streams (adapters/readmodel-sqlite/projections/transfers-*). */
export interface TransferReader {
  /** By the switch's id (`switchTransferId`). */
  findTransfer(transferId: string): TransferView | null;
  /**
   * Transfers whose payer's id (`id`) or switch id is `reference`, oldest first, at most `limit`; only those this
   * participant paid or received when `participantId` is given. Payers may share ids, so there can be several.
   */
  findTransfersByReference(reference: string, participantId: string | null, limit: number): TransferView[];
  /** Oldest first (by the position at which each was initiated). */
  listTransfers(query: TransferQuery): TransferPage;
  /**
   * Transfers still in flight that were created before `createdBefore` (an ISO-8601 instant; null: all), oldest
   * first, at most `limit`: what recovery finishes after a restart, and what the sweeper finds stuck.
   */
  listInFlight(createdBefore: string | null, limit: number): string[];
}
