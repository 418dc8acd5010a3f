import { parseHostPort } from '../../../adapters/iso8583-switch/bank-endpoint';
import { answerForTransfer, responseCodeForError } from '../../../adapters/iso8583-switch/inbound-answers';
import { outboundIdentifiers } from '../../../adapters/iso8583-switch/outbound-identifiers';
import { chargebackCreditMessage } from '../../../adapters/iso8583-switch/outbound-messages';
import { parseDeliveryPayload } from '../../../adapters/iso8583-switch/delivery-payload';
import { packMessage, unpackMessage } from '../../../adapters/iso8583/packager';
import { parseFinancialRequest } from '../../../adapters/iso8583/mapping';
import type { TransferView } from '../../../core/transfers/transfer-view';
import type { DomainErrorCode } from '../../../core/error-catalogue';

/** The pure parts of the bridge: derived identifiers, endpoint parsing, and the DE39 a bank is answered. */

describe('outbound identifiers', () => {
  const transferId = '0b6c3a52-5f0e-4e39-9d0c-2f3a1c9e7d41';
  const createdAt = '2026-11-28T10:15:30.250Z';

  it('are the same every time for a transfer, so a 0420 after a restart names its 0200', () => {
    expect(outboundIdentifiers(transferId, createdAt)).toEqual(outboundIdentifiers(transferId, createdAt));
  });

  it('put the creation time in DE7 (UTC) and DE12/DE13 (Pakistan time), and fit the profile', () => {
    const identifiers = outboundIdentifiers(transferId, createdAt);
    expect(identifiers.transmissionDateTime).toBe('1128101530');
    expect(identifiers.localTime).toBe('151530');
    expect(identifiers.localDate).toBe('1128');
    expect(identifiers.systemTraceAuditNumber).toMatch(/^[0-9]{6}$/);
    expect(identifiers.systemTraceAuditNumber).not.toBe('000000');
    expect(identifiers.retrievalReferenceNumber).toMatch(/^[0-9]{12}$/);
  });

  it('differ between transfers: no two of 20 000 share DE37', () => {
    const references = new Set<string>();
    for (let index = 0; index < 20_000; index += 1)
      references.add(outboundIdentifiers(`transfer-${index}`, createdAt).retrievalReferenceNumber);
    expect(references.size).toBe(20_000);
  });
});

describe('a chargeback credit (0220 to a bank claimant)', () => {
  const disputeId = 'dp_0123456789abcdef01234567';
  const chargeback = { disputeId, chargebackTransferId: `chargeback-${disputeId}`, postedAt: '2026-12-03T08:00:05.000Z' };
  const parties = { switchInstitutionId: '999999', terminalId: 'HISAAB01' };
  const payload = {
    transferId: chargeback.chargebackTransferId,
    amount: '420.50',
    currency: 'PKR',
    payee: { type: 'IBAN', value: 'PK36INDB0000000000000001' },
    payer: { participant: 'MARGALLA' },
    disputeId,
  };

  it('reads the dispute id from the delivery payload', () => {
    expect(parseDeliveryPayload(payload)).toMatchObject({ ok: true, disputeId, message: { transferId: chargeback.chargebackTransferId } });
    expect(parseDeliveryPayload({ ...payload, disputeId: 'dp_not-a-dispute' })).toMatchObject({ ok: false });
  });

  it('is a returns credit naming the dispute in DE48, with identifiers derived from the chargeback', () => {
    const parsed = parseDeliveryPayload(payload);
    if (!parsed.ok) throw new Error(parsed.problem);
    const message = chargebackCreditMessage(parsed.message, chargeback, parties, false);
    const identifiers = outboundIdentifiers(chargeback.chargebackTransferId, chargeback.postedAt);
    expect(message).toEqual({
      mti: '0220',
      fields: {
        3: '200000',
        4: '000000042050',
        7: identifiers.transmissionDateTime,
        11: identifiers.systemTraceAuditNumber,
        12: identifiers.localTime,
        13: identifiers.localDate,
        32: '999999',
        37: identifiers.retrievalReferenceNumber,
        41: 'HISAAB01',
        48: disputeId,
        49: '586',
        102: 'MARGALLA',
        103: 'PK36INDB0000000000000001',
      },
    });
    expect(chargebackCreditMessage(parsed.message, chargeback, parties, true)).toEqual({ ...message, mti: '0221' });
  });

  it('crosses the wire and parses at the bank as an advice; a 0200 may not carry DE3 200000', () => {
    const parsed = parseDeliveryPayload(payload);
    if (!parsed.ok) throw new Error(parsed.problem);
    const message = chargebackCreditMessage(parsed.message, chargeback, parties, false);
    const unpacked = unpackMessage(packMessage(message));
    if (!unpacked.ok) throw new Error(unpacked.failure.message);
    expect(parseFinancialRequest(unpacked.message)).toMatchObject({
      ok: true,
      value: { processingCode: '200000', additionalData: disputeId, amountMinor: 42_050n, payeeAccount: 'PK36INDB0000000000000001' },
    });
    expect(parseFinancialRequest({ ...message, mti: '0200' })).toMatchObject({ ok: false, responseCode: '12' });
  });
});

describe('bank endpoints', () => {
  it.each([
    ['10.1.2.3:5000', { host: '10.1.2.3', port: 5000 }],
    ['bank-host.example.pk:8583', { host: 'bank-host.example.pk', port: 8583 }],
    ['[::1]:7000', { host: '::1', port: 7000 }],
  ])('reads %s', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });

  it.each(['10.1.2.3', '10.1.2.3:0', '10.1.2.3:70000', '::1:7000', '[nothost]:7000', 'bank host:1', ''])('refuses %j', (text) => {
    expect(parseHostPort(text)).toBeNull();
  });
});

describe('answers to a bank’s 0200', () => {
  const base: TransferView = {
    id: '0b6c3a52-5f0e-4e39-9d0c-2f3a1c9e7d41',
    switchTransferId: '0b6c3a52-5f0e-4e39-9d0c-2f3a1c9e7d41',
    state: 'COMMITTED',
    abortReason: null,
    payerParticipant: 'INDUS',
    payeeParticipant: 'MARGALLA',
    payer: { type: 'IBAN', value: 'PK36SCBL0000001123456702' },
    payee: { type: 'MSISDN', value: '923001234567' },
    amount: '10.00',
    currency: 'PKR',
    purpose: 'P2P',
    note: null,
    reversed: false,
    createdAt: '2026-11-28T10:15:30.250Z',
    completedAt: '2026-11-28T10:15:30.450Z',
  };

  it('approves a committed transfer with a stable six-digit approval code', () => {
    const answer = answerForTransfer(base);
    expect(answer.responseCode).toBe('00');
    expect(answer.authorizationCode).toMatch(/^[0-9]{6}$/);
    expect(answerForTransfer(base)).toEqual(answer);
  });

  it.each([
    ['NET_DEBIT_CAP_EXCEEDED', '51'],
    ['PAYEE_REJECTED', '05'],
    ['PAYEE_TIMEOUT', '91'],
    ['PAYEE_UNAVAILABLE', '91'],
    ['PAYEE_INACTIVE', '91'],
    ['SWITCH_RESTARTED', '91'],
    ['LEDGER_REFUSED', '96'],
    ['SOMETHING_NEW', '96'],
  ])('answers an abort for %s with %s', (abortReason, responseCode) => {
    expect(answerForTransfer({ ...base, state: 'ABORTED', abortReason })).toEqual({ responseCode });
  });

  it.each<[DomainErrorCode, string]>([
    ['IDEMPOTENCY_CONFLICT', '94'],
    ['PARTY_NOT_FOUND', '14'],
    ['INVALID_IBAN', '14'],
    ['INVALID_AMOUNT', '13'],
    ['CURRENCY_NOT_SUPPORTED', '13'],
    ['PAYEE_IS_PAYER', '12'],
    ['PARTICIPANT_INACTIVE', '05'],
    ['LEDGER_UNAVAILABLE', '96'],
    ['OUTBOX_FULL', '96'],
  ])('answers a refusal %s with %s', (code, responseCode) => {
    expect(responseCodeForError(code)).toBe(responseCode);
  });
});
