import { rateLimitPerSecondMax, rateLimitPerSecondMin } from '../rate-limit-overrides';
import { assert, assertNever } from '../assert';
import type { Account } from '../directory/account';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';
import { couldBeRetryOf } from '../idempotency/retry-window';
import { liveSecrets, rotatedSecrets, rotationRetirements, type RotatingSecret } from '../secrets/rotating-secrets';
import type { MerchantEvent, MerchantFeesData, MerchantInboundSettings, MerchantRegistered } from './merchant-events';
import { merchantEventTypes } from './merchant-events';
import { merchantActiveKeysMax, type MerchantFees, type MerchantRegistration } from './merchant-profile';
import { assertTaxNumber } from './merchant-tax-number';

/** A key or a secret made by the caller of the decider (random, then hashed or sealed): the decider stays deterministic. */
export type NewMerchantKey = { keyId: string; keyHash: string };
export type NewWebhookSecret = { secretId: string; sealedSecret: string };

export type MerchantCommand =
  | {
      type: 'RegisterMerchant';
      data: MerchantRegistration & { key: NewMerchantKey; secret: NewWebhookSecret; requestReference: string | null };
      now: Date;
    }
  | {
      type: 'ChangeMerchant';
      /** null: leave as it is. */
      data: MerchantChange;
      now: Date;
    }
  | { type: 'IssueMerchantKey'; data: { merchantId: string; key: NewMerchantKey; requestReference: string | null }; now: Date }
  | { type: 'RevokeMerchantKey'; data: { merchantId: string; keyId: string }; now: Date }
  | { type: 'RotateWebhookSecret'; data: { merchantId: string; secret: NewWebhookSecret; requestReference: string | null }; now: Date };

/** How long the secrets signing before a rotation keep signing beside the new one (Stripe's default for a roll). */
export const webhookSecretOverlapMs = 24 * 60 * 60 * 1000;
/** At most this many secrets sign at once: a bound on every signature header. */
export const webhookSecretsLiveMax = 3;

/** What the operator (fees, rate) or acquirer changes. null (or absent): leave as it is; `{ perSecond: null }`: the default rate. */
export type MerchantChange = {
  merchantId: string;
  active: boolean | null;
  webhookUrl: string | null;
  fees: MerchantFees | null;
  rateLimitPerSecond?: { perSecond: number | null } | null;
  /** Issue 17: in-bound foreign-currency payments. */
  inbound?: MerchantInboundSettings | null;
  /** Issue 17: the tax number on certificates; `{ value: null }` removes it. */
  taxNumber?: { value: string | null } | null;
};

export type WebhookSecretEntry = RotatingSecret;
export type MerchantKeyEntry = { keyId: string; requestReference: string | null; issuedAt: string };

export type RegisteredMerchant = {
  status: 'registered';
  registration: MerchantRegistration;
  active: boolean;
  webhookUrl: string;
  fees: MerchantFees;
  requestReference: string | null;
  createdAt: string;
  activeKeys: readonly MerchantKeyEntry[];
  /** Newest first; only those that still sign once later events pass their retirement. */
  webhookSecrets: readonly WebhookSecretEntry[];
  /** Requests per second per key and route class; null: the switch's default (HISAAB_RATE_LIMIT_PER_KEY). */
  rateLimitPerSecond: number | null;
  /** Issue 17: in-bound foreign-currency payments; null until the operator or the acquirer enables them. */
  inbound: MerchantInboundSettings | null;
  /** Issue 17: the NTN or CNIC printed on its export proceeds certificates; null: none on record. */
  taxNumber: string | null;
};
export type MerchantState = { status: 'absent' } | RegisteredMerchant;

export const initialState: MerchantState = { status: 'absent' };

export function evolve(state: MerchantState, event: MerchantEvent): MerchantState {
  if (event.type === 'MerchantRegistered') {
    assert(state.status === 'absent', `merchant ${event.data.merchantId} registered twice`);
    const registration = registrationOf(event);
    return {
      status: 'registered',
      registration,
      active: true,
      webhookUrl: registration.webhookUrl,
      fees: registration.fees,
      requestReference: event.data.requestReference,
      createdAt: event.data.at,
      activeKeys: [],
      webhookSecrets: [],
      rateLimitPerSecond: null,
      inbound: null,
      taxNumber: registration.taxNumber,
    };
  }
  assert(state.status === 'registered', `${event.type} for merchant ${event.data.merchantId} before its registration`);
  switch (event.type) {
    case 'MerchantActivated':
      return { ...state, active: true };
    case 'MerchantDeactivated':
      return { ...state, active: false };
    case 'MerchantWebhookUrlChanged':
      return { ...state, webhookUrl: event.data.webhookUrl };
    case 'MerchantFeesChanged':
      return { ...state, fees: feesFromData(event.data.fees) };
    case 'MerchantKeyIssued':
      return {
        ...state,
        activeKeys: [
          ...state.activeKeys,
          { keyId: event.data.keyId, requestReference: event.data.requestReference, issuedAt: event.data.at },
        ],
      };
    case 'MerchantKeyRevoked':
      return { ...state, activeKeys: state.activeKeys.filter((key) => key.keyId !== event.data.keyId) };
    case 'MerchantWebhookSecretRotated':
      return { ...state, webhookSecrets: rotatedSecrets(state.webhookSecrets, event.data) };
    case 'MerchantRateLimitChanged':
      return { ...state, rateLimitPerSecond: event.data.rateLimitPerSecond };
    case 'MerchantInboundSettingsChanged':
      return { ...state, inbound: event.data.inbound };
    case 'MerchantTaxNumberChanged':
      return { ...state, taxNumber: event.data.taxNumber };
    default:
      return assertNever(event);
  }
}

export function decide(command: MerchantCommand, state: MerchantState): MerchantEvent[] {
  const at = command.now.toISOString();
  switch (command.type) {
    case 'RegisterMerchant':
      return decideRegister(command.data, state, command.now);
    case 'ChangeMerchant':
      return decideChange(command.data, requireRegistered(state, command.data.merchantId), at);
    case 'IssueMerchantKey': {
      const merchant = requireRegistered(state, command.data.merchantId);
      return issueKeyEvents(merchant, command.data.merchantId, command.data.key, command.data.requestReference, command.now);
    }
    case 'RevokeMerchantKey': {
      const merchant = requireRegistered(state, command.data.merchantId);
      if (!merchant.activeKeys.some((key) => key.keyId === command.data.keyId)) {
        throw new DomainError('KEY_NOT_FOUND', `merchant ${command.data.merchantId} has no active key ${command.data.keyId}`);
      }
      return [{ type: 'MerchantKeyRevoked', data: { ...command.data, at } }];
    }
    case 'RotateWebhookSecret': {
      const merchant = requireRegistered(state, command.data.merchantId);
      return [
        rotationEvent(merchant.webhookSecrets, command.data.merchantId, command.data.secret, command.data.requestReference, command.now),
      ];
    }
    default:
      return assertNever(command);
  }
}

export const merchantDecider: Decider<MerchantCommand, MerchantEvent, MerchantState> = {
  initialState,
  evolve,
  decide,
  eventTypes: merchantEventTypes,
};

function decideRegister(
  data: MerchantRegistration & { key: NewMerchantKey; secret: NewWebhookSecret; requestReference: string | null },
  state: MerchantState,
  now: Date,
): MerchantEvent[] {
  const { key, secret, requestReference, ...registration } = data;
  if (state.status === 'registered') {
    // The same request again (its answer was lost): the answer carried the only copy of the key and the secret, so
    // both are replaced rather than left valid and known to nobody.
    if (requestReference !== null && state.requestReference === requestReference) {
      if (!sameRegistration(state.registration, registration)) {
        throw new DomainError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key registered a merchant with different details');
      }
      return [
        ...issueKeyEvents(state, registration.merchantId, key, requestReference, now),
        rotationEvent(state.webhookSecrets, registration.merchantId, secret, requestReference, now),
      ];
    }
    throw new DomainError('MERCHANT_EXISTS', `merchant ${registration.merchantId} already exists`);
  }
  const at = now.toISOString();
  assertTaxNumber(registration.taxNumber);
  return [
    { type: 'MerchantRegistered', data: { ...registrationData(registration), requestReference, at } },
    { type: 'MerchantKeyIssued', data: { merchantId: registration.merchantId, ...key, requestReference, at } },
    rotationEvent([], registration.merchantId, secret, requestReference, now),
  ];
}

function decideChange(data: MerchantChange, state: RegisteredMerchant, at: string): MerchantEvent[] {
  const events: MerchantEvent[] = [];
  const merchantId = data.merchantId;
  if (data.active !== null && data.active !== state.active) {
    events.push({ type: data.active ? 'MerchantActivated' : 'MerchantDeactivated', data: { merchantId, at } });
  }
  if (data.webhookUrl !== null && data.webhookUrl !== state.webhookUrl) {
    events.push({ type: 'MerchantWebhookUrlChanged', data: { merchantId, webhookUrl: data.webhookUrl, at } });
  }
  if (data.fees !== null && !sameFees(data.fees, state.fees)) {
    events.push({ type: 'MerchantFeesChanged', data: { merchantId, fees: feesData(data.fees), previousFees: feesData(state.fees), at } });
  }
  const rateLimit = data.rateLimitPerSecond ?? null;
  if (rateLimit !== null && rateLimit.perSecond !== state.rateLimitPerSecond) {
    assert(
      rateLimit.perSecond === null ||
        (Number.isSafeInteger(rateLimit.perSecond) &&
          rateLimit.perSecond >= rateLimitPerSecondMin &&
          rateLimit.perSecond <= rateLimitPerSecondMax),
      'a merchant rate limit is checked at the edge to be a whole number within its bounds',
    );
    events.push({
      type: 'MerchantRateLimitChanged',
      data: { merchantId, rateLimitPerSecond: rateLimit.perSecond, previousRateLimitPerSecond: state.rateLimitPerSecond, at },
    });
  }
  const inbound = data.inbound ?? null;
  if (inbound !== null && JSON.stringify(inbound) !== JSON.stringify(state.inbound)) {
    events.push({ type: 'MerchantInboundSettingsChanged', data: { merchantId, inbound, at } });
  }
  const taxNumber = data.taxNumber ?? null;
  if (taxNumber !== null && taxNumber.value !== state.taxNumber) {
    assertTaxNumber(taxNumber.value);
    events.push({
      type: 'MerchantTaxNumberChanged',
      data: { merchantId, taxNumber: taxNumber.value, previousTaxNumber: state.taxNumber, at },
    });
  }
  return events;
}

function issueKeyEvents(
  state: RegisteredMerchant,
  merchantId: string,
  key: NewMerchantKey,
  requestReference: string | null,
  now: Date,
): MerchantEvent[] {
  const at = now.toISOString();
  // A retry of a request whose answer was lost replaces the key that answer carried (see participant keys).
  const superseded = state.activeKeys.filter((existing) => couldBeRetryOf(existing, requestReference, now));
  if (state.activeKeys.length - superseded.length >= merchantActiveKeysMax) {
    throw new DomainError('KEY_LIMIT_REACHED', `a merchant holds at most ${merchantActiveKeysMax} active keys; revoke one first`);
  }
  return [
    ...superseded.map((existing): MerchantEvent => ({ type: 'MerchantKeyRevoked', data: { merchantId, keyId: existing.keyId, at } })),
    { type: 'MerchantKeyIssued', data: { merchantId, ...key, requestReference, at } },
  ];
}

/**
 * A rotation: the current secret keeps signing for 24 hours beside the new one, so a merchant can deploy the new
 * secret without losing a webhook. A retry of a rotation whose answer was lost stops that lost secret at once.
 */
function rotationEvent(
  secrets: readonly WebhookSecretEntry[],
  merchantId: string,
  secret: NewWebhookSecret,
  requestReference: string | null,
  now: Date,
): MerchantEvent {
  const at = now.toISOString();
  const overlapEndsAt = new Date(now.getTime() + webhookSecretOverlapMs).toISOString();
  const { retirements, stillSigning } = rotationRetirements(secrets, requestReference, now, overlapEndsAt);
  if (stillSigning.length + 1 > webhookSecretsLiveMax) {
    throw new DomainError(
      'SIGNING_SECRET_LIMIT_REACHED',
      `at most ${webhookSecretsLiveMax} webhook secrets sign at once; wait until an older one retires (24 hours after its rotation)`,
    );
  }
  return { type: 'MerchantWebhookSecretRotated', data: { merchantId, ...secret, retirements, requestReference, at } };
}

/** The secrets that sign at `now`, newest first. */
export function liveWebhookSecrets(secrets: readonly WebhookSecretEntry[], now: Date): WebhookSecretEntry[] {
  return liveSecrets(secrets, now);
}

function requireRegistered(state: MerchantState, merchantId: string): RegisteredMerchant {
  if (state.status !== 'registered') throw new DomainError('MERCHANT_NOT_FOUND', `merchant ${merchantId} does not exist`);
  return state;
}

export function feesData(fees: MerchantFees): MerchantFeesData {
  return { mdrPercent: fees.mdrPercent, interchangePercent: fees.interchangePercent, switchFeeMinor: fees.switchFeeMinor.toString() };
}

export function feesFromData(data: MerchantFeesData): MerchantFees {
  return { mdrPercent: data.mdrPercent, interchangePercent: data.interchangePercent, switchFeeMinor: BigInt(data.switchFeeMinor) };
}

function registrationData(registration: MerchantRegistration): Omit<MerchantRegistered['data'], 'requestReference' | 'at'> {
  return { ...registration, fees: feesData(registration.fees) };
}

function registrationOf(event: MerchantRegistered): MerchantRegistration {
  const { requestReference: _reference, at: _at, fees, taxNumber, ...rest } = event.data;
  return { ...rest, fees: feesFromData(fees), taxNumber: taxNumber ?? null };
}

function sameFees(a: MerchantFees, b: MerchantFees): boolean {
  return a.mdrPercent === b.mdrPercent && a.interchangePercent === b.interchangePercent && a.switchFeeMinor === b.switchFeeMinor;
}

function sameAccount(a: Account, b: Account): boolean {
  return a.type === b.type && a.value === b.value;
}

function sameRegistration(a: MerchantRegistration, b: MerchantRegistration): boolean {
  return (
    a.merchantId === b.merchantId &&
    a.name === b.name &&
    a.mcc === b.mcc &&
    a.city === b.city &&
    a.acquirerId === b.acquirerId &&
    a.currency === b.currency &&
    sameAccount(a.settlementAccount, b.settlementAccount) &&
    a.webhookUrl === b.webhookUrl &&
    sameFees(a.fees, b.fees) &&
    a.taxNumber === b.taxNumber
  );
}
