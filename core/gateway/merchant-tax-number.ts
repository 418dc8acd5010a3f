import { assert } from '../assert';

/**
 * A merchant's Pakistani tax number (issue 17, item 6: it is printed on export proceeds certificates). FBR issues a
 * business a National Tax Number of 7 digits, written with its check digit after a hyphen ("1234567-8"), and since
 * 2019 uses an individual's 13-digit CNIC as that person's NTN: a freelancer's tax number is their CNIC, written
 * 12345-1234567-1. Both are accepted and kept as given: an NTN with or without its check digit, a CNIC with its
 * dashes or as 13 digits.
 *
 * A CNIC is a person's number (issue 15.4): the events that carry a merchant's tax number (MerchantRegistered,
 * MerchantTaxNumberChanged, InboundPaymentCompleted) seal it under the subject `CNIC <13 digits>`
 * (core/personal-data/personal-event-fields.ts), the merchants read model keeps it sealed and opens it when read, and
 * erasing that CNIC leaves `[erased]` everywhere it was. An NTN is a business's and stays as written.
 *
 * FBR publishes no check-digit rule for either, so check digits are not verified: a wrong one is the merchant's
 * acquirer's to correct (PATCH), not the switch's to guess.
 */
const ntnPattern = /^\d{7}(-\d)?$/;
const cnicPattern = /^(\d{5}-\d{7}-\d|\d{13})$/;

/** The forms in one sentence, for error messages and the API document. */
export const taxNumberForms =
  'a tax number is an NTN of 7 digits with an optional check digit ("1234567" or "1234567-8"), or an individual\'s CNIC of 13 digits, with or without its dashes ("12345-1234567-1")';

export function isTaxNumber(text: string): boolean {
  return ntnPattern.test(text) || cnicPattern.test(text);
}

/** The 13 digits of a tax number that is a CNIC (the data subject it is sealed under), or null for an NTN or anything else. */
export function cnicOfTaxNumber(text: string): string | null {
  return cnicPattern.test(text) ? text.replace(/-/g, '') : null;
}

/** For values that passed the edge's check: an invariant, not input validation. */
export function assertTaxNumber(text: string | null): void {
  assert(text === null || isTaxNumber(text), 'a merchant tax number is checked at the edge to be an NTN or a CNIC');
}
