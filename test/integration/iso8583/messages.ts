import type { Iso8583Message } from '../../../adapters/iso8583/message';
import {
  buildFinancialAdvice,
  buildReversalAdvice,
  buildTransferRequest,
  originalDataElementsOf,
  type FinancialRequest,
} from '../../../adapters/iso8583/mapping';

/** Messages a bank host sends, built through the mapping so that they are exactly what the profile says. */
export const BANK_INSTITUTION_ID = '600001';
export const BANK_TERMINAL_ID = 'BANKA001';
export const PAYEE_ACCOUNT = 'PK36SCBL0000001123456702';
export const PAYER_ACCOUNT = 'PK12ABCD0000009876543210';

export function networkRequest(
  code: '001' | '002' | '301',
  stan: string,
  institutionId: string | null = BANK_INSTITUTION_ID,
): Iso8583Message {
  const fields: Record<number, string> = { 7: '1128101530', 11: stan, 41: BANK_TERMINAL_ID, 70: code };
  if (institutionId !== null) fields[32] = institutionId;
  return { mti: '0800', fields };
}

export function financialRequest(stan: string, overrides: Partial<FinancialRequest> = {}): FinancialRequest {
  return {
    systemTraceAuditNumber: stan,
    transmissionDateTime: '1128101530',
    localTime: '151530',
    localDate: '1128',
    acquirerInstitutionId: BANK_INSTITUTION_ID,
    retrievalReferenceNumber: `5332100${stan.slice(1)}`,
    terminalId: BANK_TERMINAL_ID,
    processingCode: '400000',
    amountMinor: 150_050n,
    currency: 'PKR',
    payerAccount: PAYER_ACCOUNT,
    payeeAccount: PAYEE_ACCOUNT,
    ...overrides,
  };
}

export function transferRequest(stan: string, overrides: Partial<FinancialRequest> = {}): Iso8583Message {
  return buildTransferRequest(financialRequest(stan, overrides));
}

export function financialAdvice(stan: string, overrides: Partial<FinancialRequest> = {}): Iso8583Message {
  return buildFinancialAdvice(financialRequest(stan, overrides));
}

export function reversalOf(original: Iso8583Message, stan: string, options: { repeat: boolean } = { repeat: false }): Iso8583Message {
  return buildReversalAdvice(
    {
      systemTraceAuditNumber: stan,
      transmissionDateTime: '1128101600',
      acquirerInstitutionId: original.fields[32] ?? '',
      retrievalReferenceNumber: original.fields[37] ?? '',
      terminalId: original.fields[41] ?? '',
      processingCode: original.fields[3] ?? '',
      amountMinor: BigInt(original.fields[4] ?? '0'),
      currency: 'PKR',
      original: originalDataElementsOf(original),
    },
    options,
  );
}

export function withoutField(message: Iso8583Message, field: number): Iso8583Message {
  const fields: Record<number, string | undefined> = { ...message.fields };
  delete fields[field];
  return { mti: message.mti, fields };
}
