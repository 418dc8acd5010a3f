import { assert, assertNever } from '../assert';
import { algorithmFitsKey, signingKeysActiveMax, type PublicJwk, type RequestSigningAlgorithm } from '../auth/request-signing-key';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';
import { couldBeRetryOf } from '../idempotency/retry-window';
import { liveSecrets, rotatedSecrets, rotationRetirements, type RotatingSecret } from '../secrets/rotating-secrets';
import { canonicalFingerprint256, clientCertificatesMax, type ClientCertificateBinding } from './client-certificate';
import type { ParticipantEvent, ParticipantKeyIssued, ParticipantRegistered, SigningSecretRetirement } from './participant-events';
import { participantEventTypes } from './participant-events';
import { rateLimitPerSecondMax, rateLimitPerSecondMin } from '../rate-limit-overrides';
import {
  activeKeysMax,
  isIso8583Endpoints,
  registeredCurrencies,
  type ParticipantEndpoints,
  type ParticipantRegistration,
} from './participant-profile';

export type ParticipantCommand =
  | { type: 'RegisterParticipant'; data: ParticipantRegistration & { requestReference: string | null }; now: Date }
  | {
      type: 'ChangeParticipant';
      /** null (or, for requireSignedRequests, absent): leave as it is. */
      data: ParticipantChange;
      now: Date;
    }
  | {
      type: 'IssueParticipantKey';
      /**
       * `firstSigningSecret`: used only when the participant has no signing secret yet (its first key), so that a
       * new participant can verify callbacks at once. A later key never touches the signing secrets.
       */
      data: {
        participantId: string;
        keyId: string;
        keyHash: string;
        firstSigningSecret: NewSigningSecret;
        requestReference: string | null;
      };
      now: Date;
    }
  | { type: 'RevokeParticipantKey'; data: { participantId: string; keyId: string }; now: Date }
  | {
      type: 'RegisterSigningKey';
      /** `kid`: the key's RFC 7638 thumbprint, computed (and the key checked to be a real public key) at the edge. */
      data: { participantId: string; kid: string; alg: RequestSigningAlgorithm; publicKey: PublicJwk; requestReference: string | null };
      now: Date;
    }
  | { type: 'RevokeSigningKey'; data: { participantId: string; kid: string }; now: Date }
  | {
      type: 'RotateSigningSecret';
      /** `overlapSeconds`: how long the secrets signing now keep signing beside the new one. */
      data: { participantId: string; secret: NewSigningSecret; overlapSeconds: number; requestReference: string | null };
      now: Date;
    }
  | {
      type: 'RegisterClientCertificate';
      data: { participantId: string; certificate: NewClientCertificate; requestReference: string | null };
      now: Date;
    }
  | { type: 'RevokeClientCertificate'; data: { participantId: string; fingerprint256: string }; now: Date };

/**
 * What the operator changes on a participant. null (or, for the optional fields, absent): leave as it is. `currency`
 * names the cap's currency (absent: the first). For `rateLimitPerSecond`, `{ perSecond: null }` goes back to the
 * switch's default.
 */
export type ParticipantChange = {
  participantId: string;
  active: boolean | null;
  netDebitCapMinor: bigint | null;
  currency?: string;
  requireSignedRequests?: boolean | null;
  rateLimitPerSecond?: { perSecond: number | null } | null;
  /** The whole endpoints object, replacing the current one; of the same kind (HTTP or ISO 8583) as the current one. */
  endpoints?: ParticipantEndpoints | null;
};

/** A certificate to bind, its fingerprint canonical (core/participants/client-certificate.ts). */
export type NewClientCertificate = { fingerprint256: string; subject: string | null; notAfter: string | null };

/** A signing secret made by the caller of the decider (random, then sealed): the decider stays deterministic. */
export type NewSigningSecret = { secretId: string; sealedSecret: string };

/**
 * A secret the switch signs a participant's callbacks with. `sealedSecret` is sealed (hs1.…), except on a
 * participant whose secret came from a key issued before issue 9 (plain `whsec_…`, read as it was written).
 * `retiresAt` null: the current secret; otherwise it signs until then.
 */
export type SigningSecretEntry = RotatingSecret;

/** `issuedAt`: a retry can only come while its request's idempotency record could still exist. */
export type ActiveKey = { keyId: string; requestReference: string | null; issuedAt: string };

export type RegisteredParticipant = {
  status: 'registered';
  /** As registered; later changes are the fields below. */
  registration: ParticipantRegistration;
  active: boolean;
  /** Where the switch reaches the participant now: as registered, or as the operator last changed them. */
  endpoints: ParticipantEndpoints;
  netDebitCapMinor: bigint;
  /** The caps in the currencies beyond the first (issue 17), by currency. */
  additionalCapsMinor: ReadonlyMap<string, bigint>;
  requestReference: string | null;
  activeKeys: readonly ActiveKey[];
  /** Newest first; only secrets that still sign (retired ones are dropped as later events pass their time). */
  signingSecrets: readonly SigningSecretEntry[];
  /** Public keys the participant signs requests with, not revoked, oldest first. */
  requestSigningKeys: readonly { kid: string; alg: RequestSigningAlgorithm; requestReference: string | null }[];
  /** Every write must carry a verified Hisaab-JWS (issue 15); off until the operator turns it on. */
  requireSignedRequests: boolean;
  /** Requests per second per key and route class; null: the switch's default (HISAAB_RATE_LIMIT_PER_KEY). */
  rateLimitPerSecond: number | null;
  /** Client certificates bound for mutual TLS, oldest first. */
  clientCertificates: readonly ClientCertificateBinding[];
  /** The request that bound each certificate, by fingerprint: a retry recognises its own binding. */
  clientCertificateReferences: ReadonlyMap<string, string | null>;
};
export type ParticipantState = { status: 'absent' } | RegisteredParticipant;

export const initialState: ParticipantState = { status: 'absent' };

export function evolve(state: ParticipantState, event: ParticipantEvent): ParticipantState {
  if (event.type === 'ParticipantRegistered') {
    assert(state.status === 'absent', `participant ${event.data.participantId} registered twice`);
    return newlyRegistered(event);
  }
  assert(state.status === 'registered', `${event.type} for participant ${event.data.participantId} before its registration`);
  switch (event.type) {
    case 'ParticipantActivated':
      return { ...state, active: true };
    case 'ParticipantDeactivated':
      return { ...state, active: false };
    case 'ParticipantNetDebitCapChanged': {
      const currency = event.data.currency ?? state.registration.currency;
      if (currency === state.registration.currency) return { ...state, netDebitCapMinor: BigInt(event.data.netDebitCapMinor) };
      return { ...state, additionalCapsMinor: new Map(state.additionalCapsMinor).set(currency, BigInt(event.data.netDebitCapMinor)) };
    }
    case 'ParticipantKeyIssued':
      return withKeyIssued(state, event);
    case 'ParticipantSigningSecretRotated':
      return { ...state, signingSecrets: rotatedSecrets(state.signingSecrets, event.data) };
    case 'ParticipantKeyRevoked':
      return { ...state, activeKeys: state.activeKeys.filter((key) => key.keyId !== event.data.keyId) };
    case 'ParticipantSigningKeyRegistered': {
      const { kid, alg, requestReference } = event.data;
      return { ...state, requestSigningKeys: [...state.requestSigningKeys, { kid, alg, requestReference }] };
    }
    case 'ParticipantSigningKeyRevoked':
      return { ...state, requestSigningKeys: state.requestSigningKeys.filter((key) => key.kid !== event.data.kid) };
    case 'ParticipantSignedRequestsRequirementChanged':
      return { ...state, requireSignedRequests: event.data.required };
    case 'ParticipantRateLimitChanged':
      return { ...state, rateLimitPerSecond: event.data.rateLimitPerSecond };
    case 'ParticipantEndpointsChanged':
      return { ...state, endpoints: event.data.endpoints };
    case 'ParticipantClientCertificateRegistered': {
      const { fingerprint256, subject, notAfter, requestReference, at } = event.data;
      return {
        ...state,
        clientCertificates: [...state.clientCertificates, { fingerprint256, subject, notAfter, registeredAt: at }],
        clientCertificateReferences: new Map(state.clientCertificateReferences).set(fingerprint256, requestReference),
      };
    }
    case 'ParticipantClientCertificateRevoked': {
      const references = new Map(state.clientCertificateReferences);
      references.delete(event.data.fingerprint256);
      return {
        ...state,
        clientCertificates: state.clientCertificates.filter((binding) => binding.fingerprint256 !== event.data.fingerprint256),
        clientCertificateReferences: references,
      };
    }
    default:
      return assertNever(event);
  }
}

function newlyRegistered(event: ParticipantRegistered): RegisteredParticipant {
  const registration = registrationOf(event);
  return {
    status: 'registered',
    registration,
    active: true,
    endpoints: registration.endpoints,
    netDebitCapMinor: registration.netDebitCapMinor,
    additionalCapsMinor: new Map((registration.additionalCurrencies ?? []).map((entry) => [entry.currency, entry.netDebitCapMinor])),
    requestReference: event.data.requestReference,
    activeKeys: [],
    signingSecrets: [],
    requestSigningKeys: [],
    requireSignedRequests: false,
    rateLimitPerSecond: null,
    clientCertificates: [],
    clientCertificateReferences: new Map(),
  };
}

function withKeyIssued(state: RegisteredParticipant, event: ParticipantKeyIssued): RegisteredParticipant {
  const activeKeys = [
    ...state.activeKeys,
    { keyId: event.data.keyId, requestReference: event.data.requestReference, issuedAt: event.data.at },
  ];
  // Written before issue 9: the newest key's secret was the one that signed, and the earlier ones stopped.
  const legacySecret = event.data.signingSecret;
  if (legacySecret === undefined) return { ...state, activeKeys };
  const entry = {
    secretId: `key-${event.data.keyId}`,
    sealedSecret: legacySecret,
    requestReference: event.data.requestReference,
    issuedAt: event.data.at,
    retiresAt: null,
  };
  return { ...state, activeKeys, signingSecrets: [entry] };
}

export function decide(command: ParticipantCommand, state: ParticipantState): ParticipantEvent[] {
  switch (command.type) {
    case 'RegisterParticipant':
      return decideRegister(command.data, state, command.now);
    case 'ChangeParticipant':
      return decideChange(command.data, requireRegistered(state, command.data.participantId), command.now);
    case 'IssueParticipantKey':
      return decideIssueKey(command.data, requireRegistered(state, command.data.participantId), command.now);
    case 'RevokeParticipantKey': {
      const registered = requireRegistered(state, command.data.participantId);
      if (!registered.activeKeys.some((key) => key.keyId === command.data.keyId)) {
        throw new DomainError('KEY_NOT_FOUND', `participant ${command.data.participantId} has no active key ${command.data.keyId}`);
      }
      return [{ type: 'ParticipantKeyRevoked', data: { ...command.data, at: command.now.toISOString() } }];
    }
    case 'RotateSigningSecret':
      return decideRotateSigningSecret(command.data, requireRegistered(state, command.data.participantId), command.now);
    case 'RegisterSigningKey':
      return decideRegisterSigningKey(command.data, requireRegistered(state, command.data.participantId), command.now);
    case 'RevokeSigningKey': {
      const registered = requireRegistered(state, command.data.participantId);
      if (!registered.requestSigningKeys.some((key) => key.kid === command.data.kid)) {
        throw new DomainError(
          'SIGNING_KEY_NOT_FOUND',
          `participant ${command.data.participantId} has no active signing key ${command.data.kid}`,
        );
      }
      return [{ type: 'ParticipantSigningKeyRevoked', data: { ...command.data, at: command.now.toISOString() } }];
    }
    case 'RegisterClientCertificate':
      return decideRegisterClientCertificate(command.data, requireRegistered(state, command.data.participantId), command.now);
    case 'RevokeClientCertificate': {
      const registered = requireRegistered(state, command.data.participantId);
      assert(canonicalFingerprint256(command.data.fingerprint256) === command.data.fingerprint256, 'a fingerprint arrives canonical');
      if (!registered.clientCertificates.some((binding) => binding.fingerprint256 === command.data.fingerprint256)) {
        throw new DomainError(
          'CLIENT_CERTIFICATE_NOT_FOUND',
          `participant ${command.data.participantId} has no client certificate ${command.data.fingerprint256}`,
        );
      }
      return [{ type: 'ParticipantClientCertificateRevoked', data: { ...command.data, at: command.now.toISOString() } }];
    }
    default:
      return assertNever(command);
  }
}

export const participantDecider: Decider<ParticipantCommand, ParticipantEvent, ParticipantState> = {
  initialState,
  evolve,
  decide,
  eventTypes: participantEventTypes,
};

function decideRegister(
  data: ParticipantRegistration & { requestReference: string | null },
  state: ParticipantState,
  now: Date,
): ParticipantEvent[] {
  assert(data.netDebitCapMinor >= 0n, 'a net debit cap is never negative');
  if (state.status === 'registered') {
    // The same request again (a retry after a lost answer or a crash) finds its own registration: nothing new.
    if (data.requestReference !== null && state.requestReference === data.requestReference) {
      if (sameRegistration(state.registration, data)) return [];
      throw new DomainError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key registered a participant with different details');
    }
    throw new DomainError('PARTICIPANT_EXISTS', `participant ${data.participantId} already exists`);
  }
  const { netDebitCapMinor, type, additionalCurrencies, fxProvider, ...rest } = data;
  const currencies = [data.currency, ...(additionalCurrencies ?? []).map((entry) => entry.currency)];
  assert(new Set(currencies).size === currencies.length, 'a participant holds each currency once');
  assert(fxProvider !== true || type === 'BANK', 'only a bank is an authorised dealer');
  return [
    {
      type: 'ParticipantRegistered',
      data: {
        ...rest,
        participantType: type,
        netDebitCapMinor: netDebitCapMinor.toString(),
        // Written only when used, so one-currency participants' events stay as they were before issue 17.
        ...(additionalCurrencies === undefined || additionalCurrencies.length === 0
          ? {}
          : {
              additionalCurrencies: additionalCurrencies.map((entry) => ({
                currency: entry.currency,
                netDebitCapMinor: entry.netDebitCapMinor.toString(),
              })),
            }),
        ...(fxProvider === true ? { fxProvider: true } : {}),
        at: now.toISOString(),
      },
    },
  ];
}

function decideChange(data: ParticipantChange, state: RegisteredParticipant, now: Date): ParticipantEvent[] {
  const at = now.toISOString();
  const events: ParticipantEvent[] = [];
  if (data.active !== null && data.active !== state.active) {
    events.push({ type: data.active ? 'ParticipantActivated' : 'ParticipantDeactivated', data: { participantId: data.participantId, at } });
  }
  const capCurrency = data.currency ?? state.registration.currency;
  const previousCapMinor = netDebitCapIn(state, capCurrency);
  if (data.netDebitCapMinor !== null && previousCapMinor === null) {
    throw new DomainError('CURRENCY_NOT_HELD', `participant ${data.participantId} holds no ${capCurrency.slice(0, 8)} position`);
  }
  if (data.netDebitCapMinor !== null && previousCapMinor !== null && data.netDebitCapMinor !== previousCapMinor) {
    assert(data.netDebitCapMinor >= 0n, 'a net debit cap is never negative');
    events.push({
      type: 'ParticipantNetDebitCapChanged',
      data: {
        participantId: data.participantId,
        netDebitCapMinor: data.netDebitCapMinor.toString(),
        previousNetDebitCapMinor: previousCapMinor.toString(),
        // The first currency stays unnamed, as every cap change before issue 17 was.
        ...(capCurrency === state.registration.currency ? {} : { currency: capCurrency }),
        at,
      },
    });
  }
  const requireSignedRequests = data.requireSignedRequests ?? null;
  if (requireSignedRequests !== null && requireSignedRequests !== state.requireSignedRequests) {
    // Without a key every write would be refused: the participant could not even register one itself.
    if (requireSignedRequests && state.requestSigningKeys.length === 0) {
      throw new DomainError(
        'SIGNING_KEY_REQUIRED',
        `participant ${data.participantId} has no signing key: register one before requiring signed requests`,
      );
    }
    events.push({
      type: 'ParticipantSignedRequestsRequirementChanged',
      data: { participantId: data.participantId, required: requireSignedRequests, at },
    });
  }
  const rateLimit = data.rateLimitPerSecond ?? null;
  if (rateLimit !== null && rateLimit.perSecond !== state.rateLimitPerSecond) {
    assert(
      rateLimit.perSecond === null ||
        (Number.isSafeInteger(rateLimit.perSecond) &&
          rateLimit.perSecond >= rateLimitPerSecondMin &&
          rateLimit.perSecond <= rateLimitPerSecondMax),
      'a participant rate limit is checked at the edge to be a whole number within its bounds',
    );
    events.push({
      type: 'ParticipantRateLimitChanged',
      data: {
        participantId: data.participantId,
        rateLimitPerSecond: rateLimit.perSecond,
        previousRateLimitPerSecond: state.rateLimitPerSecond,
        at,
      },
    });
  }
  events.push(...endpointsChange(data, state, at));
  return events;
}

/**
 * The endpoints replaced as a whole, or nothing when they are the ones the participant has already (a retried
 * PATCH, or an operator re-sending the record it read). A participant on HTTP stays on HTTP and a bank on ISO 8583
 * stays on ISO 8583: credits, reversals and advices already queued were queued to the channel of that kind, and
 * would find no endpoint on the other.
 */
function endpointsChange(data: ParticipantChange, state: RegisteredParticipant, at: string): ParticipantEvent[] {
  const endpoints = data.endpoints ?? null;
  if (endpoints === null || sameEndpoints(endpoints, state.endpoints)) return [];
  if (isIso8583Endpoints(endpoints) !== isIso8583Endpoints(state.endpoints)) {
    const current = isIso8583Endpoints(state.endpoints)
      ? 'ISO 8583 ({iso8583, institutionId, tls})'
      : 'HTTP ({creditUrl, reversalUrl, rtpUrl})';
    throw new DomainError(
      'ENDPOINT_KIND_MISMATCH',
      `participant ${data.participantId} is reached over ${current}; send endpoints of that kind, or register a new participant`,
    );
  }
  return [
    {
      type: 'ParticipantEndpointsChanged',
      data: { participantId: data.participantId, endpoints, previousEndpoints: state.endpoints, at },
    },
  ];
}

function decideRegisterSigningKey(
  data: { participantId: string; kid: string; alg: RequestSigningAlgorithm; publicKey: PublicJwk; requestReference: string | null },
  state: RegisteredParticipant,
  now: Date,
): ParticipantEvent[] {
  assert(algorithmFitsKey(data.alg, data.publicKey), `a ${data.alg} signing key is checked at the edge to be on its curve`);
  const existing = state.requestSigningKeys.find((key) => key.kid === data.kid);
  if (existing !== undefined) {
    // The same key again (a retry, or a participant that lost track) is the key it already has.
    if (existing.alg === data.alg) return [];
    throw new DomainError('SIGNING_KEY_EXISTS', `signing key ${data.kid} is registered for ${existing.alg}, not ${data.alg}`);
  }
  if (state.requestSigningKeys.length >= signingKeysActiveMax) {
    throw new DomainError(
      'SIGNING_KEY_LIMIT_REACHED',
      `a participant holds at most ${signingKeysActiveMax} signing keys; revoke one first`,
    );
  }
  return [{ type: 'ParticipantSigningKeyRegistered', data: { ...data, at: now.toISOString() } }];
}

function decideIssueKey(
  data: { participantId: string; keyId: string; keyHash: string; firstSigningSecret: NewSigningSecret; requestReference: string | null },
  state: RegisteredParticipant,
  now: Date,
): ParticipantEvent[] {
  const at = now.toISOString();
  // A retry of a request whose answer was lost: that answer carried the only copy of its key, so the key is
  // replaced rather than left valid and unknown to anyone. Past the idempotency retention the same key is a new
  // request (its record is gone), and the key issued under it long ago is in use: it stays.
  const superseded = state.activeKeys.filter((key) => couldBeRetryOf(key, data.requestReference, now));
  if (state.activeKeys.length - superseded.length >= activeKeysMax) {
    throw new DomainError('KEY_LIMIT_REACHED', `a participant holds at most ${activeKeysMax} active keys; revoke one first`);
  }
  const { firstSigningSecret, ...key } = data;
  const events: ParticipantEvent[] = [
    ...superseded.map((key): ParticipantEvent => ({
      type: 'ParticipantKeyRevoked',
      data: { participantId: data.participantId, keyId: key.keyId, at },
    })),
    { type: 'ParticipantKeyIssued', data: { ...key, at } },
  ];
  // The first key brings the first signing secret. A retry of that request replaces it too (the lost answer
  // carried its only copy); any other key leaves the signing secrets alone.
  const signingSecrets = liveSecrets(state.signingSecrets, now);
  const replacesLostFirst =
    signingSecrets.length === 1 && couldBeRetryOf(signingSecrets[0] as SigningSecretEntry, data.requestReference, now);
  if (signingSecrets.length === 0 || replacesLostFirst) {
    events.push(
      rotation(
        data.participantId,
        firstSigningSecret,
        signingSecrets.map((secret) => ({ secretId: secret.secretId, retiresAt: at })),
        data.requestReference,
        at,
      ),
    );
  }
  return events;
}

/** At most this many secrets sign at once (the new one and those in their overlap): a bound on every signature header. */
export const signingSecretsLiveMax = 3;
/** The default overlap, and the longest a caller may ask for. */
export const signingSecretOverlapSecondsDefault = 24 * 60 * 60;
export const signingSecretOverlapSecondsMax = 7 * 24 * 60 * 60;

function decideRotateSigningSecret(
  data: { participantId: string; secret: NewSigningSecret; overlapSeconds: number; requestReference: string | null },
  state: RegisteredParticipant,
  now: Date,
): ParticipantEvent[] {
  assert(
    Number.isSafeInteger(data.overlapSeconds) && data.overlapSeconds >= 0 && data.overlapSeconds <= signingSecretOverlapSecondsMax,
    'an overlap is 0 to 7 days in whole seconds',
  );
  const at = now.toISOString();
  const overlapEndsAt = new Date(now.getTime() + data.overlapSeconds * 1000).toISOString();
  const { retirements, stillSigning } = rotationRetirements(state.signingSecrets, data.requestReference, now, overlapEndsAt);
  if (stillSigning.length + 1 > signingSecretsLiveMax) {
    throw new DomainError(
      'SIGNING_SECRET_LIMIT_REACHED',
      `at most ${signingSecretsLiveMax} signing secrets sign at once; wait until ${earliestRetirement(stillSigning)} or rotate with overlapSeconds 0`,
    );
  }
  return [rotation(data.participantId, data.secret, retirements, data.requestReference, at)];
}

function rotation(
  participantId: string,
  secret: NewSigningSecret,
  retirements: SigningSecretRetirement[],
  requestReference: string | null,
  at: string,
): ParticipantEvent {
  return {
    type: 'ParticipantSigningSecretRotated',
    data: { participantId, secretId: secret.secretId, sealedSecret: secret.sealedSecret, retirements, requestReference, at },
  };
}

function earliestRetirement(secrets: readonly SigningSecretEntry[]): string {
  return (
    secrets
      .map((secret) => secret.retiresAt)
      .filter((retiresAt): retiresAt is string => retiresAt !== null)
      .sort()[0] ?? 'an older secret retires'
  );
}

/**
 * Binds a certificate. The same request again finds its own binding and adds nothing; the same certificate bound
 * by another request is a conflict (revoke it first), so that one binding always has one origin.
 */
function decideRegisterClientCertificate(
  data: { participantId: string; certificate: NewClientCertificate; requestReference: string | null },
  state: RegisteredParticipant,
  now: Date,
): ParticipantEvent[] {
  const { fingerprint256 } = data.certificate;
  assert(canonicalFingerprint256(fingerprint256) === fingerprint256, 'a fingerprint arrives canonical');
  if (state.clientCertificates.some((binding) => binding.fingerprint256 === fingerprint256)) {
    const reference = state.clientCertificateReferences.get(fingerprint256) ?? null;
    if (data.requestReference !== null && reference === data.requestReference) return [];
    throw new DomainError('CLIENT_CERTIFICATE_EXISTS', `the client certificate ${fingerprint256} is bound to this participant already`);
  }
  if (state.clientCertificates.length >= clientCertificatesMax) {
    throw new DomainError(
      'CLIENT_CERTIFICATE_LIMIT_REACHED',
      `a participant has at most ${clientCertificatesMax} client certificates bound; revoke one first`,
    );
  }
  return [
    {
      type: 'ParticipantClientCertificateRegistered',
      data: { participantId: data.participantId, ...data.certificate, requestReference: data.requestReference, at: now.toISOString() },
    },
  ];
}

function requireRegistered(state: ParticipantState, participantId: string): RegisteredParticipant {
  if (state.status !== 'registered') throw new DomainError('PARTICIPANT_NOT_FOUND', `participant ${participantId} does not exist`);
  return state;
}

/** The participant's net debit cap now in a currency it holds; null for a currency it does not hold. */
export function netDebitCapIn(state: RegisteredParticipant, currency: string): bigint | null {
  if (currency === state.registration.currency) return state.netDebitCapMinor;
  return state.additionalCapsMinor.get(currency) ?? null;
}

/** Every currency the participant holds, the first one first, with its cap now. */
export function currentCurrencyCaps(state: RegisteredParticipant): { currency: string; netDebitCapMinor: bigint }[] {
  return [
    { currency: state.registration.currency, netDebitCapMinor: state.netDebitCapMinor },
    ...[...state.additionalCapsMinor].map(([currency, netDebitCapMinor]) => ({ currency, netDebitCapMinor })),
  ];
}

function registrationOf(event: ParticipantRegistered): ParticipantRegistration {
  const {
    participantType,
    netDebitCapMinor,
    additionalCurrencies,
    fxProvider,
    requestReference: _reference,
    at: _at,
    ...rest
  } = event.data;
  return {
    ...rest,
    type: participantType,
    netDebitCapMinor: BigInt(netDebitCapMinor),
    ...(additionalCurrencies === undefined
      ? {}
      : {
          additionalCurrencies: additionalCurrencies.map((entry) => ({
            currency: entry.currency,
            netDebitCapMinor: BigInt(entry.netDebitCapMinor),
          })),
        }),
    ...(fxProvider === true ? { fxProvider: true } : {}),
  };
}

function sameRegistration(a: ParticipantRegistration, b: ParticipantRegistration): boolean {
  return (
    a.participantId === b.participantId &&
    a.name === b.name &&
    a.type === b.type &&
    a.bankCode === b.bankCode &&
    a.currency === b.currency &&
    a.netDebitCapMinor === b.netDebitCapMinor &&
    JSON.stringify(registeredCurrencies(a).map((entry) => [entry.currency, entry.netDebitCapMinor.toString()])) ===
      JSON.stringify(registeredCurrencies(b).map((entry) => [entry.currency, entry.netDebitCapMinor.toString()])) &&
    (a.fxProvider === true) === (b.fxProvider === true) &&
    a.creditMode === b.creditMode &&
    sameEndpoints(a.endpoints, b.endpoints)
  );
}

function sameEndpoints(a: ParticipantEndpoints, b: ParticipantEndpoints): boolean {
  if (isIso8583Endpoints(a) || isIso8583Endpoints(b)) {
    return (
      isIso8583Endpoints(a) &&
      isIso8583Endpoints(b) &&
      a.iso8583 === b.iso8583 &&
      a.institutionId === b.institutionId &&
      a.tls?.ca === b.tls?.ca
    );
  }
  return a.creditUrl === b.creditUrl && a.reversalUrl === b.reversalUrl && a.rtpUrl === b.rtpUrl;
}
