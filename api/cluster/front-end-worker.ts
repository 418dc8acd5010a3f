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
import type { ReadModels } from '../app-dependencies';
import { assemble, type Assembled } from '../assembly';
import type { SwitchConfig } from '../config';
import { errorBody } from '../http-error';
import { createHttpServer } from '../http-server';
import type { Logger } from '../logger';
import { createSwitchMetrics } from '../metrics';
import type { EdgeDependencies } from '../route-kit';
import { transferRoutes } from '../routes/transfers';
import { closeServer, listen, switchCurrencies } from '../switch';
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

export type FrontEndWorker = { server: Server; port: number; link: WriterLink };

/**
 * One front-end worker (HISAAB_WORKERS > 1): an HTTP server on the public port, shared with the other workers by
 * node:cluster. It authenticates and validates every request itself and serves the transfer routes: POSTs go to
 * the writer over IPC as typed commands, batched; GETs are answered from the read models, which it opens read-only
 * (SQLite WAL lets readers run beside the writer's projections). Every other route is forwarded whole to the
 * writer's private HTTP port, so every route answers exactly as the single-process switch does.
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
    const dependencies: EdgeDependencies = {
      readModels: readOnlyReadModels(database),
      authenticator: createAuthenticator(config.operatorKey, new SqliteKeyReader(database)),
      idempotency: forwardedIdempotency,
      now,
      config: { currencies: switchCurrencies, readYourWritesTimeoutMs: config.readYourWritesTimeoutMs },
      logger,
      metrics: createSwitchMetrics(),
    };
    const transfers = transferRoutes({
      transfers: link,
      transferReader: new SqliteTransferReader(database),
      // The writer answers a command only once the read models show it, so this worker already reads its write.
      awaitWritesVisible: async () => undefined,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: forwardSocketsMax });
    parts.onStop('forwarding connections', () => agent.destroy());
    const app: Express = express();
    app.disable('x-powered-by');
    app.use(forwardUnlessServedHere(new URL(input.writerUrl), agent, logger));
    app.use(createEdgeApp(dependencies, [transfers]));
    const server = createHttpServer(app);
    await listen(server, config.port, config.host);
    parts.onStop('http server', () => closeServer(server, config.shutdownTimeoutMs));
    return { server, port: (server.address() as AddressInfo).port, link };
  });
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
    const forwarded = httpRequest({
      agent,
      host: writer.hostname,
      port: writer.port,
      method: request.method,
      path: request.originalUrl,
      headers: endToEnd(request.headers),
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
 * reading the projections' checkpoints, which the writer's projection runner commits with each batch.
 */
function readOnlyReadModels(database: Database.Database): ReadModels {
  const names = switchProjections.map((projection) => projection.name);
  const checkpoints = database.prepare(
    `SELECT MIN(position) AS position, COUNT(*) AS count FROM projection_checkpoints WHERE name IN (${names.map(() => '?').join(', ')})`,
  );
  const position = (): bigint => {
    const row = checkpoints.get(...names) as { position: bigint | null; count: bigint };
    return row.count === BigInt(names.length) && row.position !== null ? row.position : START_POSITION;
  };
  return {
    participants: new SqliteParticipantReader(database),
    directory: new SqliteDirectoryReader(database),
    status: () => ({ position: position(), healthy: true }),
    async waitForPosition(target, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (position() < target) {
        if (Date.now() >= deadline) throw new Error(`the read models did not reach position ${target} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, checkpointPollMs));
      }
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
  prune: () => 0,
};
