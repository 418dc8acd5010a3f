import { PostgresEventStore } from '../../adapters/eventstore-postgres/postgres-event-store';
import { sealedLogOf } from '../../core/personal-data/personal-data-event-store';
import { buildOpenApiDocument } from '../openapi';
import type { RouteModule } from '../route-kit';

/** Health, metrics and the API description: public, no key needed. */
export const systemRoutes: RouteModule = (router, kit) => {
  const openApiDocument = JSON.stringify(buildOpenApiDocument({ currencies: kit.dependencies.config.currencies }));

  router.get('/healthz', async (_request, response) => {
    const { store, readModels } = kit.dependencies;
    const readModel = readModels.status();
    let eventStoreHealthy = true;
    let head = -1n;
    try {
      head = await store.headPosition();
    } catch {
      eventStoreHealthy = false;
    }
    // A PostgreSQL store has one writer; a writer fenced off by a newer one serves reads only until it restarts. The
    // modules' store seals personal data over the log's own store, which knows the role.
    const log = sealedLogOf(store);
    const fenced = log instanceof PostgresEventStore && log.role === 'fenced';
    const healthy = eventStoreHealthy && readModel.healthy && !fenced;
    response.status(healthy ? 200 : 503).json({
      status: fenced ? 'fenced' : healthy ? 'ok' : 'unhealthy',
      role: log instanceof PostgresEventStore && log.role !== 'writer' ? 'standby' : 'writer',
      eventStore: eventStoreHealthy ? 'ok' : 'unreachable',
      readModels: readModel.healthy ? 'ok' : 'failed',
      logHeadPosition: head.toString(),
      readModelPosition: readModel.position.toString(),
    });
  });

  router.get('/metrics', async (_request, response) => {
    const { metrics, readModels, store } = kit.dependencies;
    metrics.readModelPosition.set(Number(readModels.status().position));
    metrics.eventLogHeadPosition.set(Number(await store.headPosition()));
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  router.get('/openapi.json', (_request, response) => {
    response.type('application/json').send(openApiDocument);
  });
};
