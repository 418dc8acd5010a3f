import type { PublicJwk, RequestSigningAlgorithm } from '../auth/request-signing-key';
import type { CreditMode, ParticipantEndpoints, ParticipantType } from './participant-profile';

/**
 * Facts of a participant's stream `participant-<id>`. Money is an integer string of minor units.
 * `requestReference` identifies the client request (operator + Idempotency-Key, hashed) that caused the fact,
 * so that a retry after a crash recognises its own earlier effect instead of repeating it.
 */
export type ParticipantRegistered = {
  type: 'ParticipantRegistered';
  data: {
    participantId: string;
    name: string;
    participantType: ParticipantType;
    bankCode: string;
    currency: string;
    netDebitCapMinor: string;
    creditMode: CreditMode;
    endpoints: ParticipantEndpoints;
    /** Issue 17: currencies beyond `currency`, each with its cap (absent on events of one-currency participants). */
    additionalCurrencies?: { currency: string; netDebitCapMinor: string }[];
    /** Issue 17: an authorised dealer that posts exchange rates (absent: false). */
    fxProvider?: boolean;
    requestReference: string | null;
    at: string;
  };
};
export type ParticipantActivated = { type: 'ParticipantActivated'; data: { participantId: string; at: string } };
export type ParticipantDeactivated = { type: 'ParticipantDeactivated'; data: { participantId: string; at: string } };
export type ParticipantNetDebitCapChanged = {
  type: 'ParticipantNetDebitCapChanged';
  /** `currency` absent: the participant's first currency (events written before issue 17 name none). */
  data: { participantId: string; netDebitCapMinor: string; previousNetDebitCapMinor: string; currency?: string; at: string };
};
/**
 * The key itself is never stored: only its SHA-256. `signingSecret` is only on events written before signing
 * secrets rotated on their own (issue 9): then every key brought a plaintext secret, and the newest one signed.
 * Such events still load, and their secret still signs until the participant's next rotation.
 */
export type ParticipantKeyIssued = {
  type: 'ParticipantKeyIssued';
  data: { participantId: string; keyId: string; keyHash: string; signingSecret?: string; requestReference: string | null; at: string };
};
/** When an older signing secret stops signing: `retiresAt` at or before the event's `at` means at once. */
export type SigningSecretRetirement = { secretId: string; retiresAt: string };
/**
 * A new callback signing secret, sealed under the master key (core/secrets/secret-box.ts), never in plain text.
 * Older secrets keep signing beside it until their `retirements` time (the overlap), then stop.
 */
export type ParticipantSigningSecretRotated = {
  type: 'ParticipantSigningSecretRotated';
  data: {
    participantId: string;
    secretId: string;
    sealedSecret: string;
    retirements: SigningSecretRetirement[];
    requestReference: string | null;
    at: string;
  };
};
export type ParticipantKeyRevoked = { type: 'ParticipantKeyRevoked'; data: { participantId: string; keyId: string; at: string } };

/**
 * A public key the participant signs its requests with (issue 15): a JWK of the public part only, `kid` its
 * RFC 7638 thumbprint, so the same key registered twice is recognised. Not secret, so not sealed.
 */
export type ParticipantSigningKeyRegistered = {
  type: 'ParticipantSigningKeyRegistered';
  data: {
    participantId: string;
    kid: string;
    alg: RequestSigningAlgorithm;
    publicKey: PublicJwk;
    requestReference: string | null;
    at: string;
  };
};
/** From then on a request signed with this key is refused; evidence already recorded keeps its copy of the key. */
export type ParticipantSigningKeyRevoked = {
  type: 'ParticipantSigningKeyRevoked';
  data: { participantId: string; kid: string; at: string };
};
/** Whether every write the participant sends must carry a Hisaab-JWS signature (the operator's choice). */
export type ParticipantSignedRequestsRequirementChanged = {
  type: 'ParticipantSignedRequestsRequirementChanged';
  data: { participantId: string; required: boolean; at: string };
};

/**
 * Where and how the switch reaches the participant from now on (the operator's PATCH): the whole endpoints object,
 * replacing the one registered or last changed. `previousEndpoints` keeps what it replaced, so the participant's
 * stream alone says where each credit and request to pay of the past was sent. The kind (HTTP or ISO 8583) stays.
 */
export type ParticipantEndpointsChanged = {
  type: 'ParticipantEndpointsChanged';
  data: { participantId: string; endpoints: ParticipantEndpoints; previousEndpoints: ParticipantEndpoints; at: string };
};

/**
 * The participant's own request rate (issue 15, item 3), per key and route class; null: back to the switch's default.
 * A count of requests, not money, so a plain number.
 */
export type ParticipantRateLimitChanged = {
  type: 'ParticipantRateLimitChanged';
  data: { participantId: string; rateLimitPerSecond: number | null; previousRateLimitPerSecond: number | null; at: string };
};

/**
 * A client certificate bound to the participant (mutual TLS): its requests may come over a certificate with this
 * SHA-256 fingerprint. `subject` and `notAfter` are known when the operator sent the certificate itself.
 */
export type ParticipantClientCertificateRegistered = {
  type: 'ParticipantClientCertificateRegistered';
  data: {
    participantId: string;
    fingerprint256: string;
    subject: string | null;
    notAfter: string | null;
    requestReference: string | null;
    at: string;
  };
};
export type ParticipantClientCertificateRevoked = {
  type: 'ParticipantClientCertificateRevoked';
  data: { participantId: string; fingerprint256: string; at: string };
};

export type ParticipantEvent =
  | ParticipantRegistered
  | ParticipantActivated
  | ParticipantDeactivated
  | ParticipantNetDebitCapChanged
  | ParticipantKeyIssued
  | ParticipantKeyRevoked
  | ParticipantSigningSecretRotated
  | ParticipantSigningKeyRegistered
  | ParticipantSigningKeyRevoked
  | ParticipantSignedRequestsRequirementChanged
  | ParticipantClientCertificateRegistered
  | ParticipantClientCertificateRevoked
  | ParticipantRateLimitChanged
  | ParticipantEndpointsChanged;

export const participantEventTypes: readonly ParticipantEvent['type'][] = [
  'ParticipantRegistered',
  'ParticipantActivated',
  'ParticipantDeactivated',
  'ParticipantNetDebitCapChanged',
  'ParticipantKeyIssued',
  'ParticipantKeyRevoked',
  'ParticipantSigningSecretRotated',
  'ParticipantSigningKeyRegistered',
  'ParticipantSigningKeyRevoked',
  'ParticipantSignedRequestsRequirementChanged',
  'ParticipantClientCertificateRegistered',
  'ParticipantClientCertificateRevoked',
  'ParticipantRateLimitChanged',
  'ParticipantEndpointsChanged',
];
