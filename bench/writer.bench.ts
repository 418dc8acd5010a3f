/**
 * `npm run bench:writer`: the ceiling of one ledger writer, the part of a switch that does not scale out
 * (README, "Running on every core"). The same payment-shaped workload is run twice in one run, interleaved over
 * HISAAB_BENCH_ROUNDS rounds:
 *   (a) raw: submitted straight to a ledger engine in this process;
 *   (b) through the IPC link: a trivial front end (a child process, forked as node:cluster forks a worker, with
 *       the same `advanced` serialization) sends the same submits over WriterLink to a WriterEndpoint in this
 *       process, in front of its own ledger engine and store (api/cluster/).
 * A payment is what a front-end worker asks of the writer for an accepted REQUEST transfer: the reservation with
 * TransferInitiated riding in the same durable write, then the post with TransferCommitted (two submits, four
 * events). Several payments are kept in flight (HISAAB_BENCH_IN_FLIGHT, 512), as many workers would. Each figure
 * is committed transfers/s and events/s (the log's head moved, divided by the time). The payee call, HTTP and the
 * projections are left out on purpose: this is the writer's own ceiling, which no number of front ends can pass.
 * Prints one line per round and target, the medians, and as its last line one JSON object with the figures.
 *
 * Options (environment): HISAAB_BENCH_ROUNDS (3), HISAAB_BENCH_SECONDS (per round and target, 5),
 * HISAAB_BENCH_IN_FLIGHT (512).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SqliteEventStore } from '../adapters/eventstore-sqlite/sqlite-event-store';
import { RemoteLedgerEngine } from '../api/cluster/remote-writer';
import { WriterEndpoint, type AnswerChannel } from '../api/cluster/writer-endpoint';
import { WriterLink } from '../api/cluster/writer-link';
import { createLogger } from '../api/logger';
import type { NewEvent } from '../core/eventstore/event';
import type { LedgerCommand } from '../core/ledger/commands';
import { createLedgerEngine, type LedgerEngine } from '../core/ledger/ledger-engine';
import type { CompanionAppend } from '../core/ledger/ledger-engine-contract';
import { benchDirectory } from './support/bench-directory';
import { positiveInteger } from './support/bench-settings';

const rounds = positiveInteger('HISAAB_BENCH_ROUNDS', 3);
const seconds = positiveInteger('HISAAB_BENCH_SECONDS', 5);
const inFlight = positiveInteger('HISAAB_BENCH_IN_FLIGHT', 512);
/** Payers and payees: position accounts with a cap no payment reaches. */
const accountCount = 1_000;
const logger = createLogger('silent');

const accountId = (index: number): string => `position:${(index % accountCount).toString().padStart(4, '0')}`;

function event(type: string, transferId: string): NewEvent {
  return { id: crypto.randomUUID(), type, data: { transferId }, metadata: { at: new Date().toISOString(), actor: 'switch:transfers' } };
}

function companion(transferId: string, type: string, placement: CompanionAppend['placement']): CompanionAppend {
  return {
    stream: `transfer-${transferId}`,
    expectedRevision: placement === 'before_ledger' ? 'no_stream' : 0n,
    placement,
    acceptedWhen: ['ok', 'exists'],
    accepted: [event(type, transferId)],
    refused: [],
  };
}

/** One payment as a worker drives it: reserve with TransferInitiated, post with TransferCommitted. */
async function pay(ledger: LedgerEngine, transferId: string, index: number): Promise<boolean> {
  const reservation: LedgerCommand = {
    type: 'pending_transfer',
    id: transferId,
    ledger: 'PKR',
    debitAccountId: accountId(index),
    creditAccountId: accountId(index + 1),
    amountMinor: 100n,
    code: 'P2P',
    timeoutMs: 70_000,
  };
  const reserved = await ledger.submit([reservation], [companion(transferId, 'TransferInitiated', 'before_ledger')]);
  if (reserved.results[0] !== 'ok') return false;
  const post: LedgerCommand = { type: 'post_pending', id: `${transferId}:post`, pendingId: transferId };
  const posted = await ledger.submit([post], [companion(transferId, 'TransferCommitted', 'after_ledger')]);
  return posted.results[0] === 'ok';
}

/** Keeps `inFlight` payments going until the time is up; resolves with how many committed. */
async function drive(ledger: LedgerEngine, prefix: string, durationMs: number): Promise<number> {
  const endsAt = Date.now() + durationMs;
  let next = 0;
  let committed = 0;
  const loop = async (): Promise<void> => {
    while (Date.now() < endsAt) {
      const index = next++;
      if (await pay(ledger, `${prefix}-${index}`, index)) committed += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  return committed;
}

/** The trivial front end: a forked child that drives payments through the link when told, and reports the count. */
function runFrontEnd(): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('the front end runs as a forked child');
  const link = new WriterLink({
    channel: {
      send: (message) => void send(message),
      onMessage: (listener) => process.on('message', listener),
      connected: () => process.connected,
    },
    logger,
    inFlightMax: inFlight * 2,
    answerTimeoutMs: 60_000,
  });
  const ledger = new RemoteLedgerEngine('PKR', link);
  process.on('message', (message: { type?: unknown; prefix?: unknown; durationMs?: unknown }) => {
    if (message.type !== 'bench.start' || typeof message.prefix !== 'string' || typeof message.durationMs !== 'number') return;
    void drive(ledger, message.prefix, message.durationMs).then((committed) => send({ type: 'bench.done', committed }));
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'bench.ready' });
}

type Writer = { store: SqliteEventStore; ledger: LedgerEngine; close(): Promise<void> };

async function openWriter(path: string): Promise<Writer> {
  const store = new SqliteEventStore(join(path, 'events.db'));
  const ledger = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date() });
  await ledger.start();
  const opened = await ledger.submit(
    Array.from({ length: accountCount }, (_, index) => ({
      type: 'create_account' as const,
      id: accountId(index),
      ledger: 'PKR' as const,
      code: 'POSITION' as const,
      owner: `participant-${index}`,
      debitLimitMinor: 1_000_000_000_000n,
    })),
  );
  if (opened.results.some((result) => result !== 'ok'))
    throw new Error(`accounts not opened: ${opened.results.find((result) => result !== 'ok')}`);
  return {
    store,
    ledger,
    close: async () => {
      await ledger.stop();
      await store.close();
    },
  };
}

type Figure = { transfersPerSecond: number; eventsPerSecond: number };

async function measured(store: SqliteEventStore, run: () => Promise<number>): Promise<Figure> {
  const headBefore = await store.headPosition();
  const startedAt = process.hrtime.bigint();
  const committed = await run();
  const elapsedSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const events = Number((await store.headPosition()) - headBefore);
  return { transfersPerSecond: committed / elapsedSeconds, eventsPerSecond: events / elapsedSeconds };
}

function startFrontEnd(endpoint: WriterEndpoint): Promise<{ child: ChildProcess; run: (prefix: string) => Promise<number> }> {
  const child = fork(__filename, ['--front-end'], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const answers: AnswerChannel = { send: (message) => child.send(message as object), connected: () => child.connected };
  let done: (committed: number) => void = () => undefined;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the front end exited with ${code}`)));
    child.on('message', (message: { type?: unknown; committed?: unknown }) => {
      if (message.type === 'bench.ready')
        resolve({
          child,
          run: (prefix) =>
            new Promise<number>((finished) => {
              done = finished;
              child.send({ type: 'bench.start', prefix, durationMs: seconds * 1000 });
            }),
        });
      else if (message.type === 'bench.done' && typeof message.committed === 'number') done(message.committed);
      else endpoint.receive(answers, message);
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const directory = benchDirectory('writer');
  const raw = await openWriter(join(directory.path, 'raw'));
  const linked = await openWriter(join(directory.path, 'linked'));
  const endpoint = new WriterEndpoint({
    ledgers: (currency) => (currency === 'PKR' ? linked.ledger : undefined),
    store: linked.store,
    deliveries: { enqueue: async () => undefined },
    bankCredit: { requestCredit: async () => ({ outcome: 'accepted' }) },
    observer: {},
    logger,
  });
  const frontEnd = await startFrontEnd(endpoint);
  const figures: { raw: Figure[]; link: Figure[] } = { raw: [], link: [] };
  try {
    for (let round = 1; round <= rounds; round += 1) {
      const direct = await measured(raw.store, () => drive(raw.ledger, `raw-${round}`, seconds * 1000));
      figures.raw.push(direct);
      say(`round ${round} raw ledger        ${line(direct)}`);
      const through = await measured(linked.store, () => frontEnd.run(`link-${round}`));
      figures.link.push(through);
      say(`round ${round} through IPC link  ${line(through)}`);
    }
  } finally {
    frontEnd.child.disconnect();
    await raw.close();
    await linked.close();
    directory.remove();
  }
  const summary = (list: Figure[]): Figure => ({
    transfersPerSecond: Math.round(median(list.map((figure) => figure.transfersPerSecond))),
    eventsPerSecond: Math.round(median(list.map((figure) => figure.eventsPerSecond))),
  });
  const result = {
    recordedAt: new Date().toISOString(),
    rounds,
    seconds,
    inFlight,
    raw: summary(figures.raw),
    link: summary(figures.link),
    linkRatio: Math.round((summary(figures.link).transfersPerSecond / Math.max(1, summary(figures.raw).transfersPerSecond)) * 1000) / 1000,
  };
  say(`median raw ledger        ${line(result.raw)}`);
  say(`median through IPC link  ${line(result.link)}  (${(result.linkRatio * 100).toFixed(1)} % of raw)`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function line(figure: Figure): string {
  return `${Math.round(figure.transfersPerSecond).toLocaleString('en-US').padStart(8)} committed transfers/s ${Math.round(figure.eventsPerSecond).toLocaleString('en-US').padStart(9)} events/s`;
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

if (process.argv.includes('--front-end')) runFrontEnd();
else
  main().catch((error: unknown) => {
    process.stderr.write(`bench:writer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
