import type { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { newId } from '../../core/ids';
import type { LedgerEngine } from '../../core/ledger/ledger-engine';
import { positionAccountId } from '../../core/participants/participant-accounts';
import { transferStreamName, type TransferInitiated } from '../../core/transfers/transfer-events';

/**
 * MARGALLA's and RAVI's positions and a committed P2P transfer between them, as the switch records one: the ledger
 * transfer and the transfer's own stream. What a dispute over a real payment starts from.
 */
export async function recordCommittedP2pTransfer(
  store: SqliteEventStore,
  ledger: LedgerEngine,
  transferId: string,
  amountMinor: bigint,
): Promise<void> {
  await ledger.submit([
    {
      type: 'create_account',
      id: positionAccountId('MARGALLA'),
      ledger: 'PKR',
      code: 'POSITION',
      owner: 'MARGALLA',
      debitLimitMinor: 100_000_000n,
    },
    {
      type: 'create_account',
      id: positionAccountId('RAVI'),
      ledger: 'PKR',
      code: 'POSITION',
      owner: 'RAVI',
      debitLimitMinor: 100_000_000n,
    },
    {
      type: 'transfer',
      id: transferId,
      ledger: 'PKR',
      debitAccountId: positionAccountId('MARGALLA'),
      creditAccountId: positionAccountId('RAVI'),
      amountMinor,
      code: 'P2P',
    },
  ]);
  const createdAt = new Date().toISOString();
  const initiated: TransferInitiated['data'] = {
    transferId,
    payerParticipant: 'MARGALLA',
    payeeParticipant: 'RAVI',
    payer: { type: 'WALLET', value: 'WMARGALLA0001' },
    payee: { type: 'MSISDN', value: '923000000002' },
    payeeAccount: { type: 'WALLET', value: 'WRAVI0001' },
    amountMinor: amountMinor.toString(),
    currency: 'PKR',
    purpose: 'P2P',
    note: null,
    creditMode: 'REQUEST',
    requestDigest: 'digest',
    channel: 'api',
    createdAt,
  };
  const metadata = { actor: 'switch:transfers', correlationId: transferId, at: createdAt };
  await store.append(
    transferStreamName(transferId),
    [
      { id: newId(), type: 'TransferInitiated', data: initiated, metadata },
      { id: newId(), type: 'TransferCommitted', data: { transferId, completedAt: createdAt }, metadata },
    ],
    'no_stream',
  );
}
