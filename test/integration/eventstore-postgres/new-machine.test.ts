import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { newMasterKey } from '../../../core/secrets/secret-box';
import { LocalPostgres } from '../../../scripts/postgres/local-postgres';
import type { HttpAnswer } from '../../support/http-client';
import { PaymentNetwork } from '../../support/payment-network';
import { startTestSwitch, type TestSwitch } from '../../support/switch-process';
import { waitUntil } from '../../support/wait-until';

/**
 * Issue 19, item 4: everything the switch needs is in the store. A switch on PostgreSQL takes traffic (participants,
 * keys, aliases, REQUEST and ADVICE transfers, an answer kept for a retry, an erasure, a closed settlement window
 * and its report) and stops; a second switch starts on a new, empty data dir against the same database with the
 * same master key and operator key, and serves the same: participants, keys that work, aliases that resolve (and the
 * erased one that does not), transfers, the recorded answer to a retry, windows and byte-identical report files.
 */
let server: LocalPostgres;
let network: PaymentNetwork;
let second: TestSwitch | null = null;
const masterKey = newMasterKey().toString('base64');

type Snapshot = Record<string, { status: number; text: string }>;

beforeAll(async () => {
  server = await LocalPostgres.create({ durable: false });
  await server.sql('CREATE DATABASE rebuilt');
}, 60_000);

afterAll(async () => {
  await second?.close();
  await network?.close();
  await server?.remove();
});

function transferBody(network: PaymentNetwork, payer: string, payee: string, amount: string): Record<string, unknown> {
  return {
    id: randomUUID(),
    payer: { type: 'WALLET', value: network.wallet(payer).walletNumber },
    payee: { type: 'MSISDN', value: network.wallet(payee).msisdn },
    amount,
    currency: 'PKR',
    purpose: 'P2P',
  };
}

/** What a client sees of the switch: the same requests, answered by either switch, compared byte for byte. */
async function snapshot(sw: TestSwitch, reads: readonly { path: string; key: string }[]): Promise<Snapshot> {
  const seen: Snapshot = {};
  for (const read of reads) {
    const answer = await sw.client.get(read.path, { key: read.key });
    seen[`${read.key.slice(0, 6)} ${read.path}`] = { status: answer.status, text: answer.text };
  }
  return seen;
}

function expectAnswer(answer: HttpAnswer, status: number): HttpAnswer {
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${answer.text}`);
  return answer;
}

it('a switch on a new, empty data dir serves what the one before it did', async () => {
  const environment = { HISAAB_EVENTSTORE: server.url('rebuilt'), HISAAB_MASTER_KEY: masterKey };
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', creditMode: 'ADVICE' },
      { id: 'INDUS', bankCode: 'INDU', msisdn: '923000000003' },
    ],
    environment,
  );
  const first = network.sw;
  const operatorKey = first.operatorKey;
  const key = (id: string): string => network.wallet(id).key.key;

  // Transfers: REQUEST (MARGALLA and INDUS are asked to credit) and ADVICE (RAVI is told after the commit).
  const transfers = [
    transferBody(network, 'MARGALLA', 'RAVI', '150.00'),
    transferBody(network, 'RAVI', 'MARGALLA', '75.25'),
    transferBody(network, 'MARGALLA', 'INDUS', '10.00'),
    transferBody(network, 'INDUS', 'MARGALLA', '3.50'),
  ];
  const payerOf = (body: Record<string, unknown>): string =>
    network.wallets.find((wallet) => wallet.walletNumber === (body.payer as { value: string }).value)!.id;
  for (const body of transfers) {
    const answer = expectAnswer(await first.client.post('/v1/transfers', { key: key(payerOf(body)), body }), 201);
    expect((answer.body as { state: string }).state).toBe('COMMITTED');
  }
  await waitUntil(() => network.wallet('RAVI').simulator.received('CREDIT_ADVICE').length >= 1, 'RAVI receives its advice', 20_000);

  // An answer kept for a retry (an Idempotency-Key POST), and the retry of a transfer by its id.
  const fundsRequest = { key: operatorKey, body: { direction: 'IN', amount: '500.00', reference: 'NEWMACHINE-1' } };
  const fundsHeaders = { 'idempotency-key': `funds-${randomUUID()}` };
  const funds = expectAnswer(await first.client.post('/v1/participants/INDUS/funds', { ...fundsRequest, headers: fundsHeaders }), 201);
  const transferRetryBefore = expectAnswer(await first.client.post('/v1/transfers', { key: key('MARGALLA'), body: transfers[0] }), 200);

  // A person erased: INDUS's customer. Its alias no longer resolves and its name reads [erased] in every view.
  const erased = expectAnswer(
    await first.client.post('/v1/data-subjects/erase', { key: operatorKey, body: { type: 'MSISDN', value: '923000000003' } }),
    200,
  );
  expect(erased.body).toEqual({ erased: true, keysDestroyed: 1, aliasRemoved: true });

  // A closed settlement window and its report files.
  const closed = expectAnswer(
    await first.client.post('/v1/settlement/windows/close', { key: operatorKey, body: { currency: 'PKR' } }),
    200,
  );
  const windowId = (closed.body as { closed: { id: string } }).closed.id;

  const reads = [
    { path: '/v1/participants', key: operatorKey },
    ...network.wallets.flatMap((wallet) => [
      { path: `/v1/participants/${wallet.id}`, key: operatorKey },
      { path: `/v1/participants/${wallet.id}`, key: key(wallet.id) },
      { path: `/v1/parties/MSISDN/${wallet.msisdn}`, key: key('MARGALLA') },
    ]),
    ...transfers.map((body) => ({ path: `/v1/transfers/${String(body.id)}`, key: key(payerOf(body)) })),
    { path: '/v1/settlement/windows?currency=PKR', key: operatorKey },
    { path: `/v1/settlement/windows/${windowId}/report`, key: operatorKey },
    { path: `/v1/settlement/windows/${windowId}/report?format=csv`, key: operatorKey },
    { path: `/v1/settlement/windows/${windowId}/report`, key: key('RAVI') },
    { path: '/.well-known/jwks.json', key: key('RAVI') },
    { path: '/v1/participants/RAVI/signing-keys', key: key('RAVI') },
  ];
  const before = await snapshot(first, reads);
  expect(before[`${operatorKey.slice(0, 6)} /v1/parties/MSISDN/923000000003`]).toBeUndefined();
  expect(before[`${key('MARGALLA').slice(0, 6)} /v1/parties/MSISDN/923000000003`]?.status).toBe(404);
  expect(before[`${key('MARGALLA').slice(0, 6)} /v1/parties/MSISDN/923000000002`]?.status).toBe(200);
  await first.stop();

  // A new machine: an empty data dir, the same database, master key and operator key.
  second = await startTestSwitch({ environment });
  // Only rebuilt read models and the keys' copy live there: no answers, nonces or keys of record.
  expect(readdirSync(second.dataDir).filter((name) => !/^(read-models|subject-keys)\.db(-wal|-shm)?$/.test(name))).toEqual([]);
  const after = await snapshot(second, reads);
  expect(after).toEqual(before);

  // The recorded answers to retries: the same status and body, marked as replayed.
  const fundsRetry = await second.client.post('/v1/participants/INDUS/funds', { ...fundsRequest, headers: fundsHeaders });
  expect({ status: fundsRetry.status, text: fundsRetry.text }).toEqual({ status: funds.status, text: funds.text });
  expect(fundsRetry.headers.get('idempotent-replayed')).toBe('true');
  const transferRetryAfter = await second.client.post('/v1/transfers', { key: key('MARGALLA'), body: transfers[0] });
  expect({ status: transferRetryAfter.status, text: transferRetryAfter.text }).toEqual({
    status: transferRetryBefore.status,
    text: transferRetryBefore.text,
  });

  // The erased subject stays erased: its alias is gone, and the transfer to it names nobody.
  const toErased = after[`${key('MARGALLA').slice(0, 6)} /v1/transfers/${String(transfers[2]!.id)}`]!;
  expect(toErased.text).toContain('[erased]');
  expect(toErased.text).not.toContain('923000000003');

  // Keys and signing secrets came from the log: a new REQUEST payment is signed so that the payee's wallet accepts it.
  for (const wallet of network.wallets) wallet.simulator.connectToSwitch(second.url, wallet.key.key);
  const fresh = transferBody(network, 'RAVI', 'MARGALLA', '1.00');
  const paid = expectAnswer(await second.client.post('/v1/transfers', { key: key('RAVI'), body: fresh }), 201);
  expect((paid.body as { state: string }).state).toBe('COMMITTED');
}, 120_000);
