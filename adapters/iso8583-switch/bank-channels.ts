import { assert } from '../../core/assert';
import { Iso8583Client, type Iso8583ClientOptions, type Iso8583ClientState } from '../iso8583/client';
import { silentLogger, type Iso8583Logger } from '../iso8583/logger';
import { sameEndpoint, type BankEndpoint } from './bank-endpoint';

export type BankChannelsOptions = {
  /** The switch's DE32: what it signs on to banks with and puts on its requests. */
  switchInstitutionId: string;
  /** DE41 of the switch's network management requests. */
  terminalId: string;
  /** Channels open at once; a bank beyond this is unreachable until one closes. */
  channelsMax: number;
  /** Overrides for every channel (tests shorten reconnect delays and echo intervals). */
  /** What the switch presents to a bank host reached over TLS (HISAAB_TLS_CERT/KEY); none: no client certificate. */
  clientCertificate?: { certificatePem: string; keyPem: string };
  client?: Partial<Omit<Iso8583ClientOptions, 'host' | 'port' | 'institutionId' | 'terminalId'>>;
  now: () => Date;
  logger?: Iso8583Logger;
};

type Channel = { readonly endpoint: BankEndpoint; readonly client: Iso8583Client };

/**
 * One kept-open ISO 8583 channel per bank participant (docs/ARCHITECTURE.md section 9: connections are kept open,
 * echo-tested when idle, re-established with backoff). A channel is opened on first use and replaced when the
 * operator changes the bank's endpoint; the number of channels is bounded.
 */
export class BankChannels {
  private readonly options: BankChannelsOptions;
  private readonly logger: Iso8583Logger;
  private readonly channels = new Map<string, Channel>();
  /** Channels being stopped (replaced endpoints): close() waits for them too. */
  private readonly stopping = new Set<Promise<void>>();
  private closed = false;

  constructor(options: BankChannelsOptions) {
    assert(
      Number.isSafeInteger(options.channelsMax) && options.channelsMax >= 1 && options.channelsMax <= 10_000,
      'channelsMax is 1 to 10000',
    );
    this.options = options;
    this.logger = options.logger ?? silentLogger();
  }

  /** The started channel to a bank, or null when the switch is closing or already holds channelsMax channels. */
  channelFor(endpoint: BankEndpoint): Iso8583Client | null {
    if (this.closed) return null;
    const existing = this.channels.get(endpoint.participantId);
    if (existing !== undefined && sameEndpoint(existing.endpoint, endpoint)) return existing.client;
    if (existing !== undefined) {
      this.logger.info(
        { participantId: endpoint.participantId, host: endpoint.host, port: endpoint.port },
        'iso8583 bank endpoint changed; replacing its channel',
      );
      this.channels.delete(endpoint.participantId);
      this.track(existing.client.stop());
    }
    if (this.channels.size >= this.options.channelsMax) {
      this.logger.error(
        { participantId: endpoint.participantId, channelsMax: this.options.channelsMax },
        'iso8583 bank channel limit reached',
      );
      return null;
    }
    const client = new Iso8583Client({
      host: endpoint.host,
      port: endpoint.port,
      institutionId: this.options.switchInstitutionId,
      terminalId: this.options.terminalId,
      now: this.options.now,
      logger: this.logger,
      ...this.options.client,
      ...(endpoint.tlsCaPem === null ? {} : { tls: { caPem: endpoint.tlsCaPem, ...this.options.clientCertificate } }),
    });
    client.start();
    this.channels.set(endpoint.participantId, { endpoint, client });
    return client;
  }

  /** Each open channel's state, by participant id (health, metrics, tests). */
  states(): Record<string, Iso8583ClientState> {
    const states: Record<string, Iso8583ClientState> = {};
    for (const [participantId, channel] of this.channels) states[participantId] = channel.client.state;
    return states;
  }

  /** Signs off and closes every channel; requests in flight settle as lost (their transfers reverse). */
  async close(): Promise<void> {
    this.closed = true;
    const channels = [...this.channels.values()];
    this.channels.clear();
    for (const channel of channels) this.track(channel.client.stop());
    await Promise.allSettled([...this.stopping]);
  }

  private track(stopped: Promise<void>): void {
    const tracked = stopped
      .catch((error: unknown) => this.logger.error({ err: (error as Error).message }, 'iso8583 channel failed to stop'))
      .finally(() => this.stopping.delete(tracked));
    this.stopping.add(tracked);
  }
}
