import { decide, evolve, initialState, type ParticipantCommand } from '../../../core/participants/participant-decider';
import type { ParticipantEvent } from '../../../core/participants/participant-events';
import { deciderSpec } from '../../support/decider-spec';

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2026-12-03T10:00:00.000Z');
const at = now.toISOString();

const registered: ParticipantEvent = {
  type: 'ParticipantRegistered',
  data: {
    participantId: 'MARGALLA',
    name: 'Margalla Wallet',
    participantType: 'WALLET',
    bankCode: 'MRGL',
    currency: 'PKR',
    netDebitCapMinor: '100000000',
    creditMode: 'REQUEST',
    endpoints: { creditUrl: 'http://127.0.0.1:9000/credit', reversalUrl: 'http://127.0.0.1:9000/reversal', rtpUrl: null },
    requestReference: null,
    at,
  },
};

function setRate(perSecond: number | null): ParticipantCommand {
  return {
    type: 'ChangeParticipant',
    data: { participantId: 'MARGALLA', active: null, netDebitCapMinor: null, rateLimitPerSecond: { perSecond } },
    now,
  };
}
function rateChanged(rateLimitPerSecond: number | null, previousRateLimitPerSecond: number | null): ParticipantEvent {
  return { type: 'ParticipantRateLimitChanged', data: { participantId: 'MARGALLA', rateLimitPerSecond, previousRateLimitPerSecond, at } };
}

describe("a participant's own rate limit", () => {
  it('is set by the operator, with the default it replaces on record', () =>
    spec
      .given([registered])
      .when(setRate(50))
      .then([rateChanged(50, null)]));

  it('changes from one rate to another', () =>
    spec
      .given([registered, rateChanged(50, null)])
      .when(setRate(500))
      .then([rateChanged(500, 50)]));

  it('goes back to the default on null', () =>
    spec
      .given([registered, rateChanged(50, null)])
      .when(setRate(null))
      .then([rateChanged(null, 50)]));

  it('records nothing when the rate is already the one asked for (a retried PATCH)', () => {
    spec
      .given([registered, rateChanged(50, null)])
      .when(setRate(50))
      .then([]);
    spec.given([registered]).when(setRate(null)).then([]);
  });

  it('is left alone by a change that does not name it', () =>
    spec
      .given([registered, rateChanged(50, null)])
      .when({ type: 'ChangeParticipant', data: { participantId: 'MARGALLA', active: false, netDebitCapMinor: null }, now })
      .then([{ type: 'ParticipantDeactivated', data: { participantId: 'MARGALLA', at } }]));

  it('cannot be set on a participant that does not exist', () => spec.given([]).when(setRate(50)).thenThrows('PARTICIPANT_NOT_FOUND'));
});
