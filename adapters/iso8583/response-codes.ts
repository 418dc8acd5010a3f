/** DE39 response codes of the profile (docs/ARCHITECTURE.md section 9). */
export const responseCodes = {
  approved: '00',
  doNotHonour: '05',
  invalidTransaction: '12',
  invalidAmount: '13',
  invalidAccount: '14',
  formatError: '30',
  insufficientFundsOrLimit: '51',
  exceedsLimit: '61',
  destinationUnavailable: '91',
  duplicateTransmission: '94',
  systemError: '96',
} as const;

export type ResponseCode = (typeof responseCodes)[keyof typeof responseCodes];

export const responseCodeDescriptions: Readonly<Record<ResponseCode, string>> = {
  '00': 'approved',
  '05': 'do not honour',
  '12': 'invalid transaction',
  '13': 'invalid amount',
  '14': 'invalid account',
  '30': 'format error',
  '51': 'insufficient funds or limit',
  '61': 'exceeds limit',
  '91': 'destination unavailable',
  '94': 'duplicate transmission',
  '96': 'system error',
};

const knownCodes = new Set<string>(Object.values(responseCodes));

export function isProfileResponseCode(value: string): value is ResponseCode {
  return knownCodes.has(value);
}

/** A bank host may answer codes outside the profile; only 00 approves, whatever else it sends. */
export function isApproved(responseCode: string | undefined): boolean {
  return responseCode === responseCodes.approved;
}

export function describeResponseCode(responseCode: string): string {
  return isProfileResponseCode(responseCode) ? responseCodeDescriptions[responseCode] : `response code ${responseCode} outside the profile`;
}

/**
 * How a transfer ended, in the words the ISO answer needs. The switch's transfer outcome maps onto these
 * (its own codes belong to core/transfers); each has exactly one DE39 (issue 5).
 */
export type TransferOutcomeCategory =
  | 'approved'
  | 'net_debit_cap_exceeded'
  | 'limit_exceeded'
  | 'unknown_payee'
  | 'invalid_amount'
  | 'unsupported_currency'
  | 'format_error'
  | 'not_permitted'
  | 'invalid_transaction'
  | 'payee_unavailable'
  | 'duplicate_with_different_fields'
  | 'system_error';

const outcomeResponseCodes: Readonly<Record<TransferOutcomeCategory, ResponseCode>> = {
  approved: responseCodes.approved,
  net_debit_cap_exceeded: responseCodes.insufficientFundsOrLimit,
  limit_exceeded: responseCodes.exceedsLimit,
  unknown_payee: responseCodes.invalidAccount,
  invalid_amount: responseCodes.invalidAmount,
  unsupported_currency: responseCodes.invalidAmount,
  format_error: responseCodes.formatError,
  not_permitted: responseCodes.doNotHonour,
  invalid_transaction: responseCodes.invalidTransaction,
  payee_unavailable: responseCodes.destinationUnavailable,
  duplicate_with_different_fields: responseCodes.duplicateTransmission,
  system_error: responseCodes.systemError,
};

export function responseCodeForOutcome(category: TransferOutcomeCategory): ResponseCode {
  return outcomeResponseCodes[category];
}
