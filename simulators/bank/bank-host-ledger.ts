import type { InboundAnswer, InboundContext, InboundFinancialHandler } from '../../adapters/iso8583/inbound-financial-handler';
import {
  authorizationCodeFor,
  CHARGEBACK_CREDIT_PROCESSING_CODE,
  responseCodes,
  type InboundFinancialRequest,
  type InboundReversalAdvice,
} from '../../adapters/iso8583/mapping';
import type { BankAccounts } from './bank-accounts';
import type { BankHostBehaviour } from './bank-host-behaviour';

/**
 * The simulated bank host's side of financial messages sent to it (by the switch, paying into the bank):
 * 0200 credits a customer account or declines, 0220 applies a credit the switch has already completed, and
 * 0420 undoes a credit once. Every message is keyed by the transfer id derived from DE32 + DE37 + DE11 + DE7,
 * so a repeat gets the first answer and never a second credit or a second reversal. A 0220 with DE3 200000 is a
 * dispute's chargeback credit to the customer who paid, booked once per dispute (DE48) as well.
 */

/** A dispute's chargeback credit as this bank booked it. */
export type BookedChargebackCredit = { readonly disputeId: string; readonly account: string; readonly amountMinor: bigint };

type TransferRecord = {
  /** What the request asked for; a repeat that asks for something else is a different request under a reused key (94). */
  readonly fingerprint: string;
  readonly answer: InboundAnswer;
  readonly account: string;
  readonly amountMinor: bigint;
  readonly credited: boolean;
  reversed: boolean;
};

export type BankHostLedgerStatistics = {
  creditsApplied: number;
  requestsDeclined: number;
  repeatsAnswered: number;
  reversalsApplied: number;
  reversalsOfUnknownTransfers: number;
  /** Every 0220/0221 that arrived, repeats included. */
  advicesReceived: number;
  chargebackCreditsApplied: number;
};

const disputeIdPattern = /^dp_[0-9a-f]{24}$/;

/** Oldest records are forgotten beyond this many: the simulator is long-running in the demo. */
const TRANSFER_RECORDS_MAX = 100_000;

export class BankHostLedger implements InboundFinancialHandler {
  private readonly accounts: BankAccounts;
  private readonly behaviour: () => BankHostBehaviour;
  private readonly pause: (delayMs: number) => Promise<void>;
  private readonly transfers = new Map<string, TransferRecord>();
  /** Reversals that arrived before (or instead of) their original: the original, if it comes late, is refused. */
  private readonly reversedBeforeSeen = new Set<string>();
  /** Chargeback credits by dispute id: a bank keys a dispute's money by the dispute, whatever message carries it. */
  private readonly chargebackCredits = new Map<string, BookedChargebackCredit>();
  private readonly counters: BankHostLedgerStatistics = {
    creditsApplied: 0,
    requestsDeclined: 0,
    repeatsAnswered: 0,
    reversalsApplied: 0,
    reversalsOfUnknownTransfers: 0,
    advicesReceived: 0,
    chargebackCreditsApplied: 0,
  };

  constructor(accounts: BankAccounts, behaviour: () => BankHostBehaviour, pause: (delayMs: number) => Promise<void>) {
    this.accounts = accounts;
    this.behaviour = behaviour;
    this.pause = pause;
  }

  statistics(): BankHostLedgerStatistics {
    return { ...this.counters };
  }

  async transferRequest(request: InboundFinancialRequest, _context: InboundContext): Promise<InboundAnswer> {
    await this.pause(this.behaviour().delayMs);
    return this.credit(request, { mayDecline: true });
  }

  /** The chargeback credits booked, oldest first. */
  bookedChargebackCredits(): BookedChargebackCredit[] {
    return [...this.chargebackCredits.values()];
  }

  async financialAdvice(advice: InboundFinancialRequest, _context: InboundContext): Promise<InboundAnswer> {
    this.counters.advicesReceived += 1;
    await this.pause(this.behaviour().delayMs);
    if (advice.processingCode === CHARGEBACK_CREDIT_PROCESSING_CODE) return this.chargebackCredit(advice);
    // An advice reports a transfer already completed at the switch: it is applied, not approved or declined.
    return this.credit(advice, { mayDecline: false });
  }

  /**
   * A chargeback credit names its dispute in DE48; without one it cannot be booked (12). A dispute already booked
   * (under any message identity) is acknowledged without a second credit.
   */
  private chargebackCredit(advice: InboundFinancialRequest): InboundAnswer {
    const disputeId = advice.additionalData ?? '';
    if (!disputeIdPattern.test(disputeId)) return { responseCode: responseCodes.invalidTransaction };
    const booked = this.chargebackCredits.get(disputeId);
    if (booked !== undefined) {
      this.counters.repeatsAnswered += 1;
      const same = booked.account === advice.payeeAccount && booked.amountMinor === advice.amountMinor;
      return { responseCode: same ? responseCodes.approved : responseCodes.duplicateTransmission };
    }
    const answer = this.credit(advice, { mayDecline: false });
    if (answer.responseCode === responseCodes.approved && !this.chargebackCredits.has(disputeId)) {
      this.chargebackCredits.set(disputeId, { disputeId, account: advice.payeeAccount, amountMinor: advice.amountMinor });
      this.counters.chargebackCreditsApplied += 1;
      this.forgetOldest();
    }
    return answer;
  }

  async reversalAdvice(advice: InboundReversalAdvice, _context: InboundContext): Promise<InboundAnswer> {
    await this.pause(this.behaviour().delayMs);
    const record = this.transfers.get(advice.originalTransferId);
    if (record === undefined) {
      this.counters.reversalsOfUnknownTransfers += 1;
      this.reversedBeforeSeen.add(advice.originalTransferId);
      this.forgetOldest();
      return { responseCode: responseCodes.approved };
    }
    if (record.credited && !record.reversed) {
      this.accounts.reverseCredit(record.account, record.amountMinor);
      this.counters.reversalsApplied += 1;
    }
    record.reversed = true;
    return { responseCode: responseCodes.approved };
  }

  private credit(request: InboundFinancialRequest, options: { mayDecline: boolean }): InboundAnswer {
    const fingerprint = `${request.payeeAccount}|${request.amountMinor}|${request.currency}|${request.payerAccount}`;
    const existing = this.transfers.get(request.transferId);
    if (existing !== undefined) {
      this.counters.repeatsAnswered += 1;
      return existing.fingerprint === fingerprint ? existing.answer : { responseCode: responseCodes.duplicateTransmission };
    }
    const answer = this.decide(request, options);
    const credited = answer.responseCode === responseCodes.approved;
    if (credited) {
      this.accounts.credit(request.payeeAccount, request.amountMinor);
      this.counters.creditsApplied += 1;
    } else {
      this.counters.requestsDeclined += 1;
    }
    this.transfers.set(request.transferId, {
      fingerprint,
      answer,
      account: request.payeeAccount,
      amountMinor: request.amountMinor,
      credited,
      reversed: false,
    });
    this.forgetOldest();
    return answer;
  }

  private decide(request: InboundFinancialRequest, options: { mayDecline: boolean }): InboundAnswer {
    if (this.reversedBeforeSeen.has(request.transferId)) return { responseCode: responseCodes.doNotHonour };
    if (!this.accounts.has(request.payeeAccount)) return { responseCode: responseCodes.invalidAccount };
    if (options.mayDecline && this.behaviour().decline) return { responseCode: responseCodes.doNotHonour };
    return { responseCode: responseCodes.approved, authorizationCode: authorizationCodeFor(request.transferId) };
  }

  private forgetOldest(): void {
    for (const collection of [this.transfers, this.reversedBeforeSeen, this.chargebackCredits]) {
      while (collection.size > TRANSFER_RECORDS_MAX) {
        const oldest = collection.keys().next();
        if (oldest.done === true) break;
        collection.delete(oldest.value);
      }
    }
  }
}
