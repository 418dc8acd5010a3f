import { randomUUID } from 'node:crypto';
import { PaymentNetwork, openingBalanceMinor } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

/**
 * Issue 5 item 6: the payee bank times out (it credits, but its answer never reaches the switch), the transfer
 * aborts, and the 0420 reversal queued for the bank is delivered store-and-forward after the switch is stopped
 * and started again on the same data dir.
 */

const MEEZAN = { id: 'MEEZAN', bankCode: 'MEZN', institutionId: '600002' };
const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001234567' };

type Transfer = { id: string; state: string; abortReason: string | null; reversed: boolean };

let network: PaymentNetwork;

beforeAll(async () => {
  network = await PaymentNetwork.start([MEEZAN], [MARGALLA], { HISAAB_PAYEE_DEADLINE_MS: '3000' });
});

afterAll(async () => {
  await network.close();
});

function pay(payeeIban: string, amount: string, id: string = randomUUID()) {
  const wallet = network.wallet(MARGALLA.id);
  return network.sw.client.post('/v1/transfers', {
    key: wallet.key.key,
    body: {
      id,
      payer: { type: 'WALLET', value: wallet.walletNumber },
      payee: { type: 'IBAN', value: payeeIban },
      amount,
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
}

it('reverses at the payee bank, after a switch restart, a credit whose answer was lost', async () => {
  const meezan = network.bank(MEEZAN.id);
  const [warmUpPayee, payee] = meezan.customers;
  // A first transfer opens and signs on the switch's channel to the bank.
  expect((await pay(warmUpPayee, '1.00')).body).toMatchObject({ state: 'COMMITTED' });

  meezan.simulator.configure({ delayMs: 1_000 });
  const id = randomUUID();
  const posting = pay(payee, '750.00', id);
  const gateway = network.sw.running.transfers.bankChannel.gateway;
  await waitUntil(() => gateway.statistics().creditRequestsInFlight === 1, 'the 0200 is on its way');
  // The 0200 crosses loopback at once; the bank credits after its 1 s delay, by which time it is cut off.
  await new Promise((resolve) => setTimeout(resolve, 250));
  meezan.simulator.configure({ refuseConnections: true });
  meezan.simulator.dropConnections();

  const answer = await posting;
  expect(answer.status).toBe(201);
  expect(answer.body).toMatchObject({ id, state: 'ABORTED', abortReason: 'PAYEE_TIMEOUT' });
  // The payee bank's messages and the outbox carry the switch's id of the transfer.
  const switchTransferId = (answer.body as { switchTransferId: string }).switchTransferId;
  await waitUntil(() => meezan.simulator.statistics().creditsApplied === 2, 'the bank applies the credit whose answer is lost');
  expect(meezan.simulator.accounts.balanceOf(payee)).toBe(openingBalanceMinor + 75_000n);
  expect(network.sw.running.transfers.bankChannel.outbox.inspect(`REVERSAL:${switchTransferId}`).status).toBe('pending');

  await network.restartSwitch(() => meezan.simulator.configure({ refuseConnections: false, delayMs: 0 }));

  await waitUntil(() => meezan.simulator.statistics().reversalsApplied === 1, 'the restarted switch delivers the 0420', 15_000);
  expect(meezan.simulator.accounts.balanceOf(payee)).toBe(openingBalanceMinor);
  const outbox = network.sw.running.transfers.bankChannel.outbox;
  await waitUntil(() => outbox.inspect(`REVERSAL:${switchTransferId}`).status === 'delivered', 'the 0430 is recorded');
  const events = await network.sw.running.store.readStream('outbox-iso8583', 0n, 1_000);
  const types = events
    .filter((event) => (event.data as { deliveryId?: string }).deliveryId === `REVERSAL:${switchTransferId}`)
    .map((event) => event.type);
  expect(types[0]).toBe('DeliveryQueued');
  expect(types[types.length - 1]).toBe('DeliverySucceeded');
  expect(types.length).toBeGreaterThanOrEqual(3);
  const view = (await network.sw.client.get(`/v1/transfers/${id}`, { key: network.sw.operatorKey })).body as Transfer;
  expect(view).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_TIMEOUT', reversed: false });
  // Nothing was credited for good: the bank's other customer kept only the warm-up credit.
  expect(meezan.simulator.accounts.balanceOf(warmUpPayee)).toBe(openingBalanceMinor + 100n);
});
