import { randomUUID } from 'node:crypto';
import { outboxLimitsDefault } from '../../core/outbox/outbox';
import { PaymentNetwork } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

type Transfer = { id: string; switchTransferId: string; state: string };
type Participant = { position: string; reserved: string };

/**
 * A wallet in ADVICE mode that is down while more payments reach it than its outbox holds. Each payment commits all
 * the same, in one durable write: its advice is queued not by the payment but by the advice intake, which follows
 * the log and waits at its share of the outbox's limit. The outbox never refuses, never passes its limit; the
 * switch restarts with the backlog in the log, and every advice is delivered exactly once when the wallet is back.
 */
let network: PaymentNetwork;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'ADVISED', bankCode: 'ADVS', msisdn: '923000000004', creditMode: 'ADVICE' },
    ],
  );
});

afterAll(async () => {
  await network.close();
});

const batchSize = 1_000;
const paymentsMore = 1_500;

function payment(id: string): Record<string, unknown> {
  return {
    id,
    payer: { type: 'WALLET', value: network.wallet('MARGALLA').walletNumber },
    payee: { type: 'MSISDN', value: network.wallet('ADVISED').msisdn },
    amount: '1.00',
    currency: 'PKR',
    purpose: 'P2P',
  };
}

it('commits every ADVICE payment while the outbox is full, and delivers each advice once the wallet is back', async () => {
  const advised = network.wallet('ADVISED');
  const balanceBefore = advised.simulator.balanceOf(advised.walletNumber);
  await advised.simulator.refuseConnections();
  const paymentsTotal = outboxLimitsDefault.pendingMax + paymentsMore;
  const ids: string[] = [];
  for (let sent = 0; sent < paymentsTotal; sent += batchSize) {
    const transfers = Array.from({ length: Math.min(batchSize, paymentsTotal - sent) }, () => payment(randomUUID()));
    const answer = await network.sw.client.post('/v1/transfers/batch', { key: network.wallet('MARGALLA').key.key, body: { transfers } });
    expect(answer.status).toBe(200);
    const results = (answer.body as { results: { outcome: string; state?: string }[] }).results;
    expect(results.filter((result) => result.state !== 'COMMITTED')).toEqual([]);
    ids.push(...transfers.map((transfer) => String(transfer['id'])));
  }
  const single = await network.sw.client.post('/v1/transfers', { key: network.wallet('MARGALLA').key.key, body: payment(randomUUID()) });
  expect(single.status).toBe(201);
  expect(single.body).toMatchObject({ state: 'COMMITTED' });
  expect(await participant('MARGALLA')).toMatchObject({ position: `${paymentsTotal + 1}.00`, reserved: '0.00' });
  // The intake waits at its share of the limit: the outbox is never pushed past it.
  const outbox = network.sw.running.transfers.walletOutbox;
  await waitUntil(() => outbox.pendingCount > 0, 'the intake queued advices');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(outbox.pendingCount).toBeLessThan(outboxLimitsDefault.pendingMax);
  expect(outbox.pendingCount).toBeGreaterThanOrEqual(outboxLimitsDefault.pendingMax * 0.9);

  // The wallet comes back while the switch is down: the new start reads the backlog back from the outbox stream and
  // the rest from the log, after the intake's checkpoint.
  await network.restartSwitch(() => void advised.simulator.acceptConnections());
  const switchTransferId = (single.body as Transfer).switchTransferId;
  await waitUntil(
    () => advised.simulator.received('CREDIT_ADVICE').some((message) => message.transferId === switchTransferId),
    'the wallet received the last advice',
    // About 11,500 advices are delivered one by one: 20 s on a quiet machine, more than 90 s on a loaded one.
    240_000,
  );
  await waitUntil(() => network.sw.running.transfers.walletOutbox.pendingCount === 0, 'the backlog drained', 30_000);
  // Each advice credited once (the wallet deduplicates by transferId; the messages it remembers show no repeat).
  expect(advised.simulator.balanceOf(advised.walletNumber) - balanceBefore).toBe(BigInt(paymentsTotal + 1) * 100n);
  const advices = advised.simulator.received('CREDIT_ADVICE').map((message) => message.transferId);
  expect(new Set(advices).size).toBe(advices.length);
}, 420_000);

async function participant(id: string): Promise<Participant> {
  return (await network.sw.client.get(`/v1/participants/${id}`, { key: network.sw.operatorKey })).body as Participant;
}
