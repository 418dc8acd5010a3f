import type { EventStore } from '../../core/eventstore/event-store';
import type { ParticipantReader } from '../../core/participants/participant-reader';
import type { ConnectionLimits } from '../iso8583/connection';
import type { Iso8583Logger } from '../iso8583/logger';
import { Iso8583Server } from '../iso8583/server';
import { bankInstitutionAuthorizer, type HostResolver } from './institution-authorizer';
import { InboundTransferHandler, type InboundTransfers } from './inbound-transfer-handler';
import { Iso8583BankGateway, type Iso8583BankGatewayOptions } from './iso8583-bank-gateway';
import { OriginalRequests } from './original-requests';
import { transferLookupFromStore } from './original-transfer';

/**
 * Assembly of the switch's ISO 8583 side, in the two steps the wiring needs: the outbound gateway first (the
 * transfer service and the `iso8583` outbox are built on it), the inbound server last (it executes through
 * the transfer service).
 *
 *   const gateway = createIso8583BankGateway({ store, participants, now, logger });
 *   const outbox = new Outbox({ store, channel: 'iso8583', transport: gateway, now });
 *   // ... routers, TransferService ...
 *   const server = createIso8583InboundServer({ transfers, participants, store, now, awaitReadModels, port, logger });
 *   await server.listen();
 *   // on shutdown: await server.close(); await outbox.stop(); await gateway.close();
 */
export type BankGatewayFactoryOptions = Omit<Iso8583BankGatewayOptions, 'lookupTransfer'> & { store: EventStore };

export function createIso8583BankGateway(options: BankGatewayFactoryOptions): Iso8583BankGateway {
  const { store, ...gatewayOptions } = options;
  return new Iso8583BankGateway({ ...gatewayOptions, lookupTransfer: transferLookupFromStore(store) });
}

export type InboundServerFactoryOptions = {
  transfers: InboundTransfers;
  participants: ParticipantReader;
  /** Where the originals a reversal may name are recorded. */
  store: EventStore;
  now: () => Date;
  /** Resolves once the read models show every write so far (bounded); every answer waits for it. */
  awaitReadModels?: () => Promise<void>;
  /** 0 picks a free port (tests). */
  port: number;
  /** Loopback unless told otherwise. */
  host?: string;
  logger?: Iso8583Logger;
  resolveHost?: HostResolver;
  connectionsMax?: number;
  connectionLimits?: Partial<ConnectionLimits>;
  handlerTimeoutMs?: number;
};

export function createIso8583InboundServer(options: InboundServerFactoryOptions): Iso8583Server {
  const logging = options.logger === undefined ? {} : { logger: options.logger };
  return new Iso8583Server({
    port: options.port,
    ...(options.host === undefined ? {} : { host: options.host }),
    authorizeInstitution: bankInstitutionAuthorizer({
      participants: options.participants,
      ...(options.resolveHost === undefined ? {} : { resolveHost: options.resolveHost }),
      ...logging,
    }),
    handler: new InboundTransferHandler({
      transfers: options.transfers,
      originals: new OriginalRequests({ store: options.store, now: options.now }),
      ...(options.awaitReadModels === undefined ? {} : { awaitReadModels: options.awaitReadModels }),
      ...logging,
    }),
    ...(options.connectionsMax === undefined ? {} : { connectionsMax: options.connectionsMax }),
    ...(options.connectionLimits === undefined ? {} : { connectionLimits: options.connectionLimits }),
    ...(options.handlerTimeoutMs === undefined ? {} : { handlerTimeoutMs: options.handlerTimeoutMs }),
    ...logging,
  });
}
