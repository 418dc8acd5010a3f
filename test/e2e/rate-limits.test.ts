/**
 * Rate limits (issue 15, item 3; api/rate-limit/): per key and route class, per participant when the operator sets
 * one, per client address without a valid key and on the pay pages. A request over its rate is answered 429
 * RATE_LIMITED with Retry-After and the RateLimit fields before anything is read or recorded: a limited payment
 * moves no money, is unknown to GET, and retried later with the same id runs exactly once. The real switch, real
 * HTTP, real wallet simulators as payees; small rates set through the environment keep the test short.
 */
import { onboardMerchant } from '../support/gateway';
import { errorCode, type HttpAnswer } from '../support/http-client';
import type { PaymentNetwork } from '../support/payment-network';
import { margallaToRavi, startTwoWallets } from '../support/two-wallets';
import { expectLogUnchanged } from '../support/switch-process';
import { waitUntil } from '../support/wait-until';

const perKeyPerSecond = 10;
const perAddressPerSecond = 5;
/**
 * Big enough that the bucket (twice the rate) plus what drips in while the flood arrives stays below it even when a
 * loaded machine takes several seconds to send it: the flood is refused in part however slow the machine.
 */
const floodSize = 100;

let network: PaymentNetwork;

beforeAll(async () => {
  network = await startTwoWallets(
    {
      HISAAB_RATE_LIMIT_PER_KEY: String(perKeyPerSecond),
      HISAAB_RATE_LIMIT_PAY_PAGE_PER_ADDRESS: String(perAddressPerSecond),
      HISAAB_RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: String(perAddressPerSecond),
    },
    'ADVICE',
  );
}, 60_000);

afterAll(async () => {
  await network.close();
});

const margallaKey = () => network.wallet('MARGALLA').key.key;
const raviKey = () => network.wallet('RAVI').key.key;

function pay(body: unknown): Promise<HttpAnswer> {
  return network.sw.client.post('/v1/transfers', { key: margallaKey(), body });
}

async function rateLimitedTotal(policy: string): Promise<number> {
  const text = (await network.sw.client.get('/metrics')).text;
  const match = new RegExp(`^hisaab_rate_limited_total\\{policy="${policy}"\\} (\\S+)$`, 'm').exec(text);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

async function participant(id: string): Promise<{ position: string; rateLimitPerSecond: number | null }> {
  const answer = await network.sw.client.get(`/v1/participants/${id}`, { key: network.sw.operatorKey });
  expect(answer.status).toBe(200);
  return answer.body as { position: string; rateLimitPerSecond: number | null };
}

/** Waits out a bucket: a full one holds two seconds of its rate. */
const refillMs = 2_500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectLimited(answer: HttpAnswer, policy: string, burst: number): void {
  expect(answer.status).toBe(429);
  expect(errorCode(answer)).toBe('RATE_LIMITED');
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(answer.headers.get('ratelimit-policy')).toBe(`"${policy}";q=${burst};w=2`);
  expect(answer.headers.get('ratelimit')).toMatch(new RegExp(`^"${policy}";r=0;t=\\d+$`));
}

it('answers a burst past the key rate with 429 and Retry-After, records nothing for it, and runs each limited payment once when retried', async () => {
  await sleep(refillMs);
  const payerBefore = await participant('MARGALLA');
  const ravi = network.wallet('RAVI').simulator;
  const creditsBefore = ravi.received('CREDIT_ADVICE').length + ravi.received('CREDIT_REQUEST').length;
  const flood = Array.from({ length: floodSize }, () => margallaToRavi());

  const answers = await Promise.all(flood.map((body) => pay(body)));

  const served = flood.filter((_, index) => answers[index]?.status === 201);
  const limited = flood.filter((_, index) => answers[index]?.status === 429);
  expect(served.length + limited.length).toBe(floodSize);
  // A full bucket holds twice the rate; a little more may have dripped in while the flood arrived.
  expect(served.length).toBeGreaterThanOrEqual(2 * perKeyPerSecond);
  expect(limited.length).toBeGreaterThan(0);
  for (const answer of answers.filter((each) => each.status === 429)) expectLimited(answer, 'key-money', 2 * perKeyPerSecond);
  const servedAnswer = answers.find((each) => each.status === 201);
  expect(servedAnswer?.headers.get('ratelimit-policy')).toBe(`"key-money";q=${2 * perKeyPerSecond};w=2`);
  expect(servedAnswer?.headers.get('ratelimit')).toMatch(/^"key-money";r=\d+;t=\d+$/);
  expect(await rateLimitedTotal('key-money')).toBe(limited.length);

  // Reads are a class of their own: the key whose payments are limited still reads what happened.
  const check = limited.slice(0, 5);
  for (const body of check) {
    const lookup = await network.sw.client.get(`/v1/transfers/${body.id}`, { key: margallaKey() });
    expect(lookup.status).toBe(404);
    expect(lookup.headers.get('ratelimit-policy')).toBe(`"key-read";q=${2 * perKeyPerSecond};w=2`);
  }
  // Only the served payments moved money.
  await waitUntil(
    async () => ravi.received('CREDIT_ADVICE').length + ravi.received('CREDIT_REQUEST').length === creditsBefore + served.length,
    'the payee has been told of every served payment',
    10_000,
  );
  const payerAfterFlood = await participant('MARGALLA');
  expect(BigInt(payerAfterFlood.position.replace('.', '')) - BigInt(payerBefore.position.replace('.', ''))).toBe(
    BigInt(served.length) * 1000n,
  );

  // Retried once the bucket has refilled, a limited payment runs for the first time, then replays.
  await sleep(refillMs);
  for (const body of check) {
    const retried = await pay(body);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect((retried.body as { state: string }).state).toBe('COMMITTED');
  }
  await sleep(refillMs);
  for (const body of check) expect((await pay(body)).status).toBe(200);
  const payerAfterRetries = await participant('MARGALLA');
  expect(BigInt(payerAfterRetries.position.replace('.', '')) - BigInt(payerBefore.position.replace('.', ''))).toBe(
    BigInt(served.length + check.length) * 1000n,
  );
}, 60_000);

it('applies the rate the operator sets for a participant, shows it in the participant view, and goes back to the default on null', async () => {
  const before = (await network.sw.client.get('/v1/participants/RAVI', { key: network.sw.operatorKey })).body as { updatedAt: string };
  const set = await network.sw.client.patch('/v1/participants/RAVI', { key: network.sw.operatorKey, body: { rateLimitPerSecond: 1 } });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ rateLimitPerSecond: 1 });
  expect((set.body as { updatedAt: string }).updatedAt > before.updatedAt).toBe(true);
  expect((await participant('RAVI')).rateLimitPerSecond).toBe(1);

  // One request per second: a bucket of two, then 429.
  const reads = [];
  for (let index = 0; index < 4; index += 1) reads.push(await network.sw.client.get('/v1/participants/RAVI', { key: raviKey() }));
  expect(reads.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(2);
  const refused = reads.filter((answer) => answer.status === 429);
  expect(refused.length).toBeGreaterThanOrEqual(1);
  for (const answer of refused) expectLimited(answer, 'key-read', 2);
  // Other participants keep the default.
  const other = await network.sw.client.get('/v1/participants/MARGALLA', { key: margallaKey() });
  expect(other.headers.get('ratelimit-policy')).toBe(`"key-read";q=${2 * perKeyPerSecond};w=2`);

  // Bad values are refused and change nothing.
  for (const rateLimitPerSecond of [0, 1.5, '5', -1, 1_000_001]) {
    const answer = await expectLogUnchanged(network.sw, () =>
      network.sw.client.patch('/v1/participants/RAVI', { key: network.sw.operatorKey, body: { rateLimitPerSecond } }),
    );
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('VALIDATION_FAILED');
  }

  const reset = await network.sw.client.patch('/v1/participants/RAVI', { key: network.sw.operatorKey, body: { rateLimitPerSecond: null } });
  expect(reset.status).toBe(200);
  expect((reset.body as { rateLimitPerSecond: number | null }).rateLimitPerSecond).toBeNull();
  await sleep(refillMs);
  const back = await network.sw.client.get('/v1/participants/RAVI', { key: raviKey() });
  expect(back.status).toBe(200);
  expect(back.headers.get('ratelimit-policy')).toBe(`"key-read";q=${2 * perKeyPerSecond};w=2`);
}, 60_000);

it("applies the rate the operator sets for a merchant's keys, which only the operator may set", async () => {
  const shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'RATESHOP', 'MARGALLA');
  const bySelf = await network.sw.client.patch('/v1/merchants/RATESHOP', { key: shop.apiKey, body: { rateLimitPerSecond: 1000 } });
  expect(bySelf.status).toBe(403);
  const set = await network.sw.client.patch('/v1/merchants/RATESHOP', { key: network.sw.operatorKey, body: { rateLimitPerSecond: 1 } });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ id: 'RATESHOP', rateLimitPerSecond: 1 });

  const reads = [];
  for (let index = 0; index < 4; index += 1) reads.push(await network.sw.client.get('/v1/merchants/RATESHOP', { key: shop.apiKey }));
  expect(reads.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(2);
  const refused = reads.filter((answer) => answer.status === 429);
  expect(refused.length).toBeGreaterThanOrEqual(1);
  for (const answer of refused) expectLimited(answer, 'key-read', 2);
}, 60_000);

it('limits requests without a valid key by client address, so a flood of guessed keys is refused where it comes from', async () => {
  await sleep(refillMs);
  const answers = [];
  for (let index = 0; index < 3 * perAddressPerSecond; index += 1) {
    answers.push(await network.sw.client.get('/v1/participants', { key: `hsk_guess${String(index).padStart(4, '0')}_notarealkey` }));
  }
  const unauthenticated = answers.filter((answer) => answer.status === 401);
  const refused = answers.filter((answer) => answer.status === 429);
  expect(unauthenticated.length).toBeGreaterThanOrEqual(2 * perAddressPerSecond);
  expect(refused.length).toBeGreaterThan(0);
  expect(unauthenticated.length + refused.length).toBe(answers.length);
  for (const answer of refused) expectLimited(answer, 'address', 2 * perAddressPerSecond);
  expect(await rateLimitedTotal('address')).toBe(refused.length);
  // A valid key from the same address has its own bucket.
  expect((await network.sw.client.get('/v1/participants/MARGALLA', { key: margallaKey() })).status).toBe(200);
}, 60_000);

it('limits the public pay pages per client address', async () => {
  await sleep(refillMs);
  // At once rather than one after another, so a slow machine cannot spread them over the refill.
  const answers = await Promise.all(Array.from({ length: 8 * perAddressPerSecond }, () => network.sw.client.get('/pay/cs_notasession')));
  const shown = answers.filter((answer) => answer.status === 404);
  const refused = answers.filter((answer) => answer.status === 429);
  expect(shown.length).toBeGreaterThanOrEqual(2 * perAddressPerSecond);
  expect(refused.length).toBeGreaterThan(0);
  expect(shown.length + refused.length).toBe(answers.length);
  // A customer's browser is shown a page, with the pay page's headers; the script's status poll gets JSON.
  for (const answer of refused) {
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toContain('Too many requests');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(answer.headers.get('ratelimit-policy')).toBe(`"pay-page";q=${2 * perAddressPerSecond};w=2`);
  }
  // The script's status poll shares the bucket and is refused in JSON; a few at once, as a token may have dripped in.
  const polls = await Promise.all(
    Array.from({ length: 2 * perAddressPerSecond }, () => network.sw.client.get('/pay/cs_notasession/status')),
  );
  const refusedPoll = polls.find((answer) => answer.status === 429);
  expect(refusedPoll).toBeDefined();
  if (refusedPoll !== undefined) expectLimited(refusedPoll, 'pay-page', 2 * perAddressPerSecond);
  // The pay page's own bucket is not the keyless API's: that one is still full.
  expect((await network.sw.client.get('/openapi.json')).status).toBe(200);
}, 60_000);
