import { randomUUID } from 'node:crypto';
import { payCheckoutSession, type OnboardedMerchant, type PaidSession } from '../support/gateway';
import type { PaymentNetwork } from '../support/payment-network';
import { shopAcquirer, shopPayer, startShopNetwork } from '../support/shop-network';
import { waitUntil } from '../support/wait-until';

/**
 * A payer's full reversal (a bank's 0420) of a payment with a refund still PENDING must not be refused for good: the
 * refund may yet fail and give its hold back, and a final 12 would then leave the customer with nothing back at all
 * (the bank does not repeat a 12, and the refund gave nothing). The switch answers "not yet" (96: the bank repeats
 * the 0420 as 0421), and once the refund has ended the repeat is decided on what stands. The same reasoning made a
 * chargeback wait for a pending refund (chargeback-pending-refund.test.ts). Real switch, wallet simulators, SQLite.
 */
const ACQUIRER = shopAcquirer;
const PAYER = shopPayer;

let network: PaymentNetwork;
let shop: OnboardedMerchant;

beforeAll(async () => {
  ({ network, shop } = await startShopNetwork('REVPENDSHOP', { environment: { HISAAB_PAYEE_DEADLINE_MS: '1500' } }));
});

afterAll(async () => {
  await network.close();
});

afterEach(() => {
  network.wallet(PAYER).simulator.setMode({ mode: 'accept' });
});

async function position(participantId: string): Promise<string> {
  const answer = await network.sw.client.get(`/v1/participants/${participantId}`, { key: network.sw.operatorKey });
  return (answer.body as { position: string }).position;
}

async function positions(): Promise<[string, string]> {
  return [await position(PAYER), await position(ACQUIRER)];
}

function paidSession(amount: string): Promise<PaidSession> {
  return payCheckoutSession(network.sw.client, shop, {
    payerKey: network.wallet(PAYER).key.key,
    payer: { type: 'WALLET', value: 'WRAVI0001' },
    amount,
  });
}

function reverseForPayer(transferId: string) {
  return network.sw.running.transfers.service.reverseForPayer(transferId, PAYER, 'bank reversal (0420)');
}

it('answers a reversal "not yet" while a refund is pending, and reverses on the repeat once that refund has failed', async () => {
  const beforePayment = await positions();
  const { sessionId, transferId } = await paidSession('100.00');

  // The refund's credit to the payer's wallet answers after the switch's deadline: it holds 100.00, then fails.
  network.wallet(PAYER).simulator.setMode({ mode: 'slow', delayMs: 4000 }, ['CREDIT_REQUEST']);
  const refunding = network.sw.client.post('/v1/refunds', {
    key: shop.apiKey,
    body: { sessionId, amount: '100.00' },
    headers: { 'idempotency-key': randomUUID() },
  });
  const refunds = network.sw.running.refunds.refundedAmounts;
  await waitUntil(async () => (await refunds.refundedMinor(transferId)) === 10_000n, 'the refund holds its amount', 5000);

  // Not TRANSFER_GIVEN_BACK, which the 0430 answers 12, a final answer: the refund may still fail.
  await expect(reverseForPayer(transferId)).rejects.toMatchObject({ code: 'TRANSFER_REFUND_PENDING' });

  expect(((await refunding).body as { status: string }).status).toBe('FAILED');
  // The bank's repeat (0421) now finds nothing given back: the customer gets the payment back, once.
  expect(await reverseForPayer(transferId)).toMatchObject({ state: 'COMMITTED', reversed: true });
  expect(await positions()).toEqual(beforePayment);
});

it('still refuses for good (TRANSFER_GIVEN_BACK) a reversal of a payment a refund succeeded on, another pending', async () => {
  const { sessionId, transferId } = await paidSession('300.00');
  const refunded = await network.sw.client.post('/v1/refunds', {
    key: shop.apiKey,
    body: { sessionId, amount: '100.00' },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(refunded.body).toMatchObject({ status: 'SUCCEEDED' });
  network.wallet(PAYER).simulator.setMode({ mode: 'slow', delayMs: 4000 }, ['CREDIT_REQUEST']);
  const refunding = network.sw.client.post('/v1/refunds', {
    key: shop.apiKey,
    body: { sessionId, amount: '50.00' },
    headers: { 'idempotency-key': randomUUID() },
  });
  const refunds = network.sw.running.refunds.refundedAmounts;
  await waitUntil(async () => (await refunds.refundedMinor(transferId)) === 15_000n, 'the second refund holds its amount', 5000);

  await expect(reverseForPayer(transferId)).rejects.toMatchObject({ code: 'TRANSFER_GIVEN_BACK' });
  await refunding;
});
