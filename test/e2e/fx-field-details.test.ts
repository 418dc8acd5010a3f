import { errorCode } from '../support/http-client';
import { onboardExporter } from '../support/inbound-payments';
import { expectLogUnchanged, onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * Every refusal of issue 17's requests names the field at fault in `details` (README, Errors). An outside test found
 * three that named none: an amount too small to convert (a quote's fromAmount or toAmount, a payment's amount), and
 * a pair of one currency with itself (a rate's path, a quote's body).
 */
let sw: TestSwitch;
const keys: Record<string, string> = {};

beforeAll(async () => {
  sw = await startTestSwitch({});
  keys['MARGALLA'] = (await onboardParticipant(sw, 'MARGALLA', 'MRGL', { currencies: ['PKR', 'USD'] })).key;
  keys['ALLIED'] = (await onboardParticipant(sw, 'ALLIED', 'ABPL', { type: 'BANK', fxProvider: true, currencies: ['PKR', 'USD'] })).key;
  keys['REMITLY'] = (
    await onboardParticipant(sw, 'REMITLY', 'RMTL', {
      type: 'INBOUND_PSP',
      currency: undefined,
      currencies: ['USD'],
      netDebitCap: '500.00',
    })
  ).key;
  await onboardExporter(sw.client, keys['MARGALLA'], 'MARGALLA');
  const enabled = await sw.client.patch('/v1/merchants/KARACHI_SOFT', {
    key: keys['MARGALLA'],
    body: { inbound: { enabled: true, retentionShare: '0', purposeCodes: ['9184'] } },
  });
  expect(enabled.status).toBe(200);
  // One cent at 0.004 rupees a dollar is 0.004 paisa: nothing.
  const posted = await sw.client.put('/v1/fx/rates/USD/PKR', { key: keys['ALLIED'], body: { rate: '0.004', validForSeconds: 600 } });
  expect(posted.status).toBe(200);
}, 60_000);
afterAll(async () => {
  await sw.close();
});

async function expectRefusal(
  request: () => Promise<{ status: number; body: unknown }>,
  status: number,
  code: string,
  path: string[],
): Promise<void> {
  const refused = await expectLogUnchanged(sw, request);
  expect([refused.status, errorCode(refused as Parameters<typeof errorCode>[0])]).toEqual([status, code]);
  expect(refused.body).toMatchObject({
    error: { message: expect.stringMatching(new RegExp(`^${path.join('\\.')}: `)), details: [{ path }] },
  });
}

it('names body.fromAmount or body.toAmount when a quote is too small to convert', async () => {
  const quote = (body: Record<string, unknown>) => () => sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body });
  await expectRefusal(quote({ from: 'USD', to: 'PKR', fromAmount: '0.01' }), 400, 'INVALID_AMOUNT', ['body', 'fromAmount']);
  // One paisa at 278.45 rupees a dollar is 0.0036 cents, which rounds to no dollars to pay.
  const postRate = (rate: string) => sw.client.put('/v1/fx/rates/USD/PKR', { key: keys['ALLIED'], body: { rate, validForSeconds: 600 } });
  expect((await postRate('278.4500')).status).toBe(200);
  await expectRefusal(quote({ from: 'USD', to: 'PKR', toAmount: '0.01' }), 400, 'INVALID_AMOUNT', ['body', 'toAmount']);
  expect((await postRate('0.004')).status).toBe(200);
});

it('names body.amount when a payment’s converted part is too small to convert', async () => {
  await expectRefusal(
    () =>
      sw.client.post('/v1/inbound/payments', {
        key: keys['REMITLY'],
        body: {
          id: '5b7f2c9e-0000-4000-8000-000000000001',
          merchantId: 'KARACHI_SOFT',
          amount: '0.01',
          currency: 'USD',
          purposeCode: '9184',
          payer: { type: 'PERSON', name: 'Jane Doe', country: 'US' },
        },
      }),
    400,
    'INVALID_AMOUNT',
    ['body', 'amount'],
  );
});

// 422: the OpenAPI document cannot say that two fields differ, so such a pair is well-formed input and refused as a
// rule of the domain (schemathesis counts a 400 for input its schema allows as the switch breaking its own contract).
it('names the target currency when a pair is one currency with itself', async () => {
  await expectRefusal(
    () => sw.client.put('/v1/fx/rates/USD/USD', { key: keys['ALLIED'], body: { rate: '1', validForSeconds: 60 } }),
    422,
    'FX_SAME_CURRENCY',
    ['path', 'to'],
  );
  await expectRefusal(
    () => sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'USD', to: 'USD', fromAmount: '1.00' } }),
    422,
    'FX_SAME_CURRENCY',
    ['body', 'to'],
  );
});
