import { apiKeyIdOf, issueApiKey, secretMatchesHash, sha256Hex } from '../../../core/auth/api-key';
import { createAuthenticator } from '../../../core/auth/authenticate';
import type { KeyReader, StoredKey } from '../../../core/auth/key-reader';

/** A key reader over a plain map: the same contract the keys projection's reader implements. */
function readerOf(keys: StoredKey[]): KeyReader {
  const byId = new Map(keys.map((key) => [key.keyId, key]));
  return { findKey: (keyId) => byId.get(keyId) ?? null };
}

const operatorKey = 'operator-key-0123456789abcdef';

describe('API keys', () => {
  it('issues random keys that carry their id and are stored as SHA-256', () => {
    const first = issueApiKey();
    const second = issueApiKey();
    expect(first.key).not.toBe(second.key);
    expect(apiKeyIdOf(first.key)).toBe(first.keyId);
    expect(first.keyHash).toBe(sha256Hex(first.key));
    expect(first.keyHash).not.toContain(first.key);
    expect(secretMatchesHash(first.key, first.keyHash)).toBe(true);
    expect(secretMatchesHash(second.key, first.keyHash)).toBe(false);
  });

  it('rejects malformed keys before any lookup', () => {
    expect(apiKeyIdOf('hk_0123.short')).toBeNull();
    expect(apiKeyIdOf(`hk_0123456789abcdef.${'a'.repeat(200)}`)).toBeNull();
    expect(apiKeyIdOf('not a key')).toBeNull();
  });
});

describe('authenticator', () => {
  const participant = issueApiKey();
  const regulator = issueApiKey();
  const revoked = issueApiKey();
  const authenticator = createAuthenticator(
    operatorKey,
    readerOf([
      { keyId: participant.keyId, keyHash: participant.keyHash, role: 'participant', ownerId: 'MARGALLA', revoked: false },
      { keyId: regulator.keyId, keyHash: regulator.keyHash, role: 'regulator', ownerId: null, revoked: false },
      { keyId: revoked.keyId, keyHash: revoked.keyHash, role: 'participant', ownerId: 'MARGALLA', revoked: true },
    ]),
  );

  it('knows the operator, participants and regulators by their keys', () => {
    expect(authenticator.authenticate(`Bearer ${operatorKey}`)).toEqual({ role: 'operator' });
    expect(authenticator.authenticate(`Bearer ${participant.key}`)).toEqual({
      role: 'participant',
      participantId: 'MARGALLA',
      keyId: participant.keyId,
    });
    expect(authenticator.authenticate(`Bearer ${regulator.key}`)).toEqual({ role: 'regulator', keyId: regulator.keyId });
  });

  it('refuses missing, malformed, unknown, forged and revoked keys', () => {
    const forged = `${participant.key.slice(0, -1)}${participant.key.endsWith('A') ? 'B' : 'A'}`;
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Token ${operatorKey}`,
      `Bearer ${issueApiKey().key}`,
      `Bearer ${forged}`,
      `Bearer ${revoked.key}`,
      `Bearer ${'x'.repeat(600)}`,
    ]) {
      expect(authenticator.authenticate(header)).toBeNull();
    }
  });
});
