/**
 * Mapping between ISO 8583 messages and plain typed objects: DE39 codes, amounts and currency, financial
 * messages in both directions, DE90, and the deterministic transfer id of an inbound request. Each subject
 * lives in its own file; this is the one place to import them from.
 */
export {
  responseCodes,
  responseCodeDescriptions,
  describeResponseCode,
  isApproved,
  isProfileResponseCode,
  responseCodeForOutcome,
  type ResponseCode,
  type TransferOutcomeCategory,
} from './response-codes';
export {
  AMOUNT_MINOR_MAX,
  amountField,
  amountMinorFromField,
  amountMinorMaxFor,
  currencyField,
  currencyFromField,
  type Iso8583Currency,
} from './money-fields';
export {
  FUNDS_TRANSFER_PROCESSING_CODE,
  authorizationCodeFor,
  buildFinancialAdvice,
  buildReversalAdvice,
  buildTransferRequest,
  originalDataElementsOf,
  parseFinancialRequest,
  parseFinancialResponse,
  parseReversalAdvice,
  type FinancialRequest,
  type FinancialResponse,
  type InboundFinancialRequest,
  type InboundReversalAdvice,
  type MappingResult,
  type MessageIdentifiers,
  type ReversalAdvice,
} from './financial-messages';
export {
  originalDataElementsField,
  originalDataElementsFromField,
  sameInstitution,
  type OriginalDataElements,
} from './original-data-elements';
export { ISO8583_TRANSFER_NAMESPACE, transferIdFor, uuidV5, type TransferIdentity } from './transfer-id';
export {
  PAKISTAN_UTC_OFFSET_MINUTES,
  retrievalReferenceNumber,
  transmissionDateTimeField,
  transmissionTimestamps,
  type TransmissionTimestamps,
} from './transmission-time';
export { buildResponse, formatErrorResponse, type ResponseAnswer } from './response-builder';
export { Iso8583MessageError, type Iso8583MessageErrorCode } from './message-error';
export { identifyPayee, type PayeeIdentification } from './payee-identification';
