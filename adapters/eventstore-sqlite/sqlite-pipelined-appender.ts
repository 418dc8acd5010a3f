import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AppendResult, StreamAppend } from '../../core/eventstore/event-store';
import { AppendFencedError, type PipelinedAppender } from '../../core/eventstore/pipelined-appender';
import { checkAppendMany } from '../../core/eventstore/limits';
import type { AppendReply, AppendRequest, AppendWorkerData } from './sqlite-append-messages';
import { restoreAppendError } from './sqlite-append-messages';

type CommittedAppends = readonly { stream: string; types: readonly string[] }[];

type WaitingAppend = {
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
  committed: CommittedAppends;
};

/**
 * The worker runs TypeScript like the rest of the switch: tsx's CommonJS hook, registered in the worker, loads the
 * writer module. The worker gets no node options of its own (a loader or profiler flag of the main thread is not
 * meant for it), and jest's transform does not reach a worker at all.
 */
const bootstrap = `
const { workerData } = require('node:worker_threads');
require(workerData.tsxRegisterPath);
require(workerData.modulePath);
`;

/**
 * The SQLite store's PipelinedAppender: a worker thread with its own connection to the file writes the appends
 * (sqlite-append-worker.ts) while the main thread goes on; each resolves after its commit's fsync. The worker keeps
 * the process alive only while appends wait. The store's subscribers and its durable-commit observer hear of each
 * commit on the main thread, as they do for the store's own appends.
 */
export class SqlitePipelinedAppender implements PipelinedAppender {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, WaitingAppend>();
  private nextId = 0;
  private epoch = 0;
  private closing = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly appendsInFlightMax: number,
    private readonly onCommitted: (appends: CommittedAppends) => void,
  ) {
    this.spawn();
  }

  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (this.closing) return Promise.reject(new Error('the pipelined appender is closed'));
    if (this.waiting.size >= this.appendsInFlightMax) {
      return Promise.reject(new Error(`the pipelined appender holds at most ${this.appendsInFlightMax} appends in flight`));
    }
    try {
      checkAppendMany(appends.length);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // A writer that stopped (it failed to open, or crashed) failed every append it held; the next one starts anew.
    const worker = this.worker ?? this.spawn();
    const id = this.nextId;
    this.nextId += 1;
    const request: AppendRequest = { kind: 'append', id, epoch: this.epoch, appends };
    const committed = appends.map((entry) => ({ stream: entry.stream, types: entry.events.map((event) => event.type) }));
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, committed });
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage(request);
    });
  }

  resume(): void {
    this.epoch += 1;
  }

  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    // The writer answers the appends it holds before it reads the close message: they finish, none is dropped.
    if (worker !== null) worker.postMessage({ kind: 'close' } satisfies AppendRequest);
    await this.exited;
  }

  private spawn(): Worker {
    const workerData: AppendWorkerData & { tsxRegisterPath: string; modulePath: string } = {
      path: this.path,
      tsxRegisterPath: require.resolve('tsx/cjs'),
      modulePath: join(__dirname, 'sqlite-append-worker.ts'),
    };
    const worker = new Worker(bootstrap, { eval: true, workerData, execArgv: [] });
    this.worker = worker;
    worker.unref();
    worker.on('message', (reply: AppendReply) => this.settle(reply));
    let failure: Error | null = null;
    worker.on('error', (error) => (failure = error));
    this.exited = new Promise<void>((resolve) => {
      worker.on('exit', (code) => {
        this.worker = null;
        const reason = failure?.message ?? `exit code ${code}`;
        for (const pending of this.waiting.values()) pending.reject(new Error(`the SQLite append writer stopped (${reason})`));
        this.waiting.clear();
        resolve();
      });
    });
    return worker;
  }

  private settle(reply: AppendReply): void {
    const pending = this.waiting.get(reply.id);
    if (pending === undefined) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker?.unref();
    switch (reply.outcome) {
      case 'written':
        this.onCommitted(pending.committed);
        pending.resolve(reply.results);
        return;
      case 'fenced':
        pending.reject(new AppendFencedError());
        return;
      case 'failed':
        pending.reject(restoreAppendError(reply.error));
        return;
      default: {
        const unknownOutcome: never = reply;
        throw new Error(`unknown append reply ${JSON.stringify(unknownOutcome)}`);
      }
    }
  }
}
