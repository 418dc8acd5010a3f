import { errorCode } from '../support/http-client';
import { onboardExporter } from '../support/inbound-payments';
import { expectLogUnchanged, onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * Issue 17's edges found in review, over the real switch: a quote asked by its rupee amount answers what its
 * rounded dollar amount really converts to, a payment whose converted part would round to no rupees is refused
 * with nothing recorded (the dealer never takes dollars for nothing), a quote mismatch names the quote's amount in
 * dollars, the regulator's report refuses a currency filter it cannot answer instead of reporting "none", and only a
 * dealer that can carry the legs (active, holding both currencies) is ever quoted.
 */
let sw: TestSwitch;
const clock = new Date('2026-12-03T09:00:00.000Z');
const keys: Record<string, string> = {};

async function register(id: string, bankCode: string, overrides: Record<string, unknown>): Promise<void> {
  keys[id] = (await onboardParticipant(sw, id, bankCode, overrides)).key;
}

beforeAll(async () => {
  sw = await startTestSwitch({ now: () => clock });
  await register('MARGALLA', 'MRGL', { currencies: ['PKR', 'USD'] });
  await register('ALLIED', 'ABPL', { type: 'BANK', fxProvider: true, currencies: ['PKR', 'USD'] });
  await register('REMITLY', 'RMTL', { type: 'INBOUND_PSP', currency: undefined, currencies: ['USD'], netDebitCap: '50000.00' });
  await onboardExporter(sw.client, keys['MARGALLA'], 'MARGALLA');
  // Nothing retained: the whole payment converts, so the quote's rupees are what the acquirer is credited.
  const enabled = await sw.client.patch('/v1/merchants/KARACHI_SOFT', {
    key: keys['MARGALLA'],
    body: { inbound: { enabled: true, retentionShare: '0', purposeCodes: ['9184'] } },
  });
  expect(enabled.status).toBe(200);
}, 60_000);
afterAll(async () => {
  await sw.close();
});

const payment = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  merchantId: 'KARACHI_SOFT',
  amount: '0.01',
  currency: 'USD',
  purposeCode: '9184',
  payer: { type: 'PERSON', name: 'Jane Doe', country: 'US' },
  ...extra,
});
const pay = (body: Record<string, unknown>) => sw.client.post('/v1/inbound/payments', { key: keys['REMITLY'], body });
const postRate = (rate: string) => sw.client.put('/v1/fx/rates/USD/PKR', { key: keys['ALLIED'], body: { rate, validForSeconds: 600 } });

it('refuses a payment whose converted part rounds to no rupees, recording nothing', async () => {
  // One cent at 0.004 rupees a dollar is 0.004 paisa: the dealer would take the cent and pay nothing.
  expect((await postRate('0.004')).status).toBe(200);
  const refused = await expectLogUnchanged(sw, () => pay(payment('7a1c1e1a-0000-4000-8000-000000000001')));
  expect(refused.status).toBe(400);
  expect(errorCode(refused)).toBe('INVALID_AMOUNT');
  expect((refused.body as { error: { message: string } }).error.message).toContain('0.01 USD at 0.004');
  const read = await sw.client.get('/v1/inbound/payments/7a1c1e1a-0000-4000-8000-000000000001', { key: sw.operatorKey });
  expect(read.status).toBe(404);
  // A larger amount at the same rate converts to something, and is paid.
  const paid = await pay(payment('7a1c1e1a-0000-4000-8000-000000000002', { amount: '5.00' }));
  expect(paid.status).toBe(201);
  expect(paid.body).toMatchObject({ converted: { fromAmount: '5.00', toAmount: '0.02', rate: '0.004' } });
});

it('answers a quote asked by rupees with what its rounded dollar amount converts to, and the payment credits that', async () => {
  expect((await postRate('278.4500')).status).toBe(200);
  // 100.00 rupees is 0.35913… dollars, rounded half-even to 0.36, which converts to 100.242 → 100.24 rupees.
  const quote = await sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'USD', to: 'PKR', toAmount: '100.00' } });
  expect(quote.status).toBe(201);
  expect(quote.body).toMatchObject({ rate: '278.4500', fromAmount: '0.36', toAmount: '100.24' });
  const quoteId = (quote.body as { id: string }).id;
  const paid = await pay(payment('7a1c1e1a-0000-4000-8000-000000000003', { amount: '0.36', quoteId }));
  expect(paid.status).toBe(201);
  expect(paid.body).toMatchObject({ converted: { fromAmount: '0.36', toAmount: '100.24', quoteId } });
  // An amount that converts exactly keeps the figure asked for.
  const exact = await sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'USD', to: 'PKR', toAmount: '18099.25' } });
  expect(exact.body).toMatchObject({ fromAmount: '65.00', toAmount: '18099.25' });
});

it('names the quote amount in its currency when a payment does not match it', async () => {
  const quote = await sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'USD', to: 'PKR', fromAmount: '20.00' } });
  const quoteId = (quote.body as { id: string }).id;
  const mismatch = await expectLogUnchanged(sw, () => pay(payment('7a1c1e1a-0000-4000-8000-000000000004', { amount: '20.01', quoteId })));
  expect(errorCode(mismatch)).toBe('FX_QUOTE_MISMATCH');
  expect((mismatch.body as { error: { message: string } }).error.message).toBe(
    `quote ${quoteId} is for 20.00 USD into PKR, not this payment`,
  );
});

it.each([
  ['a currency the switch does not enable', 'JPY'],
  ['a code no currency has', 'XYZ'],
  ['the rupee, in which no receipt is made', 'PKR'],
])('refuses the inward-remittance report filtered by %s', async (_case, currency) => {
  const range = 'from=2026-12-01T00:00:00Z&to=2026-12-05T00:00:00Z';
  for (const path of ['/v1/reports/inward-remittances', '/v1/reports/inward-remittances.csv']) {
    const refused = await sw.client.get(`${path}?${range}&currency=${currency}`, { key: sw.operatorKey });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ path: ['query', 'currency'], message: expect.stringContaining(`not ${currency}`) }] },
    });
  }
  const dollars = await sw.client.get(`/v1/reports/inward-remittances?${range}&currency=USD&groupBy=currency`, { key: sw.operatorKey });
  expect(dollars.status).toBe(200);
  expect(dollars.body).toMatchObject({ totals: [{ currency: 'USD', count: 2, amount: '5.36', rupees: '100.26' }] });
});

it('quotes only a dealer that can deal: never a suspended one, nor one holding no account in the currency', async () => {
  await register('HABIB', 'HBIB', { type: 'BANK', fxProvider: true, currencies: ['PKR', 'USD'] });
  expect(
    (await sw.client.put('/v1/fx/rates/USD/PKR', { key: keys['HABIB'], body: { rate: '278.0000', validForSeconds: 600 } })).status,
  ).toBe(200);
  // GBP is enabled on the switch, but no dealer here holds a GBP position to receive the pounds in.
  expect((await sw.client.put('/v1/fx/rates/GBP/PKR', { key: keys['HABIB'], body: { rate: '350.00', validForSeconds: 600 } })).status).toBe(
    200,
  );
  const quoteNow = () => sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'USD', to: 'PKR', fromAmount: '1.00' } });
  expect((await quoteNow()).body).toMatchObject({ provider: 'ALLIED', rate: '278.4500' });

  expect((await sw.client.patch('/v1/participants/ALLIED', { key: sw.operatorKey, body: { active: false } })).status).toBe(200);
  expect((await quoteNow()).body).toMatchObject({ provider: 'HABIB', rate: '278.0000' });
  const paid = await pay(payment('7a1c1e1a-0000-4000-8000-000000000005', { amount: '1.00' }));
  expect(paid.status).toBe(201);
  expect(paid.body).toMatchObject({ converted: { provider: 'HABIB', toAmount: '278.00' } });
  expect((await sw.client.patch('/v1/participants/ALLIED', { key: sw.operatorKey, body: { active: true } })).status).toBe(200);
  expect((await quoteNow()).body).toMatchObject({ provider: 'ALLIED' });

  const pounds = await sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'GBP', to: 'PKR', fromAmount: '1.00' } });
  expect(errorCode(pounds)).toBe('FX_RATE_UNAVAILABLE');
});

it('splits the inward-remittance report by payer type in amounts, not only counts, and the split adds up to the ledger', async () => {
  // Every payment so far was a person's (B2C); a business (B2B) pays 10.00 USD, all of it converted at 278.45.
  const business = await pay(
    payment('7a1c1e1a-0000-4000-8000-000000000006', { amount: '10.00', payer: { type: 'BUSINESS', name: 'Acme Ltd', country: 'GB' } }),
  );
  expect(business.status).toBe(201);
  expect(business.body).toMatchObject({ converted: { provider: 'ALLIED', toAmount: '2784.50' } });
  const range = 'from=2026-12-01T00:00:00Z&to=2026-12-05T00:00:00Z&groupBy=currency';
  const report = await sw.client.get(`/v1/reports/inward-remittances?${range}`, { key: sw.operatorKey });
  expect(report.status).toBe(200);
  const split = {
    group: 'USD',
    currency: 'USD',
    count: 4,
    amount: '16.36',
    retained: '0.00',
    rupees: '3162.76',
    b2bCount: 1,
    b2bAmount: '10.00',
    b2bRetained: '0.00',
    b2bRupees: '2784.50',
    // 5.00 at 0.004, 0.36 at 278.45 and 1.00 at HABIB's 278.00: 0.02 + 100.24 + 278.00 rupees.
    b2cCount: 3,
    b2cAmount: '6.36',
    b2cRetained: '0.00',
    b2cRupees: '378.26',
  };
  const body = report.body as { groups: Record<string, unknown>[]; totals: Record<string, unknown>[] };
  expect(body.groups).toEqual([expect.objectContaining(split)]);
  expect(body.totals).toEqual([expect.objectContaining({ ...split, group: 'ALL' })]);
  // The acquirer was credited, in rupees, exactly what both payer types converted to: the ledger's own figure.
  const acquirer = await sw.client.get('/v1/participants/MARGALLA', { key: sw.operatorKey });
  const rupees = (acquirer.body as { currencies: { currency: string; position: string }[] }).currencies.find(
    (line) => line.currency === 'PKR',
  );
  expect(rupees?.position).toBe('-3162.76');
  const csv = await sw.client.get(`/v1/reports/inward-remittances.csv?${range}`, { key: sw.operatorKey });
  const [header, line] = csv.text.split('\r\n');
  expect(header?.split(',').slice(-6)).toEqual(['b2bAmount', 'b2bRetained', 'b2bRupees', 'b2cAmount', 'b2cRetained', 'b2cRupees']);
  expect(line?.split(',').slice(-6)).toEqual(['10.00', '0.00', '2784.50', '6.36', '0.00', '378.26']);
});

it.each([
  ['a code no country has', 'XX'],
  ['a code in small letters', 'gb'],
  ['an alpha-3 code', 'GBR'],
])('refuses a payer country that is %s with 400 naming body.payer.country, recording nothing', async (_case, country) => {
  const body = payment('7a1c1e1a-0000-4000-8000-000000000007', { payer: { type: 'PERSON', name: 'Jane Doe', country } });
  const refused = await expectLogUnchanged(sw, () => pay(body));
  expect(refused.status).toBe(400);
  expect(refused.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ path: ['body', 'payer', 'country'] }] } });
});

it('refuses a payer in Pakistan: an in-bound payment comes from abroad (422 PAYER_NOT_ABROAD, nothing recorded)', async () => {
  const id = '7a1c1e1a-0000-4000-8000-000000000008';
  const refused = await expectLogUnchanged(sw, () =>
    pay(payment(id, { amount: '1.00', payer: { type: 'BUSINESS', name: 'Lahore Ltd', country: 'PK' } })),
  );
  expect(refused.status).toBe(422);
  expect(refused.body).toMatchObject({ error: { code: 'PAYER_NOT_ABROAD', message: expect.stringContaining('payer.country') } });
  expect((await sw.client.get(`/v1/inbound/payments/${id}`, { key: sw.operatorKey })).status).toBe(404);
  // The same payment from a payer abroad is taken.
  const paid = await pay(payment(id, { amount: '1.00', payer: { type: 'BUSINESS', name: 'Lahore Ltd', country: 'AE' } }));
  expect(paid.status).toBe(201);
});

const pkrPosition = async (participantId: string): Promise<string | undefined> => {
  const read = await sw.client.get(`/v1/participants/${participantId}`, { key: sw.operatorKey });
  return (read.body as { currencies: { currency: string; position: string }[] }).currencies.find((line) => line.currency === 'PKR')
    ?.position;
};
const capRupees = async (participantId: string, netDebitCap: string): Promise<void> => {
  const patched = await sw.client.patch(`/v1/participants/${participantId}`, {
    key: sw.operatorKey,
    body: { currency: 'PKR', netDebitCap },
  });
  expect(patched.status).toBe(200);
};

it('pays without a quote through the next dealer when the best cannot carry the rupees, and refuses naming each dealer when none can', async () => {
  // ALLIED (278.45, the best) owes 3,163.21 rupees so far, HABIB (278.00) 278.00; each is capped a little above.
  expect([await pkrPosition('ALLIED'), await pkrPosition('HABIB')]).toEqual(['3163.21', '278.00']);
  await capRupees('ALLIED', '3300.00');
  await capRupees('HABIB', '600.00');
  const moved = await pay(payment('7a1c1e1a-0000-4000-8000-000000000009', { amount: '1.00' }));
  expect(moved.status).toBe(201);
  expect(moved.body).toMatchObject({ converted: { provider: 'HABIB', rate: '278.0000', toAmount: '278.00' } });
  expect([await pkrPosition('ALLIED'), await pkrPosition('HABIB')]).toEqual(['3163.21', '556.00']);

  // Now neither can owe another 278 rupees: refused, every dealer tried named, nothing recorded or posted.
  const id = '7a1c1e1a-0000-4000-8000-00000000000a';
  const refused = await expectLogUnchanged(sw, () => pay(payment(id, { amount: '1.00' })));
  expect(refused.status).toBe(422);
  expect(refused.body).toMatchObject({
    error: {
      code: 'INBOUND_PAYMENT_REFUSED',
      message: expect.stringMatching(/dealer ALLIED .*; .*dealer HABIB .*: nothing was posted$/),
      details: [
        { leg: 'rupees', currency: 'PKR', reason: 'exceeds_net_debit_cap', provider: 'ALLIED' },
        { leg: 'rupees', currency: 'PKR', reason: 'exceeds_net_debit_cap', provider: 'HABIB' },
      ],
    },
  });
  expect((await sw.client.get(`/v1/inbound/payments/${id}`, { key: sw.operatorKey })).status).toBe(404);
  expect([await pkrPosition('ALLIED'), await pkrPosition('HABIB')]).toEqual(['3163.21', '556.00']);

  // A quote locks its dealer: with ALLIED's quote the payment is refused, not moved to another dealer.
  const quote = await sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'USD', to: 'PKR', fromAmount: '1.00' } });
  expect(quote.body).toMatchObject({ provider: 'ALLIED' });
  const quoted = await pay(payment(id, { amount: '1.00', quoteId: (quote.body as { id: string }).id }));
  expect(quoted.body).toMatchObject({ error: { code: 'INBOUND_PAYMENT_REFUSED', details: [{ provider: 'ALLIED' }] } });

  // Room again at HABIB: the same payment id, retried, is taken by it.
  await capRupees('HABIB', '1000.00');
  const retried = await pay(payment(id, { amount: '1.00' }));
  expect(retried.status).toBe(201);
  expect(retried.body).toMatchObject({ converted: { provider: 'HABIB' } });
  expect([await pkrPosition('ALLIED'), await pkrPosition('HABIB')]).toEqual(['3163.21', '834.00']);
});
