import type { InboundAnswer, InboundContext, InboundFinancialHandler } from '../../../adapters/iso8583/inbound-financial-handler';
import type { InboundFinancialRequest, InboundReversalAdvice } from '../../../adapters/iso8583/mapping';
import { Iso8583Server } from '../../../adapters/iso8583/server';

export type Received =
  | { kind: 'request'; message: InboundFinancialRequest; context: InboundContext }
  | { kind: 'advice'; message: InboundFinancialRequest; context: InboundContext }
  | { kind: 'reversal'; message: InboundReversalAdvice; context: InboundContext };

/** How the host answers the next message of a kind: a DE39, after an optional delay. */
export type Answering = { responseCode: string; delayMs?: number };

/**
 * A bank host for tests that must see exactly what the switch sent: the real ISO 8583 server on loopback, its
 * financial messages recorded as parsed, and answered as the test says (00 unless told otherwise).
 */
export class RecordingBankHost implements InboundFinancialHandler {
  readonly received: Received[] = [];
  private readonly server: Iso8583Server;
  private readonly answering: Record<Received['kind'], Answering[]> = { request: [], advice: [], reversal: [] };
  private readonly timers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor() {
    this.server = new Iso8583Server({ port: 0, authorizeInstitution: (_peer, institutionId) => `switch-${institutionId}`, handler: this });
  }

  async start(): Promise<number> {
    this.port = (await this.server.listen()).port;
    return this.port;
  }

  /** Queues answers for the next messages of a kind; after them, 00. */
  answerNext(kind: Received['kind'], ...answers: Answering[]): void {
    this.answering[kind].push(...answers);
  }

  ofKind<Kind extends Received['kind']>(kind: Kind): Extract<Received, { kind: Kind }>[] {
    return this.received.filter((entry): entry is Extract<Received, { kind: Kind }> => entry.kind === kind);
  }

  transferRequest(message: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer> {
    this.received.push({ kind: 'request', message, context });
    return this.answer('request', message.transferId);
  }

  financialAdvice(message: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer> {
    this.received.push({ kind: 'advice', message, context });
    return this.answer('advice', message.transferId);
  }

  reversalAdvice(message: InboundReversalAdvice, context: InboundContext): Promise<InboundAnswer> {
    this.received.push({ kind: 'reversal', message, context });
    return this.answer('reversal', message.originalTransferId);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.server.close();
  }

  private answer(kind: Received['kind'], seed: string): Promise<InboundAnswer> {
    const next = this.answering[kind].shift() ?? { responseCode: '00' };
    const answer: InboundAnswer =
      next.responseCode === '00'
        ? { responseCode: '00', authorizationCode: seed.slice(0, 6).replace(/[^0-9A-Za-z]/g, '0') }
        : { responseCode: next.responseCode };
    if (next.delayMs === undefined) return Promise.resolve(answer);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(answer);
      }, next.delayMs);
      this.timers.add(timer);
    });
  }
}
