import type { DataSubject } from './data-subject';

/**
 * The form a personal value takes in events and read models once sealed (issue 15.4):
 *
 *   pd1.<subject reference>.<key id>.<iv>.<ciphertext>.<tag>     (each part base64url)
 *
 * The subject reference is a keyed hash of the subject (personal-data-cipher.ts), not the subject: it lets a read
 * model index and delete a subject's rows without holding its value. Anything not of this exact form is a value
 * written before sealing (an older log) and is read as it was written.
 */
export const sealedTextPrefix = 'pd1';

/** What a destroyed key leaves where the value was. */
export const erasedText = '[erased]';

const sealedTextPattern = /^pd1\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/;

export type SealedTextParts = { subjectReference: string; keyId: string; iv: string; ciphertext: string; tag: string };

export function isSealedText(text: string): boolean {
  return sealedTextPattern.test(text);
}

/** The parts of a sealed value, or null when the text is not one (a plaintext value from before sealing). */
export function sealedTextParts(text: string): SealedTextParts | null {
  const match = sealedTextPattern.exec(text);
  if (match === null) return null;
  const [, subjectReference, keyId, iv, ciphertext, tag] = match as unknown as [string, string, string, string, string, string];
  return { subjectReference, keyId, iv, ciphertext, tag };
}

/** The subject a sealed value belongs to, or null for a plaintext value. */
export function subjectReferenceOfSealed(text: string): string | null {
  return sealedTextParts(text)?.subjectReference ?? null;
}

/** Opens sealed values for a reader; `plainTextOpener` serves read models that were never given sealed values. */
export interface SealedTextOpener {
  /** The plaintext of a sealed value, `[erased]` when its subject's key is destroyed; any other text as it is. */
  open(text: string): string;
  /** The keyed hash of a subject, by which read models index it; null when the reader holds no key to make it. */
  referenceOf(subject: DataSubject): string | null;
  /**
   * What a value seals to under its subject's current key (sealing is deterministic), to find it in a read model
   * without opening every row; null when the subject has no key, so nothing sealed can match.
   */
  sealedFormIfKeyed(subject: DataSubject, plaintext: string): string | null;
}

/** For read models that hold plaintext only (tests, tools): opens nothing, indexes by value. */
export const plainTextOpener: SealedTextOpener = {
  open: (text) => text,
  referenceOf: () => null,
  sealedFormIfKeyed: () => null,
};
