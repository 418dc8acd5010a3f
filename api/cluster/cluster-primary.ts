import cluster, { type Worker } from 'node:cluster';
import type { SwitchConfig } from '../config';
import type { Logger } from '../logger';
import { startSwitch, type RunningSwitch } from '../switch';
import { ConfigError } from '../config';
import { WriterEndpoint } from './writer-endpoint';
import { workerReadyMessageSchema, workerRefusedMessageSchema } from './writer-protocol';

/** Worker restarts allowed within restartWindowMs; past it the switch stops: a crash loop is for an operator to see. */
const restartsMax = 10;
const restartWindowMs = 60_000;
/** The workers get this long to report listening at start-up. */
const workersListeningTimeoutMs = 60_000;

/** The environment variable that tells a forked worker where the writer's private HTTP port is. */
export const writerUrlVariable = 'HISAAB_WRITER_URL';

export type RunningCluster = {
  /** The public port every worker listens on. */
  port: number;
  /** The ISO 8583 port every worker listens on. */
  iso8583Port: number;
  writer: RunningSwitch;
  /** Stops the workers (they finish the requests in flight), then the writer. */
  close(): Promise<void>;
};

/**
 * The primary of a switch with HISAAB_WORKERS > 1: the writer. It starts the whole switch (event store, ledger
 * engines, projections, outboxes, transfer service for recovery and the sweeper, bank channels) with its HTTP
 * server on a private loopback port, then forks the front-end workers onto the public port. The workers run the
 * payments; the writer runs the ledger submits, appends, enqueues and bank credit requests they send over IPC.
 * A worker that dies is forked again (bounded); when this process dies, the workers lose their IPC channel and exit.
 */
export async function startClusterPrimary(config: SwitchConfig, logger: Logger): Promise<RunningCluster> {
  const writer = await startSwitch({ config, logger, httpAddress: { port: 0, host: '127.0.0.1' }, iso8583Inbound: false });
  const endpoint = new WriterEndpoint({
    ledgers: (currency) => writer.ledgers.find((ledger) => ledger.ledger === currency),
    store: writer.store,
    deliveries: writer.transfers.deliveries,
    bankCredit: writer.transfers.bankChannel.gateway,
    observer: {
      onCompleted: (outcome) => writer.metrics.transfers.inc({ state: outcome.state, abort_reason: outcome.abortReason ?? '' }),
    },
    logger,
  });
  // Structured clone instead of JSON: ledger commands carry bigint amounts, and the link sends them as they are.
  cluster.setupPrimary({ serialization: 'advanced' });
  let stopping = false;
  // Until every worker listens, a worker's death is a failed start, not a crash to repair.
  let started = false;
  let refused: (message: string) => void = () => undefined;
  let ready: (worker: Worker, ports: { port: number; iso8583Port: number }) => void = () => undefined;
  const restarts: number[] = [];
  let stopOnCrashLoop: () => void = () => undefined;
  const fork = (): Worker => {
    const worker = cluster.fork({ [writerUrlVariable]: writer.url });
    logger.info({ workerPid: worker.process.pid }, 'front-end worker started');
    // A worker may die between the check and the send: the callback takes the error, which would otherwise be an
    // 'error' event that takes the writer down with it. The worker's clients lost their connections anyway.
    const answers = {
      send: (answer: unknown) =>
        worker.send(answer as object, undefined, undefined, (error: Error | null) => {
          if (error !== null) logger.warn({ err: error, workerPid: worker.process.pid }, 'could not answer a front-end worker');
        }),
      connected: () => worker.isConnected(),
    };
    worker.on('error', (error) => logger.warn({ err: error, workerPid: worker.process.pid }, 'front-end worker channel error'));
    worker.on('message', (message: unknown) => {
      const refusal = workerRefusedMessageSchema.safeParse(message);
      const readiness = workerReadyMessageSchema.safeParse(message);
      if (refusal.success) refused(refusal.data.message);
      else if (readiness.success) ready(worker, readiness.data);
      else endpoint.receive(answers, message);
    });
    worker.on('exit', (code, signal) => {
      if (stopping || !started) return;
      const nowMs = Date.now();
      while (restarts.length > 0 && (restarts[0] ?? nowMs) < nowMs - restartWindowMs) restarts.shift();
      if (restarts.length >= restartsMax) {
        logger.error({ restarts: restarts.length, windowMs: restartWindowMs }, 'front-end workers keep dying: stopping the switch');
        stopOnCrashLoop();
        return;
      }
      restarts.push(nowMs);
      logger.warn({ workerPid: worker.process.pid, code, signal }, 'a front-end worker died: starting another');
      fork();
    });
    return worker;
  };
  const workers = Array.from({ length: config.workers }, fork);
  let ports: { port: number; iso8583Port: number };
  try {
    ports = await new Promise<{ port: number; iso8583Port: number }>((resolve, reject) => {
      refused = (message) => reject(new ConfigError(message));
      const listening = allReady(workers);
      ready = listening.ready;
      listening.all.then(resolve, reject);
    });
    started = true;
  } catch (error) {
    stopping = true;
    for (const worker of workers) worker.process.kill('SIGKILL');
    await writer.close();
    throw error;
  }
  const { port, iso8583Port } = ports;
  logger.info(
    {
      port,
      iso8583Port,
      url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
      workers: config.workers,
      writerPid: process.pid,
    },
    'listening',
  );
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      stopping = true;
      // Workers first: they finish what they have in flight, which needs the writer still running.
      await new Promise<void>((resolve) => cluster.disconnect(() => resolve()));
      await writer.close();
    })());
  stopOnCrashLoop = () => {
    void close().finally(() => process.exit(1));
  };
  return { port, iso8583Port, writer, close };
}

/**
 * `all` resolves with the ports once every worker has said it is ready (its HTTP and ISO 8583 ports both listen);
 * it rejects if one exits first or the time runs out. `ready` is what the workers' messages call.
 */
function allReady(workers: readonly Worker[]): {
  all: Promise<{ port: number; iso8583Port: number }>;
  ready: (worker: Worker, ports: { port: number; iso8583Port: number }) => void;
} {
  let ready: (worker: Worker, ports: { port: number; iso8583Port: number }) => void = () => undefined;
  const all = new Promise<{ port: number; iso8583Port: number }>((resolve, reject) => {
    const waiting = new Set(workers);
    const timer = setTimeout(
      () => reject(new Error(`the front-end workers did not listen within ${workersListeningTimeoutMs} ms`)),
      workersListeningTimeoutMs,
    );
    const onExits = new Map<Worker, (code: number | null) => void>();
    for (const worker of workers) {
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`a front-end worker exited with ${code} before it listened`));
      };
      onExits.set(worker, onExit);
      worker.once('exit', onExit);
    }
    ready = (worker, ports) => {
      if (!waiting.delete(worker)) return;
      const onExit = onExits.get(worker);
      if (onExit !== undefined) worker.off('exit', onExit);
      if (waiting.size === 0) {
        clearTimeout(timer);
        resolve(ports);
      }
    };
  });
  return { all, ready: (worker, ports) => ready(worker, ports) };
}
