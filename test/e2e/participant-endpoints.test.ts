import { randomUUID } from 'node:crypto';
import { auditStreamName } from '../../core/audit/audit-entry';
import { firstSigningSecret } from '../../simulators/operator-client';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { onboardMerchant, sessionBody, type OnboardedMerchant } from '../support/gateway';
import { errorCode, type HttpAnswer } from '../support/http-client';
import { openingBalanceMinor, PaymentNetwork } from '../support/payment-network';
import { rebuildSwitchProjection } from '../support/rebuild-switch-projection';
import { expectLogUnchanged, issueRegulatorKey, participantBody, stateEventsSince } from '../support/switch-process';

/**
 * The operator changes a participant's endpoints after registration (PATCH /v1/participants/{id}), over the real
 * switch, SQLite store and HTTP: RAVI, a wallet registered without an rtpUrl, is given one and a checkout's request
 * to pay then reaches it; MARGALLA's credit URL moves to another host and the next payment's credit goes there;
 * other keys are refused; bad input is refused with nothing changed; the change survives a restart and a rebuild
 * of the participants projection.
 */
let network: PaymentNetwork;
let shop: OnboardedMerchant;
/** MARGALLA's wallet service on its new host, where the operator moves its credit and reversal URLs. */
let movedMargalla: WalletSimulator;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      // No requestToPay: registered with no rtpUrl, as a wallet that joined before taking requests to pay.
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '10000000.00' },
    ],
  );
  shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'SHOP1', 'MARGALLA');
  network.wallet('MARGALLA').simulator.accounts.add({ walletNumber: 'WSHOP1', name: 'SHOP1 Store', balanceMinor: 0n });
  const margalla = network.wallet('MARGALLA');
  movedMargalla = new WalletSimulator({
    participantId: 'MARGALLA',
    accounts: [
      { walletNumber: margalla.walletNumber, msisdn: margalla.msisdn, name: 'Customer MARGALLA', balanceMinor: openingBalanceMinor },
      { walletNumber: 'WSHOP1', name: 'SHOP1 Store', balanceMinor: 0n },
    ],
  });
  movedMargalla.setSigningSecret(firstSigningSecret('MARGALLA', margalla.key));
  await movedMargalla.start();
});

afterAll(async () => {
  await movedMargalla.close();
  await network.close();
});

const operator = () => network.sw.operatorKey;

function patchEndpoints(participantId: string, endpoints: unknown, key: string = operator(), extra: Record<string, unknown> = {}) {
  return network.sw.client.patch(`/v1/participants/${participantId}`, { key, body: { endpoints, ...extra } });
}

async function endpointsOf(participantId: string): Promise<unknown> {
  const answer = await network.sw.client.get(`/v1/participants/${participantId}`, { key: operator() });
  expect(answer.status).toBe(200);
  return (answer.body as { endpoints: unknown }).endpoints;
}

async function openSession(): Promise<string> {
  const answer = await network.sw.client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody(),
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(answer.status).toBe(201);
  return (answer.body as { id: string }).id;
}

async function submitPayForm(sessionId: string, msisdn: string): Promise<void> {
  const submitted = await fetch(`${network.sw.url}/pay/${sessionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ msisdn }).toString(),
    redirect: 'manual',
  });
  expect(submitted.status).toBe(303);
}

async function waitForStatus(sessionId: string, expected: string): Promise<{ status: string; rtp: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = (await network.sw.client.get(`/pay/${sessionId}/status`)).body as { status: string; rtp: string };
    if (answer.status === expected || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** RAVI's customer pays 10.00 to MARGALLA's customer's mobile number; resolves with the transfer. */
async function raviPaysMargalla(): Promise<{ switchTransferId: string; state: string }> {
  const answer = await network.sw.client.post('/v1/transfers', {
    key: network.wallet('RAVI').key.key,
    body: {
      id: randomUUID(),
      payer: { type: 'WALLET', value: network.wallet('RAVI').walletNumber },
      payee: { type: 'MSISDN', value: network.wallet('MARGALLA').msisdn },
      amount: '10.00',
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
  expect(answer.status).toBe(201);
  return answer.body as { switchTransferId: string; state: string };
}

function creditsFor(simulator: WalletSimulator, transferId: string): number {
  return simulator.received('CREDIT_REQUEST').filter((message) => message.transferId === transferId).length;
}

it("gives a wallet registered without an rtpUrl one: the next checkout's request to pay reaches it and the session completes", async () => {
  const ravi = network.wallet('RAVI');
  expect(await endpointsOf('RAVI')).toMatchObject({ rtpUrl: null });
  const before = await openSession();
  await submitPayForm(before, ravi.msisdn);
  // The request to pay is sent before the form is answered: with no rtpUrl it has failed already.
  expect((await network.sw.client.get(`/pay/${before}/status`)).body).toEqual({ status: 'OPEN', rtp: 'FAILED' });
  expect(ravi.simulator.receivedRequestsToPay()).toHaveLength(0);

  const { creditUrl, reversalUrl, rtpUrl } = ravi.simulator.endpoints;
  const changed = await patchEndpoints('RAVI', { creditUrl, reversalUrl, rtpUrl });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ id: 'RAVI', active: true, endpoints: { creditUrl, reversalUrl, rtpUrl } });

  const after = await openSession();
  await submitPayForm(after, ravi.msisdn);
  expect(ravi.simulator.receivedRequestsToPay().at(-1)).toMatchObject({ checkoutSessionId: after, amount: '1500.00' });
  expect(await waitForStatus(after, 'COMPLETED')).toEqual({ status: 'COMPLETED', rtp: 'SENT' });
});

it("moves a credit URL: the next payment's credit goes to the new host, none to the old", async () => {
  const old = network.wallet('MARGALLA').simulator;
  const first = await raviPaysMargalla();
  expect(first.state).toBe('COMMITTED');
  expect([creditsFor(old, first.switchTransferId), creditsFor(movedMargalla, first.switchTransferId)]).toEqual([1, 0]);

  const position = await network.sw.running.store.headPosition();
  const { creditUrl, reversalUrl } = movedMargalla.endpoints;
  const changed = await patchEndpoints('MARGALLA', { creditUrl, reversalUrl });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ endpoints: { creditUrl, reversalUrl, rtpUrl: null } });
  // One fact on the participants' streams (webhook deliveries of the last test may still be written beside it), and
  // the operator's request in the audit trail before it.
  const facts = (await stateEventsSince(network.sw, position)).filter((fact) => fact.startsWith('participant-'));
  expect(facts).toEqual(['participant-MARGALLA ParticipantEndpointsChanged']);
  const audit = (await network.sw.running.store.readAll(position, 100)).filter((event) => event.stream === auditStreamName);
  expect(audit.map((event) => event.data)).toContainEqual(
    expect.objectContaining({ actor: 'operator', action: 'PATCH /v1/participants/:id', target: '/v1/participants/MARGALLA' }),
  );

  const second = await raviPaysMargalla();
  expect(second.state).toBe('COMMITTED');
  expect([creditsFor(old, second.switchTransferId), creditsFor(movedMargalla, second.switchTransferId)]).toEqual([0, 1]);
});

it('records nothing for the endpoints the participant has already, and answers 200 with them', async () => {
  const current = await endpointsOf('MARGALLA');
  const answer = await expectLogUnchanged(network.sw, () => patchEndpoints('MARGALLA', current));
  expect(answer.status).toBe(200);
  expect((answer.body as { endpoints: unknown }).endpoints).toEqual(current);
});

it("refuses another key: a participant's own, another participant's, a regulator's (403, nothing changed)", async () => {
  const current = await endpointsOf('RAVI');
  const elsewhere = { creditUrl: 'https://attacker.example/credit', reversalUrl: 'https://attacker.example/reversal' };
  const regulator = await issueRegulatorKey(network.sw);
  for (const [target, key] of [
    ['RAVI', network.wallet('RAVI').key.key],
    ['MARGALLA', network.wallet('RAVI').key.key],
    ['RAVI', regulator],
  ] as const) {
    const answer = await expectLogUnchanged(network.sw, () => patchEndpoints(target, elsewhere, key));
    expect([answer.status, errorCode(answer)]).toEqual([403, 'FORBIDDEN']);
  }
  expect(await endpointsOf('RAVI')).toEqual(current);
});

describe('bad input is refused with a code and a sentence, and changes nothing', () => {
  const good = { creditUrl: 'https://wallet.example/credit', reversalUrl: 'https://wallet.example/reversal' };
  it.each<[string, Record<string, unknown>, number, string, (string | number)[]]>([
    [
      'an unknown endpoint field',
      { endpoints: { ...good, smsUrl: 'https://wallet.example/sms' } },
      400,
      'VALIDATION_FAILED',
      ['body', 'endpoints'],
    ],
    [
      'a credit URL that is not http',
      { endpoints: { ...good, creditUrl: 'ftp://wallet.example/credit' } },
      400,
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'creditUrl'],
    ],
    [
      'an rtpUrl that is no URL',
      { endpoints: { ...good, rtpUrl: 'pay me here' } },
      400,
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'rtpUrl'],
    ],
    ['a URL as a number', { endpoints: { ...good, creditUrl: 5 } }, 400, 'VALIDATION_FAILED', ['body', 'endpoints', 'creditUrl']],
    ['endpoints as a string', { endpoints: 'https://wallet.example' }, 400, 'VALIDATION_FAILED', ['body', 'endpoints']],
    ['endpoints as null', { endpoints: null }, 400, 'VALIDATION_FAILED', ['body', 'endpoints']],
    [
      'endpoints missing the reversal URL',
      { endpoints: { creditUrl: good.creditUrl } },
      400,
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'reversalUrl'],
    ],
    ['an unknown field beside them', { endpoints: good, colour: 'green' }, 400, 'VALIDATION_FAILED', ['body']],
    [
      'a bad URL beside a good change',
      { active: false, endpoints: { ...good, reversalUrl: 'nowhere' } },
      400,
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'reversalUrl'],
    ],
    [
      // A password in a URL would be stored in the log for good, shown to the regulator and to the participant's own
      // key by GET, and sent to the wallet as Basic authorization: the switch signs what it sends instead.
      'a credit URL carrying a user name and password',
      { endpoints: { ...good, creditUrl: 'https://switch:s3cret@wallet.example/credit' } },
      400,
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'creditUrl'],
    ],
    [
      'an rtpUrl carrying a user name',
      { endpoints: { ...good, rtpUrl: 'https://switch@wallet.example/rtp' } },
      400,
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'rtpUrl'],
    ],
    [
      // new URL() drops leading and trailing spaces; the stored text would keep them and disagree with the schema's pattern.
      'a credit URL with a leading space',
      { endpoints: { ...good, creditUrl: ' https://wallet.example/credit' } },
      400,
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'creditUrl'],
    ],
    [
      'a reversal URL with a space inside',
      { endpoints: { ...good, reversalUrl: 'https://wallet.example/rev ersal' } },
      400,
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'reversalUrl'],
    ],
    [
      'ISO 8583 endpoints for a wallet on HTTP',
      { endpoints: { iso8583: '127.0.0.1:5000', institutionId: '600042' } },
      422,
      'ENDPOINT_KIND_MISMATCH',
      [],
    ],
  ])('refuses %s', async (_name, body, status, code, path) => {
    const before = await network.sw.client.get('/v1/participants/RAVI', { key: operator() });
    const answer: HttpAnswer = await expectLogUnchanged(network.sw, () =>
      network.sw.client.patch('/v1/participants/RAVI', { key: operator(), body }),
    );
    expect([answer.status, errorCode(answer)]).toEqual([status, code]);
    const error = (answer.body as { error: { message: string; details: { path: unknown[] }[] } }).error;
    // A sentence that names the field it is about, for a person reading the answer.
    expect(error.message.length).toBeGreaterThan(15);
    if (path.length > 0) {
      expect(error.message).toContain(path.join('.'));
      expect(error.details.map((detail) => detail.path)).toContainEqual(path);
    }
    expect((await network.sw.client.get('/v1/participants/RAVI', { key: operator() })).body).toEqual(before.body);
  });

  it('refuses a participant that does not exist (404)', async () => {
    const answer = await expectLogUnchanged(network.sw, () => patchEndpoints('NOBODY', good));
    expect([answer.status, errorCode(answer)]).toEqual([404, 'PARTICIPANT_NOT_FOUND']);
  });

  it("refuses a bank another bank's institution id (409), and moves its host and rotates its CA otherwise", async () => {
    const bank = (id: string, code: string, institutionId: string) =>
      participantBody(id, code, { type: 'BANK', endpoints: { iso8583: '127.0.0.1:9', institutionId } });
    for (const [id, code, institutionId] of [
      ['EAST_BANK', 'EAST', '700101'],
      ['WEST_BANK', 'WEST', '700102'],
    ] as const) {
      expect((await network.sw.client.post('/v1/participants', { key: operator(), body: bank(id, code, institutionId) })).status).toBe(201);
    }
    const taken = await expectLogUnchanged(network.sw, () =>
      patchEndpoints('WEST_BANK', { iso8583: '127.0.0.1:9', institutionId: '700101' }),
    );
    expect([taken.status, errorCode(taken)]).toEqual([409, 'INSTITUTION_ID_TAKEN']);
    const wallet = await expectLogUnchanged(network.sw, () => patchEndpoints('WEST_BANK', good));
    expect([wallet.status, errorCode(wallet)]).toEqual([422, 'ENDPOINT_KIND_MISMATCH']);
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const moved = await patchEndpoints('WEST_BANK', { iso8583: 'west-bank.local:6000', institutionId: '700102', tls: { ca } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ endpoints: { iso8583: 'west-bank.local:6000', institutionId: '700102', tls: { ca } } });
  });
});

it('keeps the changed endpoints across a restart and a rebuild of the participants projection, and pays to them', async () => {
  const margalla = await endpointsOf('MARGALLA');
  const ravi = await endpointsOf('RAVI');
  expect(margalla).toMatchObject({ creditUrl: movedMargalla.endpoints.creditUrl });
  expect(ravi).toMatchObject({ rtpUrl: network.wallet('RAVI').simulator.endpoints.rtpUrl });

  await network.restartSwitch();
  expect([await endpointsOf('MARGALLA'), await endpointsOf('RAVI')]).toEqual([margalla, ravi]);

  await network.sw.stop();
  await rebuildSwitchProjection('participants', network.sw.dataDir);
  await network.restartSwitch();
  expect([await endpointsOf('MARGALLA'), await endpointsOf('RAVI')]).toEqual([margalla, ravi]);
  expect(await endpointsOf('WEST_BANK')).toMatchObject({ iso8583: 'west-bank.local:6000' });

  const paid = await raviPaysMargalla();
  expect(paid.state).toBe('COMMITTED');
  expect([
    creditsFor(network.wallet('MARGALLA').simulator, paid.switchTransferId),
    creditsFor(movedMargalla, paid.switchTransferId),
  ]).toEqual([0, 1]);
  const session = await openSession();
  await submitPayForm(session, network.wallet('RAVI').msisdn);
  expect(await waitForStatus(session, 'COMPLETED')).toEqual({ status: 'COMPLETED', rtp: 'SENT' });
});
