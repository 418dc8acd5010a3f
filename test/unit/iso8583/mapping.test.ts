import {
  AMOUNT_MINOR_MAX,
  amountField,
  amountMinorFromField,
  buildFinancialAdvice,
  buildResponse,
  buildReversalAdvice,
  buildTransferRequest,
  currencyField,
  currencyFromField,
  describeResponseCode,
  formatErrorResponse,
  identifyPayee,
  isApproved,
  Iso8583MessageError,
  originalDataElementsField,
  originalDataElementsFromField,
  originalDataElementsOf,
  parseFinancialRequest,
  parseFinancialResponse,
  parseReversalAdvice,
  responseCodeDescriptions,
  responseCodeForOutcome,
  responseCodes,
  retrievalReferenceNumber,
  sameInstitution,
  transferIdFor,
  transmissionTimestamps,
  uuidV5,
  type FinancialRequest,
} from '../../../adapters/iso8583/mapping';
import type { Iso8583Message } from '../../../adapters/iso8583/message';

const request: FinancialRequest = {
  systemTraceAuditNumber: '000123',
  transmissionDateTime: '1128101530',
  localTime: '151530',
  localDate: '1128',
  acquirerInstitutionId: '600001',
  retrievalReferenceNumber: '533210000123',
  terminalId: 'TERM0001',
  processingCode: '400000',
  amountMinor: 150_050n,
  currency: 'PKR',
  payerAccount: 'PK36SCBL0000001123456702',
  payeeAccount: '923001234567',
};

function withField(message: Iso8583Message, field: number, value: string | undefined): Iso8583Message {
  const fields: Record<number, string | undefined> = { ...message.fields, [field]: value };
  if (value === undefined) delete fields[field];
  return { mti: message.mti, fields };
}

describe('DE39 response codes', () => {
  it('holds the profile table with a description for each code', () => {
    expect(Object.values(responseCodes).sort()).toEqual(['00', '05', '12', '13', '14', '30', '51', '61', '91', '94', '96']);
    expect(Object.keys(responseCodeDescriptions).sort()).toEqual(Object.values(responseCodes).sort());
    expect(describeResponseCode('51')).toBe('insufficient funds or limit');
    expect(describeResponseCode('57')).toBe('response code 57 outside the profile');
    expect(isApproved('00')).toBe(true);
    expect(isApproved('57')).toBe(false);
    expect(isApproved(undefined)).toBe(false);
  });

  it('maps transfer outcomes to the codes issue 5 names', () => {
    expect(responseCodeForOutcome('approved')).toBe('00');
    expect(responseCodeForOutcome('net_debit_cap_exceeded')).toBe('51');
    expect(responseCodeForOutcome('unknown_payee')).toBe('14');
    expect(responseCodeForOutcome('invalid_amount')).toBe('13');
    expect(responseCodeForOutcome('unsupported_currency')).toBe('13');
    expect(responseCodeForOutcome('format_error')).toBe('30');
    expect(responseCodeForOutcome('payee_unavailable')).toBe('91');
    expect(responseCodeForOutcome('duplicate_with_different_fields')).toBe('94');
    expect(responseCodeForOutcome('system_error')).toBe('96');
    expect(responseCodeForOutcome('not_permitted')).toBe('05');
  });
});

describe('amounts and currency', () => {
  it('writes DE4 as twelve digits of minor units from a bigint and reads it back', () => {
    expect(amountField(150_050n)).toBe('000000150050');
    expect(amountField(0n)).toBe('000000000000');
    expect(amountField(AMOUNT_MINOR_MAX)).toBe('999999999999');
    expect(amountMinorFromField('000000150050')).toBe(150_050n);
    expect(amountMinorFromField('999999999999')).toBe(999_999_999_999n);
  });

  it('refuses amounts DE4 cannot hold, and fields that are not twelve digits', () => {
    expect(() => amountField(-1n)).toThrow(Iso8583MessageError);
    expect(() => amountField(AMOUNT_MINOR_MAX + 1n)).toThrow(/0 to 999999999999 minor units/);
    expect(amountMinorFromField('150050')).toBeNull();
    expect(amountMinorFromField('00000015005x')).toBeNull();
    expect(amountMinorFromField(undefined)).toBeNull();
  });

  it('maps DE49 through the switch currency table', () => {
    expect(currencyField('PKR')).toBe('586');
    expect(currencyFromField('586')).toBe('PKR');
    expect(currencyFromField('999')).toBeNull();
    expect(currencyFromField(undefined)).toBeNull();
  });
});

describe('the deterministic transfer id', () => {
  it('is a standard UUID v5 (RFC 9562 test vector)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('is the same for a repeated request and differs when any of DE32, DE37, DE11, DE7 differs', () => {
    const identity = {
      acquirerInstitutionId: '600001',
      retrievalReferenceNumber: '533210000123',
      systemTraceAuditNumber: '000123',
      transmissionDateTime: '1128101530',
    };
    const id = transferIdFor(identity);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(transferIdFor({ ...identity })).toBe(id);
    const variants = [
      { ...identity, acquirerInstitutionId: '600002' },
      { ...identity, retrievalReferenceNumber: '533210000124' },
      { ...identity, systemTraceAuditNumber: '000124' },
      { ...identity, transmissionDateTime: '1128101531' },
    ];
    expect(new Set([id, ...variants.map(transferIdFor)]).size).toBe(5);
  });
});

describe('DE90 original data elements', () => {
  const original = {
    mti: '0200',
    systemTraceAuditNumber: '000123',
    transmissionDateTime: '1128101530',
    acquirerInstitutionId: '600001',
    forwardingInstitutionId: null,
  };

  it('builds 42 digits with zero-filled institution ids and parses them back', () => {
    const field = originalDataElementsField(original);
    expect(field).toBe('0200' + '000123' + '1128101530' + '00000600001' + '00000000000');
    expect(originalDataElementsFromField(field)).toEqual(original);
    expect(originalDataElementsFromField(originalDataElementsField({ ...original, forwardingInstitutionId: '700' }))).toEqual({
      ...original,
      forwardingInstitutionId: '700',
    });
  });

  it('refuses what is not 42 digits, and bad parts when building', () => {
    expect(originalDataElementsFromField('0200000123')).toBeNull();
    expect(originalDataElementsFromField(undefined)).toBeNull();
    expect(() => originalDataElementsField({ ...original, systemTraceAuditNumber: '123' })).toThrow(/STAN must be six digits/);
    expect(() => originalDataElementsField({ ...original, acquirerInstitutionId: '123456789012' })).toThrow(/1 to 11 digits/);
  });

  it('compares institution ids without their zero fill', () => {
    expect(sameInstitution('00000600001', '600001')).toBe(true);
    expect(sameInstitution('600001', '600002')).toBe(false);
  });
});

describe('0200 transfer requests and 0220 advices', () => {
  it('builds a 0200 from a typed object and parses it back with its transfer id', () => {
    const message = buildTransferRequest(request);
    expect(message.mti).toBe('0200');
    expect(message.fields).toMatchObject({ 4: '000000150050', 49: '586', 102: request.payerAccount, 103: request.payeeAccount });
    const parsed = parseFinancialRequest(message);
    expect(parsed).toEqual({
      ok: true,
      value: { ...request, cardAcceptorId: undefined, transferId: transferIdFor(request) },
    });
  });

  it('builds 0220 and, for a repeat, 0221', () => {
    expect(buildFinancialAdvice(request).mti).toBe('0220');
    expect(buildFinancialAdvice(request, { repeat: true }).mti).toBe('0221');
    expect(parseFinancialRequest(buildFinancialAdvice(request)).ok).toBe(true);
  });

  it('refuses to build a request whose fields do not fit the profile', () => {
    expect(() => buildTransferRequest({ ...request, payeeAccount: 'X'.repeat(29) })).toThrow(Iso8583MessageError);
    expect(() => buildTransferRequest({ ...request, amountMinor: -5n })).toThrow(Iso8583MessageError);
  });

  it('answers 30 for missing fields, 12 for another transaction type, 13 for a bad amount or currency', () => {
    const message = buildTransferRequest(request);
    expect(parseFinancialRequest(withField(withField(message, 102, undefined), 41, undefined))).toEqual({
      ok: false,
      responseCode: '30',
      reason: 'mandatory fields 41, 102 missing',
    });
    expect(parseFinancialRequest(withField(message, 3, '010000'))).toMatchObject({ ok: false, responseCode: '12' });
    expect(parseFinancialRequest(withField(message, 4, '000000000000'))).toMatchObject({
      ok: false,
      responseCode: '13',
      reason: 'DE4 must be more than zero',
    });
    expect(parseFinancialRequest(withField(message, 49, '999'))).toMatchObject({ ok: false, responseCode: '13' });
  });

  it('answers 13 for a table currency the switch does not enable, and takes one it does', () => {
    const message = buildTransferRequest(request);
    const enabled = new Set(['PKR', 'USD']);
    expect(parseFinancialRequest(withField(message, 49, '392'), enabled)).toMatchObject({
      ok: false,
      responseCode: '13',
      reason: 'DE49 currency 392 (JPY) is not enabled on this switch',
    });
    expect(parseFinancialRequest(withField(message, 49, '840'), enabled)).toMatchObject({ ok: true, value: { currency: 'USD' } });
    expect(parseFinancialRequest(message, enabled)).toMatchObject({ ok: true, value: { currency: 'PKR' } });
  });
});

describe('0420 reversal advices', () => {
  const original = buildTransferRequest(request);
  const reversal = buildReversalAdvice({
    systemTraceAuditNumber: '000124',
    transmissionDateTime: '1128101600',
    acquirerInstitutionId: '600001',
    retrievalReferenceNumber: request.retrievalReferenceNumber,
    terminalId: 'TERM0001',
    processingCode: '400000',
    amountMinor: request.amountMinor,
    currency: 'PKR',
    original: originalDataElementsOf(original),
  });

  it('names the original through DE90 and derives the original transfer id', () => {
    expect(reversal.mti).toBe('0420');
    expect(reversal.fields[90]).toBe('0200000123112810153000000600001' + '00000000000');
    const parsed = parseReversalAdvice(reversal);
    expect(parsed.ok && parsed.value.originalTransferId).toBe(transferIdFor(request));
    expect(parsed.ok && parsed.value.repeat).toBe(false);
    const repeat = parseReversalAdvice({ ...reversal, mti: '0421' });
    expect(repeat.ok && repeat.value.repeat).toBe(true);
  });

  it('refuses a DE90 naming another acquirer (05), a non-financial original (12), or a malformed DE90 (30)', () => {
    expect(parseReversalAdvice(withField(reversal, 32, '600002'))).toMatchObject({ ok: false, responseCode: '05' });
    expect(parseReversalAdvice(withField(reversal, 90, '0100' + (reversal.fields[90] ?? '').slice(4)))).toMatchObject({
      ok: false,
      responseCode: '12',
    });
    expect(parseReversalAdvice(withField(reversal, 90, '9'.repeat(42)))).toMatchObject({ ok: false, responseCode: '30' });
    expect(parseReversalAdvice(withField(reversal, 90, undefined))).toMatchObject({
      ok: false,
      responseCode: '30',
      reason: 'mandatory field 90 missing',
    });
  });
});

describe('responses', () => {
  const original = buildTransferRequest(request);

  it('echoes the identifiers and adds DE38 only to an approval', () => {
    const approved = buildResponse(original, { responseCode: '00', authorizationCode: '123456' });
    expect(approved.mti).toBe('0210');
    expect(approved.fields).toMatchObject({
      11: '000123',
      32: '600001',
      37: request.retrievalReferenceNumber,
      41: 'TERM0001',
      38: '123456',
      39: '00',
    });
    const declined = buildResponse(original, { responseCode: '51', authorizationCode: '123456' });
    expect(declined.fields[38]).toBeUndefined();
    expect(parseFinancialResponse(declined)).toEqual({
      mti: '0210',
      responseCode: '51',
      authorizationCode: null,
      systemTraceAuditNumber: '000123',
      terminalId: 'TERM0001',
      retrievalReferenceNumber: request.retrievalReferenceNumber,
      acquirerInstitutionId: '600001',
    });
    expect(parseFinancialResponse({ mti: '0210', fields: { 11: '000001' } })).toBeNull();
  });

  it('answers a malformed request in its response class, or 0210 when the MTI is unreadable, and never answers a response', () => {
    expect(
      formatErrorResponse({ code: 'TRUNCATED', message: 'm', mti: '0420', fields: { 11: '000009', 41: 'TERM0001', 4: '000000000100' } }),
    ).toEqual({
      mti: '0430',
      fields: { 11: '000009', 41: 'TERM0001', 39: '30' },
    });
    expect(formatErrorResponse({ code: 'INVALID_MTI', message: 'm', mti: null, fields: {} })).toEqual({
      mti: '0210',
      fields: { 39: '30' },
    });
    expect(formatErrorResponse({ code: 'TRUNCATED', message: 'm', mti: '0210', fields: {} })).toBeNull();
  });
});

describe('times, references and payees', () => {
  it('writes DE7 in UTC and DE12/DE13 in Pakistan time', () => {
    expect(transmissionTimestamps(new Date('2025-11-28T23:30:15Z'))).toEqual({
      transmissionDateTime: '1128233015',
      localTime: '043015',
      localDate: '1129',
    });
  });

  it('writes a twelve-digit RRN from the date, the hour and the STAN', () => {
    expect(retrievalReferenceNumber(new Date('2025-02-01T09:00:00Z'), '000777')).toBe('503209000777');
  });

  it('tells an IBAN from an MSISDN alias in DE103', () => {
    expect(identifyPayee('PK36SCBL0000001123456702')).toEqual({ type: 'IBAN', value: 'PK36SCBL0000001123456702' });
    expect(identifyPayee('pk36 scbl 0000 0011 2345 6702')).toEqual({ type: 'IBAN', value: 'PK36SCBL0000001123456702' });
    expect(identifyPayee('923001234567')).toEqual({ type: 'MSISDN', value: '923001234567' });
    expect(identifyPayee('03001234567')).toEqual({ type: 'MSISDN', value: '923001234567' });
    expect(identifyPayee('+923001234567')).toEqual({ type: 'MSISDN', value: '923001234567' });
    expect(identifyPayee('12345')).toBeNull();
  });
});
