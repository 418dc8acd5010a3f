import { DomainError } from '../../../core/errors';
import {
  liveWebhookSecrets,
  merchantDecider,
  webhookSecretOverlapMs,
  type MerchantCommand,
  type MerchantState,
  type RegisteredMerchant,
} from '../../../core/gateway/merchant-decider';
import { noFees, type MerchantRegistration } from '../../../core/gateway/merchant-profile';

/** The merchant decider: registration and its retry, keys, and webhook-secret rotation with its 24-hour overlap. */
const now = new Date('2026-03-01T09:00:00.000Z');
const registration: MerchantRegistration = {
  merchantId: 'SHOP1',
  name: 'Shop One',
  mcc: '5411',
  city: 'Karachi',
  acquirerId: 'MARGALLA',
  currency: 'PKR',
  settlementAccount: { type: 'WALLET', value: 'WSHOP1' },
  webhookUrl: 'https://shop.example/hooks',
  fees: noFees,
  taxNumber: null,
};
const register = (
  reference: string | null,
  keyId: string,
  secretId: string,
  changes: Partial<MerchantRegistration> = {},
): MerchantCommand => ({
  type: 'RegisterMerchant',
  data: {
    ...registration,
    ...changes,
    key: { keyId, keyHash: `hash-${keyId}` },
    secret: { secretId, sealedSecret: `sealed-${secretId}` },
    requestReference: reference,
  },
  now,
});

function run(state: MerchantState, command: MerchantCommand): MerchantState {
  return merchantDecider.decide(command, state).reduce((current, event) => merchantDecider.evolve(current, event), state);
}

function codeOf(action: () => unknown): string | null {
  try {
    action();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
}

it('registers with a first key and secret; a retry of the same request replaces both; another request is MERCHANT_EXISTS', () => {
  const registered = run(merchantDecider.initialState, register('ref-1', 'k1', 's1')) as RegisteredMerchant;
  expect(registered.activeKeys.map((key) => key.keyId)).toEqual(['k1']);
  expect(registered.webhookSecrets.map((secret) => secret.secretId)).toEqual(['s1']);
  const retried = run(registered, register('ref-1', 'k2', 's2')) as RegisteredMerchant;
  expect(retried.activeKeys.map((key) => key.keyId)).toEqual(['k2']);
  expect(liveWebhookSecrets(retried.webhookSecrets, now).map((secret) => secret.secretId)).toEqual(['s2']);
  expect(codeOf(() => merchantDecider.decide(register('ref-1', 'k3', 's3', { name: 'Other' }), retried))).toBe('IDEMPOTENCY_CONFLICT');
  expect(codeOf(() => merchantDecider.decide(register('ref-1', 'k3', 's3', { taxNumber: '1234567-8' }), retried))).toBe(
    'IDEMPOTENCY_CONFLICT',
  );
  expect(codeOf(() => merchantDecider.decide(register('ref-2', 'k3', 's3'), retried))).toBe('MERCHANT_EXISTS');
  expect(codeOf(() => merchantDecider.decide(register(null, 'k3', 's3'), retried))).toBe('MERCHANT_EXISTS');
});

it('keeps the previous webhook secret signing for 24 hours after a rotation, newest first, and at most three at once', () => {
  let state = run(merchantDecider.initialState, register(null, 'k1', 's1'));
  const rotate = (secretId: string, at: Date): MerchantCommand => ({
    type: 'RotateWebhookSecret',
    data: { merchantId: 'SHOP1', secret: { secretId, sealedSecret: `sealed-${secretId}` }, requestReference: null },
    now: at,
  });
  state = run(state, rotate('s2', now));
  const live = (at: Date) => liveWebhookSecrets((state as RegisteredMerchant).webhookSecrets, at).map((secret) => secret.secretId);
  expect(live(now)).toEqual(['s2', 's1']);
  expect(live(new Date(now.getTime() + webhookSecretOverlapMs - 1))).toEqual(['s2', 's1']);
  expect(live(new Date(now.getTime() + webhookSecretOverlapMs))).toEqual(['s2']);
  state = run(state, rotate('s3', new Date(now.getTime() + 1000)));
  expect(live(new Date(now.getTime() + 1000))).toEqual(['s3', 's2', 's1']);
  expect(codeOf(() => merchantDecider.decide(rotate('s4', new Date(now.getTime() + 2000)), state))).toBe('SIGNING_SECRET_LIMIT_REACHED');
});

it("records the operator's rate for a merchant with the one it replaces, nothing when unchanged, and null for the default", () => {
  const registered = run(merchantDecider.initialState, register(null, 'k1', 's1'));
  const setRate = (perSecond: number | null): MerchantCommand => ({
    type: 'ChangeMerchant',
    data: { merchantId: 'SHOP1', active: null, webhookUrl: null, fees: null, rateLimitPerSecond: { perSecond } },
    now,
  });
  const at = now.toISOString();
  expect(merchantDecider.decide(setRate(25), registered)).toEqual([
    { type: 'MerchantRateLimitChanged', data: { merchantId: 'SHOP1', rateLimitPerSecond: 25, previousRateLimitPerSecond: null, at } },
  ]);
  const limited = run(registered, setRate(25));
  expect((limited as RegisteredMerchant).rateLimitPerSecond).toBe(25);
  expect(merchantDecider.decide(setRate(25), limited)).toEqual([]);
  expect(merchantDecider.decide(setRate(null), limited)).toEqual([
    { type: 'MerchantRateLimitChanged', data: { merchantId: 'SHOP1', rateLimitPerSecond: null, previousRateLimitPerSecond: 25, at } },
  ]);
});

it('records a tax number given at registration, then a correction with the one it replaces, nothing when unchanged, and a removal', () => {
  const registered = run(merchantDecider.initialState, register(null, 'k1', 's1', { taxNumber: '1234567' })) as RegisteredMerchant;
  expect(registered.taxNumber).toBe('1234567');
  const setTaxNumber = (value: string | null): MerchantCommand => ({
    type: 'ChangeMerchant',
    data: { merchantId: 'SHOP1', active: null, webhookUrl: null, fees: null, taxNumber: { value } },
    now,
  });
  const at = now.toISOString();
  expect(merchantDecider.decide(setTaxNumber('1234567-8'), registered)).toEqual([
    { type: 'MerchantTaxNumberChanged', data: { merchantId: 'SHOP1', taxNumber: '1234567-8', previousTaxNumber: '1234567', at } },
  ]);
  const corrected = run(registered, setTaxNumber('1234567-8'));
  expect(merchantDecider.decide(setTaxNumber('1234567-8'), corrected)).toEqual([]);
  expect(merchantDecider.decide(setTaxNumber(null), corrected)).toEqual([
    { type: 'MerchantTaxNumberChanged', data: { merchantId: 'SHOP1', taxNumber: null, previousTaxNumber: '1234567-8', at } },
  ]);
  expect((run(corrected, setTaxNumber(null)) as RegisteredMerchant).taxNumber).toBeNull();
});

it('reads a registration written before merchants had a tax number as having none', () => {
  const state = merchantDecider.evolve(merchantDecider.initialState, {
    type: 'MerchantRegistered',
    data: {
      merchantId: 'SHOP1',
      name: 'Shop One',
      mcc: '5411',
      city: 'Karachi',
      acquirerId: 'MARGALLA',
      currency: 'PKR',
      settlementAccount: { type: 'WALLET', value: 'WSHOP1' },
      webhookUrl: 'https://shop.example/hooks',
      fees: { mdrPercent: '0.00', interchangePercent: '0.00', switchFeeMinor: '0' },
      requestReference: null,
      at: now.toISOString(),
    },
  }) as RegisteredMerchant;
  expect(state.taxNumber).toBeNull();
  expect(state.registration.taxNumber).toBeNull();
});
