import { performance } from 'node:perf_hooks';
import { assert } from '../../core/assert';
import type { Delivery } from '../../core/outbox/delivery';
import type { DeliveryAttemptOptions, DeliveryAttemptResult, DeliveryTransport } from '../../core/outbox/delivery-transport';
import type { ParticipantReader } from '../../core/participants/participant-reader';
import type { CreditOutcome, CreditRequestOptions, PayeeCreditMessage, PayeeCreditPort } from '../../core/payee-port';
import type { Iso8583Client, Iso8583ClientOptions, Iso8583ClientState } from '../iso8583/client';
import type { ExchangeOutcome } from '../iso8583/exchange-outcome';
import { silentLogger, type Iso8583Logger } from '../iso8583/logger';
import type { Iso8583Message } from '../iso8583/message';
import { bankEndpointOf, type BankEndpoint } from './bank-endpoint';
import { BankChannels } from './bank-channels';
import { parseDeliveryPayload } from './delivery-payload';
import type { OriginalChargebackLookup } from './original-chargeback';
import type { OriginalTransfer, OriginalTransferLookup } from './original-transfer';
import { creditOutcomeOf, deliveryResultOf } from './outbound-answers';
import {
  chargebackCreditMessage,
  creditAdviceMessage,
  creditRequestMessage,
  reversalAdviceMessage,
  type OutboundParties,
} from './outbound-messages';
import { RecentSet } from './recent-set';

export type Iso8583BankGatewayOptions = {
  participants: ParticipantReader;
  /** The transfer behind a credit message: its creation time, credit mode and payer account. */
  lookupTransfer: OriginalTransferLookup;
  /** The chargeback behind a dispute's credit advice: its ledger id and posting time. */
  lookupChargeback: OriginalChargebackLookup;
  /** The switch's DE32 towards banks. */
  switchInstitutionId?: string;
  /** The switch's DE41. */
  terminalId?: string;
  /** Default 10 s (docs/ARCHITECTURE.md section 5). */
  creditDeadlineMs?: number;
  /** How long a message waits for a bank's channel that is connecting or signing on, within its deadline. */
  readyWaitMs?: number;
  channelsMax?: number;
  /** What the switch presents to a bank host reached over TLS (HISAAB_TLS_CERT/KEY). */
  clientCertificate?: { certificatePem: string; keyPem: string };
  client?: Partial<Omit<Iso8583ClientOptions, 'host' | 'port' | 'institutionId' | 'terminalId'>>;
  now?: () => Date;
  logger?: Iso8583Logger;
};

export const iso8583GatewayDefaults = {
  /** Not a real acquirer's id: the operator sets the switch's own (HISAAB_ISO8583_INSTITUTION_ID). */
  switchInstitutionId: '999999',
  terminalId: 'HISAAB01',
  creditDeadlineMs: 10_000,
  creditDeadlineMsMax: 120_000,
  readyWaitMs: 2_000,
  channelsMax: 256,
  /** Deliveries remembered as attempted, so that repeats go out as 0421/0221. */
  attemptedRememberedMax: 10_000,
  /** How often a request whose DE11 is taken by another in flight looks again. */
  stanBusyPollMs: 5,
} as const;

type BuiltMessage = { ok: true; message: Iso8583Message } | { ok: false; detail: string };

export type Iso8583BankGatewayStatistics = {
  creditRequestsSent: number;
  creditRequestsInFlight: number;
  deliveriesSent: number;
};

/**
 * The bank adapter (docs/ARCHITECTURE.md sections 5 and 9), the ISO 8583 counterpart of the wallet's WalletHttpClient.
 * As the payee port it sends a 0200 and classifies the 0210 (or the silence); as the outbox transport of the
 * `iso8583` channel it delivers 0420 reversals and 0220 credit advices until the bank answers 00. The bank's
 * endpoint is read from the participants at send time, so an endpoint the operator changes is used at once.
 */
export class Iso8583BankGateway implements PayeeCreditPort, DeliveryTransport {
  private readonly options: Iso8583BankGatewayOptions;
  private readonly parties: OutboundParties;
  private readonly creditDeadlineMs: number;
  private readonly readyWaitMs: number;
  private readonly now: () => Date;
  private readonly logger: Iso8583Logger;
  private readonly channels: BankChannels;
  private readonly attempted = new RecentSet(iso8583GatewayDefaults.attemptedRememberedMax);
  private readonly counters: Iso8583BankGatewayStatistics = { creditRequestsSent: 0, creditRequestsInFlight: 0, deliveriesSent: 0 };

  constructor(options: Iso8583BankGatewayOptions) {
    this.options = options;
    this.parties = {
      switchInstitutionId: options.switchInstitutionId ?? iso8583GatewayDefaults.switchInstitutionId,
      terminalId: options.terminalId ?? iso8583GatewayDefaults.terminalId,
    };
    assert(/^[0-9]{1,11}$/.test(this.parties.switchInstitutionId), 'the switch institution id (DE32) is 1 to 11 digits');
    assert(/^[0-9A-Za-z]{8}$/.test(this.parties.terminalId), 'the switch terminal id (DE41) is 8 letters or digits');
    this.creditDeadlineMs = options.creditDeadlineMs ?? iso8583GatewayDefaults.creditDeadlineMs;
    checkDeadline(this.creditDeadlineMs);
    this.readyWaitMs = options.readyWaitMs ?? iso8583GatewayDefaults.readyWaitMs;
    checkDeadline(this.readyWaitMs);
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? silentLogger();
    this.channels = new BankChannels({
      switchInstitutionId: this.parties.switchInstitutionId,
      terminalId: this.parties.terminalId,
      channelsMax: options.channelsMax ?? iso8583GatewayDefaults.channelsMax,
      now: this.now,
      logger: this.logger,
      ...(options.client === undefined ? {} : { client: options.client }),
      ...(options.clientCertificate === undefined ? {} : { clientCertificate: options.clientCertificate }),
    });
  }

  async requestCredit(payeeParticipantId: string, message: PayeeCreditMessage, options: CreditRequestOptions = {}): Promise<CreditOutcome> {
    const deadlineMs = options.deadlineMs ?? this.creditDeadlineMs;
    checkDeadline(deadlineMs);
    const startedMs = performance.now();
    const endpoint = this.endpointOf(payeeParticipantId);
    if (endpoint === null)
      return { outcome: 'unavailable', detail: `NO_ENDPOINT: participant ${payeeParticipantId} has no usable ISO 8583 endpoint` };
    const original = await this.options.lookupTransfer(message.transferId);
    if (original === null) return { outcome: 'unavailable', detail: `UNKNOWN_TRANSFER: transfer ${message.transferId} is not recorded` };
    let request: Iso8583Message;
    try {
      request = creditRequestMessage(message, original, this.parties);
    } catch (error) {
      return { outcome: 'unavailable', detail: `INVALID_MESSAGE: ${(error as Error).message}` };
    }
    const client = this.channels.channelFor(endpoint);
    if (client === null)
      return { outcome: 'unavailable', detail: 'NO_CHANNEL: the switch is closing or holds its maximum of bank channels' };
    this.counters.creditRequestsSent += 1;
    this.counters.creditRequestsInFlight += 1;
    try {
      const remainingMs = Math.max(1, Math.floor(deadlineMs - (performance.now() - startedMs)));
      return creditOutcomeOf(await this.send(client, endpoint, request, remainingMs), deadlineMs);
    } finally {
      this.counters.creditRequestsInFlight -= 1;
    }
  }

  async deliver(delivery: Delivery, options: DeliveryAttemptOptions): Promise<DeliveryAttemptResult> {
    if (delivery.kind !== 'REVERSAL' && delivery.kind !== 'CREDIT_ADVICE') {
      return { outcome: 'failed', scope: 'delivery', detail: `UNSUPPORTED_KIND: the iso8583 channel does not deliver ${delivery.kind}` };
    }
    const payload = parseDeliveryPayload(delivery.payload);
    if (!payload.ok) return { outcome: 'failed', scope: 'delivery', detail: `INVALID_PAYLOAD: ${payload.problem}` };
    const endpoint = this.endpointOf(delivery.destination);
    if (endpoint === null)
      return {
        outcome: 'failed',
        scope: 'delivery',
        detail: `NO_ENDPOINT: participant ${delivery.destination} has no usable ISO 8583 endpoint`,
      };
    const client = this.channels.channelFor(endpoint);
    if (client === null)
      return { outcome: 'failed', scope: 'destination', detail: 'NO_CHANNEL: the switch is closing or holds its maximum of bank channels' };
    const built =
      payload.disputeId === null
        ? await this.transferMessage(delivery, payload.message, client)
        : await this.chargebackMessage(delivery, payload.message, payload.disputeId);
    if (!built.ok) return { outcome: 'failed', scope: 'delivery', detail: built.detail };
    this.attempted.add(delivery.deliveryId);
    this.counters.deliveriesSent += 1;
    return deliveryResultOf(await this.send(client, endpoint, built.message, options.deadlineMs));
  }

  /** The 0420 or 0220 of a transfer the switch recorded. */
  private async transferMessage(delivery: Delivery, message: PayeeCreditMessage, client: Iso8583Client): Promise<BuiltMessage> {
    const original = await this.options.lookupTransfer(message.transferId);
    if (original === null) return { ok: false, detail: `UNKNOWN_TRANSFER: transfer ${message.transferId} is not recorded` };
    const kind = delivery.kind === 'REVERSAL' ? 'REVERSAL' : 'CREDIT_ADVICE';
    try {
      return { ok: true, message: this.storeAndForwardMessage(kind, message, original, client, this.attempted.has(delivery.deliveryId)) };
    } catch (error) {
      return { ok: false, detail: `INVALID_MESSAGE: ${(error as Error).message}` };
    }
  }

  /**
   * The 0220 of a dispute's chargeback credit. Its transferId is the chargeback's ledger id, which has no transfer
   * stream: its identifiers come from the dispute's record of the chargeback, which must name that same id.
   */
  private async chargebackMessage(delivery: Delivery, message: PayeeCreditMessage, disputeId: string): Promise<BuiltMessage> {
    if (delivery.kind !== 'CREDIT_ADVICE')
      return { ok: false, detail: `UNSUPPORTED_KIND: a dispute's credit is a CREDIT_ADVICE, not ${delivery.kind}` };
    const chargeback = await this.options.lookupChargeback(disputeId);
    if (chargeback === null) return { ok: false, detail: `UNKNOWN_CHARGEBACK: dispute ${disputeId} has no chargeback recorded` };
    if (chargeback.chargebackTransferId !== message.transferId) {
      return {
        ok: false,
        detail: `INVALID_PAYLOAD: the credit names ${message.transferId}, dispute ${disputeId} charged back ${chargeback.chargebackTransferId}`,
      };
    }
    try {
      const repeat = this.attempted.has(delivery.deliveryId);
      return { ok: true, message: chargebackCreditMessage(message, { ...chargeback, disputeId }, this.parties, repeat) };
    } catch (error) {
      return { ok: false, detail: `INVALID_MESSAGE: ${(error as Error).message}` };
    }
  }

  statistics(): Iso8583BankGatewayStatistics {
    return { ...this.counters };
  }

  channelStates(): Record<string, Iso8583ClientState> {
    return this.channels.states();
  }

  /** Closes every bank channel; sends in flight settle as lost. */
  close(): Promise<void> {
    return this.channels.close();
  }

  private storeAndForwardMessage(
    kind: 'REVERSAL' | 'CREDIT_ADVICE',
    message: PayeeCreditMessage,
    original: OriginalTransfer,
    client: Iso8583Client,
    repeat: boolean,
  ): Iso8583Message {
    if (kind === 'CREDIT_ADVICE') return creditAdviceMessage(message, original, this.parties, repeat);
    const systemTraceAuditNumber = client.allocateStan(this.parties.terminalId, '0420');
    return reversalAdviceMessage(message, original, this.parties, { systemTraceAuditNumber, now: this.now(), repeat });
  }

  private endpointOf(participantId: string): BankEndpoint | null {
    const participant = this.options.participants.findParticipant(participantId);
    return participant === null ? null : bankEndpointOf(participant);
  }

  /**
   * Waits (briefly, within the deadline) for the bank's channel to be signed on, then exchanges. A derived DE11
   * may be held by another transfer's request still in flight on the channel; this one then waits for it to
   * settle rather than go out under a key whose answer could not be told apart.
   */
  private async send(client: Iso8583Client, endpoint: BankEndpoint, message: Iso8583Message, timeoutMs: number): Promise<ExchangeOutcome> {
    const deadlineAtMs = performance.now() + timeoutMs;
    if (!(await client.waitUntilReady(Math.min(timeoutMs, this.readyWaitMs)))) {
      return {
        kind: 'not_sent',
        reason: 'not_connected',
        detail: `no signed-on channel to ${endpoint.host}:${endpoint.port} within ${Math.min(timeoutMs, this.readyWaitMs)} ms`,
      };
    }
    for (;;) {
      const remainingMs = Math.floor(deadlineAtMs - performance.now());
      if (remainingMs < 1)
        return { kind: 'not_sent', reason: 'not_connected', detail: 'the deadline passed before the message could be sent' };
      const outcome = await client.exchange(message, { timeoutMs: remainingMs });
      if (outcome.kind !== 'not_sent' || outcome.reason !== 'duplicate_in_flight') return outcome;
      await new Promise((resolve) => setTimeout(resolve, iso8583GatewayDefaults.stanBusyPollMs));
    }
  }
}

function checkDeadline(deadlineMs: number): void {
  assert(
    Number.isSafeInteger(deadlineMs) && deadlineMs >= 1 && deadlineMs <= iso8583GatewayDefaults.creditDeadlineMsMax,
    `an ISO 8583 deadline is 1 to ${iso8583GatewayDefaults.creditDeadlineMsMax} ms, got ${deadlineMs}`,
  );
}
