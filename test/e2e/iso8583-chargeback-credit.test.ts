import { randomUUID } from 'node:crypto';
import type { IssuedKey } from '../../simulators/operator-client';
import { PaymentNetwork, openingBalanceMinor } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

/**
 * Issue 12: a chargeback's credit to a BANK claimant goes out over ISO 8583. A bank's customer pays a wallet (0200),
 * the bank disputes it over REST, the wallet accepts, and the bank host receives the credit as a 0220 (DE3 200000,
 * DE48 the dispute id) and books it to its customer once, also when the switch restarts with the credit undelivered.
 */

const INDUS = { id: 'INDUS', bankCode: 'INDB', institutionId: '600001' };
const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001234567' };

type Dispute = {
  id: string;
  state: string;
  outcome: string | null;
  claimant: string;
  respondent: string;
  chargebackTransferId: string | null;
};

let network: PaymentNetwork;
let bankKey: IssuedKey;

beforeAll(async () => {
  network = await PaymentNetwork.start([INDUS], [MARGALLA], { HISAAB_PAYEE_DEADLINE_MS: '3000' });
  await network.connectBank(INDUS.id);
  bankKey = await network.operator.issueKey(INDUS.id);
});

afterAll(async () => {
  await network.close();
});

/** A customer of the bank pays the wallet's customer over ISO 8583; the bank debits its customer first. */
async function bankPays(payerAccount: string, amountMinor: bigint): Promise<string> {
  const result = await network
    .bank(INDUS.id)
    .simulator.sendTransfer({ payerAccount, payee: MARGALLA.msisdn, amountMinor, timeoutMs: 5_000 });
  expect(result.status).toBe('approved');
  if (result.status !== 'approved') throw new Error('the transfer was not approved');
  return result.transferId;
}

/** The bank claims the amount back for its customer, and the wallet (the respondent) accepts. */
async function disputeAndAccept(transferId: string, amount: string): Promise<Dispute> {
  const opened = await network.sw.client.post('/v1/disputes', {
    key: bankKey.key,
    headers: { 'idempotency-key': randomUUID() },
    body: { transferId, category: 'GOODS_NOT_RECEIVED', amount, description: 'the goods never came' },
  });
  expect(opened.status).toBe(201);
  const dispute = opened.body as Dispute;
  expect(dispute).toMatchObject({ state: 'OPEN', claimant: INDUS.id, respondent: MARGALLA.id });
  const accepted = await network.sw.client.post(`/v1/disputes/${dispute.id}/respond`, {
    key: network.wallet(MARGALLA.id).key.key,
    body: { action: 'ACCEPT', note: 'refunding the customer' },
  });
  expect(accepted.status).toBe(200);
  expect(accepted.body).toMatchObject({ state: 'RESOLVED', outcome: 'CLAIMANT', chargebackTransferId: `chargeback-${dispute.id}` });
  return accepted.body as Dispute;
}

function creditDeliveryStatus(dispute: Dispute): string {
  return network.sw.running.transfers.bankChannel.outbox.inspect(`CHARGEBACK_CREDIT:chargeback-${dispute.id}`).status;
}

it('the bank host receives one 0220 for the chargeback and books the credit to its customer once', async () => {
  const indus = network.bank(INDUS.id);
  const payer = indus.customers[0];
  const transferId = await bankPays(payer, 150_000n);
  expect(indus.simulator.accounts.balanceOf(payer)).toBe(openingBalanceMinor - 150_000n);
  const advicesBefore = indus.simulator.statistics().advicesReceived;

  const dispute = await disputeAndAccept(transferId, '1500.00');

  await waitUntil(() => creditDeliveryStatus(dispute) === 'delivered', 'the switch records the 0230 that acknowledges the credit');
  expect(indus.simulator.chargebackCredits()).toEqual([{ disputeId: dispute.id, account: payer, amountMinor: 150_000n }]);
  expect(indus.simulator.accounts.balanceOf(payer)).toBe(openingBalanceMinor);
  expect(indus.simulator.statistics()).toMatchObject({ chargebackCreditsApplied: 1, advicesReceived: advicesBefore + 1 });
});

it('books the credit once when the switch restarts with it undelivered, the bank having booked a 0220 whose answer was lost', async () => {
  const indus = network.bank(INDUS.id);
  const payer = indus.customers[1];
  const transferId = await bankPays(payer, 42_050n);
  const creditsBefore = indus.simulator.statistics().chargebackCreditsApplied;
  const advicesBefore = indus.simulator.statistics().advicesReceived;

  // The bank books after a delay, by which time the switch's channel to it is cut: the 0230 never arrives.
  indus.simulator.configure({ delayMs: 1_000 });
  const dispute = await disputeAndAccept(transferId, '420.50');
  await waitUntil(() => indus.simulator.statistics().advicesReceived === advicesBefore + 1, 'the 0220 reaches the bank');
  indus.simulator.configure({ refuseConnections: true });
  indus.simulator.dropConnections();
  await waitUntil(() => indus.simulator.statistics().chargebackCreditsApplied === creditsBefore + 1, 'the bank books the credit');
  expect(creditDeliveryStatus(dispute)).toBe('pending');

  await network.restartSwitch(() => indus.simulator.configure({ refuseConnections: false, delayMs: 0 }));

  await waitUntil(() => creditDeliveryStatus(dispute) === 'delivered', 'the restarted switch delivers the credit again', 15_000);
  expect(indus.simulator.statistics().advicesReceived).toBeGreaterThan(advicesBefore + 1);
  expect(indus.simulator.statistics().chargebackCreditsApplied).toBe(creditsBefore + 1);
  expect(indus.simulator.chargebackCredits().filter((credit) => credit.disputeId === dispute.id)).toEqual([
    { disputeId: dispute.id, account: payer, amountMinor: 42_050n },
  ]);
  expect(indus.simulator.accounts.balanceOf(payer)).toBe(openingBalanceMinor);
  const view = await network.sw.client.get(`/v1/disputes/${dispute.id}`, { key: bankKey.key });
  expect(view.body).toMatchObject({ state: 'RESOLVED', outcome: 'CLAIMANT', chargebackTransferId: `chargeback-${dispute.id}` });
});
