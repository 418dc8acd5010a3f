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
  responseCodeForOutcome,
  type TransferOutcomeCategory,
} from './response-codes';
export {
  AMOUNT_MINOR_MAX,
  amountField,
  amountMinorFromField,
  currencyField,
  currencyFromField,
  type Iso8583Currency,
} from './money-fields';
export {
  CHARGEBACK_CREDIT_PROCESSING_CODE,
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
  type InboundFinancialRequest,
  type InboundReversalAdvice,
} from './financial-messages';
export { originalDataElementsField, originalDataElementsFromField, sameInstitution } from './original-data-elements';
export { transferIdFor, uuidV5 } from './transfer-id';
export { retrievalReferenceNumber, transmissionDateTimeField, transmissionTimestamps } from './transmission-time';
export { buildResponse, formatErrorResponse } from './response-builder';
export { Iso8583MessageError } from './message-error';
export { identifyPayee } from './payee-identification';
