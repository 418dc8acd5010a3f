import { DomainError } from '../core/errors';
import type { AdviceOutboxes } from '../core/outbox/advice-intake';
import type { Delivery } from '../core/outbox/delivery';
import { isIso8583Endpoints } from '../core/participants/participant-profile';
import type { ParticipantReader, ParticipantRecord } from '../core/participants/participant-reader';
import type { CreditOutcome, CreditRequestOptions, PayeeCreditMessage, PayeeCreditPort } from '../core/payee-port';
import type { PayeeDeliveryQueue } from '../core/transfers/transfer-ports';

/** The two ways the switch reaches a payee's provider. */
export type PayeeChannel = 'wallet-http' | 'iso8583';

/** Banks with an ISO 8583 endpoint are reached over TCP; everyone else (wallets, modern banks) over signed HTTP. */
export function payeeChannelOf(participant: ParticipantRecord): PayeeChannel {
  return isIso8583Endpoints(participant.endpoints) ? 'iso8583' : 'wallet-http';
}

type ChannelMap<Value> = Readonly<Record<PayeeChannel, Value | null>>;

/** Sends a credit request through the channel that reaches the payee participant. */
export class PayeeCreditRouter implements PayeeCreditPort {
  constructor(
    private readonly participants: ParticipantReader,
    private readonly ports: ChannelMap<PayeeCreditPort>,
  ) {}

  async requestCredit(payeeParticipantId: string, message: PayeeCreditMessage, options?: CreditRequestOptions): Promise<CreditOutcome> {
    const participant = this.participants.findParticipant(payeeParticipantId);
    if (participant === null) return { outcome: 'unavailable', detail: `participant ${payeeParticipantId} is not registered` };
    const port = this.ports[payeeChannelOf(participant)];
    if (port === null) return { outcome: 'unavailable', detail: `the switch has no ${payeeChannelOf(participant)} channel running` };
    return port.requestCredit(payeeParticipantId, message, options);
  }
}

/** A channel's outbox, as far as routing needs it. */
export type ChannelOutbox = {
  enqueue(delivery: Delivery, context: { correlationId?: string }): Promise<unknown>;
  readonly pendingCount: number;
  readonly pendingLimit: number;
  nextFinished(): Promise<void>;
};

/**
 * The share of an outbox's pending limit kept from the advice intake, for the reversals that payments queue
 * themselves (a payee that timed out): the intake waits at nine tenths, so a payment never meets a full outbox.
 */
const reservedForPaymentsDivisor = 10;

/** Queues a reversal or an advice in the outbox of the channel that reaches the payee participant. */
export class PayeeDeliveryRouter implements PayeeDeliveryQueue, AdviceOutboxes {
  constructor(
    private readonly participants: ParticipantReader,
    private readonly outboxes: ChannelMap<ChannelOutbox>,
  ) {}

  async enqueue(payeeParticipantId: string, delivery: Delivery, context: { correlationId: string }): Promise<void> {
    await this.outboxOf(payeeParticipantId).enqueue(delivery, context);
  }

  roomFor(payeeParticipantId: string): number {
    const outbox = this.outboxOf(payeeParticipantId);
    const intakeLimit = outbox.pendingLimit - Math.ceil(outbox.pendingLimit / reservedForPaymentsDivisor);
    return intakeLimit - outbox.pendingCount;
  }

  nextFinishedFor(payeeParticipantId: string): Promise<void> {
    return this.outboxOf(payeeParticipantId).nextFinished();
  }

  private outboxOf(payeeParticipantId: string): ChannelOutbox {
    const participant = this.participants.findParticipant(payeeParticipantId);
    // Participants are never deleted, and a transfer only names registered ones.
    if (participant === null) throw new DomainError('PARTICIPANT_NOT_FOUND', `participant ${payeeParticipantId} is not registered`);
    const outbox = this.outboxes[payeeChannelOf(participant)];
    if (outbox === null) throw new DomainError('CHANNEL_UNAVAILABLE', `the switch has no ${payeeChannelOf(participant)} outbox running`);
    return outbox;
  }
}
