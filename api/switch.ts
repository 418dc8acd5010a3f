import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeEventStore, openEventStore } from '../adapters/eventstore-factory';
import { SqliteDirectoryReader } from '../adapters/readmodel-sqlite/projections/directory-read-model';
import { SqliteKeyReader } from '../adapters/readmodel-sqlite/projections/keys-read-model';
import { SqliteParticipantReader } from '../adapters/readmodel-sqlite/projections/participants-read-model';
import { readModelPath, SqliteReadModelStore } from '../adapters/readmodel-sqlite/sqlite-read-model-store';
import { createAuthenticator } from '../core/auth/authenticate';
import type { EventStore } from '../core/eventstore/event-store';
import { ProjectionRunner } from '../core/eventstore/projection-runner';
import { idempotencyRetentionMs } from '../core/idempotency/idempotency-store';
import { createLedgerEngine, type LedgerEngine } from '../core/ledger/ledger-engine';
import { withCommitLatency } from './ledger-metrics';
import type { CurrencyCode } from '../core/money';
import { LedgerParticipantLedger } from '../core/participants/ledger-participant-ledger';
import { participantPageLimitMax, type ParticipantReader } from '../core/participants/participant-reader';
import { ParticipantService } from '../core/participants/participant-service';
import { switchProjections } from '../adapters/readmodel-sqlite/projections/switch-projections';
import type { AppDependencies } from './app-dependencies';
import { createApp } from './app';
import { assembleTransfers, type TransfersAssembly } from './transfers-assembly';
import { settlementScheduleFromEnvironment, startSettlementModule } from './routes/settlement-module';
import type { SwitchConfig } from './config';
import type { Logger } from './logger';
import { createSwitchMetrics, type SwitchMetrics } from './metrics';
import type { RouteModule } from './route-kit';
import { idempotencyPath, SqliteIdempotencyStore } from './sqlite-idempotency-store';

/** The currencies the switch runs a ledger for. */
export const switchCurrencies: readonly CurrencyCode[] = ['PKR'];

/**
 * Commands per ledger tick. A tick is one append, and EventStoreDB refuses appends over its MaxAppendSize
 * (1 MiB by default) while a ledger event is about 375 bytes: 2,048 commands stay well inside it. The embedded
 * store takes the engine's own maximum (8,190).
 */
function ledgerBatchCommandsMax(config: SwitchConfig): number | undefined {
  return config.eventStore.kind === 'esdb' ? 2_048 : undefined;
}

/** Start-up waits at most this long for the read models to catch up with the log. */
const catchUpTimeoutMs = 60_000;
const idempotencyPruneIntervalMs = 60 * 60 * 1000;

/** The assembled parts of a switch, for extensions (transfers, outbox workers, the ISO 8583 channel) to build on. */
export type SwitchParts = {
  config: SwitchConfig;
  logger: Logger;
  now: () => Date;
  store: EventStore;
  ledgers: readonly LedgerEngine[];
  participantLedger: LedgerParticipantLedger;
  readModels: AppDependencies['readModels'];
  metrics: SwitchMetrics;
  transfers: TransfersAssembly;
};

/** What an extension adds: routes mounted after the built-in ones, and a close run before the parts close. */
export type SwitchExtension = { routeModules?: readonly RouteModule[]; close?: () => Promise<void> };

export type StartSwitchOptions = {
  config: SwitchConfig;
  logger: Logger;
  now?: () => Date;
  /**
   * Called once the event store, read models and ledgers are up and before the server listens: the seam for
   * the transfers module and the workers that run with the switch.
   */
  extend?: (parts: SwitchParts) => SwitchExtension | Promise<SwitchExtension>;
};

export type RunningSwitch = {
  /** http://host:port of the listening server (port 0 in the config picks a free one). */
  url: string;
  port: number;
  server: Server;
  /** The express application the server runs: every route of the switch, its extensions' included. */
  app: ReturnType<typeof createApp>;
  store: EventStore;
  metrics: SwitchMetrics;
  dependencies: AppDependencies;
  ledgers: readonly LedgerEngine[];
  transfers: TransfersAssembly;
  /** The port bank hosts connect to over ISO 8583 (HISAAB_ISO8583_PORT; 0 in the config picks a free one). */
  iso8583Port: number;
  /** Stops accepting, lets requests in flight finish (bounded), then closes everything in order. */
  close(): Promise<void>;
};

/**
 * Assembles and starts the switch: event store, read models (caught up before serving), ledger engines, the
 * ledger brought in line with every participant, then the HTTP server. Restarting on the same data dir
 * continues from the log.
 */
export async function startSwitch(options: StartSwitchOptions): Promise<RunningSwitch> {
  const { config, logger } = options;
  const now = options.now ?? (() => new Date());
  mkdirSync(config.dataDir, { recursive: true });
  const closers: Closers = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error }, 'error while closing');
      }
    }
  };
  try {
    const store = await openEventStore(config.eventStore);
    closers.push(() => store.close());
    logger.info({ eventStore: describeEventStore(config.eventStore), dataDir: config.dataDir }, 'event store open');

    const { readModelStore, readModels } = await openReadModels(store, config.dataDir, logger, closers);

    const metrics = createSwitchMetrics();
    const ledgers = switchCurrencies.map((ledger) =>
      withCommitLatency(
        createLedgerEngine({
          ledger,
          store,
          now,
          batchCommandsMax: ledgerBatchCommandsMax(config),
          onTickCommitted: (tick) => metrics.ledgerBatchSize.observe({ ledger }, tick.commands),
        }),
        metrics,
      ),
    );
    for (const ledger of ledgers) {
      await ledger.start();
      closers.push(() => ledger.stop());
    }
    const participantLedger = new LedgerParticipantLedger(ledgers);
    const participants = new ParticipantService({ store, ledger: participantLedger });
    await syncLedgerWithParticipants(readModels.participants, participants);

    const idempotency = openIdempotencyStore(config.dataDir, now, logger, closers);
    const transfers = await assembleTransfers({ config, logger, now, store, ledgers, readModels, readModelDatabase: readModelStore.database, metrics });
    closers.push(() => transfers.close());
    const settlement = await startSettlementModule({
      store,
      ledgers,
      readModelDatabase: readModelStore.database,
      waitForPosition: (position, timeoutMs) => readModels.waitForPosition(position, timeoutMs),
      readModelWaitTimeoutMs: config.readYourWritesTimeoutMs,
      now,
      logger,
      schedule: settlementScheduleFromEnvironment(process.env),
    });
    closers.push(() => settlement.close());
    const extension = options.extend ? await options.extend({ config, logger, now, store, ledgers, participantLedger, readModels, metrics, transfers }) : {};
    if (extension.close) closers.push(extension.close);
    const dependencies: AppDependencies = {
      store,
      readModels,
      authenticator: createAuthenticator(config.operatorKey, new SqliteKeyReader(readModelStore.database)),
      participants,
      ledger: participantLedger,
      idempotency,
      now,
      config: { currencies: switchCurrencies, readYourWritesTimeoutMs: config.readYourWritesTimeoutMs },
      logger,
      metrics,
    };
    const app = createApp(dependencies, [transfers.routeModule, ...settlement.routeModules, ...(extension.routeModules ?? [])]);
    const server = createServer(app);
    // Bounded waits for slow or stalled clients: headers, whole requests, idle keep-alive connections.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    server.maxHeadersCount = 100;
    // Connections at once: each holds memory and, through its requests, work queued for the stores.
    server.maxConnections = 10_000;
    await listen(server, config.port, config.host);
    closers.push(() => closeServer(server, config.shutdownTimeoutMs));
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    logger.info({ port, url }, 'listening');
    let closing: Promise<void> | null = null;
    return {
      url,
      port,
      server,
      app,
      store,
      metrics,
      dependencies,
      ledgers,
      transfers,
      iso8583Port: transfers.bankChannel.port ?? 0,
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

type Closers = (() => Promise<void> | void)[];

/** The read models, caught up with the log before anything reads them. */
async function openReadModels(store: EventStore, dataDir: string, logger: Logger, closers: Closers) {
  const readModelStore = new SqliteReadModelStore(readModelPath(dataDir));
  closers.push(() => readModelStore.close());
  let runnerFailed = false;
  const runner = new ProjectionRunner({
    store,
    readModels: readModelStore,
    projections: switchProjections,
    onError: (error) => {
      runnerFailed = true;
      logger.error({ err: error.cause ?? error }, error.message);
    },
  });
  await runner.start();
  closers.push(() => runner.stop());
  await runner.waitForPosition(await store.headPosition(), catchUpTimeoutMs);
  const readModels: AppDependencies['readModels'] = {
    participants: new SqliteParticipantReader(readModelStore.database),
    directory: new SqliteDirectoryReader(readModelStore.database),
    waitForPosition: (position, timeoutMs) => runner.waitForPosition(position, timeoutMs),
    status: () => ({ position: runner.position(), healthy: !runnerFailed && runner.currentState === 'running' }),
  };
  return { readModelStore, readModels };
}

/** Answered requests, pruned past their retention at start-up and hourly. */
function openIdempotencyStore(dataDir: string, now: () => Date, logger: Logger, closers: Closers): SqliteIdempotencyStore {
  const idempotency = new SqliteIdempotencyStore(idempotencyPath(dataDir));
  closers.push(() => idempotency.close());
  const prune = (): void => {
    const removed = idempotency.prune(new Date(now().getTime() - idempotencyRetentionMs));
    if (removed > 0) logger.info({ removed }, 'idempotency records pruned');
  };
  prune();
  const pruneTimer = setInterval(prune, idempotencyPruneIntervalMs);
  pruneTimer.unref();
  closers.push(() => clearInterval(pruneTimer));
  return idempotency;
}

/** Opens missing ledger accounts and sets caps as the participants' streams say: repairs any crash in between. */
async function syncLedgerWithParticipants(reader: ParticipantReader, participants: ParticipantService): Promise<void> {
  let afterId: string | null = null;
  for (;;) {
    const page = reader.listParticipants(afterId, participantPageLimitMax);
    for (const participant of page) await participants.syncLedger(participant.id);
    const last = page[page.length - 1];
    if (last === undefined || page.length < participantPageLimitMax) return;
    afterId = last.id;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting connections, waits for requests in flight up to the timeout, then cuts what is left. */
function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
