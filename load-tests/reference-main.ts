/**
 * The reference server as its own process (reference-server.ts), with as many worker processes as the switch it
 * is compared with: HISAAB_WORKERS (default 1) and HISAAB_REFERENCE_PORT. One worker is this process itself;
 * more are node:cluster workers sharing the port, the primary only forking and reaping them. SIGTERM stops it.
 * HISAAB_REFERENCE_METRICS=1 serves prom-client's default metrics at /metrics, as the switch does (the soak's
 * reference: the same event-loop delay measure, reset at every scrape).
 */
import cluster from 'node:cluster';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startReferenceServer } from './reference-server';

/** As many as a bench may ask for; the machine decides whether they help. */
const workersMax = 64;

function wholeNumber(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text.slice(0, 20))}`);
  return value;
}

function metricsRegistry(): Registry | undefined {
  const setting = wholeNumber('HISAAB_REFERENCE_METRICS', 0, 0, 1);
  if (setting === 0) return undefined;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

async function serve(port: number): Promise<void> {
  const server = await startReferenceServer(port, metricsRegistry());
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function main(): Promise<void> {
  const workers = wholeNumber('HISAAB_WORKERS', 1, 1, workersMax);
  const port = wholeNumber('HISAAB_REFERENCE_PORT', 0, 1, 65535);
  if (workers === 1 || !cluster.isPrimary) return serve(port);
  for (let index = 0; index < workers; index += 1) cluster.fork();
  let exited = 0;
  cluster.on('exit', () => {
    exited += 1;
    if (exited === workers) process.exit(0);
  });
  const stop = (): void => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return Promise.resolve();
}

main().catch((error: unknown) => {
  process.stderr.write(`reference server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
