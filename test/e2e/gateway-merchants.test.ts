import { createHmac } from 'node:crypto';
import { errorCode } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';

/**
 * Merchants over the real switch (issue 11): onboarding by the operator and by the acquirer, the MERCHANT alias,
 * keys that authenticate as the merchant, webhook-secret rotation with a 24-hour overlap, and who sees what.
 */
let network: PaymentNetwork;
let clock = new Date('2026-03-01T09:00:00.000Z');
beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002' },
    ],
    {},
    () => clock,
  );
});
afterAll(async () => {
  await network.close();
});

const shop = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: 'Shop One',
  mcc: '5411',
  city: 'Karachi',
  acquirer: 'MARGALLA',
  settlementAccount: { type: 'WALLET', value: `WSHOP${id}` },
  webhookUrl: 'https://shop.example/webhooks',
  ...extra,
});

it("onboards a merchant by its acquirer: the key works as the merchant, the alias resolves, fees are the operator's", async () => {
  const client = network.sw.client;
  const margalla = network.wallet('MARGALLA').key.key;
  const ravi = network.wallet('RAVI').key.key;
  const operator = network.sw.operatorKey;

  expect(
    errorCode(
      await client.post('/v1/merchants', {
        key: margalla,
        body: shop('SHOP1', { fees: { mdrPercent: '1.50', interchangePercent: '0.50', switchFee: '1.00' } }),
      }),
    ),
  ).toBe('FORBIDDEN');
  expect(errorCode(await client.post('/v1/merchants', { key: ravi, body: shop('SHOP1') }))).toBe('FORBIDDEN');
  expect(errorCode(await client.post('/v1/merchants', { key: margalla, body: shop('sh') }))).toBe('VALIDATION_FAILED');

  const created = await client.post('/v1/merchants', { key: margalla, body: shop('SHOP1') });
  expect(created.status).toBe(201);
  expect(created.headers.get('cache-control')).toBe('no-store');
  const body = created.body as { merchant: Record<string, unknown>; apiKey: string; webhookSecret: string };
  expect(body.merchant).toEqual({
    inbound: null,
    taxNumber: null,
    id: 'SHOP1',
    name: 'Shop One',
    mcc: '5411',
    city: 'Karachi',
    acquirer: 'MARGALLA',
    currency: 'PKR',
    settlementAccount: { type: 'WALLET', value: 'WSHOPSHOP1' },
    webhookUrl: 'https://shop.example/webhooks',
    fees: { mdrPercent: '0.00', interchangePercent: '0.00', switchFee: '0.00' },
    active: true,
    rateLimitPerSecond: null,
    createdAt: clock.toISOString(),
  });
  expect(body.webhookSecret).toMatch(/^whsec_/);
  expect(errorCode(await client.post('/v1/merchants', { key: operator, body: shop('SHOP1') }))).toBe('MERCHANT_EXISTS');

  // The merchant's key reads itself; the other wallet and another merchant get 404 as if it did not exist.
  expect((await client.get('/v1/merchants/SHOP1', { key: body.apiKey })).status).toBe(200);
  expect(errorCode(await client.get('/v1/merchants/SHOP1', { key: ravi }))).toBe('MERCHANT_NOT_FOUND');
  const other = (await client.post('/v1/merchants', { key: operator, body: shop('SHOP2', { acquirer: 'RAVI' }) })).body as {
    apiKey: string;
  };
  expect(errorCode(await client.get('/v1/merchants/SHOP1', { key: other.apiKey }))).toBe('MERCHANT_NOT_FOUND');
  expect(errorCode(await client.post('/v1/merchants/SHOP1/keys', { key: other.apiKey }))).toBe('MERCHANT_NOT_FOUND');
  expect(errorCode(await client.post('/v1/merchants', { key: body.apiKey, body: shop('SHOP3') }))).toBe('FORBIDDEN');

  // Payers find the merchant by its MERCHANT alias, at the acquirer.
  const party = await client.get('/v1/parties/MERCHANT/SHOP1', { key: ravi });
  expect(party.status).toBe(200);
  expect(party.body).toMatchObject({ participant: 'MARGALLA' });

  // Fees: only the operator; the acquirer may deactivate; the merchant may change its webhook URL only.
  expect(
    errorCode(
      await client.patch('/v1/merchants/SHOP1', {
        key: margalla,
        body: { fees: { mdrPercent: '1', interchangePercent: '0', switchFee: '0' } },
      }),
    ),
  ).toBe('FORBIDDEN');
  expect(errorCode(await client.patch('/v1/merchants/SHOP1', { key: body.apiKey, body: { active: false } }))).toBe('FORBIDDEN');
  const priced = await client.patch('/v1/merchants/SHOP1', {
    key: operator,
    body: { fees: { mdrPercent: '1.5', interchangePercent: '0.50', switchFee: '1.00' } },
  });
  expect((priced.body as { fees: unknown }).fees).toEqual({ mdrPercent: '1.50', interchangePercent: '0.50', switchFee: '1.00' });
  const moved = await client.patch('/v1/merchants/SHOP1', { key: body.apiKey, body: { webhookUrl: 'https://shop.example/v2/hooks' } });
  expect((moved.body as { webhookUrl: string }).webhookUrl).toBe('https://shop.example/v2/hooks');
});

it('issues further keys that work until revoked, and rotates the webhook secret with a 24-hour overlap', async () => {
  const client = network.sw.client;
  const operator = network.sw.operatorKey;
  const created = (await client.post('/v1/merchants', { key: operator, body: shop('SHOP4') })).body as {
    apiKey: string;
    webhookSecret: string;
  };
  const second = await client.post('/v1/merchants/SHOP4/keys', { key: created.apiKey });
  expect(second.status).toBe(201);
  const { keyId, apiKey } = second.body as { keyId: string; apiKey: string };
  expect((await client.get('/v1/merchants/SHOP4', { key: apiKey })).status).toBe(200);
  expect((await client.get('/v1/merchants/SHOP4', { key: created.apiKey })).status).toBe(200);
  expect((await client.delete(`/v1/merchants/SHOP4/keys/${keyId}`, { key: created.apiKey })).status).toBe(204);
  expect(errorCode(await client.get('/v1/merchants/SHOP4', { key: apiKey }))).toBe('UNAUTHENTICATED');

  expect(errorCode(await client.post('/v1/merchants/SHOP4/webhook-secret/rotate', { key: network.wallet('MARGALLA').key.key }))).toBe(
    'FORBIDDEN',
  );
  const rotated = await client.post('/v1/merchants/SHOP4/webhook-secret/rotate', { key: created.apiKey });
  expect(rotated.status).toBe(200);
  const { webhookSecret } = rotated.body as { webhookSecret: string };
  const port = network.sw.running.gateway.merchants;
  expect(await port.webhookSigningSecrets('SHOP4')).toEqual({
    url: 'https://shop.example/webhooks',
    secrets: [webhookSecret, created.webhookSecret],
  });
  // Both sign for 24 hours, as Stripe's header carries two v1= values; then only the new one.
  const signatures = (await port.webhookSigningSecrets('SHOP4'))?.secrets.map((secret) =>
    createHmac('sha256', secret).update('1.{}').digest('hex'),
  );
  expect(new Set(signatures).size).toBe(2);
  clock = new Date(clock.getTime() + 24 * 60 * 60 * 1000 + 1000);
  expect(await port.webhookSigningSecrets('SHOP4')).toEqual({ url: 'https://shop.example/webhooks', secrets: [webhookSecret] });
  expect(await port.webhookSigningSecrets('NOBODY')).toBeNull();
});

it("refuses HISAAB as a participant id: it is the switch's own fee account", async () => {
  const answer = await network.sw.client.post('/v1/participants', {
    key: network.sw.operatorKey,
    body: {
      id: 'HISAAB',
      name: 'Not the switch',
      type: 'WALLET',
      bankCode: 'HSAB',
      currency: 'PKR',
      netDebitCap: '100.00',
      endpoints: { creditUrl: 'http://127.0.0.1:9/credit', reversalUrl: 'http://127.0.0.1:9/reversal' },
    },
  });
  expect([answer.status, errorCode(answer)]).toEqual([409, 'PARTICIPANT_EXISTS']);
});

it('serves no merchant, rate or key from memory once a change to it is read back: deactivation, a new rate, a revoked key', async () => {
  // The merchant, its rate and its key are kept in memory between requests (adapters/readmodel-sqlite/reference-data-cache.ts);
  // each use below comes right after a change that must be seen by the very next request.
  const client = network.sw.client;
  const operator = network.sw.operatorKey;
  const created = (await client.post('/v1/merchants', { key: operator, body: shop('SHOP7') })).body as { apiKey: string };
  const openSession = (orderId: string, key = created.apiKey) =>
    client.post('/v1/checkout/sessions', {
      key,
      headers: { 'idempotency-key': orderId },
      body: { amount: '1500.00', currency: 'PKR', orderId, successUrl: 'https://shop.example/ok', cancelUrl: 'https://shop.example/no' },
    });
  const first = await openSession('ORD-7-1');
  expect(first.status).toBe(201);
  expect(first.headers.get('ratelimit-policy')).toMatch(/^"key-/);
  const defaultPolicy = first.headers.get('ratelimit-policy');

  const limited = await client.patch('/v1/merchants/SHOP7', { key: operator, body: { rateLimitPerSecond: 7 } });
  expect(limited.status).toBe(200);
  const second = await openSession('ORD-7-2');
  expect(second.status).toBe(201);
  expect(second.headers.get('ratelimit-policy')).not.toBe(defaultPolicy);
  expect(second.headers.get('ratelimit-policy')).toMatch(/;w=/);

  const extra = (await client.post('/v1/merchants/SHOP7/keys', { key: created.apiKey })).body as { keyId: string; apiKey: string };
  expect((await openSession('ORD-7-3', extra.apiKey)).status).toBe(201);
  expect((await client.delete(`/v1/merchants/SHOP7/keys/${extra.keyId}`, { key: created.apiKey })).status).toBe(204);
  expect(errorCode(await openSession('ORD-7-4', extra.apiKey))).toBe('UNAUTHENTICATED');

  expect((await client.patch('/v1/merchants/SHOP7', { key: operator, body: { active: false } })).status).toBe(200);
  expect(errorCode(await openSession('ORD-7-5'))).toBe('MERCHANT_INACTIVE');
  expect((await client.patch('/v1/merchants/SHOP7', { key: operator, body: { active: true } })).status).toBe(200);
  expect((await openSession('ORD-7-6')).status).toBe(201);
});
