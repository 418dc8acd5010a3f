import { assert } from '../core/assert';
import { holderNameLengthMax } from '../core/directory/alias';
import { eventStoreLimits } from '../core/eventstore/limits';
import { batchCommandsMax } from '../core/ledger/ledger-limits';
import { amountTextLengthMax } from '../core/money';
import { participantPageLimitDefault, participantPageLimitMax } from '../core/participants/participant-reader';
import { endpointUrlLengthMax, participantNameLengthMax } from '../core/participants/participant-profile';
import { settlementWindowPageLimitDefault, settlementWindowPageLimitMax } from '../core/settlement/settlement-reader';
import { transferPageLimitDefault, transferPageLimitMax } from '../core/transfers/transfer-reader';

const kibibyte = 1024;
const mebibyte = 1024 * kibibyte;

/** The sizes of the API's fields, which the request schemas (and so the OpenAPI document) take from here. */
const fieldLimits = {
  /** A free text: a note, a payer or key name. */
  textLengthMax: 140,
  holderNameLengthMax,
  participantNameLengthMax,
  endpointUrlLengthMax,
  /** An alias, an IBAN, a wallet id or an account. */
  partyValueLengthMax: 64,
  /** A funds or settlement reference. */
  referenceLengthMax: 64,
  /** A page cursor this API returned. */
  cursorLengthMax: 64,
  amountTextLengthMax,
  /** A uuid in its 8-4-4-4-12 form. */
  transferIdLength: 36,
  /** Currencies one participant holds (issue 17): every one the switch's ISO 4217 table has is fewer. */
  participantCurrenciesMax: 32,
} as const;

/**
 * The most bytes one transfer of a batch takes as the API's own JSON (UTF-8, no needless escapes) with every
 * field at its maximum: the structure and names, and free text at 3 bytes per UTF-16 code unit (a code unit
 * outside the surrogates is at most 3 UTF-8 bytes; a surrogate pair is 4 bytes for 2 units).
 */
const transferItemBytesMax =
  256 /* braces, quotes, field names and the enum values (type, purpose) */ +
  fieldLimits.transferIdLength +
  2 * fieldLimits.partyValueLengthMax /* payer and payee values, ASCII */ +
  fieldLimits.amountTextLengthMax +
  3 /* currency */ +
  2 * 3 * fieldLimits.textLengthMax; /* payer name and note */

/**
 * Every maximum of the HTTP API, in one place. The zod schemas (and the OpenAPI document generated from them),
 * the body parsers and the routes read them from here; the relations between them are asserted below.
 */
export const apiLimits = {
  ...fieldLimits,
  /** One batch request is at most what one ledger tick decides, so that a batch never waits on two ticks' room. */
  transferBatchSizeMax: batchCommandsMax,
  transferItemBytesMax,
  /** Every body but the batch's. */
  bodyBytesMax: 1 * mebibyte,
  /** A full batch of maximum-size items, rounded up to a whole MiB. */
  batchBodyBytesMax: Math.ceil((batchCommandsMax * transferItemBytesMax + 64) / mebibyte) * mebibyte,
  transferPageLimitDefault,
  transferPageLimitMax,
  participantPageLimitDefault,
  participantPageLimitMax,
  settlementWindowPageLimitDefault,
  settlementWindowPageLimitMax,
} as const;

/**
 * How related limits must relate, checked when this module loads (so at every start of the switch, before it
 * listens) and by test/unit/limits.test.ts: a change to one limit that breaks another fails at once, as
 * TigerBeetle's constants.zig does at compile time.
 */
export function assertLimitRelations(limits: { readonly [Name in keyof typeof apiLimits]: number } = apiLimits): void {
  assert(limits.transferBatchSizeMax >= 1, 'a batch holds at least one transfer');
  assert(limits.transferBatchSizeMax <= batchCommandsMax, "the HTTP batch maximum is at most the ledger engine's batch maximum");
  assert(batchCommandsMax <= eventStoreLimits.eventsPerAppendMax, 'one ledger tick fits one event store append');
  assert(
    limits.batchBodyBytesMax >= limits.transferBatchSizeMax * limits.transferItemBytesMax,
    'the batch body limit holds a full batch of maximum-size transfers',
  );
  assert(limits.bodyBytesMax >= limits.transferItemBytesMax, 'the body limit holds one maximum-size transfer');
  assert(limits.bodyBytesMax <= limits.batchBodyBytesMax, 'the batch route accepts at least what every route accepts');
  assert(limits.bodyBytesMax <= eventStoreLimits.eventBytesMax, 'a body the API accepts fits one event');
  const pages = [
    [limits.transferPageLimitDefault, limits.transferPageLimitMax],
    [limits.participantPageLimitDefault, limits.participantPageLimitMax],
    [limits.settlementWindowPageLimitDefault, limits.settlementWindowPageLimitMax],
  ] as const;
  for (const [pageDefault, pageMax] of pages) {
    assert(1 <= pageDefault && pageDefault <= pageMax, 'a default page size is between 1 and its maximum');
    assert(pageMax <= eventStoreLimits.readLimitMax, 'a page is at most what one read returns');
  }
  assert(limits.holderNameLengthMax <= limits.textLengthMax && limits.participantNameLengthMax <= limits.textLengthMax, 'names are texts');
}

assertLimitRelations();
