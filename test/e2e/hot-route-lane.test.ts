import { randomUUID } from 'node:crypto';
import { rawHttpRequest, type HttpAnswer } from '../support/http-client';
import {
  issueRegulatorKey,
  onboardParticipant,
  onboardPayerAndAdvicePayee,
  startTestSwitch,
  type TestSwitch,
} from '../support/switch-process';

/**
 * The hot routes (api/hot-route-lane.ts) answer every request exactly as the router does. The same request is sent
 * twice, as written (node:http, not fetch, which would normalise the target): once plainly, which takes the lane, and
 * once with a query the routes ignore (`?via=router`), which the lane leaves to the router; status, headers (but the
 * request id and the date) and body must be the same, for every kind of caller and every kind of bad input.
 */
let sw: TestSwitch;
const keys: Record<'owner' | 'payee' | 'stranger' | 'operator' | 'regulator', string> = {
  owner: '',
  payee: '',
  stranger: '',
  operator: '',
  regulator: '',
};
let transfer: { id: string; switchTransferId: string };

beforeAll(async () => {
  sw = await startTestSwitch();
  keys.operator = sw.operatorKey;
  const { payerKey, payeeKey } = await onboardPayerAndAdvicePayee(sw);
  keys.owner = payerKey;
  keys.payee = payeeKey;
  keys.stranger = (await onboardParticipant(sw, 'KOHSAR', 'KHSR')).key;
  keys.regulator = await issueRegulatorKey(sw);
  const paid = await sw.client.post('/v1/transfers', { key: keys.owner, body: payment(randomUUID()) });
  expect(paid.status).toBe(201);
  transfer = paid.body as { id: string; switchTransferId: string };
});
afterAll(async () => {
  await sw.close();
});

function payment(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    payer: { type: 'WALLET', value: '03001111111' },
    payee: { type: 'MSISDN', value: '923002222222' },
    amount: '1.00',
    currency: 'PKR',
    purpose: 'P2P',
    ...overrides,
  };
}

/** What must match between the two ways: everything but what differs per request. */
function comparable(answer: HttpAnswer): { status: number; headers: Record<string, string>; body: unknown } {
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (name !== 'x-request-id' && name !== 'date') headers[name] = value;
  });
  return { status: answer.status, headers, body: answer.body };
}

async function bothWays(method: 'GET' | 'POST', path: string, options: { key?: string; body?: unknown; rawBody?: string } = {}) {
  const lane = await rawHttpRequest(sw.url, method, path, options);
  const router = await rawHttpRequest(sw.url, method, `${path}?via=router`, options);
  return { lane: comparable(lane), router: comparable(router) };
}

type ReadCase = readonly [name: string, caller: keyof typeof keys, id: () => string, status: number];

describe('GET /v1/transfers/{id} through the lane and through the router', () => {
  it.each<ReadCase>([
    ['the payer, by its own id', 'owner', () => transfer.id, 200],
    ['the payer, by the switch id', 'owner', () => transfer.switchTransferId, 200],
    ['the payee, by the switch id', 'payee', () => transfer.switchTransferId, 200],
    ['the payee, by the payer id', 'payee', () => transfer.id, 200],
    ['a stranger', 'stranger', () => transfer.switchTransferId, 404],
    ['the operator', 'operator', () => transfer.switchTransferId, 200],
    ['a regulator', 'regulator', () => transfer.switchTransferId, 200],
    ['the payer, an unknown id', 'owner', () => randomUUID(), 404],
    ['the payer, an id too long', 'owner', () => 'x'.repeat(200), 400],
    ['the payer, the batch resource', 'owner', () => 'batch', 405],
  ])('answers %s alike', async (_name, caller, id, status) => {
    const { lane, router } = await bothWays('GET', `/v1/transfers/${id()}`, { key: keys[caller] });
    expect(lane.status).toBe(status);
    expect(lane).toEqual(router);
  });

  it('answers a missing key and a wrong key alike (401)', async () => {
    for (const key of [undefined, `${keys.owner.slice(0, 20)}${'A'.repeat(keys.owner.length - 20)}`]) {
      const { lane, router } = await bothWays('GET', `/v1/transfers/${transfer.id}`, { key });
      expect(lane.status).toBe(401);
      expect(lane).toEqual(router);
    }
  });

  it('reads a target with a fragment as the router does: the fragment is not part of the path', async () => {
    const plain = comparable(await rawHttpRequest(sw.url, 'GET', `/v1/transfers/${transfer.id}`, { key: keys.owner }));
    const withFragment = comparable(await rawHttpRequest(sw.url, 'GET', `/v1/transfers/${transfer.id}#x`, { key: keys.owner }));
    expect(withFragment).toEqual(plain);
    expect(plain.status).toBe(200);
    // `/v1/transfers/#` is the list of transfers with a trailing slash, not a transfer named "#".
    const list = await rawHttpRequest(sw.url, 'GET', '/v1/transfers/#', { key: keys.owner });
    expect(list.status).toBe(200);
    expect(list.body).toHaveProperty('transfers');
  });

  it('counts and logs a request of the lane under its route, as the router does', async () => {
    const before = sw.logLines.length;
    await sw.client.get(`/v1/transfers/${transfer.id}`, { key: keys.owner });
    const logged = sw.logLines.slice(before).find((line) => line.msg === 'request');
    expect(logged).toMatchObject({ method: 'GET', path: `/v1/transfers/${transfer.id}`, route: '/v1/transfers/:id', status: 200 });
    expect(logged).toMatchObject({ role: 'participant', participantId: 'MARGALLA' });
    const metrics = await sw.client.get('/metrics', { key: keys.operator });
    expect(metrics.text).toMatch(/hisaab_http_requests_total\{method="GET",route="\/v1\/transfers\/:id",status="200"\} \d+/);
  });
});

describe('POST /v1/transfers through the lane and through the router', () => {
  it('replays a transfer alike', async () => {
    const replay = payment(transfer.id);
    const { lane, router } = await bothWays('POST', '/v1/transfers', { key: keys.owner, body: replay });
    expect(lane.status).toBe(200);
    expect(lane).toEqual(router);
  });

  it.each([
    ['an invalid body', 'owner', payment(randomUUID(), { amount: '1.001' }), 400],
    ['a payee that is the payer itself', 'payee', payment(randomUUID()), 422],
    ['the operator', 'operator', payment(randomUUID()), 403],
    ['no key', undefined, payment(randomUUID()), 401],
  ] as const)('refuses %s alike', async (_name, caller, body, status) => {
    const { lane, router } = await bothWays('POST', '/v1/transfers', { key: caller === undefined ? undefined : keys[caller], body });
    expect(lane.status).toBe(status);
    expect(lane).toEqual(router);
  });

  it('refuses malformed JSON alike', async () => {
    const { lane, router } = await bothWays('POST', '/v1/transfers', { key: keys.owner, rawBody: '{"id":' });
    expect(lane.status).toBe(400);
    expect(lane).toEqual(router);
  });

  it('records a new transfer the same way either way', async () => {
    const first = await sw.client.post('/v1/transfers', { key: keys.owner, body: payment(randomUUID()) });
    const second = await rawHttpRequest(sw.url, 'POST', '/v1/transfers?via=router', { key: keys.owner, body: payment(randomUUID()) });
    const shape = (answer: HttpAnswer) => {
      const body = answer.body as Record<string, unknown>;
      return {
        status: answer.status,
        state: body.state,
        amount: body.amount,
        payeeParticipant: body.payeeParticipant,
        fields: Object.keys(body),
      };
    };
    expect(shape(first)).toEqual(shape(second));
    expect(shape(first)).toMatchObject({ status: 201, state: 'COMMITTED', payeeParticipant: 'RAVI' });
  });
});
