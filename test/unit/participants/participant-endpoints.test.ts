import {
  decide,
  evolve,
  initialState,
  type ParticipantChange,
  type ParticipantCommand,
} from '../../../core/participants/participant-decider';
import type { ParticipantEvent } from '../../../core/participants/participant-events';
import type { HttpEndpoints, Iso8583Endpoints, ParticipantEndpoints } from '../../../core/participants/participant-profile';
import { deciderSpec } from '../../support/decider-spec';

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2026-12-04T09:00:00.000Z');
const at = now.toISOString();

const walletEndpoints: HttpEndpoints = {
  creditUrl: 'http://127.0.0.1:9000/credit',
  reversalUrl: 'http://127.0.0.1:9000/reversal',
  rtpUrl: null,
};
const bankEndpoints: Iso8583Endpoints = { iso8583: 'bank-host.local:5000', institutionId: '600001', tls: { ca: 'CA-ONE' } };

function registered(participantId: string, endpoints: ParticipantEndpoints): ParticipantEvent {
  return {
    type: 'ParticipantRegistered',
    data: {
      participantId,
      name: participantId,
      participantType: 'iso8583' in endpoints ? 'BANK' : 'WALLET',
      bankCode: participantId.slice(0, 4),
      currency: 'PKR',
      netDebitCapMinor: '100000000',
      creditMode: 'REQUEST',
      endpoints,
      requestReference: null,
      at,
    },
  };
}
const wallet = registered('MARGALLA', walletEndpoints);
const bank = registered('INDUS', bankEndpoints);

function changeEndpoints(
  participantId: string,
  endpoints: ParticipantEndpoints,
  extra: Partial<ParticipantChange> = {},
): ParticipantCommand {
  return { type: 'ChangeParticipant', data: { participantId, active: null, netDebitCapMinor: null, endpoints, ...extra }, now };
}
function endpointsChanged(
  participantId: string,
  endpoints: ParticipantEndpoints,
  previousEndpoints: ParticipantEndpoints,
): ParticipantEvent {
  return { type: 'ParticipantEndpointsChanged', data: { participantId, endpoints, previousEndpoints, at } };
}

const withRtp: HttpEndpoints = { ...walletEndpoints, rtpUrl: 'http://127.0.0.1:9000/rtp' };
const movedCredit: HttpEndpoints = { ...withRtp, creditUrl: 'https://wallet.example/v2/credit' };

describe("the operator changes a participant's endpoints", () => {
  it('gives a wallet registered without one an rtpUrl, with what it replaced on record', () =>
    spec
      .given([wallet])
      .when(changeEndpoints('MARGALLA', withRtp))
      .then([endpointsChanged('MARGALLA', withRtp, walletEndpoints)]));

  it('moves a credit URL from the endpoints last changed, not the ones registered', () =>
    spec
      .given([wallet, endpointsChanged('MARGALLA', withRtp, walletEndpoints)])
      .when(changeEndpoints('MARGALLA', movedCredit))
      .then([endpointsChanged('MARGALLA', movedCredit, withRtp)]));

  it("rotates a bank's TLS CA, and can move its host", () => {
    const rotated: Iso8583Endpoints = { ...bankEndpoints, tls: { ca: 'CA-TWO' } };
    spec
      .given([bank])
      .when(changeEndpoints('INDUS', rotated))
      .then([endpointsChanged('INDUS', rotated, bankEndpoints)]);
    const moved: Iso8583Endpoints = { ...rotated, iso8583: '10.0.0.7:6000' };
    spec
      .given([bank, endpointsChanged('INDUS', rotated, bankEndpoints)])
      .when(changeEndpoints('INDUS', moved))
      .then([endpointsChanged('INDUS', moved, rotated)]);
  });

  it('takes TLS away when the endpoints sent have none: the object is replaced whole, as the document says', () => {
    const plain: Iso8583Endpoints = { iso8583: bankEndpoints.iso8583, institutionId: bankEndpoints.institutionId };
    spec
      .given([bank])
      .when(changeEndpoints('INDUS', plain))
      .then([endpointsChanged('INDUS', plain, bankEndpoints)]);
  });

  it('records nothing when the endpoints are the ones it has already (a retried PATCH)', () => {
    spec.given([wallet]).when(changeEndpoints('MARGALLA', walletEndpoints)).then([]);
    spec
      .given([wallet, endpointsChanged('MARGALLA', withRtp, walletEndpoints)])
      .when(changeEndpoints('MARGALLA', { ...withRtp }))
      .then([]);
    spec
      .given([bank])
      .when(changeEndpoints('INDUS', { ...bankEndpoints, tls: { ca: 'CA-ONE' } }))
      .then([]);
  });

  it('refuses endpoints of the other kind: a wallet on HTTP does not become an ISO 8583 host, nor a bank an HTTP one', () => {
    spec
      .given([wallet])
      .when(changeEndpoints('MARGALLA', bankEndpoints))
      .thenThrows((error) => error.code === 'ENDPOINT_KIND_MISMATCH' && String(error.message).includes('HTTP'));
    spec.given([bank]).when(changeEndpoints('INDUS', withRtp)).thenThrows('ENDPOINT_KIND_MISMATCH');
  });

  it('refuses the whole change, the other fields too, when the endpoints are refused', () =>
    spec
      .given([wallet])
      .when(changeEndpoints('MARGALLA', bankEndpoints, { active: false }))
      .thenThrows('ENDPOINT_KIND_MISMATCH'));

  it('changes the endpoints beside another field in one decision', () =>
    spec
      .given([wallet])
      .when(changeEndpoints('MARGALLA', withRtp, { active: false }))
      .then([
        { type: 'ParticipantDeactivated', data: { participantId: 'MARGALLA', at } },
        endpointsChanged('MARGALLA', withRtp, walletEndpoints),
      ]));

  it('leaves the endpoints alone when a change does not name them', () =>
    spec
      .given([wallet, endpointsChanged('MARGALLA', withRtp, walletEndpoints)])
      .when({ type: 'ChangeParticipant', data: { participantId: 'MARGALLA', active: false, netDebitCapMinor: null }, now })
      .thenMatches(
        (events, state) =>
          events.length === 1 &&
          state.status === 'registered' &&
          state.endpoints === withRtp &&
          state.registration.endpoints === walletEndpoints,
      ));

  it('cannot change the endpoints of a participant that does not exist', () =>
    spec.given([]).when(changeEndpoints('NOBODY', withRtp)).thenThrows('PARTICIPANT_NOT_FOUND'));

  it('does not let a changed endpoint break a retried registration: the retry compares what was registered', () =>
    spec
      .given([
        { ...wallet, data: { ...wallet.data, requestReference: 'ref-1' } } as ParticipantEvent,
        endpointsChanged('MARGALLA', withRtp, walletEndpoints),
      ])
      .when({
        type: 'RegisterParticipant',
        data: {
          participantId: 'MARGALLA',
          name: 'MARGALLA',
          type: 'WALLET',
          bankCode: 'MARG',
          currency: 'PKR',
          netDebitCapMinor: 100_000_000n,
          creditMode: 'REQUEST',
          endpoints: walletEndpoints,
          requestReference: 'ref-1',
        },
        now,
      })
      .then([]));
});
