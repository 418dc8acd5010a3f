import { decide, evolve, initialState, type BankCodeCommand, type BankCodeEvent } from '../../../core/participants/bank-code-reservation';
import { deciderSpec } from '../../support/decider-spec';

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2025-03-01T10:00:00.000Z');
const at = now.toISOString();

function reserve(participantId: string, releasedHolderId: string | null = null): BankCodeCommand {
  return { type: 'ReserveBankCode', data: { bankCode: 'MRGL', participantId, releasedHolderId }, now };
}
function reserved(participantId: string, previousParticipantId: string | null = null): BankCodeEvent {
  return { type: 'BankCodeReserved', data: { bankCode: 'MRGL', participantId, previousParticipantId, at } };
}

describe('bank code reservation', () => {
  it('reserves a free code', () =>
    spec
      .given([])
      .when(reserve('MARGALLA'))
      .then([reserved('MARGALLA')]));

  it('refuses a code another participant holds', () =>
    spec
      .given([reserved('MARGALLA')])
      .when(reserve('RAVI'))
      .thenThrows('BANK_CODE_TAKEN'));

  it('lets the holder retry after a crash between reservation and registration', () =>
    spec
      .given([reserved('MARGALLA')])
      .when(reserve('MARGALLA'))
      .then([]));

  it('takes over a code whose holder registered with another code', () =>
    spec
      .given([reserved('MARGALLA')])
      .when(reserve('RAVI', 'MARGALLA'))
      .then([reserved('RAVI', 'MARGALLA')]));

  it('never releases a holder other than the one known to have moved on', () =>
    spec
      .given([reserved('MARGALLA'), reserved('RAVI', 'MARGALLA')])
      .when(reserve('INDUS', 'MARGALLA'))
      .thenThrows('BANK_CODE_TAKEN'));
});
