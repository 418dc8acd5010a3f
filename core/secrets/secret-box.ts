import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { assert } from '../assert';

/**
 * Secrets the switch must be able to read back (the participants' callback signing secrets) are stored sealed
 * with AES-256-GCM under a master key, so that a copy of the data dir's databases does not hand them out.
 *
 *   hs1.<keyId>.<iv base64url>.<ciphertext base64url>.<tag base64url>
 *
 * `hs1` is the format's version and `keyId` names the master key that sealed it (the first 8 hex digits of the
 * key's SHA-256, which says nothing useful about the key): a box can hold several keys, so a master key can be
 * rotated later by adding the new one, sealing with it, and keeping the old ones to open what they sealed.
 */
export const masterKeyBytes = 32;
const sealedPrefix = 'hs1';
const ivBytes = 12;
const tagBytes = 16;
/** A sealed value longer than this is refused before any work: a signing secret is well under it. */
const secretSealedLengthMax = 1024;

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  private readonly sealingKeyId: string;

  /**
   * `masterKeys[0]` seals; every key opens what it sealed. `sealedLengthMax` bounds what `open` takes: a signing
   * secret's by default, more for a box that seals whole answers (the idempotency store's).
   */
  constructor(
    masterKeys: readonly Buffer[],
    private readonly sealedLengthMax: number = secretSealedLengthMax,
  ) {
    assert(masterKeys.length >= 1, 'a secret box needs at least one master key');
    for (const key of masterKeys) {
      assert(key.length === masterKeyBytes, `a master key is ${masterKeyBytes} bytes`);
      this.keys.set(masterKeyIdOf(key), Buffer.from(key));
    }
    this.sealingKeyId = masterKeyIdOf(masterKeys[0] as Buffer);
  }

  seal(plaintext: string): string {
    const key = this.keys.get(this.sealingKeyId) as Buffer;
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id and version are bound into the tag, so a sealed value cannot be relabelled.
    cipher.setAAD(Buffer.from(`${sealedPrefix}.${this.sealingKeyId}`, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [sealedPrefix, this.sealingKeyId, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join(
      '.',
    );
  }

  /** Whether this box holds the master key a sealed value names (without opening it). */
  holdsKeyFor(sealed: string): boolean {
    return this.keys.has(sealed.split('.')[1] ?? '');
  }

  /** The plaintext of a sealed value; throws when it is malformed, sealed under an unknown key, or tampered with. */
  open(sealed: string): string {
    assert(sealed.length <= this.sealedLengthMax, `a sealed value is at most ${this.sealedLengthMax} characters`);
    const parts = sealed.split('.');
    assert(parts.length === 5 && parts[0] === sealedPrefix, 'a sealed secret starts with hs1. and has five parts');
    const [, keyId, ivText, ciphertextText, tagText] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (key === undefined)
      throw new Error(
        `the secret was sealed under master key ${keyId}, which this switch does not hold (is HISAAB_MASTER_KEY the one it was written with?)`,
      );
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    assert(iv.length === ivBytes && tag.length === tagBytes, 'a sealed secret has a 12-byte iv and a 16-byte tag');
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(`${sealedPrefix}.${keyId}`, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** A value as stored: sealed, or a plain `whsec_…` written before secrets were sealed (read as it was written). */
export function openStoredSecret(box: SecretBox, stored: string): string {
  if (isSealed(stored)) return box.open(stored);
  assert(stored.startsWith('whsec_'), 'a stored secret is sealed (hs1.…) or a signing secret from before sealing (whsec_…)');
  return stored;
}

export function isSealed(value: string): boolean {
  return value.startsWith(`${sealedPrefix}.`);
}

export function masterKeyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** A fresh random master key. */
export function newMasterKey(): Buffer {
  return randomBytes(masterKeyBytes);
}
