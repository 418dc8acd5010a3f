import { isDomainError } from '../../core/errors';
import { formatAmount, parseAmount } from '../../core/money';
import { KeyedSerializer } from '../../core/participants/keyed-serializer';
import type { TransferRequest } from '../../core/transfers/transfer-request';
import type { TransferService } from '../../core/transfers/transfer-service';
import type { TransferView } from '../../core/transfers/transfer-view';
import type { InboundAnswer, InboundContext, InboundFinancialHandler } from '../iso8583/inbound-financial-handler';
import { silentLogger, type Iso8583Logger } from '../iso8583/logger';
import { identifyPayee, responseCodes, type InboundFinancialRequest, type InboundReversalAdvice } from '../iso8583/mapping';
import { answerForTransfer, isRefusalBeforeRecording, responseCodeForError } from './inbound-answers';
import { RecentSet } from './recent-set';

/** What the bridge needs of the transfer orchestration. */
export type InboundTransfers = Pick<TransferService, 'execute' | 'find' | 'reverseForPayer'>;

export type InboundTransferHandlerOptions = {
  transfers: InboundTransfers;
  logger?: Iso8583Logger;
  /** Reversals of transfers never seen, remembered so that their late 0200 is refused. Default 100 000. */
  reversedUnseenMax?: number;
};

/** The channel recorded on transfers that banks send over ISO 8583. */
export const ISO8583_CHANNEL = 'iso8583';
/** Why a transfer was reversed, as its TransferReversed event says. */
export const BANK_REVERSAL_REASON = 'PAYER_REVERSED: 0420 from the payer bank';

/**
 * The bridge from the ISO 8583 server to the switch (issue 5): a bank's 0200 becomes a transfer executed like
 * `POST /v1/transfers` with the bank as payer, and its 0420 reverses one. The transfer id derives from DE32 +
 * DE37 + DE11 + DE7, so a repeated 0200 replays the recorded transfer and gets the first answer.
 *
 * Messages about one transfer are handled one at a time: a 0420 that overtakes its own 0200 (sent on another
 * connection, or while the 0200 is still being executed) waits for it instead of finding nothing, and a 0200
 * arriving after a 0420 that found nothing is refused (05), since the bank has given its customer the money
 * back. That memory is bounded and lives in this process; the bank's own timeout keeps such late requests rare.
 */
export class InboundTransferHandler implements InboundFinancialHandler {
  private readonly transfers: InboundTransfers;
  private readonly logger: Iso8583Logger;
  private readonly perTransfer = new KeyedSerializer();
  private readonly reversedUnseen: RecentSet;

  constructor(options: InboundTransferHandlerOptions) {
    this.transfers = options.transfers;
    this.logger = options.logger ?? silentLogger();
    this.reversedUnseen = new RecentSet(options.reversedUnseenMax ?? 100_000);
  }

  transferRequest(request: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer | null> {
    return this.perTransfer.run(request.transferId, async () => {
      if (this.reversedUnseen.has(request.transferId)) {
        this.logger.warn({ transferId: request.transferId, institutionId: context.institutionId }, 'iso8583 0200 refused: its reversal arrived first');
        return { responseCode: responseCodes.doNotHonour };
      }
      const transferRequest = this.transferRequestOf(request);
      if (transferRequest === null) return { responseCode: responseCodes.invalidAccount };
      try {
        // The id derives from DE32 (the bank signed on with it), DE37, DE11 and DE7: unique across the switch already.
        const { view } = await this.transfers.execute(context.participantId, transferRequest, ISO8583_CHANNEL, 'switch');
        return view.state === 'IN_FLIGHT' ? null : answerForTransfer(view);
      } catch (error) {
        if (isDomainError(error) && isRefusalBeforeRecording(error.code)) {
          this.logger.info({ transferId: request.transferId, code: error.code, reason: error.message }, 'iso8583 transfer refused');
          return { responseCode: responseCodeForError(error.code) };
        }
        return this.answerFromRecord(request.transferId, context, error);
      }
    });
  }

  /**
   * The transfer failed where it may already be recorded (after the ledger posted it, say, with the outbox full):
   * a bank takes any 0210 as final and refunds its customer on a decline, so the answer must agree with how the
   * transfer will end. Nothing recorded: 96, nothing will happen. Finished: its own answer. Recorded but not
   * finished (recovery or the sweeper finishes it) or unreadable: no answer, and the bank's timeout and 0420 take over.
   */
  private async answerFromRecord(transferId: string, context: InboundContext, error: unknown): Promise<InboundAnswer | null> {
    const failure = { transferId, code: isDomainError(error) ? error.code : undefined, err: error instanceof Error ? error.message : String(error) };
    let recorded: TransferView | null;
    try {
      recorded = await this.transfers.find(transferId);
    } catch (lookupError) {
      this.logger.error({ ...failure, lookupErr: lookupError instanceof Error ? lookupError.message : String(lookupError) }, 'iso8583 transfer failed and its record cannot be read; no answer sent');
      return null;
    }
    if (recorded === null || recorded.payerParticipant !== context.participantId) {
      this.logger.error(failure, 'iso8583 transfer failed before it was recorded; answering 96');
      return { responseCode: responseCodes.systemError };
    }
    if (recorded.state === 'IN_FLIGHT') {
      this.logger.error(failure, 'iso8583 transfer failed after it was recorded and will be finished later; no answer sent');
      return null;
    }
    return answerForTransfer(recorded);
  }

  /** The switch takes a bank's transfers as 0200 requests it can decline; an advice of one already done is not one. */
  async financialAdvice(advice: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer> {
    this.logger.warn({ transferId: advice.transferId, institutionId: context.institutionId }, 'iso8583 0220 from a bank refused: send transfers as 0200');
    return { responseCode: responseCodes.invalidTransaction };
  }

  reversalAdvice(advice: InboundReversalAdvice, context: InboundContext): Promise<InboundAnswer> {
    const transferId = advice.originalTransferId;
    return this.perTransfer.run(transferId, async () => {
      try {
        const existing = await this.transfers.find(transferId);
        if (existing === null) {
          // Answered 00 all the same, so the bank stops repeating: there is nothing here to undo.
          this.reversedUnseen.add(transferId);
          return { responseCode: responseCodes.approved };
        }
        if (existing.payerParticipant !== context.participantId) return { responseCode: responseCodes.approved };
        if (existing.currency !== advice.currency || parseAmount(existing.amount, existing.currency) !== advice.amountMinor) {
          this.logger.warn({ transferId, amount: existing.amount, reversalAmount: formatAmount(advice.amountMinor, advice.currency) }, 'iso8583 0420 refused: a reversal undoes the whole amount');
          return { responseCode: responseCodes.invalidAmount };
        }
        await this.transfers.reverseForPayer(transferId, context.participantId, BANK_REVERSAL_REASON);
        return { responseCode: responseCodes.approved };
      } catch (error) {
        if (!isDomainError(error)) throw error;
        // Not 00: the bank repeats the 0420 (as 0421) until the switch can act on it.
        this.logger.error({ transferId, code: error.code, reason: error.message }, 'iso8583 0420 could not be applied yet');
        return { responseCode: responseCodes.systemError };
      }
    });
  }

  /** Null when DE103 is neither an IBAN nor an MSISDN alias. */
  private transferRequestOf(request: InboundFinancialRequest): TransferRequest | null {
    const payee = identifyPayee(request.payeeAccount);
    if (payee === null) return null;
    const payerIban = identifyPayee(request.payerAccount);
    return {
      id: request.transferId,
      payer: { type: payerIban?.type === 'IBAN' ? 'IBAN' : 'ACCOUNT', value: request.payerAccount },
      payee: { type: payee.type, value: payee.value },
      amount: formatAmount(request.amountMinor, request.currency),
      currency: request.currency,
      purpose: 'P2P',
    };
  }
}
