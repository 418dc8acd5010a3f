import { ledgersInStore, verifyLedger } from '../../core/ledger/ledger-verification';
import { errorCode } from '../support/http-client';
import { onboardExporter } from '../support/inbound-payments';
import { expectLogUnchanged, onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * Issue 17 over the real switch: an authorised dealer posts a rate, an in-bound PSP takes a quote and pays a
 * Pakistani exporter in dollars; the retained share stays in dollars, the rest converts through the dealer's
 * positions in both ledgers. Every refusal the issue names, replays, and all-or-nothing when the dealer's rupee
 * cap runs out.
 */
let sw: TestSwitch;
let clock = new Date('2026-12-03T09:00:00.000Z');
const keys: Record<string, string> = {};

async function register(id: string, bankCode: string, overrides: Record<string, unknown>): Promise<void> {
  keys[id] = (await onboardParticipant(sw, id, bankCode, overrides)).key;
}

beforeAll(async () => {
  sw = await startTestSwitch({ now: () => clock });
  await register('MARGALLA', 'MRGL', { currencies: ['PKR', 'USD'] });
  // The dealer may owe at most 100,000 rupees: enough for small payments, not for a large one.
  await register('ALLIED', 'ABPL', {
    type: 'BANK',
    fxProvider: true,
    currencies: ['PKR', 'USD', 'EUR'],
    netDebitCap: '100000.00',
  });
  await register('REMITLY', 'RMTL', {
    type: 'INBOUND_PSP',
    currency: undefined,
    currencies: ['USD', 'EUR'],
    netDebitCap: '50000.00',
    netDebitCaps: { EUR: '1000.00' },
  });
  await onboardExporter(sw.client, keys['MARGALLA'], 'MARGALLA');
}, 60_000);
afterAll(async () => {
  await sw.close();
});

const payment = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  merchantId: 'KARACHI_SOFT',
  amount: '100.00',
  currency: 'USD',
  purposeCode: '9184',
  payer: { type: 'BUSINESS', name: 'Acme Ltd', country: 'GB', taxId: 'GB123456789' },
  invoiceNumber: 'INV-2026-001',
  ...extra,
});
const pay = (body: Record<string, unknown>) => sw.client.post('/v1/inbound/payments', { key: keys['REMITLY'], body });

async function currencyLine(participantId: string, currency: string): Promise<Record<string, string>> {
  const read = await sw.client.get(`/v1/participants/${participantId}`, { key: sw.operatorKey });
  const lines = (read.body as { currencies: Record<string, string>[] }).currencies;
  const line = lines.find((entry) => entry['currency'] === currency);
  if (line === undefined) throw new Error(`${participantId} holds no ${currency}`);
  return line;
}

it('holds a participant in several currencies, each with its own cap', async () => {
  const psp = await sw.client.get('/v1/participants/REMITLY', { key: sw.operatorKey });
  expect(psp.body).toMatchObject({
    type: 'INBOUND_PSP',
    currency: 'USD',
    currencies: [
      { currency: 'USD', netDebitCap: '50000.00', position: '0.00' },
      { currency: 'EUR', netDebitCap: '1000.00', position: '0.00' },
    ],
  });
  const changed = await sw.client.patch('/v1/participants/REMITLY', {
    key: sw.operatorKey,
    body: { currency: 'EUR', netDebitCap: '2000.00' },
  });
  expect(changed.status).toBe(200);
  expect(await currencyLine('REMITLY', 'EUR')).toMatchObject({ netDebitCap: '2000.00' });
  expect(await currencyLine('REMITLY', 'USD')).toMatchObject({ netDebitCap: '50000.00' });
  const funds = await sw.client.post('/v1/participants/REMITLY/funds', {
    key: sw.operatorKey,
    headers: { 'Idempotency-Key': 'remitly-prefund-1' },
    body: { direction: 'IN', amount: '5000.00', currency: 'USD', reference: 'NOSTRO-1' },
  });
  expect(funds.status).toBe(201);
  expect(await currencyLine('REMITLY', 'USD')).toMatchObject({ liquidity: '5000.00' });
  expect(
    errorCode(await sw.client.patch('/v1/participants/REMITLY', { key: sw.operatorKey, body: { currency: 'GBP', netDebitCap: '1.00' } })),
  ).toBe('CURRENCY_NOT_SUPPORTED');
});

it('refuses a rate from a bank that is not an FX provider, and a stale rate is never quoted', async () => {
  expect(
    errorCode(await sw.client.put('/v1/fx/rates/USD/PKR', { key: keys['MARGALLA'], body: { rate: '280.00', validForSeconds: 60 } })),
  ).toBe('NOT_FX_PROVIDER');
  const posted = await sw.client.put('/v1/fx/rates/EUR/PKR', { key: keys['ALLIED'], body: { rate: '301.10', validForSeconds: 30 } });
  expect(posted.status).toBe(200);
  clock = new Date(clock.getTime() + 31_000);
  const quote = await sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'EUR', to: 'PKR', fromAmount: '10.00' } });
  expect(errorCode(quote)).toBe('FX_RATE_UNAVAILABLE');
});

it('quotes the best live rate, rounded half-even to the rupee minor unit, and pays with it: retained + converted = amount', async () => {
  const posted = await sw.client.put('/v1/fx/rates/USD/PKR', { key: keys['ALLIED'], body: { rate: '278.4500', validForSeconds: 300 } });
  expect(posted.body).toMatchObject({ provider: 'ALLIED', rate: '278.4500' });
  const enabled = await sw.client.patch('/v1/merchants/KARACHI_SOFT', {
    key: keys['MARGALLA'],
    body: { inbound: { enabled: true, retentionShare: '0.35', purposeCodes: ['9184', '9182'] } },
  });
  expect(enabled.status).toBe(200);
  expect((enabled.body as { inbound: unknown }).inbound).toEqual({ enabled: true, retentionShare: '0.35', purposeCodes: ['9184', '9182'] });

  const quote = await sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'USD', to: 'PKR', fromAmount: '100.00' } });
  expect(quote.status).toBe(201);
  const quoted = quote.body as { id: string };
  expect(quote.body).toEqual({
    id: expect.stringMatching(/^fxq_[0-9a-f]{24}$/),
    provider: 'ALLIED',
    from: 'USD',
    to: 'PKR',
    rate: '278.4500',
    fromAmount: '100.00',
    toAmount: '27845.00',
    expiresAt: new Date(clock.getTime() + 60_000).toISOString(),
  });

  const paid = await pay(payment('6f1c1e1a-0000-4000-8000-000000000001', { quoteId: quoted.id }));
  expect(paid.status).toBe(201);
  expect(paid.body).toMatchObject({
    id: '6f1c1e1a-0000-4000-8000-000000000001',
    status: 'COMPLETED',
    amount: '100.00',
    currency: 'USD',
    retained: { amount: '35.00', currency: 'USD' },
    converted: { fromAmount: '65.00', toAmount: '18099.25', rate: '278.4500', provider: 'ALLIED', quoteId: quoted.id },
    purposeCode: '9184',
    payer: { type: 'BUSINESS', name: 'Acme Ltd', country: 'GB', taxId: 'GB123456789' },
  });
  // Positions are debits minus credits: the PSP owes 100 dollars; the dealer is owed 65 dollars and owes the rupees.
  expect(await currencyLine('REMITLY', 'USD')).toMatchObject({ position: '100.00', reserved: '0.00' });
  expect(await currencyLine('MARGALLA', 'USD')).toMatchObject({ position: '-35.00' });
  expect(await currencyLine('ALLIED', 'USD')).toMatchObject({ position: '-65.00' });
  expect(await currencyLine('ALLIED', 'PKR')).toMatchObject({ position: '18099.25', reserved: '0.00' });
  expect(await currencyLine('MARGALLA', 'PKR')).toMatchObject({ position: '-18099.25' });

  // A replay answers the payment as recorded; the same id with other details is a conflict; the quote is spent.
  const replay = await pay(payment('6f1c1e1a-0000-4000-8000-000000000001', { quoteId: quoted.id }));
  expect(replay.status).toBe(200);
  expect(replay.body).toEqual(paid.body);
  expect(errorCode(await pay(payment('6f1c1e1a-0000-4000-8000-000000000001', { quoteId: quoted.id, amount: '101.00' })))).toBe(
    'INBOUND_PAYMENT_CONFLICT',
  );
  const reuse = await pay(payment('6f1c1e1a-0000-4000-8000-000000000002', { quoteId: quoted.id }));
  expect(reuse.status).toBe(409);
  expect(errorCode(reuse)).toBe('FX_QUOTE_USED');
  expect(await currencyLine('REMITLY', 'USD')).toMatchObject({ position: '100.00' });

  // The merchant reads its payment, with both currencies, and hears of it by a webhook.
  const merchantKey = await sw.client.post('/v1/merchants/KARACHI_SOFT/keys', { key: sw.operatorKey });
  const read = await sw.client.get('/v1/inbound/payments/6f1c1e1a-0000-4000-8000-000000000001', {
    key: (merchantKey.body as { apiKey: string }).apiKey,
  });
  expect(read.body).toEqual(paid.body);
  const listed = await sw.client.get('/v1/inbound/payments?merchantId=KARACHI_SOFT', {
    key: (merchantKey.body as { apiKey: string }).apiKey,
  });
  expect(listed.body).toEqual({ payments: [paid.body] });
  expect(errorCode(await sw.client.get('/v1/inbound/payments?merchantId=KARACHI_SOFT', { key: keys['REMITLY'] }))).toBe(
    'MERCHANT_NOT_FOUND',
  );
  const events = await sw.client.get('/v1/merchants/KARACHI_SOFT/events?type=inbound_payment.completed', { key: sw.operatorKey });
  expect((events.body as { events: unknown[] }).events).toHaveLength(1);
});

it('refuses an expired quote and a quote for another amount, recording nothing', async () => {
  const quote = await sw.client.post('/v1/fx/quotes', { key: keys['REMITLY'], body: { from: 'USD', to: 'PKR', fromAmount: '10.00' } });
  const quoteId = (quote.body as { id: string }).id;
  const mismatch = await expectLogUnchanged(sw, () => pay(payment('6f1c1e1a-0000-4000-8000-000000000003', { quoteId, amount: '11.00' })));
  expect(mismatch.status).toBe(422);
  expect(errorCode(mismatch)).toBe('FX_QUOTE_MISMATCH');
  clock = new Date(clock.getTime() + 60_000);
  const expired = await expectLogUnchanged(sw, () => pay(payment('6f1c1e1a-0000-4000-8000-000000000003', { quoteId, amount: '10.00' })));
  expect(expired.status).toBe(422);
  expect(errorCode(expired)).toBe('FX_QUOTE_EXPIRED');
});

it.each([
  ['an unknown purpose code', { purposeCode: '9999' }, 'PURPOSE_CODE_UNKNOWN', 422],
  ['a purpose code the merchant is not enabled for', { purposeCode: '9102' }, 'PURPOSE_CODE_NOT_ALLOWED', 422],
  ['a currency not enabled', { currency: 'JPY', amount: '100' }, 'CURRENCY_NOT_SUPPORTED', 422],
  ['more decimals than the currency has', { amount: '100.001' }, 'INVALID_AMOUNT', 400],
  ['a merchant that does not exist', { merchantId: 'NO_SUCH_SHOP' }, 'MERCHANT_NOT_FOUND', 404],
])('refuses %s, recording nothing', async (_label, extra, code, status) => {
  const answer = await expectLogUnchanged(sw, () => pay(payment('6f1c1e1a-0000-4000-8000-000000000004', extra)));
  expect(errorCode(answer)).toBe(code);
  expect(answer.status).toBe(status);
  if (code === 'INVALID_AMOUNT')
    expect((answer.body as { error: { message: string } }).error.message).toMatch(/^body\.amount: USD amounts have at most 2 digits/);
});

it('posts no leg when the dealer cannot owe the rupees: the linked legs are all or nothing', async () => {
  await sw.client.put('/v1/fx/rates/USD/PKR', { key: keys['ALLIED'], body: { rate: '278.4500', validForSeconds: 300 } });
  const before = await Promise.all([currencyLine('REMITLY', 'USD'), currencyLine('ALLIED', 'USD'), currencyLine('ALLIED', 'PKR')]);
  // 65 % of 1,000 dollars is 180,992.50 rupees: past the dealer's cap of 100,000 with 18,099.25 already owed.
  const refused = await pay(payment('6f1c1e1a-0000-4000-8000-000000000005', { amount: '1000.00' }));
  expect(refused.status).toBe(422);
  expect(errorCode(refused)).toBe('INBOUND_PAYMENT_REFUSED');
  expect((refused.body as { error: { details: unknown[] } }).error.details).toEqual([
    { leg: 'rupees', currency: 'PKR', reason: 'exceeds_net_debit_cap', provider: 'ALLIED' },
  ]);
  const after = await Promise.all([currencyLine('REMITLY', 'USD'), currencyLine('ALLIED', 'USD'), currencyLine('ALLIED', 'PKR')]);
  expect(after).toEqual(before);
  expect(errorCode(await sw.client.get('/v1/inbound/payments/6f1c1e1a-0000-4000-8000-000000000005', { key: sw.operatorKey }))).toBe(
    'INBOUND_PAYMENT_NOT_FOUND',
  );
});

it('refuses a merchant not enabled for in-bound payments', async () => {
  await sw.client.patch('/v1/merchants/KARACHI_SOFT', {
    key: sw.operatorKey,
    body: { inbound: { enabled: false, retentionShare: '0.35', purposeCodes: ['9184'] } },
  });
  const answer = await expectLogUnchanged(sw, () => pay(payment('6f1c1e1a-0000-4000-8000-000000000006')));
  expect(errorCode(answer)).toBe('MERCHANT_NOT_INBOUND');
});

it('lists the purpose codes with their sources', async () => {
  const answer = await sw.client.get('/v1/reference/purpose-codes', { key: keys['REMITLY'] });
  const codes = (answer.body as { purposeCodes: { code: string; category: string; source: string }[] }).purposeCodes;
  expect(codes.map((entry) => entry.code)).toEqual(['9102', '9181', '9182', '9183', '9184', '9185', '9186', '9471']);
  expect(codes.map((entry) => entry.category)).toEqual([...Array<string>(6).fill('IT_ITES'), 'FREELANCE', 'HOME_REMITTANCE']);
  // Every entry names SBP and an address where what it was read in can be found again.
  for (const entry of codes) {
    expect(entry.source).toMatch(/State Bank of Pakistan/);
    expect(entry.source).toMatch(/https:\/\/\S+/);
  }
});

it('reports inward remittances per purpose code and currency, B2B apart, with sums equal to the ledger', async () => {
  const regulator = await sw.client.post('/v1/keys', { key: sw.operatorKey, body: { role: 'REGULATOR', name: 'SBP FX' } });
  const regulatorKey = (regulator.body as { key: string }).key;
  const range = 'from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z';
  const report = await sw.client.get(`/v1/reports/inward-remittances?${range}&groupBy=purposeCode`, { key: regulatorKey });
  expect(report.status).toBe(200);
  const line = {
    currency: 'USD',
    count: 1,
    b2bCount: 1,
    b2cCount: 0,
    amount: '100.00',
    retained: '35.00',
    converted: '65.00',
    rupees: '18099.25',
    averageRate: '278.4500',
    b2bAmount: '100.00',
    b2bRetained: '35.00',
    b2bRupees: '18099.25',
    b2cAmount: '0.00',
    b2cRetained: '0.00',
    b2cRupees: '0.00',
  };
  expect(report.body).toEqual({
    from: '2026-12-01T00:00:00.000Z',
    to: '2026-12-31T00:00:00.000Z',
    groupBy: 'purposeCode',
    groups: [{ group: '9184', ...line }],
    totals: [{ group: 'ALL', ...line }],
  });
  // The sums are the ledger's: the acquirer was credited exactly the retained dollars and the converted rupees.
  expect(await currencyLine('MARGALLA', 'PKR')).toMatchObject({ position: '-18099.25' });
  expect(await currencyLine('MARGALLA', 'USD')).toMatchObject({ position: '-35.00' });
  const csv = await sw.client.get(`/v1/reports/inward-remittances.csv?${range}&groupBy=day`, { key: regulatorKey });
  expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(csv.text.split('\r\n')[1]).toBe('2026-12-03,USD,1,1,0,100.00,35.00,65.00,18099.25,278.4500,100.00,35.00,18099.25,0.00,0.00,0.00');
  expect(errorCode(await sw.client.get(`/v1/reports/inward-remittances?${range}`, { key: keys['REMITLY'] }))).toBe('FORBIDDEN');
});

it('settles each currency in its own window: the dollars in the USD window, the rupees in the PKR window', async () => {
  const lines = async (currency: string): Promise<Record<string, unknown>[]> => {
    const closed = await sw.client.post('/v1/settlement/windows/close', {
      key: sw.operatorKey,
      headers: { 'Idempotency-Key': `close-${currency}` },
      body: { currency },
    });
    expect(closed.status).toBe(200);
    const id = (closed.body as { closed: { id: string } }).closed.id;
    const report = await sw.client.get(`/v1/settlement/windows/${id}/report`, { key: sw.operatorKey });
    expect(report.body).toMatchObject({ netSumZero: true });
    return (report.body as { participants: Record<string, unknown>[] }).participants;
  };
  expect(await lines('USD')).toEqual([
    { participant: 'ALLIED', sentCount: 0, sentValue: '0.00', receivedCount: 1, receivedValue: '65.00', fees: '0.00', net: '65.00' },
    { participant: 'MARGALLA', sentCount: 0, sentValue: '0.00', receivedCount: 1, receivedValue: '35.00', fees: '0.00', net: '35.00' },
    { participant: 'REMITLY', sentCount: 2, sentValue: '100.00', receivedCount: 0, receivedValue: '0.00', fees: '0.00', net: '-100.00' },
  ]);
  expect(await lines('PKR')).toEqual([
    { participant: 'ALLIED', sentCount: 1, sentValue: '18099.25', receivedCount: 0, receivedValue: '0.00', fees: '0.00', net: '-18099.25' },
    {
      participant: 'MARGALLA',
      sentCount: 0,
      sentValue: '0.00',
      receivedCount: 1,
      receivedValue: '18099.25',
      fees: '0.00',
      net: '18099.25',
    },
  ]);
});

it('leaves every ledger balanced: each currency sums to zero and no cap was passed', async () => {
  const ledgers = await ledgersInStore(sw.running.store);
  expect(ledgers).toEqual(expect.arrayContaining(['PKR', 'USD']));
  for (const ledger of ledgers) {
    const report = await verifyLedger(sw.running.store, ledger);
    expect({ ledger, violations: report.violations }).toEqual({ ledger, violations: [] });
  }
});
