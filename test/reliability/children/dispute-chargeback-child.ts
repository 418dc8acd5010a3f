/**
 * Disputes over an SQLite event store and a real ledger engine, as the switch runs them, to crash between a
 * dispute's resolution and its chargeback. `crash`: sets up two participants and a committed transfer of 100.00,
 * opens a claim, accepts it as the respondent, and SIGKILLs itself the moment the resolution is durable and the
 * chargeback not yet posted (printing `resolved <disputeId>` first). `crash-after-posting`: the same, but dies once
 * the chargeback is posted, as the claimant's credit is being queued (printing `posted <disputeId>`). `recover <disputeId>`: runs the switch's
 * recovery (the sweeper's settleChargeback) three times and prints `chargebacks <n>` (ChargebackPosted events),
 * `ledger <amountMinor>` (the ledger's chargeback), `claimant <credits>` and `credits <n>` (credits queued).
 * The delivery queue is an in-memory port: the outbox's own crash safety is proven by its own reliability tests.
 *
 * Arguments: <events.db> crash | <events.db> recover <disputeId>
 */
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { DisputeService } from '../../../core/disputes/dispute-service';
import { disputeStreamName } from '../../../core/disputes/dispute-events';
import type { CommandContext } from '../../../core/eventstore/decider-stream';
import { newId } from '../../../core/ids';
import { createLedgerEngine } from '../../../core/ledger/ledger-engine';
import type { Delivery } from '../../../core/outbox/delivery';
import { positionAccountId } from '../../../core/participants/participant-accounts';
import { recordCommittedP2pTransfer } from '../../support/committed-p2p-transfer';

const transferId = 'crash-transfer-1';

async function main(): Promise<void> {
  process.stdout.write(`pid ${process.pid}\n`);
  const [eventsPath, mode, disputeIdArgument] = process.argv.slice(2);
  if (!eventsPath || (mode !== 'crash' && mode !== 'crash-after-posting' && mode !== 'recover'))
    throw new Error('usage: dispute-chargeback-child <events.db> crash|crash-after-posting|recover [disputeId]');
  const store = new SqliteEventStore(eventsPath);
  const ledger = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date() });
  await ledger.start();
  const credits: Delivery[] = [];
  const service = new DisputeService({
    store,
    ledgers: (currency) => (currency === 'PKR' ? ledger : undefined),
    deliveries: {
      enqueue: (_destination, delivery) => {
        if (mode === 'crash-after-posting') {
          process.stdout.write(`posted ${delivery.payload['disputeId'] as string}\n`);
          process.kill(process.pid, 'SIGKILL');
        }
        credits.push(delivery);
        return Promise.resolve();
      },
    },
    duplicates: { findEarlierDuplicate: () => null },
    settings: {
      capMinor: 50_000_000n,
      claimDays: 120,
      respondWithin: { kind: 'duration', durationMs: 60_000 },
      debitedNotCreditedRespondWithin: { kind: 'duration', durationMs: 60_000 },
      holidays: [],
    },
    now: () => new Date(),
    beforeChargeback: (disputeId) => {
      if (mode !== 'crash') return;
      process.stdout.write(`resolved ${disputeId}\n`);
      process.kill(process.pid, 'SIGKILL');
    },
  });
  if (mode !== 'recover') {
    await recordCommittedP2pTransfer(store, ledger, transferId, 10_000n);
    const context = (actor: string): CommandContext => ({ now: new Date(), actor, correlationId: newId() });
    const opened = await service.open(
      'MARGALLA',
      { transferId, category: 'GOODS_NOT_RECEIVED', amount: '100.00', description: 'never arrived', evidence: [] },
      'crash-reference',
      context('participant:MARGALLA'),
    );
    await service.answer(
      opened.dispute.opened.disputeId,
      { action: 'ACCEPT', note: 'sorry', evidence: [], answeredAs: 'RESPONDENT' },
      context('participant:RAVI'),
    );
    process.stdout.write('not killed\n');
    return;
  }
  const disputeId = disputeIdArgument ?? '';
  for (let run = 0; run < 3; run += 1) await service.settleChargeback(disputeId);
  const events = await store.readStream(disputeStreamName(disputeId), 0n, 100);
  const chargeback = await ledger.lookupTransfer(`chargeback-${disputeId}`);
  const claimant = await ledger.lookupAccount(positionAccountId('MARGALLA'));
  process.stdout.write(`chargebacks ${events.filter((event) => event.type === 'ChargebackPosted').length}\n`);
  process.stdout.write(`ledger ${chargeback?.amountMinor.toString() ?? 'none'}\n`);
  process.stdout.write(`claimant ${claimant?.creditsPostedMinor.toString() ?? 'none'}\n`);
  process.stdout.write(`credits ${credits.length} ${credits[0]?.deliveryId ?? ''}\n`);
  await ledger.stop();
  await store.close();
  process.stdout.write('done\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
