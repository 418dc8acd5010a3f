import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { assert } from '../assert';
import { batchCommandsMax } from '../ledger/ledger-limits';
import type { DataSubject } from './data-subject';
import { erasedText } from './sealed-text';

const dataKeyBytes = 32;
const ivBytes = 12;
/** A batch of transfers names a payer and a payee per item: twice the largest batch. */
export const jointSubjectsMax = 2 * batchCommandsMax;
const additionalData = Buffer.from('hisaab joint subject seal v1', 'utf8');

/** What the joint seal needs of the personal-data cipher (personal-data-cipher.ts implements it). */
export interface SubjectSealer {
  referenceOf(subject: DataSubject): string;
  seal(subjectReference: string, plaintext: string): string;
  open(text: string): string;
}

/** A text sealed for several subjects: the key's shares, each sealed under one subject's key, and the ciphertext. */
export type JointlySealed = { shares: string[]; iv: string; ciphertext: string; tag: string };

/**
 * Seals one text that names several data subjects (issue 15.4), such as a signed request's body, which names a payer
 * and a payee, or for a batch many of each, so that erasing any one of them erases the whole text.
 *
 * The text is sealed with AES-256-GCM under a fresh data key of its own. That key is split into as many random
 * shares as there are subjects, whose exclusive-or is the key (an n-of-n secret sharing), and each share is sealed
 * under one subject's key. Opening needs every share: once any subject's key is destroyed, its share is gone and the
 * remaining shares are uniformly random bytes that say nothing of the key, so the text is unreadable even to someone
 * holding the master key and every other subject's key. Wrapping the whole key for each subject instead would leave
 * it readable through any subject not erased; sealing by the payer's key alone would leave the payee's number
 * readable after the payee's erasure. Nothing needs to remember which texts name a subject: the erasure of its key
 * is the erasure of every text it shares, in the log, in copies and after a rebuild.
 */
export class JointSubjectSeal {
  constructor(private readonly cipher: SubjectSealer) {}

  seal(subjects: readonly DataSubject[], plaintext: Buffer): JointlySealed {
    const references = [...new Set(subjects.map((subject) => this.cipher.referenceOf(subject)))];
    assert(references.length >= 1, 'a joint seal names at least one subject');
    assert(references.length <= jointSubjectsMax, `a joint seal names at most ${jointSubjectsMax} subjects`);
    const key = randomBytes(dataKeyBytes);
    const shareBytes: Buffer[] = references.slice(1).map(() => randomBytes(dataKeyBytes));
    // The first share makes the exclusive-or of all of them the key.
    shareBytes.unshift(shareBytes.reduce<Buffer>(exclusiveOr, key));
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(additionalData);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      shares: references.map((reference, index) => this.cipher.seal(reference, (shareBytes[index] as Buffer).toString('base64url'))),
      iv: iv.toString('base64url'),
      ciphertext: ciphertext.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
    };
  }

  /** The text, or null when a subject it names has been erased. */
  open(sealed: JointlySealed): Buffer | null {
    assert(sealed.shares.length >= 1 && sealed.shares.length <= jointSubjectsMax, 'a joint seal holds one share per subject');
    let key: Buffer = Buffer.alloc(dataKeyBytes);
    for (const share of sealed.shares) {
      const opened = this.cipher.open(share);
      if (opened === erasedText) return null;
      const bytes = Buffer.from(opened, 'base64url');
      assert(bytes.length === dataKeyBytes, `a share of a joint seal is ${dataKeyBytes} bytes`);
      key = exclusiveOr(key, bytes);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(additionalData);
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]);
    } catch {
      // The shares opened under their subjects' keys, so only a changed file can fail the tag.
      assert(false, 'a jointly sealed text fails its authentication tag: the data dir was altered');
    }
  }
}

function exclusiveOr(left: Buffer, right: Buffer): Buffer {
  assert(left.length === right.length, 'shares and key have one length');
  const result = Buffer.alloc(left.length);
  for (let index = 0; index < left.length; index += 1) result[index] = (left[index] as number) ^ (right[index] as number);
  return result;
}
