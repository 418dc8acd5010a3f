import { isCurrencyCode, parseAmount } from '../../core/money';
import type { PayeeCreditMessage } from '../../core/payee-port';
import { matchesContentType } from '../iso8583/field-specification';
import {
  buildFinancialAdvice,
  buildReversalAdvice,
  buildTransferRequest,
  CHARGEBACK_CREDIT_PROCESSING_CODE,
  FUNDS_TRANSFER_PROCESSING_CODE,
  transmissionDateTimeField,
  type FinancialRequest,
} from '../iso8583/mapping';
import type { Iso8583Message } from '../iso8583/message';
import type { OriginalChargeback } from './original-chargeback';
import type { OriginalTransfer } from './original-transfer';
import { outboundIdentifiers } from './outbound-identifiers';

/**
 * The messages the switch sends a payee bank for a transfer (docs/ARCHITECTURE.md section 9): the 0200 credit request,
 * the 0220 credit advice and the 0420 reversal advice naming either in DE90. Builders throw (a DomainError
 * from core/money.ts or an Iso8583MessageError) when the transfer's values do not fit the profile; nothing is
 * sent then.
 */
export type OutboundParties = {
  /** The switch's DE32. */
  readonly switchInstitutionId: string;
  /** The switch's DE41. */
  readonly terminalId: string;
};

/** DE102/DE103 are ans up to 28 characters. */
const ACCOUNT_FIELD_LENGTH_MAX = 28;

function fitsAccountField(value: string): boolean {
  return value.length >= 1 && value.length <= ACCOUNT_FIELD_LENGTH_MAX && matchesContentType('ans', value);
}

/**
 * DE102: the payer's account as the payer named it (an IBAN, a wallet number, an MSISDN), or, when that cannot
 * travel in the field, the payer participant's id, so the bank still sees where the money comes from.
 */
export function payerAccountField(original: OriginalTransfer, message: PayeeCreditMessage): string {
  return fitsAccountField(original.payerAccount) ? original.payerAccount : message.payer.participant;
}

function financialRequest(message: PayeeCreditMessage, original: OriginalTransfer, parties: OutboundParties): FinancialRequest {
  const identifiers = outboundIdentifiers(message.transferId, original.createdAt);
  if (!isCurrencyCode(message.currency))
    throw new RangeError(`currency ${message.currency} has no ISO 4217 numeric code in the switch's table`);
  return {
    systemTraceAuditNumber: identifiers.systemTraceAuditNumber,
    transmissionDateTime: identifiers.transmissionDateTime,
    localTime: identifiers.localTime,
    localDate: identifiers.localDate,
    acquirerInstitutionId: parties.switchInstitutionId,
    retrievalReferenceNumber: identifiers.retrievalReferenceNumber,
    terminalId: parties.terminalId,
    processingCode: FUNDS_TRANSFER_PROCESSING_CODE,
    amountMinor: parseAmount(message.amount, message.currency),
    currency: message.currency,
    payerAccount: payerAccountField(original, message),
    payeeAccount: message.payee.value,
  };
}

/** The 0200 asking the payee bank to credit its customer. */
export function creditRequestMessage(message: PayeeCreditMessage, original: OriginalTransfer, parties: OutboundParties): Iso8583Message {
  return buildTransferRequest(financialRequest(message, original, parties));
}

/** The 0220 (0221 when repeated) telling a bank in ADVICE mode of a credit the switch has committed. */
export function creditAdviceMessage(
  message: PayeeCreditMessage,
  original: OriginalTransfer,
  parties: OutboundParties,
  repeat: boolean,
): Iso8583Message {
  return buildFinancialAdvice(financialRequest(message, original, parties), { repeat });
}

/**
 * The 0220 (0221 when repeated) crediting a bank's customer with a dispute's chargeback: DE3 200000 (a returns
 * credit), DE4/DE49 the chargeback's amount, DE102 the respondent participant (whose position paid it), DE103 the
 * original payer's account, DE48 the dispute id. DE11, DE37 and DE7/12/13 derive from the chargeback's id and its
 * posting time as a transfer's do, so every repeat, also after a restart, names the same credit.
 */
export function chargebackCreditMessage(
  message: PayeeCreditMessage,
  chargeback: OriginalChargeback & { disputeId: string },
  parties: OutboundParties,
  repeat: boolean,
): Iso8583Message {
  const identifiers = outboundIdentifiers(chargeback.chargebackTransferId, chargeback.postedAt);
  if (!isCurrencyCode(message.currency))
    throw new RangeError(`currency ${message.currency} has no ISO 4217 numeric code in the switch's table`);
  const request: FinancialRequest = {
    systemTraceAuditNumber: identifiers.systemTraceAuditNumber,
    transmissionDateTime: identifiers.transmissionDateTime,
    localTime: identifiers.localTime,
    localDate: identifiers.localDate,
    acquirerInstitutionId: parties.switchInstitutionId,
    retrievalReferenceNumber: identifiers.retrievalReferenceNumber,
    terminalId: parties.terminalId,
    processingCode: CHARGEBACK_CREDIT_PROCESSING_CODE,
    amountMinor: parseAmount(message.amount, message.currency),
    currency: message.currency,
    payerAccount: message.payer.participant,
    payeeAccount: message.payee.value,
    additionalData: chargeback.disputeId,
  };
  return buildFinancialAdvice(request, { repeat });
}

/**
 * The 0420 (0421 when repeated) undoing what the original 0200 or 0220 may have done. It carries the original's
 * DE37 and names it in DE90, which is how the bank finds it; its own DE11 and DE7 are this message's.
 */
export function reversalAdviceMessage(
  message: PayeeCreditMessage,
  original: OriginalTransfer,
  parties: OutboundParties,
  own: { systemTraceAuditNumber: string; now: Date; repeat: boolean },
): Iso8583Message {
  const request = financialRequest(message, original, parties);
  return buildReversalAdvice(
    {
      systemTraceAuditNumber: own.systemTraceAuditNumber,
      transmissionDateTime: transmissionDateTimeField(own.now),
      acquirerInstitutionId: parties.switchInstitutionId,
      retrievalReferenceNumber: request.retrievalReferenceNumber,
      terminalId: parties.terminalId,
      processingCode: request.processingCode,
      amountMinor: request.amountMinor,
      currency: request.currency,
      original: {
        mti: original.creditMode === 'ADVICE' ? '0220' : '0200',
        systemTraceAuditNumber: request.systemTraceAuditNumber,
        transmissionDateTime: request.transmissionDateTime,
        acquirerInstitutionId: parties.switchInstitutionId,
        forwardingInstitutionId: null,
      },
      payerAccount: request.payerAccount,
      payeeAccount: request.payeeAccount,
    },
    { repeat: own.repeat },
  );
}
