import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `hk_<keyId>.<secret>`: the key id (16 hex characters) finds the stored record, and the
 * 256-bit random secret is what proves possession. Only the SHA-256 of the whole key is stored; a fast hash is
 * enough because the key is random, not a password a person chose.
 */
export const apiKeyLengthMax = 128;
const apiKeyPattern = /^hk_([0-9a-f]{16})\.[A-Za-z0-9_-]{43}$/;

export type IssuedApiKey = { keyId: string; key: string; keyHash: string };

export function issueApiKey(): IssuedApiKey {
  const keyId = randomBytes(8).toString('hex');
  const key = `hk_${keyId}.${randomBytes(32).toString('base64url')}`;
  return { keyId, key, keyHash: sha256Hex(key) };
}

/** The key id of a well-formed key, or null: a malformed key is rejected before any lookup. */
export function apiKeyIdOf(presented: string): string | null {
  if (presented.length > apiKeyLengthMax) return null;
  return apiKeyPattern.exec(presented)?.[1] ?? null;
}

/** Compares a presented secret with a stored SHA-256 in constant time. */
export function secretMatchesHash(presented: string, storedHashHex: string): boolean {
  return digestMatchesHash(sha256Of(presented), storedHashHex);
}

/** The SHA-256 of a presented secret, to compare with several stored hashes while hashing it once. */
export function sha256Of(presented: string): Buffer {
  return createHash('sha256').update(presented, 'utf8').digest();
}

/** Compares the SHA-256 of a presented secret (sha256Of) with a stored one in constant time. */
export function digestMatchesHash(presentedDigest: Buffer, storedHashHex: string): boolean {
  const expected = Buffer.from(storedHashHex, 'hex');
  return expected.length === presentedDigest.length && timingSafeEqual(expected, presentedDigest);
}

/** The secret a participant uses to verify what the switch sends it (HMAC-SHA256 signatures). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
