import type Database from 'better-sqlite3';
import { hkdfSync } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeEventStore, EventStoreSettingError, openEventStore } from '../adapters/eventstore-factory';
import { PostgresEventStore } from '../adapters/eventstore-postgres/postgres-event-store';
import { takeWriterLease } from './writer-lease';
import { ReadYourWritesTransport } from '../adapters/read-your-writes-transport';
import { ensurePrivateDirectory } from '../adapters/private-files';
import { AuditTrail } from '../core/audit/audit-trail';
import { AuditGate } from './audit-gate';
import { SqliteDirectoryReader } from '../adapters/readmodel-sqlite/projections/directory-read-model';
import { SqliteClientCertificateReader } from '../adapters/readmodel-sqlite/projections/client-certificates-read-model';
import { SqliteKeyReader } from '../adapters/readmodel-sqlite/projections/keys-read-model';
import { SqliteParticipantReader } from '../adapters/readmodel-sqlite/projections/participants-read-model';
import { readModelPath, SqliteReadModelStore } from '../adapters/readmodel-sqlite/sqlite-read-model-store';
import { createAuthenticator } from '../core/auth/authenticate';
import type { EventStore } from '../core/eventstore/event-store';
import { ProjectionRunner } from '../core/eventstore/projection-runner';
import { waitForCatchUp } from '../core/eventstore/projection-catch-up';
import { idempotencyRetentionMs } from '../core/idempotency/idempotency-store';
import { createLedgerEngine, type LedgerEngine } from '../core/ledger/ledger-engine';
import { withCommitLatency } from './ledger-metrics';
import { LedgerParticipantLedger } from '../core/participants/ledger-participant-ledger';
import { participantPageLimitMax, type ParticipantReader } from '../core/participants/participant-reader';
import { ParticipantService } from '../core/participants/participant-service';
import { isSealed, SecretBox } from '../core/secrets/secret-box';
import { masterKeyFileName, resolveMasterKey } from './master-key';
import { switchProjections } from '../adapters/readmodel-sqlite/projections/switch-projections';
import type { AppDependencies } from './app-dependencies';
import { createApp } from './app';
import { signingKeyRoutes } from './routes/signing-keys';
import { assembleRequestSigning } from './request-signing-assembly';
import { assemble, type Assembled } from './assembly';
import { connectionShares } from './connection-cap';
import { createHttpServer, httpServerLimits } from './http-server';
import { publicRateLimiting } from './rate-limit/rate-limiting-assembly';
import { assembleTransfers, type TransfersAssembly } from './transfers-assembly';
import { assembleSettlement } from './settlement-assembly';
import { assembleRefunds, type RefundsAssembly } from './refunds-assembly';
import { assembleGateway, type GatewayAssembly } from './gateway-assembly';
import { merchantWebhookEndpoints } from '../core/webhooks/merchant-webhook-endpoints';
import { assembleSessionWebhooks, assembleWebhooks, type WebhookOptions, type WebhooksAssembly } from './webhooks-assembly';
import { assembleDisputes, type DisputesAssembly } from './disputes-assembly';
import { assembleFx } from './fx-assembly';
import { ConfigError, type SwitchConfig } from './config';
import type { Logger } from './logger';
import { createSwitchMetrics, type SwitchMetrics } from './metrics';
import type { RouteModule } from './route-kit';
import { idempotencyPath, SqliteIdempotencyStore } from './sqlite-idempotency-store';
import type { IdempotencyStore } from '../core/idempotency/idempotency-store';
import { PostgresSession } from '../adapters/eventstore-postgres/postgres-session';
import { PostgresSubjectKeyStore } from '../adapters/subject-keys-postgres/postgres-subject-key-store';
import { subjectKeysPath } from '../adapters/subject-keys-sqlite/sqlite-subject-key-store';
import { PostgresRequestNonces } from '../adapters/request-nonces/postgres-request-nonces';
import { PostgresIdempotencyStore } from '../adapters/idempotency-postgres/postgres-idempotency-store';
import { PersonalDataEventStore } from '../core/personal-data/personal-data-event-store';
import { JointSubjectSeal } from '../core/personal-data/joint-subject-seal';
import { assemblePersonalData, type PersonalDataAssembly } from './personal-data-assembly';
import { dataSubjectRoutes } from './routes/data-subjects';

/**
 * Commands per ledger tick. A tick is one append, and EventStoreDB refuses appends over its MaxAppendSize
 * (1 MiB by default) while a ledger event is about 375 bytes: 2,048 commands stay well inside it. The embedded
 * store takes the engine's own maximum (8,190).
 */
function ledgerBatchCommandsMax(config: SwitchConfig): number | undefined {
  return config.eventStore.kind === 'esdb' ? 2_048 : undefined;
}

/** Start-up waits at most this long for the read models to catch up with the log. */
/**
 * How long start-up waits for the read models without any of them moving before it gives up. Not a bound on the
 * whole catch-up: a read model rebuilt from a long log (a projection whose version changed, a deleted read-model
 * file) may take minutes, and a switch that refuses to start while it is making progress helps nobody.
 */
const catchUpStallMs = 60_000;
const idempotencyPruneIntervalMs = 60 * 60 * 1000;

/** The assembled parts of a switch, for an extension to build on. */
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
  /** Merchant webhooks: the gateway publishes its events through `webhooks.publisher`. */
  webhooks: WebhooksAssembly;
  gateway: GatewayAssembly;
  disputes: DisputesAssembly;
  /** Refunds of checkout sessions, with the refunded amount per payment (`refunds.refundedAmounts`). */
  refunds: RefundsAssembly;
};

/** What an extension adds: routes mounted after the built-in ones, and a close run before the parts close. */
export type SwitchExtension = { routeModules?: readonly RouteModule[]; close?: () => Promise<void> };

export type StartSwitchOptions = {
  config: SwitchConfig;
  logger: Logger;
  now?: () => Date;
  /**
   * Called once every built-in module is up (transfers and settlement included) and before the server listens:
   * the seam for a module the switch does not build itself. Its close runs before the built-in modules stop.
   */
  extend?: (parts: SwitchParts) => SwitchExtension | Promise<SwitchExtension>;
  /**
   * Where the HTTP server listens instead of HISAAB_HOST:HISAAB_PORT: the writer process of a cluster
   * (api/cluster/) serves on a private loopback port, and its front-end workers take the public one.
   */
  httpAddress?: { port: number; host: string };
  /** False for the writer of a cluster: its front-end workers open the ISO 8583 inbound port instead. */
  iso8583Inbound?: boolean;
  /** Merchant webhook endpoints and schedule (tests shorten it); by default the gateway's merchants and issue 11's schedule. */
  webhooks?: Partial<WebhookOptions>;
  /**
   * For `npm run bench:sealing-http` alone: false appends personal fields unsealed, so that one run can measure what
   * sealing costs over HTTP. Deliberately not a setting (no environment variable, nothing in api/main.ts): an
   * operator cannot turn erasure off by mistake. Default true.
   */
  personalDataSealingForBenchmark?: boolean;
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
  /** The e-commerce gateway: merchants (and the webhook module's signing-secrets port). */
  gateway: GatewayAssembly;
  webhooks: WebhooksAssembly;
  /** Online dispute resolution: the service, its records and the deadline sweeper. */
  disputes: DisputesAssembly;
  refunds: RefundsAssembly;
  /**
   * The port bank hosts connect to over ISO 8583 (HISAAB_ISO8583_PORT; 0 in the config picks a free one); 0 for the
   * writer of a cluster, whose workers hold it.
   */
  iso8583Port: number;
  /** Stops accepting, lets requests in flight finish (bounded), then closes everything in order. */
  close(): Promise<void>;
};

/**
 * The data dir, made (0700) when missing. A path that is a file, or one that cannot be made, is the operator's to
 * fix: one sentence naming HISAAB_DATA_DIR rather than a stack trace from the first file opened in it.
 */
function prepareDataDir(dataDir: string): void {
  try {
    ensurePrivateDirectory(dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new ConfigError(`HISAAB_DATA_DIR ${dataDir} cannot be made (${code}); set it to a directory this user may write`);
    throw error;
  }
  if (!statSync(dataDir).isDirectory()) throw new ConfigError(`HISAAB_DATA_DIR ${dataDir} is not a directory`);
}

/**
 * The composition root: assembles and starts the switch from small assembly functions, each building one module
 * from the configuration and the modules before it. In order: event store, read models (caught up before
 * serving), ledger engines, participants (the ledger brought in line with every participant), idempotency,
 * transfers, settlement, extensions, then the HTTP server. They stop in reverse; a start-up that fails half-way
 * stops what had started. Restarting on the same data dir continues from the log.
 */
export async function startSwitch(options: StartSwitchOptions): Promise<RunningSwitch> {
  const { config, logger } = options;
  const now = options.now ?? (() => new Date());
  prepareDataDir(config.dataDir);
  const masterKey = resolveMasterKey(config, logger);
  const secrets = new SecretBox([masterKey]);
  // Pay URLs name the public port, known once the server listens (HISAAB_PORT=0 picks one); a cluster's writer
  // listens privately, and its workers hold HISAAB_PORT.
  let publicPort = config.port;
  const publicUrl = (): string => config.publicUrl ?? `${config.tls === null ? 'http' : 'https'}://localhost:${publicPort}`;
  const { provides: running, stop } = await assemble(logger, async (modules): Promise<Omit<RunningSwitch, 'close'>> => {
    const sealedLog = await modules.start('event store', () =>
      assembleEventStore(config, logger, options.httpAddress ?? { port: config.port, host: config.host }),
    );
    // After the event store: on PostgreSQL what the switch keeps beside the log is read once this process is the writer.
    const besideTheLog = await modules.start('tables beside the log', () => assembleBesideTheLog(config, sealedLog, now, logger));
    const personalData = await modules.start('personal data', async () =>
      assemblePersonalData(config.dataDir, masterKey, now, { keys: besideTheLog?.subjectKeys }),
    );
    // Modules append and read personal fields in plaintext through this store; the log underneath holds them sealed,
    // and projections read that log as it is, so read models hold them sealed too (core/personal-data).
    const store =
      options.personalDataSealingForBenchmark === false
        ? sealedLog
        : new PersonalDataEventStore(sealedLog, personalData.cipher, { payerReferencesRememberedMax: config.payerReferencesRemembered });
    const { readModels, database } = await modules.start('read models', () => assembleReadModels(sealedLog, config, logger, personalData));
    const metrics = createSwitchMetrics();
    const ledgers = await modules.start('ledgers', () => assembleLedgers(config, store, now, metrics, logger));
    const { participants, participantLedger } = await modules.start('participants', () =>
      assembleParticipants(store, ledgers, readModels, secrets),
    );
    const signing = await modules.start('request signing', () =>
      assembleRequestSigning({
        dataDir: config.dataDir,
        readModelDatabase: database,
        logger,
        now,
        secrets,
        writer: { store, waitForPosition: (position) => readModels.waitForPosition(position, config.readYourWritesTimeoutMs) },
        nonces: besideTheLog?.nonces,
      }),
    );
    const idempotency = await modules.start('idempotency', () =>
      assembleIdempotency(config, now, logger, masterKey, besideTheLog?.session ?? null),
    );
    const gateway = await modules.start('gateway', () =>
      assembleGateway({
        store,
        readModelDatabase: database,
        opener: personalData.cipher,
        secrets,
        now,
        logger,
        publicUrl,
        participants: readModels.participants,
        directory: readModels.directory,
        requestToPayDeadlineMs: config.payeeDeadlineMs,
        ledgers,
        jwsSigner: signing.signer,
      }),
    );
    const transfers = await modules.start('transfers', () =>
      assembleTransfers({
        config,
        logger,
        now,
        store,
        ledgers,
        readModels,
        readModelDatabase: database,
        metrics,
        secrets,
        personalData: personalData.cipher,
        jointSeal: new JointSubjectSeal(personalData.cipher),
        iso8583Inbound: options.iso8583Inbound !== false,
        merchantPayments: gateway.merchantPayments,
        jwsSigner: signing.signer,
      }),
    );
    const settlement = await modules.start('settlement', () =>
      assembleSettlement({
        store,
        ledgers,
        readModelDatabase: database,
        waitForPosition: (position, timeoutMs) => readModels.waitForPosition(position, timeoutMs),
        readModelWaitTimeoutMs: config.readYourWritesTimeoutMs,
        now,
        logger,
        schedule: config.settlementCloseSchedule,
      }),
    );
    const webhooks = await modules.start('webhooks', () =>
      assembleWebhooks({
        options: { endpoints: merchantWebhookEndpoints(gateway.merchants), ...options.webhooks },
        jwsSigner: signing.signer,
        opener: personalData.cipher,
        store,
        readModelDatabase: database,
        now,
        logger,
        metrics,
        readYourWrites: (transport) =>
          new ReadYourWritesTransport(transport, {
            reader: transfers.reader,
            awaitReadModels: async () => readModels.waitForPosition(await store.headPosition(), config.readYourWritesTimeoutMs),
          }),
      }),
    );
    const refunds = await modules.start('refunds', () =>
      assembleRefunds({
        store,
        readModelDatabase: database,
        logger,
        now,
        checkout: gateway.checkout,
        merchantReader: gateway.merchantReader,
        directory: readModels.directory,
        transfers: transfers.service,
        publisher: webhooks.publisher,
      }),
    );
    const disputes = await modules.start('disputes', () =>
      assembleDisputes({
        store,
        ledgers,
        deliveries: transfers.deliveries,
        readModelDatabase: database,
        personalData: personalData.cipher,
        settings: config.disputes,
        publisher: webhooks.publisher,
        now,
        logger,
        refunds: refunds.refundedAmounts,
      }),
    );
    const fx = await modules.start('foreign exchange', () =>
      assembleFx({
        store,
        ledgers,
        participants: readModels.participants,
        merchants: gateway.merchantReader,
        publisher: webhooks.publisher,
        now,
        currencies: config.currencies,
        logger,
        signer: signing.signer,
        quoteTtlSeconds: config.fxQuoteTtlSeconds,
        readModelDatabase: database,
      }),
    );
    const extensionRoutes = await modules.start('extension', () =>
      assembleExtension(options.extend, {
        config,
        logger,
        now,
        store,
        ledgers,
        participantLedger,
        readModels,
        metrics,
        transfers,
        webhooks,
        gateway,
        disputes,
        refunds,
      }),
    );
    const httpAddress = options.httpAddress
      ? { ...options.httpAddress, private: true }
      : { port: config.port, host: config.host, private: false };
    const dependencies: AppDependencies = {
      store,
      readModels,
      authenticator: createAuthenticator(config.operatorKey, new SqliteKeyReader(database)),
      requestSignatures: signing.verifier,
      audit: new AuditGate({ trail: new AuditTrail(store), now, logger, trustForwardedClientAddress: httpAddress.private }),
      clientCertificates: config.tls?.clientCaPem == null ? null : new SqliteClientCertificateReader(database),
      // A cluster's writer serves its workers, which limited every request already (api/cluster/front-end-worker.ts).
      rateLimiting: httpAddress.private ? null : publicRateLimiting(config, database, metrics, 1),
      participants,
      ledger: participantLedger,
      idempotency,
      now,
      config: {
        currencies: config.currencies,
        readYourWritesTimeoutMs: config.readYourWritesTimeoutMs,
        moneyPathInFlightMax: config.moneyPathInFlightMax,
        moneyPathLoopDelayMaxMs: config.moneyPathLoopDelayMaxMs,
      },
      logger,
      metrics,
      aliasStreams: personalData.aliasStreams,
    };
    const app = createApp(dependencies, [
      dataSubjectRoutes({
        cipher: personalData.cipher,
        aliasStreams: personalData.aliasStreams,
        accountAliases: new SqliteDirectoryReader(database, personalData.cipher, personalData.aliasStreams),
      }),
      transfers.routeModule,
      signingKeyRoutes({ reader: signing.reader, secrets }),
      ...settlement.routeModules,
      ...gateway.routeModules,
      refunds.routeModule,
      webhooks.routeModule,
      disputes.routeModule,
      fx.routeModule,
      ...extensionRoutes,
    ]);
    const { server, port, url } = await modules.start('http server', () => assembleHttpServer(config, httpAddress, app, logger, metrics));
    if (!httpAddress.private) publicPort = port;
    // Once the server listens: the sessions it publishes carry pay URLs under the public port, known only now.
    await modules.start('session webhooks', () =>
      assembleSessionWebhooks({ store, checkout: gateway.checkout, publisher: webhooks.publisher, now, publicUrl, logger }),
    );
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
      gateway,
      webhooks,
      disputes,
      refunds,
      iso8583Port: transfers.bankChannel.port ?? 0,
    };
  });
  let closing: Promise<void> | null = null;
  return { ...running, close: () => (closing ??= stop()) };
}

/** The event store the configuration selects (embedded SQLite or an EventStoreDB cluster). */
async function assembleEventStore(
  config: SwitchConfig,
  logger: Logger,
  httpAddress: { port: number; host: string },
): Promise<Assembled<EventStore>> {
  let store: EventStore;
  try {
    store = await openEventStore(config.eventStore, { log: logger });
  } catch (error) {
    // An unreachable PostgreSQL at start is the operator's to fix: one line naming the hosts, and a non-zero exit.
    if (error instanceof EventStoreSettingError) throw new ConfigError(error.message);
    throw error;
  }
  logger.info({ eventStore: describeEventStore(config.eventStore), dataDir: config.dataDir }, 'event store open');
  if (store instanceof PostgresEventStore) {
    // Only one switch appends to a PostgreSQL store: a second one waits here as a standby (api/writer-lease.ts).
    try {
      await takeWriterLease(store, config, httpAddress, logger);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return { provides: store, stop: () => store.close() };
}

/** What the switch keeps beside a PostgreSQL log (issue 19, item 4); null on the other stores, which use the data dir. */
type BesideTheLog = { session: PostgresSession; subjectKeys: PostgresSubjectKeyStore; nonces: PostgresRequestNonces } | null;

/**
 * On PostgreSQL: the data subjects' keys, the idempotency records and the request nonces live in tables of the same
 * database, so that a switch on a new machine (an empty data dir) or a standby that took over serves what the one
 * before it did. Opened once this process holds the writer lease: the keys' copy in the data dir is rebuilt then.
 */
function assembleBesideTheLog(
  config: SwitchConfig,
  sealedLog: EventStore,
  now: () => Date,
  logger: Logger,
): Promise<Assembled<BesideTheLog>> {
  return assemble(logger, async (parts) => {
    if (config.eventStore.kind !== 'postgres' || !(sealedLog instanceof PostgresEventStore)) return null;
    const session = new PostgresSession(config.eventStore.connectionString);
    parts.onStop('session beside the log', () => session.close());
    const subjectKeys = await PostgresSubjectKeyStore.open(sealedLog, session, subjectKeysPath(config.dataDir));
    parts.onStop('subject keys', () => subjectKeys.close());
    const nonces = await PostgresRequestNonces.open(session, Math.floor(now().getTime() / 1000));
    return { session, subjectKeys, nonces };
  });
}

/** The read models, caught up with the log before anything reads them. */
function assembleReadModels(
  store: EventStore,
  config: SwitchConfig,
  logger: Logger,
  personalData: PersonalDataAssembly,
): Promise<Assembled<{ readModels: AppDependencies['readModels']; database: Database.Database }>> {
  return assemble(logger, async (parts) => {
    const readModelStore = new SqliteReadModelStore(readModelPath(config.dataDir));
    parts.onStop('read model store', () => readModelStore.close());
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
    parts.onStop('projection runner', () => runner.stop());
    await waitForCatchUp(runner, await store.headPosition(), catchUpStallMs, (position, head) =>
      logger.info({ position: position.toString(), head: head.toString() }, 'read models still catching up with the log'),
    );
    const readModels: AppDependencies['readModels'] = {
      participants: new SqliteParticipantReader(readModelStore.database),
      directory: new SqliteDirectoryReader(readModelStore.database, personalData.cipher, personalData.aliasStreams),
      waitForPosition: (position, timeoutMs) => runner.waitForPosition(position, timeoutMs),
      status: () => ({ position: runner.position(), healthy: !runnerFailed && runner.currentState === 'running' }),
    };
    return { readModels, database: readModelStore.database };
  });
}

/** One ledger engine per currency the switch settles, started (snapshot plus the log's tail) before use. */
function assembleLedgers(
  config: SwitchConfig,
  store: EventStore,
  now: () => Date,
  metrics: SwitchMetrics,
  logger: Logger,
): Promise<Assembled<readonly LedgerEngine[]>> {
  return assemble(logger, async (parts) => {
    const ledgers = config.currencies.map((ledger) =>
      withCommitLatency(
        createLedgerEngine({
          ledger,
          store,
          now,
          batchCommandsMax: ledgerBatchCommandsMax(config),
          ...(config.ledgerTransfersRememberedEvents === undefined
            ? {}
            : { transfersRememberedEvents: config.ledgerTransfersRememberedEvents }),
          onTickCommitted: (tick) => metrics.ledgerBatchSize.observe({ ledger }, tick.commands),
        }),
        metrics,
      ),
    );
    for (const ledger of ledgers) {
      await ledger.start();
      parts.onStop(`ledger ${ledger.ledger}`, () => ledger.stop());
    }
    return ledgers;
  });
}

/** Participants over the ledgers, with the ledger repaired to match every participant's stream first. */
async function assembleParticipants(
  store: EventStore,
  ledgers: readonly LedgerEngine[],
  readModels: AppDependencies['readModels'],
  secrets: SecretBox,
): Promise<Assembled<{ participants: ParticipantService; participantLedger: LedgerParticipantLedger }>> {
  const participantLedger = new LedgerParticipantLedger(ledgers);
  const participants = new ParticipantService({ store, ledger: participantLedger, secrets });
  await syncLedgerWithParticipants(readModels.participants, participants);
  checkMasterKeyOpensSecrets(readModels.participants, secrets);
  // Nothing of its own runs: the ledgers it writes through are stopped by their own module.
  return { provides: { participants, participantLedger }, stop: async () => undefined };
}

/**
 * The largest sealed answer the idempotency store opens: a batch's answer (well under its 1,000 items of a few hundred
 * bytes each) in base64, with room to spare.
 */
const idempotencyAnswerSealedLengthMax = 64 * 1024 * 1024;

/** Answered requests, pruned past their retention at start-up and hourly. */
function assembleIdempotency(
  config: SwitchConfig,
  now: () => Date,
  logger: Logger,
  masterKey: Buffer,
  postgres: PostgresSession | null,
): Promise<Assembled<IdempotencyStore>> {
  return assemble(logger, async (parts) => {
    const sealing = {
      box: new SecretBox([masterKey], idempotencyAnswerSealedLengthMax),
      keyHashKey: Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'hisaab idempotency key hash', 32)),
    };
    let idempotency: IdempotencyStore;
    if (postgres === null) {
      const file = new SqliteIdempotencyStore(idempotencyPath(config.dataDir), sealing);
      parts.onStop('idempotency store', () => file.close());
      idempotency = file;
    } else {
      idempotency = new PostgresIdempotencyStore(postgres, sealing);
    }
    const prune = async (): Promise<void> => {
      const removed = await idempotency.prune(new Date(now().getTime() - idempotencyRetentionMs));
      if (removed > 0) logger.info({ removed }, 'idempotency records pruned');
    };
    await prune();
    const pruneTimer = setInterval(() => {
      prune().catch((error: unknown) => logger.warn({ err: error }, 'idempotency records not pruned this time'));
    }, idempotencyPruneIntervalMs);
    pruneTimer.unref();
    parts.onStop('idempotency pruning', () => clearInterval(pruneTimer));
    return idempotency;
  });
}

/** What an extension adds (routes mounted after the built-in ones), and its close, run before the parts close. */
async function assembleExtension(extend: StartSwitchOptions['extend'], parts: SwitchParts): Promise<Assembled<readonly RouteModule[]>> {
  const extension = extend === undefined ? {} : await extend(parts);
  return {
    provides: extension.routeModules ?? [],
    stop: async () => {
      if (extension.close) await extension.close();
    },
  };
}

/** The HTTP server, listening; stopping it lets requests in flight finish, bounded by the shutdown timeout. */
async function assembleHttpServer(
  config: SwitchConfig,
  address: { port: number; host: string; private: boolean },
  app: ReturnType<typeof createApp>,
  logger: Logger,
  metrics: SwitchMetrics,
): Promise<Assembled<{ server: Server; port: number; url: string }>> {
  // Every limit on slow or stalled clients is set there (api/http-server.ts). A cluster's writer port is private
  // (loopback, its workers only) and stays plain HTTP; the public port serves TLS when it is configured.
  const tls = address.private ? null : config.tls;
  const server = createHttpServer(app, {}, tls, connectionShares(config.maxConnections).http, logger);
  // A connection past the cap is closed at accept, before Node makes a socket of it: counted, never logged (a
  // flood of them would flood the log too).
  server.on('drop', () => metrics.connectionsDropped.inc({ port: 'http' }));
  // Clients' open connections, so that an operator (and the soak) can tell them from the switch's own handles.
  server.on('connection', (socket) => {
    metrics.httpConnections.inc();
    socket.once('close', () => metrics.httpConnections.dec());
  });
  await listen(server, address.port, address.host);
  const port = (server.address() as AddressInfo).port;
  const url = `${tls === null ? 'http' : 'https'}://${address.host === '0.0.0.0' ? '127.0.0.1' : address.host}:${port}`;
  // A cluster's writer listens privately: only the public port, which its workers hold, is announced as "listening".
  logger.info({ port, url }, address.private ? 'private port for front-end workers listening' : 'listening');
  return { provides: { server, port, url }, stop: () => closeServer(server, config.shutdownTimeoutMs) };
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

/**
 * Refuses to start with a master key that did not seal the stored signing secrets (HISAAB_MASTER_KEY changed, or
 * the generated key file lost): otherwise every callback would fail later, one by one, far from the cause.
 */
function checkMasterKeyOpensSecrets(reader: ParticipantReader, secrets: SecretBox): void {
  let afterId: string | null = null;
  for (;;) {
    const page = reader.listParticipants(afterId, participantPageLimitMax);
    for (const participant of page) {
      const unopenable = participant.signingSecrets.find(
        (secret) => isSealed(secret.storedSecret) && !secrets.holdsKeyFor(secret.storedSecret),
      );
      if (unopenable !== undefined) {
        throw new ConfigError(
          `the signing secrets of participant ${participant.id} were sealed under master key ${unopenable.storedSecret.split('.')[1]}, which this switch does not hold: set HISAAB_MASTER_KEY to the key the data was written with (or restore ${masterKeyFileName} in the data dir)`,
        );
      }
    }
    const last = page[page.length - 1];
    if (last === undefined || page.length < participantPageLimitMax) return;
    afterId = last.id;
  }
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: a burst of new connections waits there for the event loop instead of being dropped by
    // the kernel, which clients feel as seconds of TCP retransmission (the overload run's shed answers waited 8 s).
    server.listen({ port, host, backlog: httpServerLimits.listenBacklog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting connections, waits for requests in flight up to the timeout, then cuts what is left. */
export function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
