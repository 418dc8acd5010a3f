import { errorCode } from '../support/http-client';
import { onboardMerchant, sessionBody, type OnboardedMerchant } from '../support/gateway';
import { PaymentNetwork } from '../support/payment-network';

/** Checkout sessions over the real switch (issue 11): idempotent creation, reads, cancel, and expiry on an injected clock. */
let network: PaymentNetwork;
let clock = new Date('2026-03-01T09:00:00.000Z');
let shop: OnboardedMerchant;
let rival: OnboardedMerchant;
beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [{ id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' }],
    { HISAAB_PUBLIC_URL: 'https://pay.example.pk/' },
    () => clock,
  );
  shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SHOP1', 'MARGALLA');
  rival = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SHOP2', 'MARGALLA');
});
afterAll(async () => {
  await network.close();
});

it('creates a session once per Idempotency-Key: 201, then 200 with the same session, 409 with another body', async () => {
  const client = network.sw.client;
  const missing = await client.post('/v1/checkout/sessions', { key: shop.apiKey, body: sessionBody() });
  expect([missing.status, errorCode(missing)]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
  expect(
    errorCode(
      await client.post('/v1/checkout/sessions', {
        key: network.wallet('MARGALLA').key.key,
        body: sessionBody(),
        headers: { 'idempotency-key': 'k0' },
      }),
    ),
  ).toBe('FORBIDDEN');
  const tooShort = await client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody({ expiresInSeconds: 59 }),
    headers: { 'idempotency-key': 'k0' },
  });
  expect(errorCode(tooShort)).toBe('VALIDATION_FAILED');

  const created = await client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody({ description: 'Two books' }),
    headers: { 'idempotency-key': 'k1' },
  });
  expect(created.status).toBe(201);
  const session = created.body as Record<string, unknown> & { id: string; qr: string };
  expect(session.id).toMatch(/^cs_[A-Za-z0-9]{22}$/);
  expect(session).toEqual({
    id: session.id,
    merchantId: 'SHOP1',
    status: 'OPEN',
    amount: '1500.00',
    currency: 'PKR',
    orderId: 'ORD-1',
    description: 'Two books',
    payUrl: `https://pay.example.pk/pay/${session.id}`,
    qr: session.qr,
    expiresAt: new Date(clock.getTime() + 1800 * 1000).toISOString(),
    createdAt: clock.toISOString(),
    completedAt: null,
    transferId: null,
  });
  expect(session.qr).toContain(`0525${session.id}6304`);

  const again = await client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody({ description: 'Two books' }),
    headers: { 'idempotency-key': 'k1' },
  });
  expect([again.status, (again.body as { id: string }).id]).toEqual([200, session.id]);
  const conflict = await client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody({ amount: '1600.00' }),
    headers: { 'idempotency-key': 'k1' },
  });
  expect([conflict.status, errorCode(conflict)]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);
  // Keys are the merchant's own: another merchant's same key is another session.
  const rivals = await client.post('/v1/checkout/sessions', {
    key: rival.apiKey,
    body: sessionBody(),
    headers: { 'idempotency-key': 'k1' },
  });
  expect(rivals.status).toBe(201);

  // Ten concurrent creations with one key: one session.
  const racing = await Promise.all(
    Array.from({ length: 10 }, () =>
      client.post('/v1/checkout/sessions', { key: shop.apiKey, body: sessionBody(), headers: { 'idempotency-key': 'race' } }),
    ),
  );
  expect(new Set(racing.map((answer) => (answer.body as { id: string }).id)).size).toBe(1);
  expect(racing.filter((answer) => answer.status === 201)).toHaveLength(1);
});

it('shows a session only to its merchant (another gets 404), and cancels only an OPEN one', async () => {
  const client = network.sw.client;
  const created = (
    await client.post('/v1/checkout/sessions', { key: shop.apiKey, body: sessionBody(), headers: { 'idempotency-key': 'k2' } })
  ).body as { id: string };
  expect((await client.get(`/v1/checkout/sessions/${created.id}`, { key: shop.apiKey })).status).toBe(200);
  expect((await client.get(`/v1/checkout/sessions/${created.id}`, { key: network.sw.operatorKey })).status).toBe(200);
  expect(errorCode(await client.get(`/v1/checkout/sessions/${created.id}`, { key: rival.apiKey }))).toBe('SESSION_NOT_FOUND');
  expect(errorCode(await client.post(`/v1/checkout/sessions/${created.id}/cancel`, { key: rival.apiKey }))).toBe('SESSION_NOT_FOUND');
  expect(errorCode(await client.get('/v1/checkout/sessions/cs_nothing', { key: shop.apiKey }))).toBe('SESSION_NOT_FOUND');
  const cancelled = await client.post(`/v1/checkout/sessions/${created.id}/cancel`, { key: shop.apiKey });
  expect([cancelled.status, (cancelled.body as { status: string }).status]).toEqual([200, 'CANCELLED']);
  const twice = await client.post(`/v1/checkout/sessions/${created.id}/cancel`, { key: shop.apiKey });
  expect([twice.status, errorCode(twice)]).toEqual([409, 'SESSION_NOT_OPEN']);
});

it('reads EXPIRED at once past expiresAt, and the sweeper makes it a durable SessionExpired', async () => {
  const client = network.sw.client;
  const created = (
    await client.post('/v1/checkout/sessions', {
      key: shop.apiKey,
      body: sessionBody({ expiresInSeconds: 60 }),
      headers: { 'idempotency-key': 'k3' },
    })
  ).body as { id: string; expiresAt: string };
  clock = new Date(Date.parse(created.expiresAt) - 1);
  expect(((await client.get(`/v1/checkout/sessions/${created.id}`, { key: shop.apiKey })).body as { status: string }).status).toBe('OPEN');
  clock = new Date(Date.parse(created.expiresAt));
  expect(((await client.get(`/v1/checkout/sessions/${created.id}`, { key: shop.apiKey })).body as { status: string }).status).toBe(
    'EXPIRED',
  );
  expect(errorCode(await client.post(`/v1/checkout/sessions/${created.id}/cancel`, { key: shop.apiKey }))).toBe('SESSION_NOT_OPEN');

  // The switch sweeps every second by itself; the event is there within 5 s of the expiry.
  const deadline = Date.now() + 5_000;
  let expired: unknown[] = [];
  while (Date.now() < deadline && expired.length === 0) {
    const events = await network.sw.running.store.readStream(`checkout-${created.id}`, 0n, 10);
    expired = events.filter((event) => event.type === 'SessionExpired');
    if (expired.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(expired).toHaveLength(1);
  expect(await network.sw.running.gateway.sweepExpiredSessions()).toBe(0);
});
