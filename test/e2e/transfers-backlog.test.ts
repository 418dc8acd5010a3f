import { randomUUID } from 'node:crypto';
import { outboxLimitsDefault } from '../../core/outbox/outbox';
import { creditAdviceDelivery } from '../../core/outbox/payee-deliveries';
import { StuckTransferSweeper } from '../../core/transfers/stuck-transfer-sweeper';
import { errorCode, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

type Transfer = { id: string; switchTransferId: string; state: string; abortReason: string | null };
type Participant = { position: string; reserved: string };

/**
 * A wallet in ADVICE mode that has been down long enough for its credit advices to fill the wallet outbox. A
 * transfer to it has moved money on the ledger but cannot queue its advice: it is recorded and in flight, and
 * the payer must hear "ask again", not a refusal; the switch must still restart, and finish it once there is room.
 */
let network: PaymentNetwork;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'ADVISED', bankCode: 'ADVS', msisdn: '923000000004', creditMode: 'ADVICE' },
    ],
    { HISAAB_PAYEE_DEADLINE_MS: '700' },
  );
});

afterAll(async () => {
  await network.close();
});

async function fillWalletOutbox(): Promise<void> {
  const outbox = network.sw.running.transfers.walletOutbox;
  const missing = outboxLimitsDefault.pendingMax - outbox.pendingCount;
  const advice = (index: number) =>
    creditAdviceDelivery('ADVISED', {
      transferId: `backlog-${index}`,
      amount: '1.00',
      currency: 'PKR',
      // Nobody holds this number: the wallet parks each advice in suspense once it takes them again.
      payee: { type: 'MSISDN', value: '923009999999' },
      payer: { participant: 'MARGALLA' },
    });
  for (let start = 0; start < missing; start += 1_000) {
    await Promise.all(Array.from({ length: Math.min(1_000, missing - start) }, (_, offset) => outbox.enqueue(advice(start + offset))));
  }
  expect(outbox.pendingCount).toBe(outboxLimitsDefault.pendingMax);
}

async function participant(id: string): Promise<Participant> {
  return (await network.sw.client.get(`/v1/participants/${id}`, { key: network.sw.operatorKey })).body as Participant;
}

async function read(id: string): Promise<HttpAnswer> {
  return network.sw.client.get(`/v1/transfers/${id}`, { key: network.wallet('MARGALLA').key.key });
}

it('answers a recorded transfer it cannot finish with 503 TRANSFER_IN_FLIGHT, restarts, and commits it once the outbox has room', async () => {
  const advised = network.wallet('ADVISED');
  await advised.simulator.refuseConnections();
  await fillWalletOutbox();

  const body = {
    id: randomUUID(),
    payer: { type: 'WALLET', value: network.wallet('MARGALLA').walletNumber },
    payee: { type: 'MSISDN', value: advised.msisdn },
    amount: '25.00',
    currency: 'PKR',
    purpose: 'P2P',
  };
  const answer = await network.sw.client.post('/v1/transfers', { key: network.wallet('MARGALLA').key.key, body });
  // Not a 4xx: the transfer is recorded and its money has moved; a payer that read a refusal would refund its customer.
  expect(answer.status).toBe(503);
  expect(errorCode(answer)).toBe('TRANSFER_IN_FLIGHT');
  expect(answer.headers.get('retry-after')).not.toBeNull();
  expect(answer.text).not.toMatch(/at .*\.ts:\d+/);
  expect((await read(body.id)).body).toMatchObject({ id: body.id, state: 'IN_FLIGHT' });
  // Logs, the ledger and the payee's messages carry the switch's id of the transfer.
  const switchTransferId = ((await read(body.id)).body as Transfer).switchTransferId;

  // Recovery at start-up meets the same full outbox: the switch starts all the same and leaves the transfer in flight.
  await network.restartSwitch();
  expect((await read(body.id)).body).toMatchObject({ state: 'IN_FLIGHT' });
  expect(network.sw.logLines.some((line) => line['transferId'] === switchTransferId && line['level'] === 'error')).toBe(true);

  // The wallet comes back (while the switch is down, so that the new start meets a wallet that answers at once),
  // the backlog drains, and the transfer is finished: committed, its advice queued for the wallet.
  await network.restartSwitch(() => void advised.simulator.acceptConnections());
  const outbox = network.sw.running.transfers.walletOutbox;
  await waitUntil(() => outbox.pendingCount < outboxLimitsDefault.pendingMax, 'the wallet outbox has room', 20_000);
  const sweeper = new StuckTransferSweeper({
    service: network.sw.running.transfers.service,
    reader: network.sw.running.transfers.reader,
    now: () => new Date(Date.now() + 3_600_000),
    stuckAfterMs: 60_000,
    transfersPerSweepMax: 10,
  });
  // Recovery at this start may have finished it already, if the backlog had begun to drain by then.
  await sweeper.sweep();
  await waitUntil(async () => ((await read(body.id)).body as Transfer).state === 'COMMITTED', 'the transfer reads COMMITTED');
  expect(outbox.inspect(`CREDIT_ADVICE:${switchTransferId}`).status).not.toBe('none');
  expect(await participant('MARGALLA')).toMatchObject({ position: '25.00', reserved: '0.00' });
});
