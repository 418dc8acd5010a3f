import {
  decide,
  evolve,
  initialState,
  signingSecretsLiveMax,
  type ParticipantCommand,
  type ParticipantState,
} from '../../../core/participants/participant-decider';
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
  return {
    type: 'IssueParticipantKey',
    data: {
      participantId: 'MARGALLA',
      keyId,
      keyHash: `hash-${keyId}`,
      firstSigningSecret: { secretId: `ss-${keyId}`, sealedSecret: `sealed-${keyId}` },
      requestReference,
    },
    now,
  };
}
function keyIssued(keyId: string, requestReference: string | null = null): ParticipantEvent {
  return { type: 'ParticipantKeyIssued', data: { participantId: 'MARGALLA', keyId, keyHash: `hash-${keyId}`, requestReference, at } };
}
/** A key as written before issue 9: it brought a plain signing secret, and the newest key's secret signed. */
function legacyKeyIssued(keyId: string): ParticipantEvent {
  return {
    type: 'ParticipantKeyIssued',
    data: { participantId: 'MARGALLA', keyId, keyHash: `hash-${keyId}`, signingSecret: `whsec_${keyId}`, requestReference: null, at },
  };
}
function secretRotated(
  secretId: string,
  retirements: { secretId: string; retiresAt: string }[] = [],
  requestReference: string | null = null,
  atIso = at,
): ParticipantEvent {
  return {
    type: 'ParticipantSigningSecretRotated',
    data: {
      participantId: 'MARGALLA',
      secretId,
      sealedSecret: `sealed-${secretId.replace(/^ss-/, '')}`,
      retirements,
      requestReference,
      at: atIso,
    },
  };
}
function rotate(secretId: string, overlapSeconds: number, requestReference: string | null = null, when = now): ParticipantCommand {
  return {
    type: 'RotateSigningSecret',
    data: {
      participantId: 'MARGALLA',
      secret: { secretId, sealedSecret: `sealed-${secretId.replace(/^ss-/, '')}` },
      overlapSeconds,
      requestReference,
    },
    now: when,
  };
}
const hourMs = 60 * 60 * 1000;
function isoAfter(milliseconds: number): string {
  return new Date(now.getTime() + milliseconds).toISOString();
}
/** A participant that holds its first key and the signing secret it brought. */
const onboarded = (): ParticipantEvent[] => [registered(), keyIssued('k0'), secretRotated('ss-k0')];
function keyRevoked(keyId: string): ParticipantEvent {
  return { type: 'ParticipantKeyRevoked', data: { participantId: 'MARGALLA', keyId, at } };
}

describe('participant decider: registration', () => {
  it('registers a new participant, active, with its cap as minor units', () => spec.given([]).when(register()).then([registered()]));

  it('refuses a second participant with the same id', () =>
    spec
      .given([registered('ref-1')])
      .when(register('ref-2'))
      .thenThrows('PARTICIPANT_EXISTS'));

  it('refuses a second registration without a request reference', () =>
    spec
      .given([registered(null)])
      .when(register(null))
      .thenThrows('PARTICIPANT_EXISTS'));

  it('recognises a retry of the same request as done, with no new fact', () =>
    spec
      .given([registered('ref-1')])
      .when(register('ref-1'))
      .then([]));

  it('refuses the same request reference with different details', () =>
    spec
      .given([registered('ref-1')])
      .when(register('ref-1', { name: 'Other' }))
      .thenThrows('IDEMPOTENCY_CONFLICT'));

  it('still recognises the retry after the cap was changed', () =>
    spec
      .given([
        registered('ref-1'),
        {
          type: 'ParticipantNetDebitCapChanged',
          data: { participantId: 'MARGALLA', netDebitCapMinor: '5', previousNetDebitCapMinor: '100000000', at },
        },
      ])
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
        {
          type: 'ParticipantNetDebitCapChanged',
          data: { participantId: 'MARGALLA', netDebitCapMinor: '250', previousNetDebitCapMinor: '100000000', at },
        },
      ]));

  it('records nothing when nothing changes', () => spec.given([registered()]).when(change(true, 100_000_000n)).then([]));

  it('reactivates a deactivated participant', () =>
    spec
      .given([registered(), { type: 'ParticipantDeactivated', data: { participantId: 'MARGALLA', at } }])
      .when(change(true, null))
      .then([{ type: 'ParticipantActivated', data: { participantId: 'MARGALLA', at } }]));

  it('refuses changes to a participant that does not exist', () =>
    spec.given([]).when(change(false, null)).thenThrows('PARTICIPANT_NOT_FOUND'));
});

describe('participant decider: keys', () => {
  it('issues a first key together with the first signing secret', () =>
    spec
      .given([registered()])
      .when(issueKey('k1'))
      .then([keyIssued('k1'), secretRotated('ss-k1')]));

  it('issues a later key without touching the signing secret (issue 9, defect 4)', () =>
    spec
      .given(onboarded())
      .when(issueKey('k1'))
      .then([keyIssued('k1')]));

  it('issues a later key without touching a signing secret that came from a key issued before issue 9', () =>
    spec
      .given([registered(), legacyKeyIssued('old')])
      .when(issueKey('k1'))
      .then([keyIssued('k1')]));

  it('refuses keys for a participant that does not exist', () => spec.given([]).when(issueKey('k1')).thenThrows('PARTICIPANT_NOT_FOUND'));

  it('replaces the key of a retried request, whose answer was lost, instead of leaving it valid', () =>
    spec
      .given([...onboarded(), keyIssued('k1', 'req-9')])
      .when(issueKey('k2', 'req-9'))
      .then([keyRevoked('k1'), keyIssued('k2', 'req-9')]));

  it("replaces the first signing secret too when the first key's answer was lost", () =>
    spec
      .given([registered(), keyIssued('k1', 'req-9'), secretRotated('ss-k1', [], 'req-9')])
      .when(issueKey('k2', 'req-9'))
      .then([keyRevoked('k1'), keyIssued('k2', 'req-9'), secretRotated('ss-k2', [{ secretId: 'ss-k1', retiresAt: at }], 'req-9')]));

  it('leaves a key alone when its request key is used again after idempotency records expire: that is a new request', () => {
    const later = new Date(now.getTime() + idempotencyRetentionMs + 60_000);
    const command: ParticipantCommand = { ...issueKey('k2', 'req-9'), now: later };
    const issuedLater = keyIssued('k2', 'req-9');
    spec
      .given([...onboarded(), keyIssued('k1', 'req-9')])
      .when(command)
      .then([{ ...issuedLater, data: { ...issuedLater.data, at: later.toISOString() } } as ParticipantEvent]);
  });

  it(`holds at most ${activeKeysMax} active keys`, () => {
    const keys = Array.from({ length: activeKeysMax - 1 }, (_, index) => keyIssued(`k${index + 1}`));
    spec
      .given([...onboarded(), ...keys])
      .when(issueKey('one-more'))
      .thenThrows('KEY_LIMIT_REACHED');
    spec
      .given([...onboarded(), ...keys, keyRevoked('k3')])
      .when(issueKey('one-more'))
      .then([keyIssued('one-more')]);
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

describe('participant decider: signing secrets (issue 9, defect 4)', () => {
  const current = (state: ParticipantState) =>
    state.status === 'registered' ? state.signingSecrets.map((secret) => [secret.secretId, secret.retiresAt]) : [];

  it('rotates: the new secret signs, the old one keeps signing until the overlap ends', () =>
    spec
      .given(onboarded())
      .when(rotate('ss-2', 86_400))
      .then([secretRotated('ss-2', [{ secretId: 'ss-k0', retiresAt: isoAfter(24 * hourMs) }])]));

  it('after a rotation the state holds both, newest first; a later event past the overlap drops the old one', () => {
    const rotated = [...onboarded(), secretRotated('ss-2', [{ secretId: 'ss-k0', retiresAt: isoAfter(hourMs) }])];
    const state = rotated.reduce(evolve, initialState);
    expect(current(state)).toEqual([
      ['ss-2', null],
      ['ss-k0', isoAfter(hourMs)],
    ]);
    const later = new Date(now.getTime() + 2 * hourMs);
    spec
      .given(rotated)
      .when(rotate('ss-3', 0, null, later))
      .then([secretRotated('ss-3', [{ secretId: 'ss-2', retiresAt: later.toISOString() }], null, later.toISOString())]);
  });

  it('an overlap of 0 stops the old secret at once', () =>
    spec
      .given(onboarded())
      .when(rotate('ss-2', 0))
      .then([secretRotated('ss-2', [{ secretId: 'ss-k0', retiresAt: at }])]));

  it('rotates a secret that came from a key issued before issue 9', () =>
    spec
      .given([registered(), legacyKeyIssued('old')])
      .when(rotate('ss-2', 60))
      .then([secretRotated('ss-2', [{ secretId: 'key-old', retiresAt: isoAfter(60_000) }])]));

  it('a retried rotation, whose answer was lost, stops the lost secret at once and keeps the first overlap', () => {
    const first = secretRotated('ss-2', [{ secretId: 'ss-k0', retiresAt: isoAfter(24 * hourMs) }], 'req-7');
    spec
      .given([...onboarded(), first])
      .when(rotate('ss-3', 86_400, 'req-7'))
      .then([secretRotated('ss-3', [{ secretId: 'ss-2', retiresAt: at }], 'req-7')]);
  });

  it(`signs with at most ${signingSecretsLiveMax} secrets at once`, () => {
    const events = [
      ...onboarded(),
      secretRotated('ss-2', [{ secretId: 'ss-k0', retiresAt: isoAfter(hourMs) }]),
      secretRotated('ss-3', [{ secretId: 'ss-2', retiresAt: isoAfter(hourMs) }]),
    ];
    spec.given(events).when(rotate('ss-4', 60)).thenThrows('SIGNING_SECRET_LIMIT_REACHED');
    // Without an overlap the new secret replaces the current one, which fits.
    spec
      .given(events)
      .when(rotate('ss-4', 0))
      .then([secretRotated('ss-4', [{ secretId: 'ss-3', retiresAt: at }])]);
  });

  it('refuses a rotation for a participant that does not exist', () =>
    spec.given([]).when(rotate('ss-1', 60)).thenThrows('PARTICIPANT_NOT_FOUND'));

  it('revoking a key leaves the signing secrets alone', () => {
    const state = [...onboarded(), keyRevoked('k0')].reduce(evolve, initialState);
    expect(current(state)).toEqual([['ss-k0', null]]);
  });
});

describe('participant decider: invariants', () => {
  it('crashes on a change event before registration (a corrupt stream)', () => {
    expect(() => evolve(initialState, { type: 'ParticipantActivated', data: { participantId: 'MARGALLA', at } })).toThrow(/invariant/);
  });
});
