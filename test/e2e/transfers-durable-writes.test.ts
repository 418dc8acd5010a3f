import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import type { RecordedEvent } from '../../core/eventstore/event';
import { ledgerFacts } from '../../core/ledger/ledger-record';
import { payerScopedTransferId } from '../../core/transfers/transfer-id';
import { transferStreamName } from '../../core/transfers/transfer-events';
import type { HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';
import { sealedLogOf } from '../../core/personal-data/personal-data-event-store';

/**
 * Issue 10, part 2: how many durable writes (SQLite commits, each one fsync) a payment makes before the switch
 * answers. A REQUEST payment makes two (the reservation with TransferInitiated; the post with TransferCommitted),
 * a rejected one two, a refused one one; an ADVICE payment one (see the README, "Durable writes per payment").
 */
let network: PaymentNetwork;
let store: SqliteEventStore;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001', netDebitCap: '1000000.00' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '1000000.00' },
      { id: 'ADVISED', bankCode: 'ADVS', msisdn: '923000000004', netDebitCap: '1000.00', creditMode: 'ADVICE' },
    ],
  );
  // The switch's modules write through the personal-data sealing store; the SQLite store underneath counts the writes.
  const wrapper = network.sw.running.store;
  const running = sealedLogOf(wrapper);
  if (!(running instanceof SqliteEventStore)) throw new Error('the test switch runs on SQLite');
  store = running;
});

afterAll(async () => {
  store.onDurableCommit = null;
  await network.close();
});

/**
 * Pays and counts the commits, made while the request was open, that wrote the payment's own stream, the ledger
 * or a queued delivery (the switch's other writers, delivery attempts say, are not this payment's writes).
 */
async function payCounting(payeeMsisdn: string, amount: string): Promise<{ answer: HttpAnswer; writes: string[][] }> {
  const id = randomUUID();
  const stream = transferStreamName(payerScopedTransferId('MARGALLA', id));
  const writes: string[][] = [];
  store.onDurableCommit = (appends) => {
    const relevant = appends.filter(
      (append) => append.stream === stream || append.stream === 'ledger-PKR' || append.types.includes('DeliveryQueued'),
    );
    if (relevant.length > 0) writes.push(relevant.map((append) => `${append.stream}:${append.types.join('+')}`));
  };
  const answer = await network.sw.client.post('/v1/transfers', {
    key: network.wallet('MARGALLA').key.key,
    body: {
      id,
      payer: { type: 'WALLET', value: 'WMARGALLA0001', name: 'Customer MARGALLA' },
      payee: { type: 'MSISDN', value: payeeMsisdn },
      amount,
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
  store.onDurableCommit = null;
  return { answer, writes };
}

it('commits a REQUEST payment in two durable writes, the transfer riding with the ledger', async () => {
  const { answer, writes } = await payCounting(network.wallet('RAVI').msisdn, '10.00');
  expect(answer.body).toMatchObject({ state: 'COMMITTED' });
  expect(writes).toHaveLength(2);
  expect(writes[0]).toEqual([expect.stringMatching(/^transfer-.*:TransferInitiated$/), 'ledger-PKR:LedgerBatch']);
  expect(writes[1]).toEqual(['ledger-PKR:LedgerBatch', expect.stringMatching(/^transfer-.*:TransferCommitted$/)]);
});

it('aborts a REQUEST payment the payee rejects in two durable writes, the abort riding with the void', async () => {
  const ravi = network.wallet('RAVI').simulator;
  ravi.setMode({ mode: 'reject', reason: 'ACCOUNT_BLOCKED' });
  try {
    const { answer, writes } = await payCounting(network.wallet('RAVI').msisdn, '10.00');
    expect(answer.body).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_REJECTED' });
    expect(writes).toHaveLength(2);
    expect(writes[1]).toEqual(['ledger-PKR:LedgerBatch', expect.stringMatching(/^transfer-.*:TransferAborted$/)]);
  } finally {
    ravi.setMode({ mode: 'accept' });
  }
});

it('refuses a REQUEST payment over the cap in one durable write', async () => {
  const { answer, writes } = await payCounting(network.wallet('RAVI').msisdn, '2000000.00');
  expect(answer.body).toMatchObject({ state: 'ABORTED', abortReason: 'NET_DEBIT_CAP_EXCEEDED' });
  expect(writes).toEqual([[expect.stringMatching(/^transfer-.*:TransferInitiated\+TransferAborted$/)]]);
});

it('commits an ADVICE payment in one durable write: money, record and commit together; the advice follows from the log', async () => {
  const { answer, writes } = await payCounting(network.wallet('ADVISED').msisdn, '10.00');
  expect(answer.body).toMatchObject({ state: 'COMMITTED' });
  const switchTransferId = (answer.body as { switchTransferId: string }).switchTransferId;
  // Queued by the advice intake after the answer, or while it was being sent: not a write the payment waited for.
  const paymentWrites = writes.filter((write) => !write.some((append) => append.endsWith(':DeliveryQueued')));
  expect(paymentWrites).toEqual([[expect.stringMatching(/^transfer-.*:TransferInitiated\+TransferCommitted$/), 'ledger-PKR:LedgerBatch']]);
  const advised = network.wallet('ADVISED').simulator;
  await waitUntil(
    () => advised.received('CREDIT_ADVICE').some((message) => message.transferId === switchTransferId),
    'the payee received the advice',
  );
});

describe('a batch to ADVICE payees', () => {
  function item(id: string, payeeMsisdn: string, amount = '1.00'): Record<string, unknown> {
    return {
      id,
      payer: { type: 'WALLET', value: 'WMARGALLA0001' },
      payee: { type: 'MSISDN', value: payeeMsisdn },
      amount,
      currency: 'PKR',
      purpose: 'P2P',
    };
  }

  async function postBatch(transfers: Record<string, unknown>[]): Promise<{ answer: HttpAnswer; commits: string[][] }> {
    const commits: string[][] = [];
    store.onDurableCommit = (appends) => {
      const relevant = appends.filter((append) => append.stream.startsWith('transfer-') || append.stream === 'ledger-PKR');
      if (relevant.length > 0) commits.push(relevant.map((append) => `${append.stream}:${append.types.join('+')}`));
    };
    const answer = await network.sw.client.post('/v1/transfers/batch', { key: network.wallet('MARGALLA').key.key, body: { transfers } });
    store.onDurableCommit = null;
    return { answer, commits };
  }

  it('decides its ADVICE items together: one durable write for all of them, each transfer riding with its money', async () => {
    const advised = network.wallet('ADVISED').msisdn;
    const transfers = Array.from({ length: 200 }, () => item(randomUUID(), advised));
    const { answer, commits } = await postBatch(transfers);
    expect(answer.status).toBe(200);
    const results = (answer.body as { results: { outcome: string; id: string; state: string }[] }).results;
    expect(results.map((result) => [result.id, result.state])).toEqual(transfers.map((transfer) => [transfer['id'], 'COMMITTED']));
    expect(commits).toHaveLength(1);
    expect(commits[0]?.filter((append) => append.endsWith(':TransferInitiated+TransferCommitted'))).toHaveLength(200);
    // One batch record holds the tick's facts: each payment's reservation and its post.
    expect(commits[0]).toContain('ledger-PKR:LedgerBatch');
    const head = await store.streamRevision('ledger-PKR');
    const [record] = await store.readStream('ledger-PKR', head ?? 0n, 1);
    expect(ledgerFacts(record as RecordedEvent).map((fact) => fact.type)).toEqual(
      Array.from({ length: 200 }, () => ['LedgerTransferReserved', 'LedgerPendingPosted']).flat(),
    );
  });

  it('answers a replayed batch as it did the first time, writing nothing; mixed items keep their own paths', async () => {
    const advised = network.wallet('ADVISED').msisdn;
    const repeated = randomUUID();
    const transfers = [
      item(randomUUID(), advised),
      item(randomUUID(), network.wallet('RAVI').msisdn),
      item(repeated, advised),
      item(repeated, advised),
      item(randomUUID(), advised, '2000000.00'),
      { id: 'no-amount', payer: { type: 'WALLET', value: 'WMARGALLA0001' } },
      item(randomUUID(), '923009999999'),
    ];
    const first = await postBatch(transfers);
    expect(first.answer.status).toBe(200);
    const results = (first.answer.body as { results: Record<string, unknown>[] }).results;
    expect(results).toEqual([
      expect.objectContaining({ outcome: 'TRANSFER', state: 'COMMITTED' }),
      expect.objectContaining({ outcome: 'TRANSFER', state: 'COMMITTED' }),
      expect.objectContaining({ outcome: 'TRANSFER', id: repeated, state: 'COMMITTED' }),
      expect.objectContaining({ outcome: 'TRANSFER', id: repeated, state: 'COMMITTED' }),
      // Refused by the ledger (the payer's net debit cap) in the same submit as the others: recorded ABORTED.
      expect.objectContaining({ outcome: 'TRANSFER', state: 'ABORTED', abortReason: 'NET_DEBIT_CAP_EXCEEDED' }),
      expect.objectContaining({ outcome: 'ERROR', id: 'no-amount', error: expect.objectContaining({ code: 'VALIDATION_FAILED' }) }),
      expect.objectContaining({ outcome: 'ERROR', error: expect.objectContaining({ code: 'PARTY_NOT_FOUND' }) }),
    ]);
    const replay = await postBatch(transfers);
    expect(replay.answer.body).toEqual(first.answer.body);
    expect(replay.commits).toEqual([]);
  });
});
