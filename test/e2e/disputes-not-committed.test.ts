import { randomUUID } from 'node:crypto';
import { errorCode, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

/**
 * A dispute is opened on money that moved. An outside test opened GOODS_NOT_RECEIVED on an ABORTED transfer: it waited
 * for its deadline, resolved for the claimant with nothing moved, and counted a missed deadline against a respondent
 * that had received nothing. Such a claim, and one on a transfer still IN_FLIGHT, is refused and records nothing; the
 * one rule on an aborted transfer (DEBITED_NOT_CREDITED, decided at once from the ledger) stays.
 */
let network: PaymentNetwork;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001', netDebitCap: '1000000.00' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '1000000.00' },
    ],
    { HISAAB_PAYEE_DEADLINE_MS: '5000', HISAAB_ODR_CAP: '5000.00' },
  );
});

afterAll(async () => {
  await network.close();
});

afterEach(() => {
  network.wallet('RAVI').simulator.setMode({ mode: 'accept' });
});

const key = (): string => network.wallet('MARGALLA').key.key;

function pay(id: string, amount: string): Promise<HttpAnswer> {
  return network.sw.client.post('/v1/transfers', {
    key: key(),
    body: {
      id,
      payer: { type: 'WALLET', value: 'WMARGALLA0001', name: 'Customer' },
      payee: { type: 'MSISDN', value: '923000000002' },
      amount,
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
}

function open(transferId: string, category: string, amount: string): Promise<HttpAnswer> {
  return network.sw.client.post('/v1/disputes', {
    key: key(),
    headers: { 'idempotency-key': randomUUID() },
    body: { transferId, category, amount, description: 'the customer says so' },
  });
}

async function disputeCount(): Promise<number> {
  const listed = await network.sw.client.get('/v1/disputes?limit=100', { key: network.sw.operatorKey });
  return (listed.body as { disputes: unknown[] }).disputes.length;
}

it('refuses a claim on an ABORTED transfer 409 TRANSFER_NOT_COMMITTED, recording nothing, but still rules on DEBITED_NOT_CREDITED', async () => {
  network.wallet('RAVI').simulator.setMode({ mode: 'reject', reason: 'account closed' });
  const transfer = (await pay(randomUUID(), '250.00')).body as { id: string; state: string };
  expect(transfer.state).toBe('ABORTED');
  const before = await disputeCount();
  for (const category of ['GOODS_NOT_RECEIVED', 'NOT_AS_DESCRIBED', 'DUPLICATE', 'WRONG_AMOUNT', 'UNAUTHORIZED']) {
    const refused = await open(transfer.id, category, '250.00');
    expect([refused.status, errorCode(refused)]).toEqual([409, 'TRANSFER_NOT_COMMITTED']);
    expect((refused.body as { error: { message: string } }).error.message).toContain('ABORTED');
  }
  expect(await disputeCount()).toBe(before);
  // The ledger's own record decides this one at once: no deadline runs, nothing is charged back.
  const ruled = await open(transfer.id, 'DEBITED_NOT_CREDITED', '250.00');
  expect(ruled.status).toBe(201);
  expect(ruled.body).toMatchObject({ state: 'RESOLVED', respondBy: null, deadlineMissed: false, chargebackTransferId: null });
});

it('refuses a claim on a transfer still IN_FLIGHT 409 TRANSFER_NOT_COMMITTED, recording nothing', async () => {
  network.wallet('RAVI').simulator.setMode({ mode: 'slow', delayMs: 3000 });
  const clientId = randomUUID();
  const paying = pay(clientId, '40.00');
  await waitUntil(
    async () =>
      ((await network.sw.client.get(`/v1/transfers/${clientId}`, { key: key() })).body as { state?: string }).state === 'IN_FLIGHT',
    'the transfer is in flight',
    5000,
  );
  const before = await disputeCount();
  const refused = await open(clientId, 'GOODS_NOT_RECEIVED', '40.00');
  expect([refused.status, errorCode(refused)]).toEqual([409, 'TRANSFER_NOT_COMMITTED']);
  expect((refused.body as { error: { message: string } }).error.message).toContain('IN_FLIGHT');
  expect(await disputeCount()).toBe(before);
  expect(((await paying).body as { state: string }).state).toBe('COMMITTED');
});
