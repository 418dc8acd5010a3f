import type { AddressInfo } from 'node:net';
import type { TlsOptions } from 'node:tls';
import type { ClientCertificateReader } from '../../core/participants/client-certificate';
import { assert } from '../../core/assert';
import type { EventStore } from '../../core/eventstore/event-store';
import { Outbox, type OutboxLimits, type OutboxOptions } from '../../core/outbox/outbox';
import type { ParticipantReader } from '../../core/participants/participant-reader';
import type { DeliveryTransport } from '../../core/outbox/delivery-transport';
import type { Iso8583ClientOptions } from '../iso8583/client';
import type { ConnectionLimits } from '../iso8583/connection';
import { silentLogger, type Iso8583Logger } from '../iso8583/logger';
import { Iso8583Server } from '../iso8583/server';
import { InboundTransferHandler, type InboundTransfers } from './inbound-transfer-handler';
import { bankInstitutionAuthorizer, type HostResolver } from './institution-authorizer';
import { Iso8583BankGateway } from './iso8583-bank-gateway';
import { OriginalRequests } from './original-requests';
import { chargebackLookupFromStore } from './original-chargeback';
import { transferLookupFromStore } from './original-transfer';

export type Iso8583ChannelOptions = {
  store: EventStore;
  participants: ParticipantReader;
  now: () => Date;
  logger?: Iso8583Logger;
  /** The payee deadline of credit requests to banks. */
  creditDeadlineMs?: number;
  switchInstitutionId?: string;
  outboxLimits?: Partial<OutboxLimits>;
  /** Sees the outbox's events once durable (metrics, and a loud log for an abandoned delivery). */
  onOutboxRecorded?: OutboxOptions['onRecorded'];
  /** What the switch presents to a bank host reached over TLS (HISAAB_TLS_CERT/KEY). */
  clientCertificate?: { certificatePem: string; keyPem: string };
  client?: Partial<Omit<Iso8583ClientOptions, 'host' | 'port' | 'institutionId' | 'terminalId'>>;
  /**
   * Resolves once the read models show every write so far, within a bound. Answers to banks (0210, 0430) wait for
   * it, like HTTP answers do, so that what a bank was answered is what every later read shows.
   */
  awaitReadModels?: () => Promise<void>;
  /** Wraps the gateway as the outbox's transport (the switch waits there for the read models to show the delivery). */
  outboxTransport?: (gateway: DeliveryTransport) => DeliveryTransport;
};

export type Iso8583ListenOptions = {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  resolveHost?: HostResolver;
  connectionLimits?: Partial<ConnectionLimits>;
  /** Banks' connections open at once (this port's share of HISAAB_MAX_CONNECTIONS); the server's default when absent. */
  connectionsMax?: number;
  /** Serve over TLS; with `clientCertificates`, a bank signs on only over a certificate bound to it (mutual TLS). */
  tls?: { options: TlsOptions; clientCertificates: ClientCertificateReader | null };
  /** The switch's currencies (HISAAB_CURRENCIES): a request in any other is answered 13. */
  enabledCurrencies?: readonly string[];
};

export type InboundPortOptions = Pick<Iso8583ChannelOptions, 'store' | 'participants' | 'now' | 'awaitReadModels'> & {
  transfers: InboundTransfers;
  logger?: Iso8583Logger;
};

/**
 * The inbound port alone: sign-on, then banks' 0200 and 0420 executed by `transfers`. A switch of one process opens
 * it through Iso8583Channel.listen; a front-end worker (api/cluster/) opens its own with its own transfer service,
 * and node:cluster shares the listening port among the workers. Resolves with the server, listening.
 */
export async function openInboundPort(
  options: InboundPortOptions,
  listen: Iso8583ListenOptions,
): Promise<{ server: Iso8583Server; port: number }> {
  const logger = options.logger ?? silentLogger();
  const server = new Iso8583Server({
    port: listen.port,
    ...(listen.host === undefined ? {} : { host: listen.host }),
    authorizeInstitution: bankInstitutionAuthorizer({
      participants: options.participants,
      ...(listen.resolveHost === undefined ? {} : { resolveHost: listen.resolveHost }),
      ...(listen.tls?.clientCertificates == null ? {} : { clientCertificates: listen.tls.clientCertificates }),
      logger,
    }),
    handler: new InboundTransferHandler({
      transfers: options.transfers,
      originals: new OriginalRequests({ store: options.store, now: options.now }),
      ...(options.awaitReadModels === undefined ? {} : { awaitReadModels: options.awaitReadModels }),
      logger,
    }),
    ...(listen.connectionLimits === undefined ? {} : { connectionLimits: listen.connectionLimits }),
    ...(listen.connectionsMax === undefined ? {} : { connectionsMax: listen.connectionsMax }),
    ...(listen.tls === undefined ? {} : { tls: listen.tls.options }),
    ...(listen.enabledCurrencies === undefined ? {} : { enabledCurrencies: listen.enabledCurrencies }),
    logger,
  });
  const address: AddressInfo = await server.listen();
  return { server, port: address.port };
}

/** The outbox channel name, and so its stream: `outbox-iso8583`. */
export const ISO8583_OUTBOX_CHANNEL = 'iso8583';

/**
 * The switch's ISO 8583 side as one part with a lifecycle, for the wiring (api/transfers-assembly.ts), in the two
 * steps it needs: `open` gives the bank gateway and the started `iso8583` outbox (the transfer service routes bank
 * payees to them), `listen` opens the inbound port once the transfer service exists and has recovered (inbound
 * transfers execute through it), `close` stops inbound first, then the outbox (waiting for attempts in flight),
 * then the bank channels.
 */
export class Iso8583Channel {
  private server: Iso8583Server | null = null;
  private boundPort: number | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly gateway: Iso8583BankGateway,
    readonly outbox: Outbox,
    private readonly options: Iso8583ChannelOptions,
    private readonly logger: Iso8583Logger,
  ) {}

  static async open(options: Iso8583ChannelOptions): Promise<Iso8583Channel> {
    const logger = options.logger ?? silentLogger();
    const gateway = new Iso8583BankGateway({
      lookupTransfer: transferLookupFromStore(options.store),
      lookupChargeback: chargebackLookupFromStore(options.store),
      participants: options.participants,
      now: options.now,
      logger,
      ...(options.creditDeadlineMs === undefined ? {} : { creditDeadlineMs: options.creditDeadlineMs }),
      ...(options.switchInstitutionId === undefined ? {} : { switchInstitutionId: options.switchInstitutionId }),
      ...(options.client === undefined ? {} : { client: options.client }),
      ...(options.clientCertificate === undefined ? {} : { clientCertificate: options.clientCertificate }),
    });
    const outbox = new Outbox({
      store: options.store,
      channel: ISO8583_OUTBOX_CHANNEL,
      transport: options.outboxTransport === undefined ? gateway : options.outboxTransport(gateway),
      now: options.now,
      ...(options.outboxLimits === undefined ? {} : { limits: options.outboxLimits }),
      ...(options.onOutboxRecorded === undefined ? {} : { onRecorded: options.onOutboxRecorded }),
      onError: (error) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'iso8583 outbox error'),
    });
    try {
      await outbox.start();
    } catch (error) {
      await gateway.close();
      throw error;
    }
    return new Iso8583Channel(gateway, outbox, options, logger);
  }

  /** Opens the inbound port; resolves with the port bound. */
  async listen(transfers: InboundTransfers, options: Iso8583ListenOptions): Promise<number> {
    assert(this.server === null && this.closing === null, 'the ISO 8583 port is opened once, before closing');
    const { server, port } = await openInboundPort({ ...this.options, logger: this.logger, transfers }, options);
    this.server = server;
    this.boundPort = port;
    return port;
  }

  /** The inbound port, once listening. */
  get port(): number | null {
    return this.boundPort;
  }

  get inboundServer(): Iso8583Server | null {
    return this.server;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.server !== null) await this.server.close();
      await this.outbox.stop();
      await this.gateway.close();
    })();
    return this.closing;
  }
}
