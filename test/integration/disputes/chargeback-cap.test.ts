import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { PresentDispute } from '../../../core/disputes/dispute-decider';
import { DisputeService, disputeIdOf, type DisputeClaim } from '../../../core/disputes/dispute-service';
import type { CommandContext } from '../../../core/eventstore/decider-stream';
import { newId } from '../../../core/ids';
import { createLedgerEngine, type LedgerEngine } from '../../../core/ledger/ledger-engine';
import { positionAccountId } from '../../../core/participants/participant-accounts';
import { recordCommittedP2pTransfer } from '../../support/committed-p2p-transfer';
import { tempDir } from '../../support/temp-dir';

/** A real SQLite store and ledger engine; refunds come through the port the gateway will fill. */
describe('chargebacks never take more than is still disputable', () => {
  let directory: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let ledger: LedgerEngine;
  let refundedMinor: bigint;
  let service: DisputeService;

  beforeEach(async () => {
    directory = tempDir('hisaab-chargeback-cap-');
    store = new SqliteEventStore(join(directory.path, 'events.db'));
    ledger = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date() });
    await ledger.start();
    refundedMinor = 0n;
    service = new DisputeService({
      store,
      ledgers: (currency) => (currency === 'PKR' ? ledger : undefined),
      deliveries: { enqueue: () => Promise.resolve() },
      duplicates: { findEarlierDuplicate: () => null },
      refunds: {
        refundedMinor: () => Promise.resolve(refundedMinor),
        forChargeback: () => Promise.resolve({ refundedMinor, pendingCount: 0, payerReversed: false, chargebackWrite: () => null }),
      },
      settings: {
        capMinor: 50_000_000n,
        claimDays: 120,
        respondWithin: { kind: 'duration', durationMs: 60_000 },
        debitedNotCreditedRespondWithin: { kind: 'duration', durationMs: 60_000 },
        holidays: [],
      },
      now: () => new Date(),
    });
    await recordCommittedP2pTransfer(store, ledger, 't-cap', 10_000n);
  });

  afterEach(async () => {
    await ledger.stop();
    await store.close();
    directory.remove();
  });

  const context = (actor: string): CommandContext => ({ now: new Date(), actor, correlationId: newId() });
  const claim = (category: DisputeClaim['category'], amount: string): DisputeClaim => ({
    transferId: 't-cap',
    category,
    amount,
    description: 'claimed',
    evidence: [],
  });

  async function openAndAccept(category: DisputeClaim['category'], amount: string): Promise<string> {
    const opened = await service.open('MARGALLA', claim(category, amount), newId(), context('participant:MARGALLA'));
    const answered = await service.answer(
      opened.dispute.opened.disputeId,
      { action: 'ACCEPT', note: 'accepted', evidence: [], answeredAs: 'RESPONDENT' },
      context('participant:RAVI'),
    );
    return answered.dispute.chargeback?.amountMinor ?? 'none';
  }

  it('refunds count: after 30.00 refunded, a claim above 70.00 is refused and one of 70.00 is charged back whole', async () => {
    refundedMinor = 3_000n;
    await expect(
      service.open('MARGALLA', claim('GOODS_NOT_RECEIVED', '70.01'), newId(), context('participant:MARGALLA')),
    ).rejects.toMatchObject({ code: 'AMOUNT_EXCEEDS_TRANSFER' });
    expect(await openAndAccept('GOODS_NOT_RECEIVED', '70.00')).toBe('7000');
    // Refunds 30.00 plus chargebacks 70.00: the whole 100.00, nothing left to dispute.
    await expect(
      service.open('MARGALLA', claim('NOT_AS_DESCRIBED', '0.01'), newId(), context('participant:MARGALLA')),
    ).rejects.toMatchObject({
      code: 'AMOUNT_EXCEEDS_TRANSFER',
    });
  });

  it('two claims opened while 100.00 was disputable: the second chargeback takes only what the first left', async () => {
    const first = await service.open('MARGALLA', claim('GOODS_NOT_RECEIVED', '60.00'), newId(), context('participant:MARGALLA'));
    const second = await service.open('MARGALLA', claim('NOT_AS_DESCRIBED', '60.00'), newId(), context('participant:MARGALLA'));
    const accept = (disputeId: string) =>
      service.answer(
        disputeId,
        { action: 'ACCEPT', note: 'accepted', evidence: [], answeredAs: 'RESPONDENT' },
        context('participant:RAVI'),
      );
    const [firstAnswer, secondAnswer] = await Promise.all([
      accept(first.dispute.opened.disputeId),
      accept(second.dispute.opened.disputeId),
    ]);
    const taken = [firstAnswer.dispute.chargeback?.amountMinor, secondAnswer.dispute.chargeback?.amountMinor].map(String).sort();
    expect(taken).toEqual(['4000', '6000']);
    const claimant = await ledger.lookupAccount(positionAccountId('MARGALLA'));
    expect(claimant?.creditsPostedMinor).toBe(10_000n);
  });

  it('a merchant webhook that failed after the change is published by recovery, once per change', async () => {
    const published: string[] = [];
    let failNext = true;
    const withMerchant = new DisputeService({
      store,
      ledgers: (currency) => (currency === 'PKR' ? ledger : undefined),
      deliveries: { enqueue: () => Promise.resolve() },
      duplicates: { findEarlierDuplicate: () => null },
      merchants: { merchantOf: () => 'SHOP1' },
      notifier: {
        disputeChanged: (dispute: PresentDispute, change) => {
          if (failNext) {
            failNext = false;
            return Promise.reject(new Error('the webhooks outbox is unavailable'));
          }
          published.push(`${change} ${dispute.opened.disputeId}`);
          return Promise.resolve();
        },
      },
      settings: {
        capMinor: 50_000_000n,
        claimDays: 120,
        respondWithin: { kind: 'duration', durationMs: 60_000 },
        debitedNotCreditedRespondWithin: { kind: 'duration', durationMs: 60_000 },
        holidays: [],
      },
      now: () => new Date(),
    });
    const reference = newId();
    await expect(
      withMerchant.open('MARGALLA', claim('GOODS_NOT_RECEIVED', '10.00'), reference, context('participant:MARGALLA')),
    ).rejects.toThrow('unavailable');
    const disputeId = disputeIdOf(reference);
    expect((await withMerchant.require(disputeId)).merchantNotified).toEqual({ opened: false, resolved: false });
    await withMerchant.notifyMerchant(disputeId);
    await withMerchant.notifyMerchant(disputeId);
    await withMerchant.answer(disputeId, { action: 'ACCEPT', note: 'ok', evidence: [], answeredAs: 'MERCHANT' }, context('merchant:SHOP1'));
    await withMerchant.notifyMerchant(disputeId);
    expect(published).toEqual([`opened ${disputeId}`, `resolved ${disputeId}`]);
    expect((await withMerchant.require(disputeId)).merchantNotified).toEqual({ opened: true, resolved: true });
  });
});
