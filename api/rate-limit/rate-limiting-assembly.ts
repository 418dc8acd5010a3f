import type Database from 'better-sqlite3';
import type { RequestHandler } from 'express';
import { performance } from 'node:perf_hooks';
import { SqliteKeyReader } from '../../adapters/readmodel-sqlite/projections/keys-read-model';
import { SqliteRateLimitOverrideReader } from '../../adapters/readmodel-sqlite/projections/rate-limits-read-model';
import { createAuthenticator } from '../../core/auth/authenticate';
import type { SwitchConfig } from '../config';
import type { SwitchMetrics } from '../metrics';
import { rateLimiting } from './rate-limiting';

/**
 * The rate limiter of a process that serves the public port, over the read models it has open. `processes`: how
 * many share the port (the front-end workers, or 1). Buckets run on the monotonic clock, not the switch's injected
 * one: a rate is about real seconds between packets, and a test that fixes the business clock must not freeze them.
 */
export function publicRateLimiting(
  config: Pick<SwitchConfig, 'rateLimits' | 'operatorKey'>,
  readModelDatabase: Database.Database,
  metrics: SwitchMetrics,
  processes: number,
): RequestHandler {
  return rateLimiting({
    settings: config.rateLimits,
    processes,
    authenticator: createAuthenticator(config.operatorKey, new SqliteKeyReader(readModelDatabase)),
    overrides: new SqliteRateLimitOverrideReader(readModelDatabase),
    metrics,
    nowMs: () => performance.now(),
  });
}
