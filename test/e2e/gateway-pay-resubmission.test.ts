import { randomUUID } from 'node:crypto';
import { onboardMerchant, sessionBody, type OnboardedMerchant } from '../support/gateway';
import { PaymentNetwork } from '../support/payment-network';

/**
 * The hosted pay page's form sent more than once (issue 11): a double click, the form sent again after "back", two
 * tabs racing, a held-down Enter. Every submission answers the page's 303 back to the page, which shows the session as
 * it is (waiting for approval), and the customer's wallet is asked once. Before, the losers of the race on the session
 * stream were decided again with the request's id worked out before the race (two requests to pay with one id), and a
 * burst ran out of retries into CONCURRENT_UPDATE, answered as an error: a conflict the switch caused, shown to the
 * customer. Real switch over HTTP, real SQLite, real wallet simulators whose customers do not answer during the test.
 */
let network: PaymentNetwork;
let shop: OnboardedMerchant;
const raviNumber = '923000000002';
/** More of the wallet's customers, each a number of its own, for submissions racing with different numbers. */
const otherNumbers = Array.from({ length: 8 }, (_, index) => `9230100000${String(index).padStart(2, '0')}`);
// The customers see the request in their wallet app and leave it there: a request stays SENT for the whole test.
const customersWait = { approveDelayMs: 60_000, declineNumbers: [] };

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: raviNumber, requestToPay: customersWait },
    ],
  );
  shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SHOPTWICE', 'MARGALLA');
  const ravi = network.wallet('RAVI');
  for (const [index, msisdn] of otherNumbers.entries()) {
    const walletNumber = `WRAVI1${String(index).padStart(3, '0')}`;
    ravi.simulator.accounts.add({ walletNumber, msisdn, name: `Customer ${index}`, balanceMinor: 0n });
    await network.operator.registerAlias(ravi.key.key, {
      type: 'MSISDN',
      value: msisdn,
      account: { type: 'WALLET', value: walletNumber },
      name: `Customer ${index}`,
    });
  }
});
afterAll(async () => {
  await network.close();
});

async function openSession(): Promise<string> {
  const answer = await network.sw.client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody(),
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(answer.status).toBe(201);
  return (answer.body as { id: string }).id;
}

/** The form as a browser sends it without JavaScript; the answer's status and where it sends the browser. */
async function submitPayForm(sessionId: string, msisdn: string): Promise<{ status: number; location: string | null }> {
  const answer = await fetch(`${network.sw.url}/pay/${sessionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ msisdn }).toString(),
    redirect: 'manual',
  });
  await answer.text();
  return { status: answer.status, location: answer.headers.get('location') };
}

/** The requests to pay this session sent, as the customers' wallet received them. */
function requestsToPay(sessionId: string): { msisdn: string; rtpId: string }[] {
  return network
    .wallet('RAVI')
    .simulator.receivedRequestsToPay()
    .filter((request) => request.checkoutSessionId === sessionId)
    .map((request) => ({ msisdn: request.payer.value, rtpId: request.rtpId }));
}

async function recordedTypes(sessionId: string): Promise<string[]> {
  return (await network.sw.running.store.readStream(`checkout-${sessionId}`, 0n, 100)).map((event) => event.type);
}

async function pageStatus(sessionId: string): Promise<unknown> {
  return (await network.sw.client.get(`/pay/${sessionId}/status`)).body;
}

it('answers a double click with two 303s back to the page and asks the wallet once', async () => {
  const sessionId = await openSession();
  const answers = await Promise.all([submitPayForm(sessionId, '0300 0000002'), submitPayForm(sessionId, '0300 0000002')]);
  expect(answers).toEqual([
    { status: 303, location: `/pay/${sessionId}` },
    { status: 303, location: `/pay/${sessionId}` },
  ]);
  expect(requestsToPay(sessionId)).toEqual([{ msisdn: raviNumber, rtpId: `rtp_${sessionId.slice(3)}_1` }]);
  expect(await recordedTypes(sessionId)).toEqual(['SessionCreated', 'RequestToPaySent']);
  expect(await pageStatus(sessionId)).toEqual({ status: 'OPEN', rtp: 'SENT' });
});

it('answers a burst of 8 racing submissions of one number with 303 every time, one request to pay, the page waiting', async () => {
  const sessionId = await openSession();
  const answers = await Promise.all(Array.from({ length: 8 }, () => submitPayForm(sessionId, '+923000000002')));
  expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 8 }, () => 303));
  expect(requestsToPay(sessionId)).toHaveLength(1);
  expect(await recordedTypes(sessionId)).toEqual(['SessionCreated', 'RequestToPaySent']);
  const page = await (await fetch(`${network.sw.url}/pay/${sessionId}`)).text();
  expect(page).toMatch(/role="status"[\s\S]*Waiting for approval/);
  expect(page).not.toContain('role="alert"');
});

it('answers the form sent again after the request went out (back, then Pay) with 303, and does not ask twice', async () => {
  const sessionId = await openSession();
  expect((await submitPayForm(sessionId, '03000000002')).status).toBe(303);
  expect((await submitPayForm(sessionId, '923000000002')).status).toBe(303);
  expect((await submitPayForm(sessionId, '0300 0000002')).status).toBe(303);
  expect(requestsToPay(sessionId)).toHaveLength(1);
  expect(await pageStatus(sessionId)).toEqual({ status: 'OPEN', rtp: 'SENT' });
});

it('answers racing submissions of different numbers with 303 every time, and no two requests to pay share an id', async () => {
  const sessionId = await openSession();
  // Eight numbers: each is a request of its own, so every racer appends, and the last ones can lose the race on the
  // session stream more times than a command retries (CONCURRENT_UPDATE): the page answers them with its 303 too.
  const answers = await Promise.all(otherNumbers.map((number) => submitPayForm(sessionId, number)));
  expect(answers.map((answer) => answer.status)).toEqual(otherNumbers.map(() => 303));
  const sent = requestsToPay(sessionId);
  expect(sent.length).toBeGreaterThanOrEqual(1);
  expect(new Set(sent.map((request) => request.rtpId)).size).toBe(sent.length);
  const recorded = await recordedTypes(sessionId);
  expect(recorded.filter((type) => type === 'RequestToPaySent')).toHaveLength(sent.length);
  expect(await pageStatus(sessionId)).toEqual({ status: 'OPEN', rtp: 'SENT' });
});

it('answers a provider declining one request several times at once (its retries) with 200 DECLINED each, recorded once', async () => {
  const sessionId = await openSession();
  expect((await submitPayForm(sessionId, raviNumber)).status).toBe(303);
  const [request] = requestsToPay(sessionId);
  const rtpId = request?.rtpId ?? '';
  const declines = await Promise.all(
    Array.from({ length: 6 }, () =>
      network.sw.client.post(`/v1/request-to-pay/${rtpId}/decline`, {
        key: network.wallet('RAVI').key.key,
        body: { reason: 'the customer declined' },
      }),
    ),
  );
  expect(declines.map((answer) => [answer.status, answer.body])).toEqual(
    declines.map(() => [200, { rtpId, checkoutSessionId: sessionId, status: 'DECLINED' }]),
  );
  expect(await recordedTypes(sessionId)).toEqual(['SessionCreated', 'RequestToPaySent', 'RequestToPayDeclined']);
  // Declined: the customer may ask again with the same number, and the page shows that new request.
  expect((await submitPayForm(sessionId, raviNumber)).status).toBe(303);
  expect(requestsToPay(sessionId).map((sent) => sent.rtpId)).toEqual([rtpId, `rtp_${sessionId.slice(3)}_2`]);
  expect(await pageStatus(sessionId)).toEqual({ status: 'OPEN', rtp: 'SENT' });
});
