import { randomUUID } from 'node:crypto';
import { parseAmount } from '../../core/money';
import { payCheckoutSession, type OnboardedMerchant, type PaidSession } from '../support/gateway';
import type { PaymentNetwork } from '../support/payment-network';
import { shopPayer, startShopNetwork } from '../support/shop-network';
import { waitUntil } from '../support/wait-until';

/**
 * A chargeback is capped by the refunds before it, pending ones included (one may still succeed). A pending refund
 * that then failed gave its amount back to the payment, but the chargeback had been decided on it already: a
 * claimant who won 100.00 on a 100.00 payment was charged back nothing, the refund failed, and the customer got
 * nothing back at all. The chargeback now waits for the payment's pending refunds to end, and takes what they leave.
 */
const PAYER = shopPayer;

let network: PaymentNetwork;
let shop: OnboardedMerchant;

beforeAll(async () => {
  ({ network, shop } = await startShopNetwork('PENDINGSHOP', { environment: { HISAAB_PAYEE_DEADLINE_MS: '1500' } }));
});

afterAll(async () => {
  await network.close();
});

afterEach(() => {
  network.wallet(PAYER).simulator.setMode({ mode: 'accept' });
});

function paidSession(amount: string): Promise<PaidSession> {
  return payCheckoutSession(network.sw.client, shop, {
    payerKey: network.wallet(PAYER).key.key,
    payer: { type: 'WALLET', value: 'WRAVI0001' },
    amount,
  });
}

type DisputeBody = { state: string; chargebackAmount: string | null };

it('charges back what a pending refund leaves once it has failed, so the customer is given the payment back once', async () => {
  const { sessionId, transferId } = await paidSession('100.00');
  const opened = await network.sw.client.post('/v1/disputes', {
    key: network.wallet(PAYER).key.key,
    headers: { 'idempotency-key': randomUUID() },
    body: { transferId, category: 'NOT_AS_DESCRIBED', amount: '100.00', description: 'not what was ordered' },
  });
  expect(opened.status).toBe(201);
  const disputeId = (opened.body as { id: string }).id;

  // The refund's credit to the payer's wallet answers after the switch's deadline: the refund holds 100.00 while it
  // waits, then fails PAYEE_TIMEOUT.
  network.wallet(PAYER).simulator.setMode({ mode: 'slow', delayMs: 4000 }, ['CREDIT_REQUEST']);
  const refunding = network.sw.client.post('/v1/refunds', {
    key: shop.apiKey,
    body: { sessionId, amount: '100.00' },
    headers: { 'idempotency-key': randomUUID() },
  });
  const refunds = network.sw.running.refunds.refundedAmounts;
  await waitUntil(async () => (await refunds.refundedMinor(transferId)) === 10_000n, 'the refund holds its amount', 5000);
  const accepted = await network.sw.client.post(`/v1/disputes/${disputeId}/respond`, {
    key: shop.apiKey,
    body: { action: 'ACCEPT', note: 'agreed' },
  });
  expect(accepted.body).toMatchObject({ state: 'RESOLVED' });
  const refund = (await refunding).body as { status: string; amount: string };
  expect(refund.status).toBe('FAILED');
  expect(await refunds.refundedMinor(transferId)).toBe(0n);

  // The sweeper finishes what waited (the switch sweeps every 5 s; a sweep is run here so as not to wait for it).
  await network.sw.running.disputes.sweep();
  const read = async (): Promise<DisputeBody> =>
    (await network.sw.client.get(`/v1/disputes/${disputeId}`, { key: network.sw.operatorKey })).body as DisputeBody;
  await waitUntil(async () => (await read()).chargebackAmount !== null, 'the chargeback is posted', 10_000);
  const chargedBackMinor = parseAmount((await read()).chargebackAmount ?? '0', 'PKR');
  expect(chargedBackMinor + (await refunds.refundedMinor(transferId))).toBe(10_000n);
});
