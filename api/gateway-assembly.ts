import type Database from 'better-sqlite3';
import { SqliteOpenSessionReader } from '../adapters/readmodel-sqlite/projections/checkout-sessions-read-model';
import { SqliteMerchantReader } from '../adapters/readmodel-sqlite/projections/merchants-read-model';
import type { EventStore } from '../core/eventstore/event-store';
import { CheckoutService } from '../core/gateway/checkout-service';
import type { MerchantReader } from '../core/gateway/merchant-reader';
import { MerchantService } from '../core/gateway/merchant-service';
import { SessionExpirySweeper } from '../core/gateway/session-expiry-sweeper';
import type { SecretBox } from '../core/secrets/secret-box';
import { assemble, type Assembled, type StartedParts } from './assembly';
import type { Logger } from './logger';
import type { RouteModule } from './route-kit';
import { checkoutSessionRoutes } from './routes/checkout-sessions';
import { merchantRoutes } from './routes/merchants';

/** How often expired sessions get their SessionExpired (issue 11: the webhook within 5 s of the expiry). */
const expirySweepIntervalMs = 1_000;
const expiredSessionsPerSweepMax = 500;

export type GatewayAssemblyInput = {
  store: EventStore;
  readModelDatabase: Database.Database;
  secrets: SecretBox;
  now: () => Date;
  logger: Logger;
  /** HISAAB_PUBLIC_URL, or http://localhost:<port> once the server listens. */
  publicUrl: () => string;
};

export type GatewayAssembly = {
  merchants: MerchantService;
  merchantReader: MerchantReader;
  checkout: CheckoutService;
  /** Runs one expiry sweep now (tests; the switch sweeps every second by itself). */
  sweepExpiredSessions: () => Promise<number>;
  routeModules: readonly RouteModule[];
};

/**
 * The national e-commerce gateway (docs/ARCHITECTURE.md section 6): merchants with their keys and webhook
 * secrets, and checkout sessions with their expiry sweeper. `merchants` is also the port the webhook module signs
 * with (`webhookSigningSecrets`).
 */
export function assembleGateway(input: GatewayAssemblyInput): Promise<Assembled<GatewayAssembly>> {
  return assemble(input.logger, (parts) => startGateway(input, parts));
}

async function startGateway(input: GatewayAssemblyInput, parts: StartedParts): Promise<GatewayAssembly> {
  const merchants = new MerchantService({ store: input.store, secrets: input.secrets, now: input.now });
  const merchantReader = new SqliteMerchantReader(input.readModelDatabase);
  const checkout = new CheckoutService({ store: input.store, now: input.now });
  const sweeper = new SessionExpirySweeper({
    checkout,
    reader: new SqliteOpenSessionReader(input.readModelDatabase),
    now: input.now,
    sessionsPerSweepMax: expiredSessionsPerSweepMax,
    onError: (sessionId, error) => input.logger.error({ sessionId, err: error }, 'could not record a checkout session expiry'),
  });
  let running: Promise<number> | null = null;
  // One sweep at a time: a slow store lets the running sweep finish rather than piling sweeps up.
  const sweepOnce = (): Promise<number> =>
    (running ??= sweeper
      .sweep()
      .catch((error: unknown) => {
        input.logger.error({ err: error }, 'checkout session expiry sweep failed');
        return 0;
      })
      .finally(() => (running = null)));
  const timer = setInterval(() => void sweepOnce(), expirySweepIntervalMs);
  timer.unref();
  parts.onStop('checkout expiry sweeper', async () => {
    clearInterval(timer);
    await running;
  });
  return {
    merchants,
    merchantReader,
    checkout,
    sweepExpiredSessions: sweepOnce,
    routeModules: [
      merchantRoutes({ merchants, merchantReader }),
      checkoutSessionRoutes({ checkout, merchantReader, publicUrl: input.publicUrl }),
    ],
  };
}
