import { randomUUID } from 'node:crypto';
import { errorCode } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';

/**
 * A claimed amount the transfer's currency cannot hold is refused naming `body.amount`, as the API's other refusals
 * name their fields (README, Errors). An outside test found the details empty: the amount is read against the
 * transfer's currency inside the dispute module, after the body's own checks.
 */
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

it('names body.amount when a claimed amount has more decimals than the currency, or is zero, and records nothing', async () => {
  const key = network.wallet('MARGALLA').key.key;
  const paid = await network.sw.client.post('/v1/transfers', {
    key,
    body: {
      id: randomUUID(),
      payer: { type: 'WALLET', value: 'WMARGALLA0001', name: 'Customer MARGALLA' },
      payee: { type: 'MSISDN', value: '923000000002' },
      amount: '200.00',
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
  expect(paid.body).toMatchObject({ state: 'COMMITTED' });
  const transferId = (paid.body as { id: string }).id;
  for (const amount of ['100.001', '0.00']) {
    const refused = await network.sw.client.post('/v1/disputes', {
      key,
      headers: { 'idempotency-key': randomUUID() },
      body: { transferId, category: 'WRONG_AMOUNT', amount, description: 'charged too much' },
    });
    expect([refused.status, errorCode(refused)]).toEqual([400, 'INVALID_AMOUNT']);
    expect(refused.body).toMatchObject({
      error: { message: expect.stringMatching(/^body\.amount: /), details: [{ path: ['body', 'amount'] }] },
    });
  }
  const listed = await network.sw.client.get('/v1/disputes', { key });
  expect(listed.body).toMatchObject({ disputes: [] });
});
