import { decide, evolve, initialState, type ParticipantCommand } from '../../../core/participants/participant-decider';
import type { ParticipantEvent } from '../../../core/participants/participant-events';
import { activeKeysMax, type ParticipantRegistration } from '../../../core/participants/participant-profile';
import { idempotencyRetentionMs } from '../../../core/idempotency/idempotency-store';
import { deciderSpec } from '../../support/decider-spec';

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2025-03-01T10:00:00.000Z');
const at = now.toISOString();

const registration: ParticipantRegistration = {
  participantId: 'MARGALLA',
  name: 'Margalla Wallet',
  type: 'WALLET',
  bankCode: 'MRGL',
  currency: 'PKR',
  netDebitCapMinor: 100_000_000n,
  creditMode: 'REQUEST',
  endpoints: { creditUrl: 'http://127.0.0.1:9000/credit', reversalUrl: 'http://127.0.0.1:9000/reversal', rtpUrl: null },
};

function register(requestReference: string | null = 'ref-1', overrides: Partial<ParticipantRegistration> = {}): ParticipantCommand {
  return { type: 'RegisterParticipant', data: { ...registration, ...overrides, requestReference }, now };
}
function registered(requestReference: string | null = 'ref-1'): ParticipantEvent {
  return {
    type: 'ParticipantRegistered',
    data: {
      participantId: 'MARGALLA',
      name: 'Margalla Wallet',
      participantType: 'WALLET',
      bankCode: 'MRGL',
      currency: 'PKR',
      netDebitCapMinor: '100000000',
      creditMode: 'REQUEST',
      endpoints: registration.endpoints,
      requestReference,
      at,
    },
  };
}
function change(active: boolean | null, netDebitCapMinor: bigint | null): ParticipantCommand {
  return { type: 'ChangeParticipant', data: { participantId: 'MARGALLA', active, netDebitCapMinor }, now };
}
function issueKey(keyId: string, requestReference: string | null = null): ParticipantCommand {
  return { type: 'IssueParticipantKey', data: { participantId: 'MARGALLA', keyId, keyHash: `hash-${keyId}`, signingSecret: `secret-${keyId}`, requestReference }, now };
}
function keyIssued(keyId: string, requestReference: string | null = null): ParticipantEvent {
  return {
    type: 'ParticipantKeyIssued',
    data: { participantId: 'MARGALLA', keyId, keyHash: `hash-${keyId}`, signingSecret: `secret-${keyId}`, requestReference, at },
  };
}
function keyRevoked(keyId: string): ParticipantEvent {
  return { type: 'ParticipantKeyRevoked', data: { participantId: 'MARGALLA', keyId, at } };
}

describe('participant decider: registration', () => {
  it('registers a new participant, active, with its cap as minor units', () => spec.given([]).when(register()).then([registered()]));

  it('refuses a second participant with the same id', () => spec.given([registered('ref-1')]).when(register('ref-2')).thenThrows('PARTICIPANT_EXISTS'));

  it('refuses a second registration without a request reference', () => spec.given([registered(null)]).when(register(null)).thenThrows('PARTICIPANT_EXISTS'));

  it('recognises a retry of the same request as done, with no new fact', () => spec.given([registered('ref-1')]).when(register('ref-1')).then([]));

  it('refuses the same request reference with different details', () =>
    spec.given([registered('ref-1')]).when(register('ref-1', { name: 'Other' })).thenThrows('IDEMPOTENCY_CONFLICT'));

  it('still recognises the retry after the cap was changed', () =>
    spec
      .given([registered('ref-1'), { type: 'ParticipantNetDebitCapChanged', data: { participantId: 'MARGALLA', netDebitCapMinor: '5', previousNetDebitCapMinor: '100000000', at } }])
      .when(register('ref-1'))
      .then([]));
});

describe('participant decider: changes', () => {
  it('deactivates and changes the cap in one command', () =>
    spec
      .given([registered()])
      .when(change(false, 250n))
      .then([
        { type: 'ParticipantDeactivated', data: { participantId: 'MARGALLA', at } },
        { type: 'ParticipantNetDebitCapChanged', data: { participantId: 'MARGALLA', netDebitCapMinor: '250', previousNetDebitCapMinor: '100000000', at } },
      ]));

  it('records nothing when nothing changes', () => spec.given([registered()]).when(change(true, 100_000_000n)).then([]));

  it('reactivates a deactivated participant', () =>
    spec
      .given([registered(), { type: 'ParticipantDeactivated', data: { participantId: 'MARGALLA', at } }])
      .when(change(true, null))
      .then([{ type: 'ParticipantActivated', data: { participantId: 'MARGALLA', at } }]));

  it('refuses changes to a participant that does not exist', () => spec.given([]).when(change(false, null)).thenThrows('PARTICIPANT_NOT_FOUND'));
});

describe('participant decider: keys', () => {
  it('issues a key', () => spec.given([registered()]).when(issueKey('k1')).then([keyIssued('k1')]));

  it('refuses keys for a participant that does not exist', () => spec.given([]).when(issueKey('k1')).thenThrows('PARTICIPANT_NOT_FOUND'));

  it('replaces the key of a retried request, whose answer was lost, instead of leaving it valid', () =>
    spec.given([registered(), keyIssued('k1', 'req-9')]).when(issueKey('k2', 'req-9')).then([keyRevoked('k1'), keyIssued('k2', 'req-9')]));

  it('leaves a key alone when its request key is used again after idempotency records expire: that is a new request', () => {
    const later = new Date(now.getTime() + idempotencyRetentionMs + 60_000);
    const command: ParticipantCommand = { ...issueKey('k2', 'req-9'), now: later };
    const issuedLater = keyIssued('k2', 'req-9');
    spec.given([registered(), keyIssued('k1', 'req-9')]).when(command).then([{ ...issuedLater, data: { ...issuedLater.data, at: later.toISOString() } } as ParticipantEvent]);
  });

  it(`holds at most ${activeKeysMax} active keys`, () => {
    const keys = Array.from({ length: activeKeysMax }, (_, index) => keyIssued(`k${index}`));
    spec.given([registered(), ...keys]).when(issueKey('one-more')).thenThrows('KEY_LIMIT_REACHED');
    spec.given([registered(), ...keys, keyRevoked('k3')]).when(issueKey('one-more')).then([keyIssued('one-more')]);
  });

  it('revokes an active key, and only an active one', () => {
    spec
      .given([registered(), keyIssued('k1')])
      .when({ type: 'RevokeParticipantKey', data: { participantId: 'MARGALLA', keyId: 'k1' }, now })
      .then([keyRevoked('k1')]);
    spec
      .given([registered(), keyIssued('k1'), keyRevoked('k1')])
      .when({ type: 'RevokeParticipantKey', data: { participantId: 'MARGALLA', keyId: 'k1' }, now })
      .thenThrows('KEY_NOT_FOUND');
  });
});

describe('participant decider: invariants', () => {
  it('crashes on a change event before registration (a corrupt stream)', () => {
    expect(() => evolve(initialState, { type: 'ParticipantActivated', data: { participantId: 'MARGALLA', at } })).toThrow(/invariant/);
  });
});
