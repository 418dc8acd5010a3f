import { createHash } from 'node:crypto';
import { missingMandatoryFields } from './mandatory-fields';
import type { Iso8583Message } from './message';
import {
  amountField,
  amountMinorFromField,
  amountMinorMaxFor,
  currencyField,
  currencyFromField,
  type Iso8583Currency,
} from './money-fields';
import {
  originalDataElementsField,
  originalDataElementsFromField,
  sameInstitution,
  type OriginalDataElements,
} from './original-data-elements';
import { checkMessage } from './packager';
import { responseCodes, type ResponseCode } from './response-codes';
import { transferIdFor } from './transfer-id';

/**
 * Financial messages as plain typed objects and back: 0200 transfer request, 0220 advice, 0420 reversal
 * advice and their responses. Builders throw on a value that does not fit the profile (a programming or
 * configuration error at the caller); parsers never throw and say which DE39 a bad message deserves.
 */

/** DE3 for a funds transfer: transaction type 40, default account types. */
export const FUNDS_TRANSFER_PROCESSING_CODE = '400000';
const fundsTransferProcessingCode = /^40[0-9]{4}$/;
/**
 * DE3 of a chargeback credit (transaction type 20, returns: a credit to the cardholder's account, default account
 * types). A bank tells it from a funds-transfer advice by this code: the money returns to its own customer, the
 * payer of a disputed transfer, and DE48 names the dispute. Only an advice (0220/0221) may carry it.
 */
export const CHARGEBACK_CREDIT_PROCESSING_CODE = '200000';
const returnsProcessingCode = /^20[0-9]{4}$/;

export type MessageIdentifiers = {
  /** DE11 */
  readonly systemTraceAuditNumber: string;
  /** DE7, MMDDhhmmss UTC */
  readonly transmissionDateTime: string;
  /** DE32 */
  readonly acquirerInstitutionId: string;
  /** DE37 */
  readonly retrievalReferenceNumber: string;
  /** DE41 */
  readonly terminalId: string;
  /** DE42 */
  readonly cardAcceptorId?: string | undefined;
};

/** A 0200 transfer request or a 0220 advice of one: the same fields. */
export type FinancialRequest = MessageIdentifiers & {
  /** DE3, 40xxxx */
  readonly processingCode: string;
  /** DE4 */
  readonly amountMinor: bigint;
  /** DE49 */
  readonly currency: Iso8583Currency;
  /** DE12 hhmmss */
  readonly localTime: string;
  /** DE13 MMDD */
  readonly localDate: string;
  /** DE102 */
  readonly payerAccount: string;
  /** DE103: an account number, IBAN or MSISDN alias. */
  readonly payeeAccount: string;
  /** DE48, private data: the dispute id on a chargeback credit; absent on a funds transfer. */
  readonly additionalData?: string | undefined;
};

export type InboundFinancialRequest = FinancialRequest & {
  /** Derived from DE32 + DE37 + DE11 + DE7: a repeated request carries the same id. */
  readonly transferId: string;
};

export type ReversalAdvice = MessageIdentifiers & {
  readonly processingCode: string;
  /** DE4: the amount being reversed, the original's in full. */
  readonly amountMinor: bigint;
  readonly currency: Iso8583Currency;
  /** DE90 */
  readonly original: OriginalDataElements;
  readonly payerAccount?: string | undefined;
  readonly payeeAccount?: string | undefined;
};

export type InboundReversalAdvice = ReversalAdvice & {
  /** The id of the transfer being reversed, derived like the original request's. */
  readonly originalTransferId: string;
  /** True for a 0421, a repeat of a reversal the sender got no answer to. */
  readonly repeat: boolean;
};

export type FinancialResponse = {
  readonly mti: string;
  /** DE39, as sent: a bank host may use codes outside the profile. */
  readonly responseCode: string;
  /** DE38 */
  readonly authorizationCode: string | null;
  readonly systemTraceAuditNumber: string;
  readonly terminalId: string | null;
  readonly retrievalReferenceNumber: string | null;
  readonly acquirerInstitutionId: string | null;
};

export type MappingResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly responseCode: ResponseCode; readonly reason: string };

function identifierFields(identifiers: MessageIdentifiers): Record<number, string> {
  const fields: Record<number, string> = {
    7: identifiers.transmissionDateTime,
    11: identifiers.systemTraceAuditNumber,
    32: identifiers.acquirerInstitutionId,
    37: identifiers.retrievalReferenceNumber,
    41: identifiers.terminalId,
  };
  if (identifiers.cardAcceptorId !== undefined) fields[42] = identifiers.cardAcceptorId;
  return fields;
}

function buildFinancialRequestMessage(mti: string, request: FinancialRequest): Iso8583Message {
  const fields: Record<number, string> = {
    ...identifierFields(request),
    3: request.processingCode,
    4: amountField(request.amountMinor),
    12: request.localTime,
    13: request.localDate,
    49: currencyField(request.currency),
    102: request.payerAccount,
    103: request.payeeAccount,
  };
  if (request.additionalData !== undefined) fields[48] = request.additionalData;
  const message: Iso8583Message = { mti, fields };
  checkMessage(message);
  return message;
}

export function buildTransferRequest(request: FinancialRequest): Iso8583Message {
  return buildFinancialRequestMessage('0200', request);
}

/** A 0220 advice: the switch tells a bank in ADVICE mode about a completed credit; 0221 when repeated. */
export function buildFinancialAdvice(request: FinancialRequest, options: { repeat: boolean } = { repeat: false }): Iso8583Message {
  return buildFinancialRequestMessage(options.repeat ? '0221' : '0220', request);
}

/** A 0420 reversal advice, 0421 when repeated because the first one got no answer. */
export function buildReversalAdvice(advice: ReversalAdvice, options: { repeat: boolean } = { repeat: false }): Iso8583Message {
  const fields: Record<number, string> = {
    ...identifierFields(advice),
    3: advice.processingCode,
    4: amountField(advice.amountMinor),
    49: currencyField(advice.currency),
    90: originalDataElementsField(advice.original),
  };
  if (advice.payerAccount !== undefined) fields[102] = advice.payerAccount;
  if (advice.payeeAccount !== undefined) fields[103] = advice.payeeAccount;
  const message: Iso8583Message = { mti: options.repeat ? '0421' : '0420', fields };
  checkMessage(message);
  return message;
}

/** The original data elements (DE90) that a reversal of this request must carry. */
export function originalDataElementsOf(request: Iso8583Message): OriginalDataElements {
  return {
    mti: request.mti,
    systemTraceAuditNumber: request.fields[11] ?? '',
    transmissionDateTime: request.fields[7] ?? '',
    acquirerInstitutionId: request.fields[32] ?? '',
    forwardingInstitutionId: null,
  };
}

function reject<T>(responseCode: ResponseCode, reason: string): MappingResult<T> {
  return { ok: false, responseCode, reason };
}

function missingFieldsReason(missing: readonly number[]): string {
  return `mandatory field${missing.length === 1 ? '' : 's'} ${missing.join(', ')} missing`;
}

/** Amount and currency checks shared by requests, advices and reversals. */
function parseMoney(message: Iso8583Message): MappingResult<{ amountMinor: bigint; currency: Iso8583Currency }> {
  const amountMinor = amountMinorFromField(message.fields[4]);
  if (amountMinor === null) return reject(responseCodes.formatError, 'DE4 must be twelve digits');
  if (amountMinor === 0n) return reject(responseCodes.invalidAmount, 'DE4 must be more than zero');
  const currency = currencyFromField(message.fields[49]);
  if (currency === null)
    return reject(responseCodes.invalidAmount, `DE49 currency ${message.fields[49] ?? ''} is not one the switch supports`);
  if (amountMinor > amountMinorMaxFor(currency))
    return reject(responseCodes.invalidAmount, `DE4 exceeds the largest single ${currency} amount the switch takes`);
  return { ok: true, value: { amountMinor, currency } };
}

function identifiersOf(message: Iso8583Message): MessageIdentifiers {
  return {
    systemTraceAuditNumber: message.fields[11] ?? '',
    transmissionDateTime: message.fields[7] ?? '',
    acquirerInstitutionId: message.fields[32] ?? '',
    retrievalReferenceNumber: message.fields[37] ?? '',
    terminalId: message.fields[41] ?? '',
    cardAcceptorId: message.fields[42],
  };
}

/**
 * A 0200 request or a 0220/0221 advice. `enabledCurrencies`: the currencies the switch runs a ledger for
 * (HISAAB_CURRENCIES); a DE49 outside them is refused with 13 like an unknown one. Null: any in the table.
 */
export function parseFinancialRequest(
  message: Iso8583Message,
  enabledCurrencies: ReadonlySet<string> | null = null,
): MappingResult<InboundFinancialRequest> {
  const missing = missingMandatoryFields(message);
  if (missing.length > 0) return reject(responseCodes.formatError, missingFieldsReason(missing));
  const processingCode = message.fields[3] ?? '';
  // A request (0200) is a funds transfer; an advice may also return money to a customer (a chargeback credit).
  const advice = message.mti !== '0200';
  if (!fundsTransferProcessingCode.test(processingCode) && !(advice && returnsProcessingCode.test(processingCode))) {
    const expected = advice ? 'a funds transfer (40xxxx) or a returns credit (20xxxx)' : 'a funds transfer (40xxxx)';
    return reject(responseCodes.invalidTransaction, `DE3 ${processingCode} is not ${expected}`);
  }
  const money = parseMoney(message);
  if (!money.ok) return money;
  if (enabledCurrencies !== null && !enabledCurrencies.has(money.value.currency)) {
    return reject(
      responseCodes.invalidAmount,
      `DE49 currency ${message.fields[49] ?? ''} (${money.value.currency}) is not enabled on this switch`,
    );
  }
  const identifiers = identifiersOf(message);
  return {
    ok: true,
    value: {
      ...identifiers,
      ...money.value,
      processingCode,
      localTime: message.fields[12] ?? '',
      localDate: message.fields[13] ?? '',
      payerAccount: message.fields[102] ?? '',
      payeeAccount: message.fields[103] ?? '',
      additionalData: message.fields[48],
      transferId: transferIdFor(identifiers),
    },
  };
}

export function parseReversalAdvice(message: Iso8583Message): MappingResult<InboundReversalAdvice> {
  const missing = missingMandatoryFields(message);
  if (missing.length > 0) return reject(responseCodes.formatError, missingFieldsReason(missing));
  const original = originalDataElementsFromField(message.fields[90]);
  if (original === null) return reject(responseCodes.formatError, 'DE90 must be 42 digits of original data elements');
  if (original.mti !== '0200' && original.mti !== '0220')
    return reject(responseCodes.invalidTransaction, `a reversal names a 0200 or 0220, not ${original.mti}`);
  const identifiers = identifiersOf(message);
  if (!sameInstitution(original.acquirerInstitutionId, identifiers.acquirerInstitutionId)) {
    return reject(responseCodes.doNotHonour, 'DE90 names another acquirer: an institution reverses only its own transfers');
  }
  const money = parseMoney(message);
  if (!money.ok) return money;
  return {
    ok: true,
    value: {
      ...identifiers,
      ...money.value,
      processingCode: message.fields[3] ?? '',
      original,
      payerAccount: message.fields[102],
      payeeAccount: message.fields[103],
      repeat: message.mti === '0421',
      originalTransferId: transferIdFor({
        acquirerInstitutionId: identifiers.acquirerInstitutionId,
        retrievalReferenceNumber: identifiers.retrievalReferenceNumber,
        systemTraceAuditNumber: original.systemTraceAuditNumber,
        transmissionDateTime: original.transmissionDateTime,
      }),
    },
  };
}

/** Null when the message lacks what any response must carry (DE11 and DE39). */
export function parseFinancialResponse(message: Iso8583Message): FinancialResponse | null {
  const responseCode = message.fields[39];
  const systemTraceAuditNumber = message.fields[11];
  if (responseCode === undefined || systemTraceAuditNumber === undefined) return null;
  return {
    mti: message.mti,
    responseCode,
    authorizationCode: message.fields[38] ?? null,
    systemTraceAuditNumber,
    terminalId: message.fields[41] ?? null,
    retrievalReferenceNumber: message.fields[37] ?? null,
    acquirerInstitutionId: message.fields[32] ?? null,
  };
}

/** A six-character approval code (DE38) derived from a stable seed, so a repeated request gets the same code. */
export function authorizationCodeFor(seed: string): string {
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}
