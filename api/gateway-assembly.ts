import type Database from 'better-sqlite3';
import { SqliteMerchantReader } from '../adapters/readmodel-sqlite/projections/merchants-read-model';
import type { EventStore } from '../core/eventstore/event-store';
import type { MerchantReader } from '../core/gateway/merchant-reader';
import { MerchantService } from '../core/gateway/merchant-service';
import type { SecretBox } from '../core/secrets/secret-box';
import { assemble, type Assembled } from './assembly';
import type { Logger } from './logger';
import type { RouteModule } from './route-kit';
import { merchantRoutes } from './routes/merchants';

export type GatewayAssemblyInput = {
  store: EventStore;
  readModelDatabase: Database.Database;
  secrets: SecretBox;
  now: () => Date;
  logger: Logger;
};

export type GatewayAssembly = {
  merchants: MerchantService;
  merchantReader: MerchantReader;
  routeModules: readonly RouteModule[];
};

/**
 * The national e-commerce gateway (docs/ARCHITECTURE.md section 6): merchants, with their keys and webhook
 * secrets. `merchants` is also the port the webhook module signs with (`webhookSigningSecrets`).
 */
export function assembleGateway(input: GatewayAssemblyInput): Promise<Assembled<GatewayAssembly>> {
  return assemble(input.logger, async () => {
    const merchants = new MerchantService({ store: input.store, secrets: input.secrets, now: input.now });
    const merchantReader = new SqliteMerchantReader(input.readModelDatabase);
    return { merchants, merchantReader, routeModules: [merchantRoutes({ merchants, merchantReader })] };
  });
}
