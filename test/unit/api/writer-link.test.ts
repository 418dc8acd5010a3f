import { randomUUID } from 'node:crypto';
import { WriterEndpoint, type AnswerChannel } from '../../../api/cluster/writer-endpoint';
import { WriterLink, type WriterChannel } from '../../../api/cluster/writer-link';
import { HttpError } from '../../../api/http-error';
import { createLogger } from '../../../api/logger';
import type { TransferCommands } from '../../../api/routes/transfers';
import { DomainError } from '../../../core/errors';
import type { TransferView } from '../../../core/transfers/transfer-view';

/**
 * The IPC link between a front-end worker and the writer, both ends wired to each other through an in-memory
 * channel that copies each message as IPC does (JSON): batching per event-loop turn, the bound on commands in
 * flight, the timeout, and refusals that reach the client exactly as the writer raised them.
 */
const logger = createLogger('silent');

function view(id: string): TransferView {
  return {
    id,
    switchTransferId: id,
    state: 'COMMITTED',
    abortReason: null,
    payerParticipant: 'MARGALLA',
    payeeParticipant: 'RAVI',
    payer: { type: 'WALLET', value: 'M0001' },
    payee: { type: 'MSISDN', value: '923002222222' },
    amount: '10.00',
    currency: 'PKR',
    purpose: 'P2P',
    note: null,
    reversed: false,
    createdAt: '2026-12-03T00:00:00.000Z',
    completedAt: '2026-12-03T00:00:00.000Z',
  };
}

function request(id: string) {
  return {
    id,
    payer: { type: 'WALLET' as const, value: 'M0001' },
    payee: { type: 'MSISDN' as const, value: '923002222222' },
    amount: '10.00',
    currency: 'PKR',
    purpose: 'P2P' as const,
  };
}

/** A link and an endpoint over the given transfer commands; `sent` counts the messages towards the writer. */
function wire(transfers: TransferCommands, options: { inFlightMax?: number; answerTimeoutMs?: number; deliver?: boolean } = {}) {
  const sent: unknown[] = [];
  const listeners: ((message: unknown) => void)[] = [];
  const endpoint = new WriterEndpoint({ transfers, awaitWritesVisible: async () => undefined, logger });
  const toWorker: AnswerChannel = {
    send: (message) => setImmediate(() => listeners.forEach((listener) => listener(JSON.parse(JSON.stringify(message)) as unknown))),
    connected: () => true,
  };
  const channel: WriterChannel = {
    send: (message) => {
      sent.push(message);
      if (options.deliver !== false) setImmediate(() => endpoint.receive(toWorker, JSON.parse(JSON.stringify(message)) as unknown));
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
  return { link, sent, endpoint };
}

const executing: TransferCommands = {
  execute: async (_payer, body) => ({ view: view(body.id), replayed: false }),
  find: async (transferId) => (transferId === 'known' ? view('known') : null),
};

it('sends the commands of one event-loop turn in one message and answers each its own', async () => {
  const { link, sent } = wire(executing);
  const ids = Array.from({ length: 50 }, () => randomUUID());
  const executions = await Promise.all(ids.map((id) => link.execute('MARGALLA', request(id))));
  expect(executions.map((execution) => execution.view.id)).toEqual(ids);
  expect(sent).toHaveLength(1);
  expect(await link.find('known')).toEqual(view('known'));
  expect(await link.find('unknown')).toBeNull();
});

it('refuses a command past the bound on commands in flight with 503, and one unanswered in time with 503', async () => {
  const silent = wire(executing, { inFlightMax: 2, answerTimeoutMs: 50, deliver: false });
  const first = silent.link.execute('MARGALLA', request(randomUUID()));
  const second = silent.link.execute('MARGALLA', request(randomUUID()));
  await expect(silent.link.execute('MARGALLA', request(randomUUID()))).rejects.toMatchObject({ code: 'WRITER_UNAVAILABLE', status: 503 });
  await expect(first).rejects.toMatchObject({ code: 'WRITER_UNAVAILABLE', headers: { 'Retry-After': '1' } });
  await expect(second).rejects.toBeInstanceOf(HttpError);
  expect(silent.link.inFlight()).toBe(0);
});

it('answers a refusal of the writer as the same code, message and details, and a programming error as INTERNAL', async () => {
  const refusing: TransferCommands = {
    execute: async () => {
      throw new DomainError('PAYEE_IS_PAYER', 'the payee is the payer', [{ path: ['payee'], message: 'unknown' }]);
    },
    find: async () => {
      throw new TypeError('a bug');
    },
  };
  const { link } = wire(refusing);
  await expect(link.execute('MARGALLA', request(randomUUID()))).rejects.toMatchObject({
    code: 'PAYEE_IS_PAYER',
    message: 'the payee is the payer',
    details: [{ path: ['payee'], message: 'unknown' }],
  });
  await expect(link.find('x')).rejects.toMatchObject({ code: 'INTERNAL', status: 500 });
});

it('drops a message that is not a well-formed request, and fails every waiting command when the writer is gone', async () => {
  const { link, endpoint } = wire(executing, { deliver: false });
  const answers: unknown[] = [];
  endpoint.receive(
    { send: (message) => answers.push(message), connected: () => true },
    { type: 'hisaab.writer.requests', requests: [{ id: 1, method: 'drop.tables' }] },
  );
  await new Promise((resolve) => setImmediate(resolve));
  expect(answers).toEqual([]);
  const waiting = link.find('known');
  link.failAll('the ledger writer is gone');
  await expect(waiting).rejects.toMatchObject({ code: 'WRITER_UNAVAILABLE' });
});
