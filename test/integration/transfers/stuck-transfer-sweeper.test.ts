import { randomUUID } from 'node:crypto';
import { handleStreamCommand } from '../../../core/eventstore/decider-stream';
import { reversalDelivery } from '../../../core/outbox/payee-deliveries';
import { positionAccountId } from '../../../core/participants/participant-accounts';
import { StuckTransferSweeper } from '../../../core/transfers/stuck-transfer-sweeper';
import { transferDecider } from '../../../core/transfers/transfer-decider';
import type { TransferInitiated } from '../../../core/transfers/transfer-events';
import { transferStreamName } from '../../../core/transfers/transfer-events';
import type { TransferView } from '../../../core/transfers/transfer-view';
import { PaymentNetwork } from '../../support/payment-network';

let network: PaymentNetwork;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002' },
    ],
  );
});

afterAll(async () => {
  await network.close();
});

/**
 * Leaves a transfer as an execution that died half-way would: initiated, its reservation held on the ledger,
 * nobody finishing it. Written through the same decider and ledger the service uses.
 */
async function strandTransfer(reserve: boolean): Promise<string> {
  const running = network.sw.running;
  const transferId = randomUUID();
  const initiated: TransferInitiated['data'] = {
    transferId,
    payerParticipant: 'MARGALLA',
    payeeParticipant: 'RAVI',
    payer: { type: 'WALLET', value: network.wallet('MARGALLA').walletNumber },
    payee: { type: 'MSISDN', value: network.wallet('RAVI').msisdn },
    payeeAccount: { type: 'WALLET', value: network.wallet('RAVI').walletNumber },
    amountMinor: '5000',
    currency: 'PKR',
    purpose: 'P2P',
    note: null,
    creditMode: 'REQUEST',
    requestDigest: 'stranded',
    channel: 'api',
    createdAt: new Date().toISOString(),
  };
  const appended = await handleStreamCommand(
    running.store,
    transferStreamName(transferId),
    transferDecider,
    { type: 'InitiateTransfer', data: initiated },
    { now: new Date() },
  );
  if (reserve) {
    const ledger = running.ledgers[0];
    if (ledger === undefined) throw new Error('the switch runs a ledger');
    const receipt = await ledger.submit([
      {
        type: 'pending_transfer',
        id: transferId,
        ledger: 'PKR',
        debitAccountId: positionAccountId('MARGALLA'),
        creditAccountId: positionAccountId('RAVI'),
        amountMinor: 5000n,
        code: 'P2P',
        timeoutMs: 3_600_000,
        userData: { transferId },
      },
    ]);
    expect(receipt.results).toEqual(['ok']);
  }
  await running.dependencies.readModels.waitForPosition(appended.position ?? 0n, 5_000);
  return transferId;
}

function sweeperAt(offsetMs: number, finished: TransferView[]): StuckTransferSweeper {
  const transfers = network.sw.running.transfers;
  return new StuckTransferSweeper({
    service: transfers.service,
    reader: transfers.reader,
    now: () => new Date(Date.now() + offsetMs),
    stuckAfterMs: 60_000,
    transfersPerSweepMax: 10,
    onFinished: (view) => finished.push(view),
  });
}

it("leaves young transfers alone and finishes stuck ones from the ledger's record, with a reversal", async () => {
  const reservedId = await strandTransfer(true);
  const unreservedId = await strandTransfer(false);
  const finished: TransferView[] = [];
  expect(await sweeperAt(0, finished).sweep()).toBe(0);
  expect(await sweeperAt(3_600_000, finished).sweep()).toBe(2);
  const byId = new Map(finished.map((view) => [view.id, view]));
  expect(byId.get(reservedId)).toMatchObject({ state: 'ABORTED', abortReason: 'SWITCH_RESTARTED' });
  expect(byId.get(unreservedId)).toMatchObject({ state: 'ABORTED', abortReason: 'SWITCH_RESTARTED' });
  const margalla = (await network.sw.client.get('/v1/participants/MARGALLA', { key: network.sw.operatorKey })).body as {
    reserved: string;
    position: string;
  };
  expect(margalla).toMatchObject({ reserved: '0.00', position: '0.00' });
  // The payee may have been asked before the execution died, so it is told to reverse; it was not, so it ignores it.
  const ravi = network.wallet('RAVI').simulator;
  const deadline = Date.now() + 10_000;
  while (!ravi.received('REVERSAL').some((message) => message.transferId === reservedId) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(ravi.received('REVERSAL').some((message) => message.transferId === reservedId)).toBe(true);
  expect(ravi.received('REVERSAL').some((message) => message.transferId === unreservedId)).toBe(false);
  expect(await sweeperAt(3_600_000, finished).sweep()).toBe(0);
});

it('finishes a transfer whose execution died after queueing its reversal and before releasing the reservation', async () => {
  // What the PAYEE_TIMEOUT path leaves when it stops between its two durable steps (a crash, or a void the ledger
  // could not take then): the reversal is queued with that reason, the reservation is still held.
  const transferId = await strandTransfer(true);
  const ravi = network.wallet('RAVI');
  const message = {
    transferId,
    amount: '50.00',
    currency: 'PKR',
    payee: { type: 'WALLET', value: ravi.walletNumber },
    payer: { participant: 'MARGALLA' },
  };
  await network.sw.running.transfers.walletOutbox.enqueue(reversalDelivery('RAVI', { ...message, reason: 'PAYEE_TIMEOUT' }));
  const finished: TransferView[] = [];
  const errors: unknown[] = [];
  const sweeper = new StuckTransferSweeper({
    service: network.sw.running.transfers.service,
    reader: network.sw.running.transfers.reader,
    now: () => new Date(Date.now() + 3_600_000),
    stuckAfterMs: 60_000,
    transfersPerSweepMax: 10,
    onFinished: (view) => finished.push(view),
    onError: (_transferId, error) => errors.push(error),
  });
  expect(await sweeper.sweep()).toBe(1);
  expect(errors).toEqual([]);
  expect(finished).toEqual([expect.objectContaining({ id: transferId, state: 'ABORTED' })]);
  const margalla = (await network.sw.client.get('/v1/participants/MARGALLA', { key: network.sw.operatorKey })).body as { reserved: string };
  expect(margalla.reserved).toBe('0.00');
  const deadline = Date.now() + 10_000;
  while (!ravi.simulator.received('REVERSAL').some((received) => received.transferId === transferId) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(ravi.simulator.received('REVERSAL').filter((received) => received.transferId === transferId)).toHaveLength(1);
});
