import { assert } from '../assert';

/**
 * A merchant's Pakistani tax number (issue 17, item 6: it is printed on export proceeds certificates). FBR issues a
 * business a National Tax Number of 7 digits, written with its check digit after a hyphen ("1234567-8"), and since
 * 2019 uses an individual's 13-digit CNIC as that person's NTN. Accepted, and kept as given: an NTN of 7 digits,
 * with or without its check digit ("1234567" or "1234567-8"). A CNIC is refused for now: it is a data subject's
 * number (issue 15), which the switch keeps only sealed under that subject's key so that it can be erased, and the
 * merchant events, in-bound payments and certificates that carry the tax number are not sealed per subject. An
 * individual exporter's certificate says "not on record" until they are.
 *
 * FBR publishes no check-digit rule, so the check digit is not verified: a wrong one is the merchant's acquirer's to
 * correct (PATCH), not the switch's to guess.
 */
export const taxNumberPattern = /^\d{7}(-\d)?$/;

/** The forms in one sentence, for error messages and the API document. */
export const taxNumberForms =
  'a tax number is an NTN of 7 digits with an optional check digit ("1234567" or "1234567-8"); a CNIC is not taken, as it would be personal data kept unsealed';

export function isTaxNumber(text: string): boolean {
  return taxNumberPattern.test(text);
}

/** For values that passed the edge's check: an invariant, not input validation. */
export function assertTaxNumber(text: string | null): void {
  assert(text === null || isTaxNumber(text), 'a merchant tax number is checked at the edge to be an NTN');
}
