import { assertNever } from '../../core/assert';
import type { InboundAnswer, InboundContext, InboundFinancialHandler } from '../../adapters/iso8583/inbound-financial-handler';
import type { InboundFinancialRequest, InboundReversalAdvice } from '../../adapters/iso8583/mapping';
import { responseCodes } from '../../adapters/iso8583/mapping';
import { FaultMix } from '../fault-mix';
import type { BankHostLedger } from './bank-host-ledger';

/**
 * The faults of a bank host's fault mix (issue 14), drawn for each financial message the switch sends it:
 * - `slow`: waits `slowDelayMs` (past the switch's deadline), then processes and answers, too late;
 * - `decline`: answers a 0200 with 05 or 51 (in turn), crediting nothing; an advice or a reversal cannot be
 *   declined, so it is served normally;
 * - `drop`: closes the connection the message came on, without processing or answering it;
 * - `garbage`: answers with a frame that is not an ISO 8583 message, without processing;
 * - `systemError`: answers 96 (the bank's "5xx"), without processing.
 */
export const bankFaults = ['slow', 'decline', 'drop', 'garbage', 'systemError'] as const;
export type BankFault = (typeof bankFaults)[number];

export type BankFaultMixSetting = { shares: Readonly<Record<BankFault, number>>; seed: number; slowDelayMs: number };

/** What the faults need of the simulator: its connections and its cancellable pause. */
export type BankFaultPeer = {
  disconnect(connectionId: string): void;
  sendFrameBody(connectionId: string, body: Buffer): void;
  pause(delayMs: number): Promise<void>;
};

/** Starts with bytes no MTI has, so that the switch cannot take it for any message. */
const garbageFrameBody = Buffer.from('\u0000\u00ffGARBAGE: not an ISO 8583 message', 'latin1');
const declineCodes = [responseCodes.doNotHonour, responseCodes.insufficientFundsOrLimit] as const;

/** The bank host's handler with a fault mix in front of its ledger; without a mix it is the ledger. */
export class FaultyBankHandler implements InboundFinancialHandler {
  private faultMix: { mix: FaultMix<BankFault>; slowDelayMs: number } | null = null;
  private declinesAnswered = 0;

  constructor(
    private readonly ledger: BankHostLedger,
    private readonly peer: BankFaultPeer,
  ) {}

  /** Draws a fault for every financial message from now on; null heals the bank. */
  setFaultMix(setting: BankFaultMixSetting | null): void {
    this.faultMix = setting === null ? null : { mix: new FaultMix(setting.shares, setting.seed), slowDelayMs: setting.slowDelayMs };
  }

  faultCounts(): Record<string, number> {
    return this.faultMix?.mix.counts() ?? {};
  }

  transferRequest(request: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer | null> {
    return this.withFault(context, true, () => this.ledger.transferRequest(request, context));
  }

  financialAdvice(advice: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer | null> {
    return this.withFault(context, false, () => this.ledger.financialAdvice(advice, context));
  }

  reversalAdvice(advice: InboundReversalAdvice, context: InboundContext): Promise<InboundAnswer | null> {
    return this.withFault(context, false, () => this.ledger.reversalAdvice(advice, context));
  }

  private async withFault(
    context: InboundContext,
    mayDecline: boolean,
    serve: () => Promise<InboundAnswer | null>,
  ): Promise<InboundAnswer | null> {
    const faultMix = this.faultMix;
    const fault = faultMix?.mix.draw() ?? null;
    if (faultMix === null || fault === null) return serve();
    switch (fault) {
      case 'slow':
        await this.peer.pause(faultMix.slowDelayMs);
        return serve();
      case 'decline':
        if (!mayDecline) return serve();
        this.declinesAnswered += 1;
        return { responseCode: declineCodes[this.declinesAnswered % declineCodes.length] ?? responseCodes.doNotHonour };
      case 'drop':
        this.peer.disconnect(context.connectionId);
        return null;
      case 'garbage':
        this.peer.sendFrameBody(context.connectionId, garbageFrameBody);
        return null;
      case 'systemError':
        return { responseCode: responseCodes.systemError };
      default:
        return assertNever(fault);
    }
  }
}
