import { onboardMerchant, type OnboardedMerchant } from '../support/gateway';
import { errorCode } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';

/**
 * A merchant's balance is read in a currency the switch runs. An outside test asked for CHF, which this switch does not
 * carry, and got 200 with zeros, as if the merchant had simply been paid nothing in francs, where the settlement
 * windows refuse the same currency; the balance now answers the same refusal.
 */
let network: PaymentNetwork;
let shop: OnboardedMerchant;

beforeAll(async () => {
  network = await PaymentNetwork.start([], [{ id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' }]);
  shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'CHFSHOP', 'MARGALLA');
});

afterAll(async () => {
  await network.close();
});

it('refuses a currency the switch does not run as the settlement windows do, and answers one it runs', async () => {
  const client = network.sw.client;
  const windows = await client.get('/v1/settlement/windows?currency=CHF', { key: network.sw.operatorKey });
  expect([windows.status, errorCode(windows)]).toEqual([400, 'VALIDATION_FAILED']);
  for (const key of [network.sw.operatorKey, shop.apiKey]) {
    const balance = await client.get(`/v1/merchants/${shop.id}/balance?currency=CHF`, { key });
    expect([balance.status, errorCode(balance)]).toEqual([400, 'VALIDATION_FAILED']);
    expect(balance.body).toMatchObject({ error: windows.body && (windows.body as { error: object }).error });
  }
  const rupees = await client.get(`/v1/merchants/${shop.id}/balance?currency=PKR`, { key: shop.apiKey });
  expect(rupees.status).toBe(200);
  expect(rupees.body).toMatchObject({ currency: 'PKR', collected: '0.00', net: '0.00' });
});
