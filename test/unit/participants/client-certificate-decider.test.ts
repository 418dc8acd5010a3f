import { canonicalFingerprint256, clientCertificatesMax } from '../../../core/participants/client-certificate';
import { decide, evolve, initialState, type ParticipantCommand } from '../../../core/participants/participant-decider';
import type { ParticipantEvent } from '../../../core/participants/participant-events';
import { deciderSpec } from '../../support/decider-spec';

/** Client certificates bound to a participant for mutual TLS (issue 15 item 2), as the participant's stream decides them. */

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2025-03-01T10:00:00.000Z');
const at = now.toISOString();

const registered: ParticipantEvent = {
  type: 'ParticipantRegistered',
  data: {
    participantId: 'INDUS',
    name: 'Indus Bank',
    participantType: 'BANK',
    bankCode: 'INDB',
    currency: 'PKR',
    netDebitCapMinor: '100000000',
    creditMode: 'REQUEST',
    endpoints: { iso8583: '127.0.0.1:5000', institutionId: '600001' },
    requestReference: null,
    at,
  },
};

function fingerprint(byte: number): string {
  return Array.from({ length: 32 }, () => byte.toString(16).padStart(2, '0').toUpperCase()).join(':');
}
function bind(print: string, requestReference: string | null = null): ParticipantCommand {
  return {
    type: 'RegisterClientCertificate',
    data: { participantId: 'INDUS', certificate: { fingerprint256: print, subject: 'CN=indus', notAfter: null }, requestReference },
    now,
  };
}
function bound(print: string, requestReference: string | null = null): ParticipantEvent {
  return {
    type: 'ParticipantClientCertificateRegistered',
    data: { participantId: 'INDUS', fingerprint256: print, subject: 'CN=indus', notAfter: null, requestReference, at },
  };
}
function unbind(print: string): ParticipantCommand {
  return { type: 'RevokeClientCertificate', data: { participantId: 'INDUS', fingerprint256: print }, now };
}
const unbound = (print: string): ParticipantEvent => ({
  type: 'ParticipantClientCertificateRevoked',
  data: { participantId: 'INDUS', fingerprint256: print, at },
});

describe('client certificates of a participant', () => {
  it('binds a certificate, and a retry of the same request adds nothing', () => {
    spec
      .given([registered])
      .when(bind(fingerprint(1), 'ref-1'))
      .then([bound(fingerprint(1), 'ref-1')]);
    spec
      .given([registered, bound(fingerprint(1), 'ref-1')])
      .when(bind(fingerprint(1), 'ref-1'))
      .then([]);
  });

  it('refuses the same certificate bound by another request, and any for a participant that does not exist', () => {
    spec
      .given([registered, bound(fingerprint(1), 'ref-1')])
      .when(bind(fingerprint(1), 'ref-2'))
      .thenThrows('CLIENT_CERTIFICATE_EXISTS');
    spec
      .given([registered, bound(fingerprint(1))])
      .when(bind(fingerprint(1)))
      .thenThrows('CLIENT_CERTIFICATE_EXISTS');
    spec
      .given([])
      .when(bind(fingerprint(1)))
      .thenThrows('PARTICIPANT_NOT_FOUND');
  });

  it(`holds at most ${clientCertificatesMax}; unbinding one makes room`, () => {
    const full = [registered, ...Array.from({ length: clientCertificatesMax }, (_, index) => bound(fingerprint(index + 1)))];
    spec
      .given(full)
      .when(bind(fingerprint(200)))
      .thenThrows('CLIENT_CERTIFICATE_LIMIT_REACHED');
    spec
      .given([...full, unbound(fingerprint(1))])
      .when(bind(fingerprint(200)))
      .then([bound(fingerprint(200))]);
  });

  it('unbinds only a bound certificate, and an unbound one may be bound again', () => {
    spec
      .given([registered, bound(fingerprint(1))])
      .when(unbind(fingerprint(1)))
      .then([unbound(fingerprint(1))]);
    spec
      .given([registered, bound(fingerprint(1)), unbound(fingerprint(1))])
      .when(unbind(fingerprint(1)))
      .thenThrows('CLIENT_CERTIFICATE_NOT_FOUND');
    spec
      .given([registered, bound(fingerprint(1)), unbound(fingerprint(1))])
      .when(bind(fingerprint(1)))
      .then([bound(fingerprint(1))]);
  });

  it('writes fingerprints one way: upper-case pairs with colons, from either way of writing them', () => {
    const canonical = fingerprint(0xab);
    expect(canonicalFingerprint256(canonical.toLowerCase())).toBe(canonical);
    expect(canonicalFingerprint256(canonical.replaceAll(':', ''))).toBe(canonical);
    for (const bad of ['', 'AB:CD', `${canonical}:00`, canonical.replace('AB', 'ZZ'), canonical.replaceAll(':', '-')])
      expect(canonicalFingerprint256(bad)).toBeNull();
  });
});
