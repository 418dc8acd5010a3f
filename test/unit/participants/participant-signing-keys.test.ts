import { decide, evolve, initialState, type ParticipantCommand } from '../../../core/participants/participant-decider';
import type { ParticipantEvent } from '../../../core/participants/participant-events';
import { signingKeysActiveMax, type PublicJwk } from '../../../core/auth/request-signing-key';
import { deciderSpec } from '../../support/decider-spec';

/** Issue 15: request-signing keys and the requirement to sign, as rules of the participant's stream. */
const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2026-03-01T10:00:00.000Z');
const at = now.toISOString();
const publicKey: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };

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
function registerKey(kid: string, alg: 'EdDSA' | 'ES256' = 'EdDSA'): ParticipantCommand {
  return { type: 'RegisterSigningKey', data: { participantId: 'MARGALLA', kid, alg, publicKey, requestReference: null }, now };
}
function keyRegistered(kid: string): ParticipantEvent {
  return {
    type: 'ParticipantSigningKeyRegistered',
    data: { participantId: 'MARGALLA', kid, alg: 'EdDSA', publicKey, requestReference: null, at },
  };
}
function requireSigned(required: boolean): ParticipantCommand {
  return {
    type: 'ChangeParticipant',
    data: { participantId: 'MARGALLA', active: null, netDebitCapMinor: null, requireSignedRequests: required },
    now,
  };
}
function requirementChanged(required: boolean): ParticipantEvent {
  return { type: 'ParticipantSignedRequestsRequirementChanged', data: { participantId: 'MARGALLA', required, at } };
}

describe('request-signing keys (issue 15)', () => {
  it('registers a public key under its thumbprint', () =>
    spec
      .given([registered])
      .when(registerKey('kid-1'))
      .then([keyRegistered('kid-1')]));

  it('takes the same key again as the key it has: nothing new', () =>
    spec
      .given([registered, keyRegistered('kid-1')])
      .when(registerKey('kid-1'))
      .then([]));

  it('refuses the same key for the other algorithm (it could not verify it)', () =>
    spec
      .given([registered, keyRegistered('kid-1')])
      .when({
        ...registerKey('kid-1'),
        data: {
          ...(registerKey('kid-1').data as object),
          alg: 'ES256',
          publicKey: { kty: 'EC', crv: 'P-256', x: publicKey.x, y: publicKey.x },
        },
      } as ParticipantCommand)
      .thenThrows('SIGNING_KEY_EXISTS'));

  it(`holds at most ${signingKeysActiveMax} keys at once: a leaked-key audit stays small`, () =>
    spec
      .given([registered, ...Array.from({ length: signingKeysActiveMax }, (_, index) => keyRegistered(`kid-${index}`))])
      .when(registerKey('one-more'))
      .thenThrows('SIGNING_KEY_LIMIT_REACHED'));

  it('revokes an active key, and only an active one', () => {
    spec
      .given([registered, keyRegistered('kid-1')])
      .when({ type: 'RevokeSigningKey', data: { participantId: 'MARGALLA', kid: 'kid-1' }, now })
      .then([{ type: 'ParticipantSigningKeyRevoked', data: { participantId: 'MARGALLA', kid: 'kid-1', at } }]);
    spec
      .given([
        registered,
        keyRegistered('kid-1'),
        { type: 'ParticipantSigningKeyRevoked', data: { participantId: 'MARGALLA', kid: 'kid-1', at } },
      ])
      .when({ type: 'RevokeSigningKey', data: { participantId: 'MARGALLA', kid: 'kid-1' }, now })
      .thenThrows('SIGNING_KEY_NOT_FOUND');
  });
});

describe('requiring signed requests (off by default)', () => {
  it('refuses to require signatures of a participant without a key: it could not even register one', () =>
    spec.given([registered]).when(requireSigned(true)).thenThrows('SIGNING_KEY_REQUIRED'));

  it('requires them once a key is registered, and records nothing when it is already so', () => {
    spec
      .given([registered, keyRegistered('kid-1')])
      .when(requireSigned(true))
      .then([requirementChanged(true)]);
    spec
      .given([registered, keyRegistered('kid-1'), requirementChanged(true)])
      .when(requireSigned(true))
      .then([]);
  });

  it('lets the operator turn it off, also with no key left (a leaked key revoked in a hurry)', () =>
    spec
      .given([
        registered,
        keyRegistered('kid-1'),
        requirementChanged(true),
        { type: 'ParticipantSigningKeyRevoked', data: { participantId: 'MARGALLA', kid: 'kid-1', at } },
      ])
      .when(requireSigned(false))
      .then([requirementChanged(false)]));

  it('leaves the requirement alone when a change does not name it', () =>
    spec
      .given([registered, keyRegistered('kid-1'), requirementChanged(true)])
      .when({ type: 'ChangeParticipant', data: { participantId: 'MARGALLA', active: false, netDebitCapMinor: null }, now })
      .then([{ type: 'ParticipantDeactivated', data: { participantId: 'MARGALLA', at } }]));
});
