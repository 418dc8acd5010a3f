import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { assert } from '../assert';
import { SecretBox, masterKeyBytes } from '../secrets/secret-box';
import type { DataSubject } from './data-subject';
import { erasedText, sealedTextParts, sealedTextPrefix, type SealedTextOpener, type SealedTextParts } from './sealed-text';
import type { SubjectKeyStore } from './subject-key-store';
import { BoundedMemory } from '../bounded-memory';

const dataKeyBytes = 32;
const keyIdBytes = 8;
const ivBytes = 12;
/** Unwrapped data keys kept in memory: a payment touches two or three subjects, so this covers the busy ones. */
const dataKeysCachedDefault = 20_000;
const referencesRememberedMax = 20_000;
/**
 * Sealed values remembered with their plaintext, across all subjects. A batch of a thousand payments between the
 * same two parties seals the same three values a thousand times, and the advice intake opens them again: each is
 * one HMAC and one AES-GCM pass, a sixth of a batch's time before they were remembered.
 */
const sealedValuesRememberedMax = 20_000;

type DataKey = { keyId: string; key: Buffer };

/** What was sealed and opened of one subject under one key, both ways. */
type RememberedValues = { keyId: string; sealed: Map<string, string>; opened: Map<string, string> };

/**
 * Envelope encryption of personal data (issue 15.4). Each data subject has its own AES-256 data key, wrapped by a
 * key derived from the master key and kept in a SubjectKeyStore; a value is sealed with AES-256-GCM under its
 * subject's key. Erasing a subject destroys its key, which makes every copy of every value sealed under it
 * unreadable at once: in the append-only log, in read models, in backups.
 *
 * Subjects are named by a reference, an HMAC-SHA256 of "type:value" under a second key derived from the master key:
 * stable, so read models and stream names can index a subject, and useless without the master key to anyone who
 * would guess numbers.
 *
 * The IV is derived from the data key and the plaintext (an HMAC, as in SIV modes) rather than drawn at random, so
 * one value of one subject always seals to the same text. That is what lets a read model compare two sealed values
 * (the same payer, the same account) without opening them; it reveals only that two values of one subject are
 * equal, and an IV repeats only for the same plaintext, so GCM's nonce rule holds.
 */
export class PersonalDataCipher implements SealedTextOpener {
  private readonly referenceKey: Buffer;
  private readonly wrapping: SecretBox;
  private readonly cache = new Map<string, DataKey | null>();
  private readonly references = new BoundedMemory<string, string>(referencesRememberedMax);
  /**
   * Per subject reference: plaintext → sealed text under the key id it was sealed with, and sealed text →
   * plaintext. Kept per subject so that erasing one drops what was remembered of it at once.
   */
  private readonly remembered = new Map<string, RememberedValues>();
  private rememberedCount = 0;

  constructor(
    masterKey: Buffer,
    private readonly keys: SubjectKeyStore,
    private readonly now: () => Date,
    /** 0 in a process that does not erase (a cluster's worker): every open then asks the key store. */
    private readonly dataKeysCachedMax: number = dataKeysCachedDefault,
  ) {
    assert(Number.isSafeInteger(dataKeysCachedMax) && dataKeysCachedMax >= 0, 'the key cache bound is a count');
    assert(masterKey.length === masterKeyBytes, `the master key is ${masterKeyBytes} bytes`);
    this.referenceKey = derivedKey(masterKey, 'hisaab personal data subject reference');
    this.wrapping = new SecretBox([derivedKey(masterKey, 'hisaab personal data key wrapping')]);
  }

  /** The keyed hash that names a subject wherever it is indexed (43 base64url characters). */
  referenceOf(subject: DataSubject): string {
    const name = `${subject.type}:${subject.value}`;
    let reference = this.references.get(name);
    if (reference === undefined) {
      reference = createHmac('sha256', this.referenceKey).update(name, 'utf8').digest('base64url');
      // The same payers and payees come back payment after payment: their references are remembered, boundedly.
      this.references.remember(name, reference);
    }
    return reference;
  }

  /** Seals a value under its subject's key, making the key first if the subject has none. */
  seal(subjectReference: string, plaintext: string): string {
    const dataKey = this.keyOf(subjectReference, true);
    assert(dataKey !== null, 'a key is made for a subject that has none');
    // Sealing is deterministic (see the class comment): the same value under the same key seals to the same text.
    const known = this.remembered.get(subjectReference);
    const sealedBefore = known?.keyId === dataKey.keyId ? known.sealed.get(plaintext) : undefined;
    if (sealedBefore !== undefined) return sealedBefore;
    const sealed = this.sealWithKey(subjectReference, dataKey, plaintext);
    this.remember(subjectReference, dataKey.keyId, plaintext, sealed, true);
    return sealed;
  }

  private sealWithKey(subjectReference: string, dataKey: DataKey, plaintext: string): string {
    const iv = createHmac('sha256', dataKey.key).update(plaintext, 'utf8').digest().subarray(0, ivBytes);
    const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv);
    cipher.setAAD(additionalData(subjectReference, dataKey.keyId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      sealedTextPrefix,
      subjectReference,
      dataKey.keyId,
      iv.toString('base64url'),
      ciphertext.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  sealedFormIfKeyed(subject: DataSubject, plaintext: string): string | null {
    const reference = this.referenceOf(subject);
    return this.keyOf(reference, false) === null ? null : this.seal(reference, plaintext);
  }

  /** The plaintext of a sealed value; `[erased]` when its key was destroyed; text that is not sealed, as it is. */
  open(text: string): string {
    const parts = sealedTextParts(text);
    if (parts === null) return text;
    const dataKey = this.keyOf(parts.subjectReference, false);
    // A subject erased and seen again has a new key: what was sealed under the destroyed one stays erased.
    if (dataKey === null || dataKey.keyId !== parts.keyId) return erasedText;
    const known = this.remembered.get(parts.subjectReference);
    const openedBefore = known?.keyId === dataKey.keyId ? known.opened.get(text) : undefined;
    if (openedBefore !== undefined) return openedBefore;
    const plaintext = this.openWithKey(parts, dataKey);
    // Only this way round: a value sealed by another version of this code may differ from what seal makes of it.
    this.remember(parts.subjectReference, dataKey.keyId, plaintext, text, false);
    return plaintext;
  }

  private openWithKey(parts: SealedTextParts, dataKey: DataKey): string {
    const decipher = createDecipheriv('aes-256-gcm', dataKey.key, Buffer.from(parts.iv, 'base64url'));
    decipher.setAAD(additionalData(parts.subjectReference, parts.keyId));
    decipher.setAuthTag(Buffer.from(parts.tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(parts.ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // Only a changed file can fail the tag: the log and read models are written by the switch alone.
      assert(false, `a sealed value of subject ${parts.subjectReference} fails its authentication tag: the data dir was altered`);
    }
  }

  /** Whether the subject has a key now (it has been seen and not erased since). */
  hasKey(subjectReference: string): boolean {
    return this.keyOf(subjectReference, false) !== null;
  }

  /** Destroys the subject's key: every value sealed under it reads `[erased]` from now on. */
  erase(subjectReference: string): number {
    const destroyed = this.keys.destroy(subjectReference);
    this.forget(subjectReference);
    this.cache.set(subjectReference, null);
    this.trimCache();
    return destroyed;
  }

  /**
   * Remembers one value of a subject under its current key (`sealedHere`: sealed by this process, so remembered for
   * seal too); values of an older key of the subject are dropped.
   */
  private remember(subjectReference: string, keyId: string, plaintext: string, sealed: string, sealedHere: boolean): void {
    if (this.rememberedCount >= sealedValuesRememberedMax) {
      // Bounded without bookkeeping per entry: the busy values are sealed again at once and remembered anew.
      this.remembered.clear();
      this.rememberedCount = 0;
    }
    let known = this.remembered.get(subjectReference);
    if (known === undefined || known.keyId !== keyId) {
      this.forget(subjectReference);
      known = { keyId, sealed: new Map(), opened: new Map() };
      this.remembered.set(subjectReference, known);
    }
    if (sealedHere && !known.sealed.has(plaintext)) this.rememberedCount += 1;
    if (sealedHere) known.sealed.set(plaintext, sealed);
    if (!known.opened.has(sealed)) this.rememberedCount += 1;
    known.opened.set(sealed, plaintext);
  }

  private forget(subjectReference: string): void {
    const known = this.remembered.get(subjectReference);
    if (known === undefined) return;
    this.rememberedCount -= known.sealed.size + known.opened.size;
    this.remembered.delete(subjectReference);
  }

  private keyOf(subjectReference: string, create: boolean): DataKey | null {
    const cached = this.cache.get(subjectReference);
    if (cached !== undefined && (cached !== null || !create)) return cached;
    let stored = this.keys.find(subjectReference);
    if (stored === null && create) {
      const fresh = {
        keyId: randomBytes(keyIdBytes).toString('base64url'),
        wrappedKey: this.wrapping.seal(randomBytes(dataKeyBytes).toString('base64')),
      };
      stored = this.keys.createIfAbsent(subjectReference, fresh, this.now().toISOString());
    }
    const dataKey = stored === null ? null : { keyId: stored.keyId, key: Buffer.from(this.wrapping.open(stored.wrappedKey), 'base64') };
    assert(dataKey === null || dataKey.key.length === dataKeyBytes, `a data key is ${dataKeyBytes} bytes`);
    this.cache.set(subjectReference, dataKey);
    this.trimCache();
    return dataKey;
  }

  private trimCache(): void {
    // A Map iterates in insertion order: the first entry is the oldest one cached.
    while (this.cache.size > this.dataKeysCachedMax) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }
}

function derivedKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), purpose, 32));
}

/** The subject and key generation are bound into the tag: a sealed value cannot be moved to another subject. */
function additionalData(subjectReference: string, keyId: string): Buffer {
  return Buffer.from(`${sealedTextPrefix}.${subjectReference}.${keyId}`, 'utf8');
}
