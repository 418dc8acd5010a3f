/**
 * Admission control on the money path (issue 14, item 5; api/money-path-admission.ts): with as many payments in
 * progress as HISAAB_MONEY_PATH_IN_FLIGHT_MAX allows, a flood of new ones is answered 503 OVERLOADED with
 * Retry-After before any work, the log does not move, and each shed payment, retried with its own id once the
 * switch has room, runs for the first time. The real switch, real HTTP, a real wallet simulator as the payee.
 */
import { errorCode, type HttpAnswer } from '../support/http-client';
import { stateEventsSince } from '../support/switch-process';
import type { PaymentNetwork } from '../support/payment-network';
import { margallaToRavi, startTwoWallets } from '../support/two-wallets';
import { waitUntil } from '../support/wait-until';

const inFlightMax = 2;
const floodSize = 40;
/** The payee holds its answers this long, so the admitted payments keep their slots while the flood arrives. */
const payeeDelayMs = 5_000;

let network: PaymentNetwork;

beforeAll(async () => {
  network = await startTwoWallets({ HISAAB_MONEY_PATH_IN_FLIGHT_MAX: String(inFlightMax), HISAAB_PAYEE_DEADLINE_MS: '10000' });
});

afterAll(async () => {
  await network.close();
});

function pay(body: unknown): Promise<HttpAnswer> {
  return network.sw.client.post('/v1/transfers', { key: network.wallet('MARGALLA').key.key, body });
}

async function metric(name: string): Promise<number> {
  const text = (await network.sw.client.get('/metrics')).text;
  let total = 0;
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match?.[1] !== undefined) total += Number(match[1]);
  }
  return total;
}

async function position(participantId: string): Promise<string> {
  const answer = await network.sw.client.get(`/v1/participants/${participantId}`, { key: network.sw.operatorKey });
  return (answer.body as { position: string }).position;
}

it('sheds a flood with 503 OVERLOADED and Retry-After, records nothing for it, and runs each shed payment when retried', async () => {
  const ravi = network.wallet('RAVI').simulator;
  ravi.setMode({ mode: 'slow', delayMs: payeeDelayMs });
  const admitted = Array.from({ length: inFlightMax }, () => margallaToRavi());
  const admittedAnswers = Promise.all(admitted.map((body) => pay(body)));
  // Both admitted payments are recorded and waiting on the payee: the switch is full.
  await waitUntil(async () => ravi.received('CREDIT_REQUEST').length === inFlightMax, 'both admitted payments reach the payee', 10_000);
  expect(await metric('hisaab_money_path_in_flight')).toBe(inFlightMax);
  const headBefore = await network.sw.running.store.headPosition();
  const payerPositionBefore = await position('MARGALLA');

  const flood = Array.from({ length: floodSize }, () => margallaToRavi());
  const shedAnswers = await Promise.all([
    ...flood.map((body) => pay(body)),
    network.sw.client.post('/v1/transfers/batch', { key: network.wallet('MARGALLA').key.key, body: { transfers: [margallaToRavi()] } }),
  ]);

  for (const answer of shedAnswers) {
    expect(answer.status).toBe(503);
    expect(errorCode(answer)).toBe('OVERLOADED');
    expect(answer.headers.get('retry-after')).toBe('1');
  }
  expect(await metric('hisaab_money_path_shed_total')).toBe(floodSize + 1);
  // Nothing of the flood reached the log, the ledger or the payee; other routes are still served.
  // The operator's reads of positions are in the audit trail; nothing else was written.
  expect(await stateEventsSince(network.sw, headBefore)).toEqual([]);
  expect(await position('MARGALLA')).toBe(payerPositionBefore);
  expect(ravi.received('CREDIT_REQUEST')).toHaveLength(inFlightMax);
  const lookup = await network.sw.client.get(`/v1/transfers/${flood[0]?.id ?? ''}`, { key: network.wallet('MARGALLA').key.key });
  expect(lookup.status).toBe(404);

  // The admitted payments were never shed: they finish as they would have.
  ravi.setMode({ mode: 'accept' });
  for (const answer of await admittedAnswers) {
    expect(answer.status).toBe(201);
    expect((answer.body as { state: string }).state).toBe('COMMITTED');
  }
  await waitUntil(async () => (await metric('hisaab_money_path_in_flight')) === 0, 'every slot is free', 10_000);

  // A shed payment retried with the same id is a first attempt, not a replay.
  for (const body of flood.slice(0, inFlightMax)) {
    const retried = await pay(body);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect((retried.body as { id: string; state: string }).state).toBe('COMMITTED');
    expect((await pay(body)).status).toBe(200);
  }
  expect(ravi.received('CREDIT_REQUEST')).toHaveLength(2 * inFlightMax);
}, 60_000);
