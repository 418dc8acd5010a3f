import { randomUUID } from 'node:crypto';
import { settlementProjection } from '../../../adapters/readmodel-sqlite/projections/settlement-projection';
import { SqliteSettlementReader } from '../../../adapters/readmodel-sqlite/projections/settlement-read-model';
import { handleStreamCommand, type CommandContext } from '../../../core/eventstore/decider-stream';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { positionAccountId } from '../../../core/participants/participant-accounts';
import { buildSettlementReport } from '../../../core/reports/settlement-report';
import { settlementStatementInput } from '../../../core/reports/settlement-statement';
import { hubSettlementAccountId, settledPositions } from '../../../core/settlement/settlement-postings';
import { settlementWindowDecider } from '../../../core/settlement/settlement-window-decider';
import { settlementStreamName } from '../../../core/settlement/settlement-window-events';
import { transferDecider } from '../../../core/transfers/transfer-decider';
import type { TransferInitiated } from '../../../core/transfers/transfer-events';
import { transferStreamName } from '../../../core/transfers/transfer-events';
import { openProjectionFixture } from '../../support/projection-fixture';
import { startSettlementFixture } from './settlement-fixture';

const context = (): CommandContext => ({ now: new Date(), actor: 'test', correlationId: 'settlement-projection' });

function initiation(transferId: string, payer: string, payee: string, amountMinor: string): TransferInitiated['data'] {
  return {
    transferId,
    payerParticipant: payer,
    payeeParticipant: payee,
    payer: { type: 'MSISDN', value: '923001111111' },
    payee: { type: 'MSISDN', value: '923002222222' },
    payeeAccount: { type: 'WALLET', value: '03002222222' },
    amountMinor,
    currency: 'PKR',
    purpose: 'P2P',
    note: null,
    creditMode: 'REQUEST',
    requestDigest: 'digest',
    channel: 'api',
    createdAt: new Date().toISOString(),
  };
}

it('puts payments committed before the first window opened into window 1, which spans them', async () => {
  const fixture = openProjectionFixture('hisaab-settlement-projection-');
  const runner = new ProjectionRunner({ store: fixture.store, readModels: fixture.readModels, projections: [settlementProjection] });
  try {
    await runner.start();
    const transferId = randomUUID();
    await handleStreamCommand(
      fixture.store,
      transferStreamName(transferId),
      transferDecider,
      { type: 'InitiateTransfer', data: initiation(transferId, 'INDUS', 'RAVI', '5000') },
      context(),
    );
    const committed = await handleStreamCommand(
      fixture.store,
      transferStreamName(transferId),
      transferDecider,
      { type: 'CommitTransfer', data: { transferId }, now: new Date() },
      context(),
    );
    const opened = await handleStreamCommand(
      fixture.store,
      settlementStreamName('PKR'),
      settlementWindowDecider,
      { type: 'OpenFirstWindow', data: { currency: 'PKR' }, now: new Date() },
      context(),
    );
    await runner.waitForPosition(opened.position!, 5_000);

    const reader = new SqliteSettlementReader(fixture.readModels.database);
    expect(reader.windowOfTransfer(transferId)).toBe('PKR-000001');
    const window = reader.findWindow('PKR-000001')!;
    expect(window).toMatchObject({ state: 'OPEN', firstPosition: committed.position, lastPosition: opened.position });
    expect(window.openedAt).not.toBeNull();
    expect(buildSettlementReport(window, reader.windowLines('PKR-000001'), null).totals).toEqual({
      count: 1,
      value: '50.00',
      fees: '0.00',
    });
  } finally {
    await runner.stop();
    await fixture.close();
  }
});

it('counts a reversal as a payment back in the window it is recorded in, charges fees to the position they debit, and settles both to zero', async () => {
  const fixture = await startSettlementFixture([
    { id: 'INDUS', bankCode: 'INDU', netDebitCapMinor: 10_000_000n, customers: 1 },
    { id: 'RAVI', bankCode: 'RAVI', netDebitCapMinor: 10_000_000n, customers: 1 },
  ]);
  try {
    const [indus, ravi] = fixture.customers;
    const payment = await fixture.pay(indus!, ravi!, '100.00', randomUUID());
    expect(payment.state).toBe('COMMITTED');
    const first = await fixture.settlement.closeWindow(
      { currency: 'PKR', closedBy: 'operator', requestReference: null },
      fixture.context(),
    );

    // In the next window: the payment is reversed (the ledger moves it back) and INDUS pays the switch a fee.
    await handleStreamCommand(
      fixture.store,
      transferStreamName(payment.id),
      transferDecider,
      { type: 'ReverseTransfer', data: { transferId: payment.id, reason: 'PAYER_REVERSED' }, now: new Date() },
      fixture.context(),
    );
    const ledgerAnswer = await fixture.ledger.submit([
      {
        type: 'transfer',
        id: `${payment.id}:reversal`,
        ledger: 'PKR',
        debitAccountId: positionAccountId('RAVI'),
        creditAccountId: positionAccountId('INDUS'),
        amountMinor: 10_000n,
        code: 'REVERSAL',
      },
      { type: 'create_account', id: 'hub:fees', ledger: 'PKR', code: 'HUB_FEES', owner: 'hub' },
      {
        type: 'transfer',
        id: `${payment.id}:fee`,
        ledger: 'PKR',
        debitAccountId: positionAccountId('INDUS'),
        creditAccountId: 'hub:fees',
        amountMinor: 200n,
        code: 'FEE',
      },
    ]);
    expect(ledgerAnswer.results).toEqual(['ok', 'ok', 'ok']);
    const second = await fixture.settlement.closeWindow(
      { currency: 'PKR', closedBy: 'operator', requestReference: null },
      fixture.context(),
    );
    await fixture.caughtUp();

    const window = fixture.settlementReader.findWindow(second.closedWindowId)!;
    const lines = fixture.settlementReader.windowLines(window.windowId);
    expect(buildSettlementReport(window, lines, null)).toMatchObject({
      participants: [
        { participant: 'INDUS', sentCount: 0, receivedCount: 1, receivedValue: '100.00', fees: '2.00', net: '98.00' },
        { participant: 'RAVI', sentCount: 1, sentValue: '100.00', receivedCount: 0, fees: '0.00', net: '-100.00' },
        // The fee went to a hub account, not a participant's: it is the switch's income all the same.
        { participant: 'HISAAB', fees: '2.00', net: '2.00' },
      ],
      totals: { count: 1, value: '100.00', fees: '2.00' },
      netSumZero: true,
    });
    expect(settledPositions(lines)).toEqual([
      { participant: 'INDUS', direction: 'RECEIVES', amountMinor: '9800' },
      { participant: 'RAVI', direction: 'PAYS', amountMinor: '10000' },
    ]);

    await fixture.settlement.settleWindow(
      { windowId: first.closedWindowId, reference: 'RTGS-1', requestReference: null },
      fixture.context(),
    );
    await fixture.settlement.settleWindow(
      { windowId: second.closedWindowId, reference: 'RTGS-2', requestReference: null },
      fixture.context(),
    );
    await fixture.caughtUp();
    expect((await fixture.position('INDUS')).positionMinor).toBe(0n);
    expect((await fixture.position('RAVI')).positionMinor).toBe(0n);
    // The fee came in through the RTGS: the hub's settlement account holds what its fee account earned.
    const hub = await fixture.ledger.lookupAccount(hubSettlementAccountId);
    expect(hub!.debitsPostedMinor - hub!.creditsPostedMinor).toBe(200n);

    // Statements chain: each window opens where the one before closed, and the last closes at zero.
    const windows = fixture.settlementReader
      .listWindows({ currency: 'PKR', state: null, beforeCreatedPosition: null, limit: 10 })
      .reverse();
    for (const participant of ['INDUS', 'RAVI']) {
      let carried = 0n;
      for (const each of windows) {
        const statement = settlementStatementInput(fixture.settlementReader, each, { id: participant, name: null }, new Date());
        expect({ participant, window: each.windowId, opening: statement.openingBalanceMinor }).toEqual({
          participant,
          window: each.windowId,
          opening: carried,
        });
        carried = statement.closingBalanceMinor;
      }
      expect(carried).toBe(0n);
    }
  } finally {
    await fixture.close();
  }
});
