import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PostgresEventStore } from '../adapters/eventstore-postgres/postgres-event-store';
import type { SwitchConfig } from './config';
import { errorBody } from './http-error';
import { createHttpServer } from './http-server';
import type { Logger } from './logger';

/** How often a standby tries to take the writer lease: a dead writer's successor serves within this plus its start-up. */
const leaseAttemptIntervalMs = 1_000;

/**
 * Makes this process the store's one writer. When another switch holds the lease, this one is a standby until
 * that writer's session ends: it listens on the switch's address meanwhile, so that `GET /healthz` says
 * `"role":"standby"` and every other request is answered 503 NOT_WRITER with Retry-After, and returns once it holds
 * the lease (the switch then replays the log into its read models and serves in full).
 */
export async function takeWriterLease(
  store: PostgresEventStore,
  config: SwitchConfig,
  address: { host: string; port: number },
  logger: Logger,
): Promise<void> {
  if (await store.tryBecomeWriter()) return;
  const server = await listenAsStandby(config, address);
  logger.info({ port: (server.address() as AddressInfo).port, role: 'standby', eventStore: store.url }, 'listening');
  logger.info({ role: 'standby' }, 'standby: another switch holds the event store writer lease; taking over when it is gone');
  try {
    const startedMs = performance.now();
    if (!(await store.becomeWriter(leaseAttemptIntervalMs))) throw new Error('the event store closed while this switch was a standby');
    logger.info({ role: 'writer', waitedMs: Math.round(performance.now() - startedMs) }, 'standby took over as the writer');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function listenAsStandby(config: SwitchConfig, address: { host: string; port: number }): Promise<Server> {
  const server = createHttpServer(
    (request, response) => {
      const health = request.method === 'GET' && (request.url === '/healthz' || request.url?.startsWith('/healthz?') === true);
      const body = health
        ? { status: 'standby', role: 'standby', eventStore: 'ok' }
        : errorBody('NOT_WRITER', 'this switch is a standby: another switch holds the event store writer lease; send writes to it');
      response.writeHead(health ? 200 : 503, {
        'content-type': 'application/json; charset=utf-8',
        ...(health ? {} : { 'retry-after': '1' }),
        connection: 'close',
      });
      response.end(JSON.stringify(body));
    },
    {},
    config.tls,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
