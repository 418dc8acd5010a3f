import { walletEndpointOf } from '../../../adapters/wallet-http/wallet-endpoint';
import type { ParticipantRecord, StoredSigningSecret } from '../../../core/participants/participant-reader';
import { newMasterKey, SecretBox } from '../../../core/secrets/secret-box';

/**
 * A wallet's endpoint at the moment of sending: its URLs and the secrets that sign then, opened. Opened secrets are
 * kept by their sealed form (adapters/wallet-http/wallet-endpoint.ts), so these check that what is kept is always
 * what the participant's record says now: a rotation's new secret signs at once, a retired one stops, and a box
 * with another master key never reads another box's secrets.
 */
const at = '2026-12-03T23:00:00.000Z';

function wallet(signingSecrets: readonly StoredSigningSecret[]): ParticipantRecord {
  return {
    id: 'MARGALLA',
    name: 'Margalla Wallet',
    type: 'WALLET',
    bankCode: 'MRGL',
    currency: 'PKR',
    netDebitCapMinor: 100_000n,
    creditMode: 'REQUEST',
    endpoints: { creditUrl: 'http://127.0.0.1:9100/credit', reversalUrl: 'http://127.0.0.1:9100/reversal', rtpUrl: null },
    active: true,
    signingSecrets,
    rateLimitPerSecond: null,
    additionalCurrencies: [],
    fxProvider: false,
    createdAt: at,
    updatedAt: at,
  };
}

it('signs with the secrets the record holds now, opened, across a rotation and past the old one retiring', () => {
  const box = new SecretBox([newMasterKey()]);
  const first = { secretId: 's1', storedSecret: box.seal('whsec_first'), retiresAt: null };
  const now = new Date(at);
  expect(walletEndpointOf(wallet([first]), box, now)?.signingSecrets).toEqual(['whsec_first']);
  expect(walletEndpointOf(wallet([first]), box, now)?.signingSecrets).toEqual(['whsec_first']);

  const second = { secretId: 's2', storedSecret: box.seal('whsec_second'), retiresAt: null };
  const retiring = { ...first, retiresAt: '2026-12-04T00:00:00.000Z' };
  expect(walletEndpointOf(wallet([second, retiring]), box, now)?.signingSecrets).toEqual(['whsec_second', 'whsec_first']);
  expect(walletEndpointOf(wallet([second, retiring]), box, new Date('2026-12-04T00:00:01.000Z'))?.signingSecrets).toEqual(['whsec_second']);
  // A secret from before sealing is read as written.
  expect(walletEndpointOf(wallet([{ secretId: 's0', storedSecret: 'whsec_plain', retiresAt: null }]), box, now)?.signingSecrets).toEqual([
    'whsec_plain',
  ]);
});

it("never opens a secret through another box's memory: a box without the master key refuses it", () => {
  const box = new SecretBox([newMasterKey()]);
  const stored = { secretId: 's1', storedSecret: box.seal('whsec_kept'), retiresAt: null };
  expect(walletEndpointOf(wallet([stored]), box, new Date(at))?.signingSecrets).toEqual(['whsec_kept']);
  const stranger = new SecretBox([newMasterKey()]);
  expect(() => walletEndpointOf(wallet([stored]), stranger, new Date(at))).toThrow(/does not hold/);
});

it('has no endpoint for an unknown participant or one without a live secret', () => {
  const box = new SecretBox([newMasterKey()]);
  expect(walletEndpointOf(null, box, new Date(at))).toBeNull();
  const retired = { secretId: 's1', storedSecret: box.seal('whsec_old'), retiresAt: '2026-12-03T22:00:00.000Z' };
  expect(walletEndpointOf(wallet([retired]), box, new Date(at))).toBeNull();
});
