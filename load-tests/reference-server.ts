import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { apiLimits } from '../api/api-limits';

/**
 * The reference ceiling for the load test: a bare express server on loopback that answers `POST /v1/transfers`
 * with one fixed 201 transfer body and does nothing else. Run with the same k6 script in the same run as the
 * switch, it measures what this machine's HTTP stack alone can do, so the switch's figure is a ratio that holds
 * on a noisy machine. It parses the JSON body (with the switch's 1 MiB limit) because every JSON API must; it
 * does not look at it.
 */
export const referenceTransferBody = Object.freeze({
  id: '00000000-0000-4000-8000-000000000000',
  state: 'COMMITTED',
  abortReason: null,
  payerParticipant: 'REFERENCE_A',
  payeeParticipant: 'REFERENCE_B',
  amount: '1.00',
  currency: 'PKR',
  purpose: 'P2P',
  createdAt: '2026-01-01T00:00:00.000Z',
  completedAt: '2026-01-01T00:00:00.000Z',
});

const bodyBytesMax = 1024 * 1024;
/** The switch's own batch body limit, so both servers accept the same bodies. */
const batchBodyBytesMax = apiLimits.batchBodyBytesMax;
const closeTimeoutMs = 2_000;

export type ReferenceServer = { url: string; close(): Promise<void> };

/**
 * Listens on 127.0.0.1 at `port` (0, the default, picks a free one). With `metrics`, `GET /metrics` serves that
 * registry, so that a soak samples the reference's event-loop delay exactly as it samples the switch's.
 */
export async function startReferenceServer(port = 0, metrics?: Registry): Promise<ReferenceServer> {
  const app = express();
  app.disable('x-powered-by');
  // What the runner polls before it measures, as it polls the switch's.
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  if (metrics !== undefined) {
    app.get('/metrics', (_request, response, next) => {
      metrics.metrics().then((text) => {
        response.type(metrics.contentType).send(text);
      }, next);
    });
  }
  // The read's reference (bench:lookup): the same fixed body, for any id.
  app.get('/v1/transfers/:id', (_request, response) => {
    response.json(referenceTransferBody);
  });
  app.post('/v1/transfers', express.json({ limit: bodyBytesMax }), (_request, response) => {
    response.status(201).json(referenceTransferBody);
  });
  // The batch's reference (bench:batch): parse the body, answer each item committed under its own id, as the
  // switch's answer has it. Reading the ids is the least any batch endpoint does with its items.
  app.post('/v1/transfers/batch', express.json({ limit: batchBodyBytesMax }), (request, response) => {
    const body: unknown = request.body;
    const items = typeof body === 'object' && body !== null && 'transfers' in body && Array.isArray(body.transfers) ? body.transfers : [];
    const results = items.map((item: unknown) => ({
      outcome: 'TRANSFER',
      id: typeof item === 'object' && item !== null && 'id' in item ? item.id : null,
      state: 'COMMITTED',
      abortReason: null,
    }));
    response.status(200).json({ results });
  });
  const server = createServer(app);
  // The switch's own bounds on slow clients, so both servers treat connections alike.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const listeningPort = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return { url: `http://127.0.0.1:${listeningPort}`, close: () => (closing ??= closeServer(server)) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), closeTimeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
