import { RemoteDeliveryQueue, RemoteLedgerEngine, WriterAppendingEventStore } from '../../../api/cluster/remote-writer';
import { WriterEndpoint, type AnswerChannel } from '../../../api/cluster/writer-endpoint';
import { WriterLink, type WriterChannel } from '../../../api/cluster/writer-link';
import { HttpError } from '../../../api/http-error';
import { createLogger } from '../../../api/logger';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { NewEvent } from '../../../core/eventstore/event';
import { WrongExpectedRevisionError } from '../../../core/eventstore/expected-revision';
import { DomainError } from '../../../core/errors';
import { createLedgerEngine, type LedgerEngine } from '../../../core/ledger/ledger-engine';
import type { CompanionAppend } from '../../../core/ledger/ledger-engine-contract';
import type { PayeeDeliveryQueue } from '../../../core/transfers/transfer-ports';

/**
 * The IPC link between a front-end worker and the writer, both ends wired to each other through an in-memory
 * channel that copies each message as the cluster's `advanced` IPC serialization does (structured clone), with a
 * real ledger engine and event store behind the writer's end: batching per event-loop turn, submits carrying their
 * companions as data, the errors the transfer service decides on crossing as themselves, the bound on commands in
 * flight and the timeout.
 */
const logger = createLogger('silent');
const now = (): Date => new Date('2026-12-03T08:00:00.000Z');

let store: SqliteEventStore;
let engine: LedgerEngine;

beforeEach(async () => {
  store = new SqliteEventStore(':memory:');
  engine = createLedgerEngine({ ledger: 'PKR', store, now });
  await engine.start();
  const opened = await engine.submit(
    ['A', 'B'].map((owner) => ({
      type: 'create_account' as const,
      id: `position:${owner}`,
      ledger: 'PKR' as const,
      code: 'POSITION' as const,
      owner,
      debitLimitMinor: 1_000n,
    })),
  );
  expect(opened.results).toEqual(['ok', 'ok']);
});

afterEach(async () => {
  await engine.stop();
  await store.close();
});

function event(type: string): NewEvent {
  return { id: crypto.randomUUID(), type, data: {}, metadata: { at: now().toISOString() } };
}

const noDeliveries: PayeeDeliveryQueue = {
  enqueue: async () => {
    throw new DomainError('OUTBOX_FULL', 'the outbox is full');
  },
};

/** A link and an endpoint; `sent` counts the messages towards the writer. */
function wire(options: { inFlightMax?: number; answerTimeoutMs?: number; deliver?: boolean; deliveries?: PayeeDeliveryQueue } = {}) {
  const sent: unknown[] = [];
  const listeners: ((message: unknown) => void)[] = [];
  const endpoint = new WriterEndpoint({
    ledgers: (currency) => (currency === 'PKR' ? engine : undefined),
    store,
    deliveries: options.deliveries ?? noDeliveries,
    bankCredit: { requestCredit: async () => ({ outcome: 'accepted' }) },
    observer: {},
    logger,
  });
  const toWorker: AnswerChannel = {
    send: (message) => setImmediate(() => listeners.forEach((listener) => listener(structuredClone(message)))),
    connected: () => true,
  };
  const channel: WriterChannel = {
    send: (message) => {
      sent.push(message);
      if (options.deliver !== false) setImmediate(() => endpoint.receive(toWorker, structuredClone(message)));
    },
    onMessage: (listener) => listeners.push(listener),
    connected: () => true,
  };
  const link = new WriterLink({
    channel,
    logger,
    inFlightMax: options.inFlightMax ?? 100,
    answerTimeoutMs: options.answerTimeoutMs ?? 5_000,
  });
  return { link, sent, endpoint, ledger: new RemoteLedgerEngine('PKR', link), store: new WriterAppendingEventStore(store, link) };
}

function reservation(id: string, amountMinor: bigint) {
  return {
    type: 'pending_transfer' as const,
    id,
    ledger: 'PKR' as const,
    debitAccountId: 'position:A',
    creditAccountId: 'position:B',
    amountMinor,
    code: 'P2P' as const,
    timeoutMs: 60_000,
  };
}

function companion(stream: string): CompanionAppend {
  return {
    stream,
    expectedRevision: 'no_stream',
    placement: 'before_ledger',
    acceptedWhen: ['ok', 'exists'],
    accepted: [event('TransferInitiated')],
    refused: [event('TransferInitiated'), event('TransferAborted')],
    refusal: {
      eventType: 'TransferAborted',
      resultField: 'detail',
      reasonField: 'reason',
      reasons: { exceeds_net_debit_cap: 'NET_DEBIT_CAP_EXCEEDED' },
      otherReason: 'LEDGER_REFUSED',
    },
  };
}

it('sends the commands of one event-loop turn in one message, submits with companions as data, and answers each its own', async () => {
  const { ledger, sent } = wire();
  const [accepted, refused, ...lookups] = await Promise.all([
    ledger.submit([reservation('t1', 100n)], [companion('transfer-t1')]),
    ledger.submit([reservation('t2', 5_000n)], [companion('transfer-t2')]),
    ...Array.from({ length: 20 }, () => ledger.lookupAccount('position:A')),
  ]);
  expect(sent).toHaveLength(1);
  expect(accepted?.results).toEqual(['ok']);
  expect(refused?.results).toEqual(['exceeds_net_debit_cap']);
  expect(lookups.every((account) => account !== undefined && 'id' in account && account.id === 'position:A')).toBe(true);
  expect((await store.readStream('transfer-t1', 0n, 10)).map((recorded) => recorded.type)).toEqual(['TransferInitiated']);
  const aborted = await store.readStream('transfer-t2', 0n, 10);
  expect(aborted.map((recorded) => [recorded.type, recorded.data])).toEqual([
    ['TransferInitiated', {}],
    ['TransferAborted', { detail: 'exceeds_net_debit_cap', reason: 'NET_DEBIT_CAP_EXCEEDED' }],
  ]);
  expect((await ledger.lookupTransfer('t1'))?.amountMinor).toBe(100n);
  expect(await ledger.lookupTransfer('never')).toBeUndefined();
});

it('throws a wrong expected revision and a domain error in the worker as themselves, a programming error as INTERNAL', async () => {
  const { ledger, store: remoteStore, link } = wire();
  await remoteStore.append('transfer-x', [event('TransferInitiated')], 'no_stream');
  // Two workers racing on one transfer id: the second loses on the stream's expected revision, as in one process.
  await expect(remoteStore.append('transfer-x', [event('TransferInitiated')], 'no_stream')).rejects.toBeInstanceOf(
    WrongExpectedRevisionError,
  );
  await expect(ledger.submit([reservation('t3', 10n)], [companion('transfer-x')])).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  const enqueued = new RemoteDeliveryQueue(link).enqueue(
    'B',
    { deliveryId: 'REVERSAL:t1', kind: 'REVERSAL', destination: 'B', payload: {} },
    { correlationId: 't1' },
  );
  await expect(enqueued).rejects.toBeInstanceOf(DomainError);
  await expect(enqueued).rejects.toMatchObject({ code: 'OUTBOX_FULL' });
  const broken = wire({ deliveries: { enqueue: async () => Promise.reject(new TypeError('a bug')) } });
  await expect(
    new RemoteDeliveryQueue(broken.link).enqueue(
      'B',
      { deliveryId: 'd', kind: 'REVERSAL', destination: 'B', payload: {} },
      { correlationId: 't' },
    ),
  ).rejects.toMatchObject({
    code: 'INTERNAL',
    status: 500,
  });
});

it('refuses a command past the bound on commands in flight with 503, and one unanswered in time with 503', async () => {
  const silent = wire({ inFlightMax: 2, answerTimeoutMs: 50, deliver: false });
  const first = silent.ledger.lookupAccount('position:A');
  const second = silent.ledger.lookupAccount('position:A');
  await expect(silent.ledger.lookupAccount('position:A')).rejects.toMatchObject({ code: 'WRITER_UNAVAILABLE', status: 503 });
  await expect(first).rejects.toMatchObject({ code: 'WRITER_UNAVAILABLE', headers: { 'Retry-After': '1' } });
  await expect(second).rejects.toBeInstanceOf(HttpError);
  expect(silent.link.inFlight()).toBe(0);
});

it('drops a message that is not a well-formed request, and fails every waiting command when the writer is gone', async () => {
  const { link, endpoint, ledger } = wire({ deliver: false });
  const answers: unknown[] = [];
  endpoint.receive(
    { send: (message) => answers.push(message), connected: () => true },
    { type: 'hisaab.writer.requests', requests: [{ id: 1, method: 'drop.tables' }] },
  );
  await new Promise((resolve) => setImmediate(resolve));
  expect(answers).toEqual([]);
  const waiting = ledger.lookupTransfer('t1');
  link.failAll('the ledger writer is gone');
  await expect(waiting).rejects.toMatchObject({ code: 'WRITER_UNAVAILABLE' });
});
