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
import type { OriginalIdentity, OriginalRecord, OriginalRequests } from './original-requests';

/** What the bridge needs of the transfer orchestration. */
export type InboundTransfers = Pick<TransferService, 'execute' | 'find' | 'reverseForPayer'>;

export type InboundTransferHandlerOptions = {
  transfers: InboundTransfers;
  /** Which transfer each original became, and reversals of originals never seen (durable). */
  originals: OriginalRequests;
  /**
   * Resolves once the read models show every write made so far; rejects when they do not within its bound. An
   * answer waits for it, so that whatever a bank was answered is what the next read (GET, list, statement) shows.
   */
  awaitReadModels?: () => Promise<void>;
  logger?: Iso8583Logger;
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
 * A 0420 finds its original by DE90 (MTI, STAN, DE7, acquirer), whatever DE37 it carries: each 0200 records,
 * durably, which transfer it became (`original-requests.ts`). Messages about one original are handled one at a
 * time: a 0420 that overtakes its own 0200 (sent on another connection, or while the 0200 is still being
 * executed) waits for it instead of finding nothing, and a 0200 arriving after a 0420 that found nothing is
 * declined (12), since the bank has given its customer the money back; that record survives a restart.
 *
 * Every answer waits (bounded) for the read models to show what it answers: read-your-writes across channels.
 */
export class InboundTransferHandler implements InboundFinancialHandler {
  private readonly transfers: InboundTransfers;
  private readonly logger: Iso8583Logger;
  private readonly originals: OriginalRequests;
  private readonly awaitReadModels: () => Promise<void>;
  private readonly perOriginal = new KeyedSerializer();

  constructor(options: InboundTransferHandlerOptions) {
    this.transfers = options.transfers;
    this.originals = options.originals;
    this.awaitReadModels = options.awaitReadModels ?? (async () => undefined);
    this.logger = options.logger ?? silentLogger();
  }

  transferRequest(request: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer | null> {
    const identity: OriginalIdentity = {
      acquirerInstitutionId: request.acquirerInstitutionId,
      mti: '0200',
      systemTraceAuditNumber: request.systemTraceAuditNumber,
      transmissionDateTime: request.transmissionDateTime,
    };
    return this.perOriginal.run(this.originals.streamOf(identity), async () => {
      const answer = await this.executeRequest(request, identity, context);
      if (answer !== null) await this.readModelsCaughtUp(request.transferId, '0210');
      return answer;
    });
  }

  private async executeRequest(
    request: InboundFinancialRequest,
    identity: OriginalIdentity,
    context: InboundContext,
  ): Promise<InboundAnswer | null> {
    const transferId = request.transferId;
    const original = await this.originals.read(identity);
    if (original.reversedBeforeRequest) {
      // 12, a final decline: the transaction was cancelled by its own reversal, and the bank refunded its customer.
      this.logger.warn({ transferId, institutionId: context.institutionId }, 'iso8583 0200 declined: its reversal arrived first');
      return { responseCode: responseCodes.invalidTransaction };
    }
    if (original.transferId !== null && original.transferId !== transferId) {
      // The same DE11 and DE7 from one acquirer with another DE37: a second message claiming the first's identity.
      this.logger.warn(
        { transferId, recordedTransferId: original.transferId, institutionId: context.institutionId },
        'iso8583 0200 declined: its DE11 and DE7 name another transfer',
      );
      return { responseCode: responseCodes.duplicateTransmission };
    }
    const transferRequest = this.transferRequestOf(request);
    if (transferRequest === null) return { responseCode: responseCodes.invalidAccount };
    if (original.transferId === null) {
      if (!this.originals.hasRoom(original)) {
        this.logger.error(
          { transferId, institutionId: context.institutionId },
          'iso8583 0200 refused: its DE90 identity has been used too often',
        );
        return { responseCode: responseCodes.systemError };
      }
      await this.originals.recordRequest(identity, original, {
        transferId,
        retrievalReferenceNumber: request.retrievalReferenceNumber,
        participantId: context.participantId,
      });
    }
    try {
      // The id derives from DE32 (the bank signed on with it), DE37, DE11 and DE7: unique across the switch already.
      const { view } = await this.transfers.execute(context.participantId, transferRequest, ISO8583_CHANNEL, 'switch');
      return view.state === 'IN_FLIGHT' ? null : answerForTransfer(view);
    } catch (error) {
      if (isDomainError(error) && isRefusalBeforeRecording(error.code)) {
        this.logger.info({ transferId: request.transferId, code: error.code, reason: error.message }, 'iso8583 transfer refused');
        return { responseCode: responseCodeForError(error.code) };
      }
      return this.answerFromRecord(transferId, context, error);
    }
  }

  /**
   * Waits for the read models to show every write so far. Past the bound the answer goes out all the same: the
   * effect is durable, and withholding an approval would have the bank reverse a transfer that went through.
   */
  private async readModelsCaughtUp(transferId: string, answer: string): Promise<boolean> {
    try {
      await this.awaitReadModels();
      return true;
    } catch (error) {
      this.logger.warn(
        { transferId, answer, err: error instanceof Error ? error.message : String(error) },
        'iso8583 answer sent before the read models caught up',
      );
      return false;
    }
  }

  /**
   * The transfer failed where it may already be recorded (after the ledger posted it, say, with the outbox full):
   * a bank takes any 0210 as final and refunds its customer on a decline, so the answer must agree with how the
   * transfer will end. Nothing recorded: 96, nothing will happen. Finished: its own answer. Recorded but not
   * finished (recovery or the sweeper finishes it) or unreadable: no answer, and the bank's timeout and 0420 take over.
   */
  private async answerFromRecord(transferId: string, context: InboundContext, error: unknown): Promise<InboundAnswer | null> {
    const failure = {
      transferId,
      code: isDomainError(error) ? error.code : undefined,
      err: error instanceof Error ? error.message : String(error),
    };
    let recorded: TransferView | null;
    try {
      recorded = await this.transfers.find(transferId);
    } catch (lookupError) {
      this.logger.error(
        { ...failure, lookupErr: lookupError instanceof Error ? lookupError.message : String(lookupError) },
        'iso8583 transfer failed and its record cannot be read; no answer sent',
      );
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
    this.logger.warn(
      { transferId: advice.transferId, institutionId: context.institutionId },
      'iso8583 0220 from a bank refused: send transfers as 0200',
    );
    return { responseCode: responseCodes.invalidTransaction };
  }

  reversalAdvice(advice: InboundReversalAdvice, context: InboundContext): Promise<InboundAnswer> {
    const identity: OriginalIdentity = {
      acquirerInstitutionId: advice.original.acquirerInstitutionId,
      mti: advice.original.mti,
      systemTraceAuditNumber: advice.original.systemTraceAuditNumber,
      transmissionDateTime: advice.original.transmissionDateTime,
    };
    return this.perOriginal.run(this.originals.streamOf(identity), async () => {
      // A transfer recorded before originals were (an older switch on this data dir) is found by the 0420's own DE37.
      let transferId = advice.originalTransferId;
      try {
        const original = await this.originals.read(identity);
        transferId = original.transferId ?? advice.originalTransferId;
        const existing = await this.transfers.find(transferId);
        if (existing === null) return await this.reversalOfUnseen(advice, identity, original, context);
        if (existing.payerParticipant !== context.participantId) return { responseCode: responseCodes.approved };
        if (existing.currency !== advice.currency || parseAmount(existing.amount, existing.currency) !== advice.amountMinor) {
          this.logger.warn(
            { transferId, amount: existing.amount, reversalAmount: formatAmount(advice.amountMinor, advice.currency) },
            'iso8583 0420 refused: a reversal undoes the whole amount',
          );
          return { responseCode: responseCodes.invalidAmount };
        }
        await this.transfers.reverseForPayer(transferId, context.participantId, BANK_REVERSAL_REASON);
        // A 0430 the read models do not show yet is not sent: the bank repeats (0421), which finds it reversed.
        if (!(await this.readModelsCaughtUp(transferId, '0430'))) return { responseCode: responseCodes.systemError };
        return { responseCode: responseCodes.approved };
      } catch (error) {
        if (!isDomainError(error)) throw error;
        if (error.code === 'TRANSFER_GIVEN_BACK') {
          // A final answer, not one to retry: a refund or chargeback gave money back, so the original cannot be
          // reversed in full; the bank keeps its customer's debit, and the rest comes back by refund or dispute.
          this.logger.warn({ transferId, reason: error.message }, 'iso8583 0420 refused: money went back from the original already');
          return { responseCode: responseCodes.invalidTransaction };
        }
        // Not 00: the bank repeats the 0420 (as 0421) until the switch can act on it.
        this.logger.error({ transferId, code: error.code, reason: error.message }, 'iso8583 0420 could not be applied yet');
        return { responseCode: responseCodes.systemError };
      }
    });
  }

  /**
   * A reversal of an original never seen (or seen and refused before it was recorded): answered 00 so that the bank
   * stops repeating, since there is nothing here to undo, once it is durably recorded that the original's late
   * 0200 must be declined. Past the bank's daily limit of such records: 96, and the bank repeats it.
   */
  private async reversalOfUnseen(
    advice: InboundReversalAdvice,
    identity: OriginalIdentity,
    original: OriginalRecord,
    context: InboundContext,
  ): Promise<InboundAnswer> {
    if (original.reversedBeforeRequest) return { responseCode: responseCodes.approved };
    const reversal = {
      participantId: context.participantId,
      retrievalReferenceNumber: advice.retrievalReferenceNumber,
      amountMinor: advice.amountMinor,
      currency: advice.currency,
    };
    const recorded = this.originals.hasRoom(original) && (await this.originals.recordReversalBeforeRequest(identity, original, reversal));
    if (!recorded) {
      this.logger.error(
        { institutionId: context.institutionId, original: advice.original },
        'iso8583 0420 of an unseen original not recorded: the bank’s limit of such records is reached; answered 96',
      );
      return { responseCode: responseCodes.systemError };
    }
    this.logger.info(
      { institutionId: context.institutionId, original: advice.original },
      'iso8583 0420 of an original never seen recorded; its late 0200 will be declined',
    );
    return { responseCode: responseCodes.approved };
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
