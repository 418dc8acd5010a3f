import { TransferChargebacks } from '../../core/disputes/charged-back-amounts';
import { PaymentPayerReversals } from '../../core/gateway/payer-reversals';
import type { EventStore } from '../../core/eventstore/event-store';
import { PersonalDataEventStore } from '../../core/personal-data/personal-data-event-store';
import { JointSubjectSeal } from '../../core/personal-data/joint-subject-seal';
import { assemblePersonalData, type PersonalDataAssembly } from '../personal-data-assembly';
import { SqliteMerchantReader } from '../../adapters/readmodel-sqlite/projections/merchants-read-model';
import { CheckoutService } from '../../core/gateway/checkout-service';
import { MerchantPayments } from '../../core/gateway/merchant-payments';
import Database from 'better-sqlite3';
import express, { type Express, type RequestHandler } from 'express';
import { Agent, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqliteDirectoryReader } from '../../adapters/readmodel-sqlite/projections/directory-read-model';
import { SqliteKeyReader } from '../../adapters/readmodel-sqlite/projections/keys-read-model';
import { SqliteParticipantReader } from '../../adapters/readmodel-sqlite/projections/participants-read-model';
import { switchProjections } from '../../adapters/readmodel-sqlite/projections/switch-projections';
import { SqliteTransferReader } from '../../adapters/readmodel-sqlite/projections/transfers-read-model';
import { readModelPath } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { createAuthenticator } from '../../core/auth/authenticate';
import { START_POSITION } from '../../core/eventstore/event-store';
import type { IdempotencyStore } from '../../core/idempotency/idempotency-store';
import { createEdgeApp } from '../app';
import { refuseRepeatedAuthorization } from '../auth';
import { publicRateLimiting } from '../rate-limit/rate-limiting-assembly';
import { clientAddressHeader } from '../audit-gate';
import type { ReadModels } from '../app-dependencies';
import { assemble, type Assembled } from '../assembly';
import type { SwitchConfig } from '../config';
import { errorBody, toErrorAnswer } from '../http-error';
import { connectionShares } from '../connection-cap';
import { createHttpServer } from '../http-server';
import { iso8583TlsOptions } from '../tls-settings';
import { SqliteClientCertificateReader } from '../../adapters/readmodel-sqlite/projections/client-certificates-read-model';
import type { Logger } from '../logger';
import { createSwitchMetrics } from '../metrics';
import type { EdgeDependencies } from '../route-kit';
import { transferRoutes } from '../routes/transfers';
import { closeServer, listen } from '../switch';
import { openEventStore } from '../../adapters/eventstore-factory';
import { openInboundPort } from '../../adapters/iso8583-switch/iso8583-channel';
import { PayeeCreditRouter } from '../../adapters/payee-routing';
import { WalletHttpClient } from '../../adapters/wallet-http/wallet-http-client';
import { walletEndpointOf } from '../../adapters/wallet-http/wallet-endpoint';
import { SecretBox } from '../../core/secrets/secret-box';
import { TransferService } from '../../core/transfers/transfer-service';
import { resolveMasterKey } from '../master-key';
import { assembleRequestSigning } from '../request-signing-assembly';
import type { OutgoingMessageSigner } from '../../adapters/wallet-http/switch-jws-signer';
import { SignedRequestEvidence } from '../../core/transfers/signed-request-evidence';
import {
  RemoteBankCredit,
  RemoteDeliveryQueue,
  RemoteLedgerEngine,
  remoteTransferObserver,
  WriterAppendingEventStore,
} from './remote-writer';
import { WriterLink, type WriterChannel } from './writer-link';

/** Commands one worker may have waiting for the writer; past it a request is answered 503 at once. */
const writerInFlightMax = 4_096;
/** Connections from one worker to the writer's private HTTP port, for the requests it forwards whole. */
const forwardSocketsMax = 256;
/** A forwarded request that gets no answer within this is cut, and its client answered 503. */
const forwardTimeoutMs = 60_000;
/** How often a worker looks at the projections' checkpoints while it waits for a position. */
const checkpointPollMs = 2;

export type FrontEndWorkerInput = {
  config: SwitchConfig;
  logger: Logger;
  /** The writer's private HTTP address (http://127.0.0.1:port): routes a worker does not serve go there whole. */
  writerUrl: string;
  channel: WriterChannel;
  now?: () => Date;
};

export type FrontEndWorker = { server: Server; port: number; iso8583Port: number; link: WriterLink; transfers: TransferService };

/**
 * One front-end worker (HISAAB_WORKERS > 1): an HTTP server on the public port, shared with the other workers by
 * node:cluster. It authenticates and validates every request itself and runs the transfer routes with its own
 * TransferService: validation, payee resolution, the payee's credit request over HTTP, commit or abort. What only
 * the writer may do goes there over IPC, batched: ledger submits (with the transfer's events riding in the same
 * durable write), ledger lookups, event-store appends, outbox enqueues and credit requests to banks
 * (remote-writer.ts). Banks' ISO 8583 0200 and 0420 are served here too, on the same transfer service, the port
 * shared among the workers like the HTTP one. Transfer streams and the read models are read here, from the SQLite files opened read-only
 * (WAL lets readers run beside the writer). Every other route is forwarded whole to the writer's private HTTP
 * port, so every route answers exactly as the single-process switch does.
 */
export function startFrontEndWorker(input: FrontEndWorkerInput): Promise<Assembled<FrontEndWorker>> {
  return assemble(input.logger, async (parts) => {
    const { config, logger } = input;
    const now = input.now ?? (() => new Date());
    const database = new Database(readModelPath(config.dataDir), { readonly: true, fileMustExist: true });
    database.pragma('busy_timeout = 5000');
    database.defaultSafeIntegers(true);
    parts.onStop('read models (read-only)', () => {
      database.close();
    });
    const link = new WriterLink({
      channel: input.channel,
      logger,
      inFlightMax: writerInFlightMax,
      // A transfer may wait its payee's whole deadline, then the read models: the writer answers within both.
      answerTimeoutMs: config.payeeDeadlineMs + config.readYourWritesTimeoutMs + 5_000,
    });
    parts.onStop('writer link', () => link.failAll('the worker is stopping'));
    const masterKey = resolveMasterKey(config, logger);
    const secrets = new SecretBox([masterKey]);
    // Keys are not cached here: the writer erases, and a worker must not open what it erased from a stale cache.
    const personalData = await parts.start('personal data', async () =>
      assemblePersonalData(config.dataDir, masterKey, now, { dataKeysCachedMax: 0 }),
    );
    const signing = await parts.start('request signing', () =>
      assembleRequestSigning({ dataDir: config.dataDir, readModelDatabase: database, logger, now, secrets }),
    );
    const dependencies: EdgeDependencies = {
      readModels: readOnlyReadModels(database, personalData),
      authenticator: createAuthenticator(config.operatorKey, new SqliteKeyReader(database)),
      requestSignatures: signing.verifier,
      // The writer audits the requests forwarded to it; the worker has no store of its own to write the trail to.
      audit: null,
      idempotency: forwardedIdempotency,
      now,
      config: {
        currencies: config.currencies,
        readYourWritesTimeoutMs: config.readYourWritesTimeoutMs,
        moneyPathInFlightMax: config.moneyPathInFlightMax,
        moneyPathLoopDelayMaxMs: config.moneyPathLoopDelayMaxMs,
      },
      logger,
      metrics: createSwitchMetrics(),
    };
    const service = await startTransferService(input, link, database, parts, {
      secrets,
      jwsSigner: signing.signer,
      personalData,
    });
    const transfers = transferRoutes({
      transfers: service.transfers,
      transferReader: new SqliteTransferReader(database, personalData.cipher),
      // The writer's projections commit to the file this worker reads: it waits for them to pass the log's head.
      awaitWritesVisible: async () =>
        dependencies.readModels.waitForPosition(await service.store.headPosition(), config.readYourWritesTimeoutMs),
      evidence: new SignedRequestEvidence(service.store, new JointSubjectSeal(personalData.cipher)),
    });
    const agent = new Agent({ keepAlive: true, maxSockets: forwardSocketsMax });
    parts.onStop('forwarding connections', () => agent.destroy());
    const app: Express = express();
    app.disable('x-powered-by');
    // Limits first, for the routes served here and those forwarded alike; each worker takes its share of the rates.
    app.use(publicRateLimiting(config, database, dependencies.metrics, config.workers));
    app.use(forwardUnlessServedHere(new URL(input.writerUrl), agent, logger));
    app.use(createEdgeApp(dependencies, [transfers]));
    const server = createHttpServer(app, {}, config.tls, connectionShares(config.maxConnections).http, logger);
    server.on('drop', () => dependencies.metrics.connectionsDropped.inc({ port: 'http' }));
    await listen(server, config.port, config.host);
    parts.onStop('http server', () => closeServer(server, config.shutdownTimeoutMs));
    // Banks' 0200 and 0420 run here too, on this worker's transfer service; node:cluster shares the port.
    const inbound = await openInboundPort(
      {
        store: service.store,
        participants: new SqliteParticipantReader(database),
        now,
        logger,
        transfers: service.transfers,
        awaitReadModels: async () =>
          dependencies.readModels.waitForPosition(await service.store.headPosition(), config.readYourWritesTimeoutMs),
      },
      {
        port: config.iso8583Port,
        host: config.host,
        connectionsMax: connectionShares(config.maxConnections).iso8583,
        enabledCurrencies: config.currencies,
        ...(config.tls === null ? {} : { tls: iso8583TlsOptions(config.tls, new SqliteClientCertificateReader(database)) }),
      },
    );
    parts.onStop('iso8583 inbound port', () => inbound.server.close());
    return { server, port: (server.address() as AddressInfo).port, iso8583Port: inbound.port, link, transfers: service.transfers };
  });
}

/**
 * The worker's own transfer service: the event store read here and written through the writer, the writer's
 * ledger engines, the wallet channel's HTTP client in this process (the payee call is the longest step of a
 * payment and now runs beside the other workers' instead of in the one writer), bank credit requests and the
 * outboxes in the writer.
 */
async function startTransferService(
  input: FrontEndWorkerInput,
  link: WriterLink,
  database: Database.Database,
  parts: Parameters<Parameters<typeof assemble>[1]>[0],
  signing: { secrets: SecretBox; jwsSigner: OutgoingMessageSigner; personalData: PersonalDataAssembly },
): Promise<{ transfers: TransferService; store: EventStore }> {
  const { config, logger } = input;
  const now = input.now ?? (() => new Date());
  const reads = await openEventStore(config.eventStore, { readOnly: true });
  // Sealed here, before the writer sees them; the writer's own sealing leaves sealed values as they are.
  const store = new PersonalDataEventStore(new WriterAppendingEventStore(reads, link), signing.personalData.cipher, {
    payerReferencesRememberedMax: config.payerReferencesRemembered,
  });
  parts.onStop('event store (read-only)', () => store.close());
  const participants = new SqliteParticipantReader(database);
  const walletClient = new WalletHttpClient({
    resolveEndpoint: (participantId) => walletEndpointOf(participants.findParticipant(participantId), signing.secrets, now()),
    creditDeadlineMs: config.payeeDeadlineMs,
    now,
    jwsSigner: signing.jwsSigner,
  });
  parts.onStop('wallet client', () => walletClient.close());
  const ledgers = config.currencies.map((currency) => new RemoteLedgerEngine(currency, link));
  const transfers = new TransferService({
    store,
    ledgers: (currency) => ledgers.find((ledger) => ledger.ledger === currency),
    participants,
    directory: new SqliteDirectoryReader(database, signing.personalData.cipher, signing.personalData.aliasStreams),
    payees: new PayeeCreditRouter(participants, {
      'wallet-http': walletClient,
      iso8583: new RemoteBankCredit(link, config.payeeDeadlineMs),
    }),
    deliveries: new RemoteDeliveryQueue(link),
    now,
    payeeDeadlineMs: config.payeeDeadlineMs,
    observer: remoteTransferObserver(link, (error) => logger.warn({ err: error }, 'could not count a transfer in the writer')),
    // Payments to merchants: checkout sessions read from the log, merchants from the read models, the session's
    // claim and completion riding in the writer's ledger submits as companions, as in one process.
    merchantPayments: new MerchantPayments({
      checkout: new CheckoutService({ store, now }),
      merchants: new SqliteMerchantReader(database, signing.personalData.cipher),
      now,
    }),
    // A bank's 0420 meets the refunds and chargebacks of its transfer on the payment's refunds stream.
    payerReversals: new PaymentPayerReversals({ store, chargebacks: new TransferChargebacks(store) }),
  });
  return { transfers, store };
}

/** The routes a worker serves itself; any other method or path (404s and 405s too) is the writer's to answer. */
function servedHere(method: string, path: string): boolean {
  if (method === 'POST') return /^\/v1\/transfers(\/batch)?\/?$/.test(path);
  if (method === 'GET' || method === 'HEAD')
    return /^\/v1\/transfers(\/[^/]+)?\/?$/.test(path) && !/^\/v1\/transfers\/batch\/?$/.test(path);
  return false;
}

/** Hop-by-hop headers (RFC 9110 section 7.6.1) are the connection's, not the request's: they are not forwarded. */
const hopByHopHeaders = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!hopByHopHeaders.has(name)) kept[name] = value;
  return kept;
}

/**
 * Forwards a request the worker does not serve to the writer's private port, body streamed as it arrives, and
 * streams the answer back. A writer that cannot be reached is answered 503 WRITER_UNAVAILABLE.
 */
function forwardUnlessServedHere(writer: URL, agent: Agent, logger: Logger): RequestHandler {
  return (request, response, next) => {
    if (servedHere(request.method, request.path)) {
      next();
      return;
    }
    // Only the first of several Authorization headers would cross (node keeps one): refused here, as the edge does.
    try {
      refuseRepeatedAuthorization(request.rawHeaders);
    } catch (error) {
      const answer = toErrorAnswer(error);
      if (answer === null) throw error;
      response.status(answer.status).json(answer.body);
      return;
    }
    const forwarded = httpRequest({
      agent,
      host: writer.hostname,
      port: writer.port,
      method: request.method,
      path: request.originalUrl,
      // The writer sees the worker's loopback address: this names the client for its audit trail (api/audit-gate.ts).
      headers: { ...endToEnd(request.headers), [clientAddressHeader]: request.socket.remoteAddress ?? '(unknown)' },
      timeout: forwardTimeoutMs,
    });
    forwarded.on('response', (answer) => {
      response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(response);
    });
    forwarded.on('timeout', () => forwarded.destroy(new Error(`the writer did not answer within ${forwardTimeoutMs} ms`)));
    forwarded.on('error', (error) => {
      logger.warn({ err: error, path: request.path }, 'could not forward a request to the ledger writer');
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response
        .status(503)
        .set('Retry-After', '1')
        .json(errorBody('WRITER_UNAVAILABLE', 'the ledger writer could not be reached: retry the same request shortly'));
    });
    request.pipe(forwarded);
  };
}

/**
 * The read models as a worker sees them: the same SQLite file, read-only. A worker waits for a position by
 * reading the projections' checkpoints, which the writer's projection runner commits with each batch. Every
 * request waits after its write, so the waits share one poll: one checkpoint read per interval releases all the
 * waiters it passed, instead of one read per waiter.
 */
function readOnlyReadModels(database: Database.Database, personalData: PersonalDataAssembly): ReadModels {
  const names = switchProjections.map((projection) => projection.name);
  const checkpoints = database.prepare(
    `SELECT MIN(position) AS position, COUNT(*) AS count FROM projection_checkpoints WHERE name IN (${names.map(() => '?').join(', ')})`,
  );
  const position = (): bigint => {
    const row = checkpoints.get(...names) as { position: bigint | null; count: bigint };
    return row.count === BigInt(names.length) && row.position !== null ? row.position : START_POSITION;
  };
  type Waiter = { target: bigint; deadlineMs: number; timeoutMs: number; resolve: () => void; reject: (error: Error) => void };
  const waiters = new Set<Waiter>();
  let timer: NodeJS.Timeout | null = null;
  const poll = (): void => {
    timer = null;
    const reached = position();
    const nowMs = Date.now();
    for (const waiter of waiters) {
      if (reached >= waiter.target) {
        waiters.delete(waiter);
        waiter.resolve();
      } else if (nowMs >= waiter.deadlineMs) {
        waiters.delete(waiter);
        waiter.reject(new Error(`the read models did not reach position ${waiter.target} within ${waiter.timeoutMs} ms`));
      }
    }
    if (waiters.size > 0) timer = setTimeout(poll, checkpointPollMs);
  };
  return {
    participants: new SqliteParticipantReader(database),
    directory: new SqliteDirectoryReader(database, personalData.cipher, personalData.aliasStreams),
    status: () => ({ position: position(), healthy: true }),
    waitForPosition(target, timeoutMs) {
      if (position() >= target) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiters.add({ target, deadlineMs: Date.now() + timeoutMs, timeoutMs, resolve, reject });
        timer ??= setTimeout(poll, checkpointPollMs);
      });
    },
  };
}

/**
 * No route a worker serves records answers by Idempotency-Key (transfers are idempotent by their id); those that do
 * are forwarded to the writer, which holds the one idempotency store. Reaching this is a programming error.
 */
const forwardedIdempotency: IdempotencyStore = {
  find: () => {
    throw new Error('a front-end worker keeps no idempotency records: the route must be forwarded to the writer');
  },
  save: () => {
    throw new Error('a front-end worker keeps no idempotency records: the route must be forwarded to the writer');
  },
  prune: async () => 0,
};
