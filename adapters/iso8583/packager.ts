import Iso8583Library from 'iso_8583';
import { assert } from '../../core/assert';
import {
  FIELD_NUMBER_MAX,
  fieldSpecifications,
  lengthPrefixDigits,
  libraryFormats,
  matchesContentType,
  SECONDARY_BITMAP_BIT,
  type FieldSpecification,
} from './field-specification';
import { isProfileMti, type Iso8583Message } from './message';
import { Iso8583MessageError } from './message-error';

/**
 * The packager: our profile (field-specification.ts) in front of the `iso_8583` library.
 *
 * Packing validates every field against the profile first, so a bad message is refused with a sentence that
 * names the field, then hands the message to the library, which writes the MTI, both binary bitmaps (it always
 * sends the secondary one) and the ASCII fields.
 *
 * Unpacking is our own. The library's parser trusts its input: it reads past the end of a truncated message,
 * turns a non-numeric length prefix into NaN, and ignores trailing bytes. A switch faces peers that send all
 * of those, so this parser checks every length against the bytes actually present, accepts the primary-only
 * bitmap form as well as the library's, and refuses any field the profile does not define.
 */

export type UnpackErrorCode =
  'TRUNCATED' | 'INVALID_MTI' | 'UNKNOWN_FIELD' | 'INVALID_LENGTH_PREFIX' | 'INVALID_LENGTH' | 'INVALID_CONTENT' | 'TRAILING_BYTES';

export type UnpackFailure = {
  readonly code: UnpackErrorCode;
  readonly message: string;
  /** The MTI when its four bytes were readable, so the answer can carry the right response class. */
  readonly mti: string | null;
  /** The fields decoded before the failure, so the answer can echo the identifiers the peer matches on. */
  readonly fields: Readonly<Record<number, string>>;
};

export type UnpackResult =
  { readonly ok: true; readonly message: Iso8583Message } | { readonly ok: false; readonly failure: UnpackFailure };

const formatsForLibrary = libraryFormats();
const MTI_BYTES = 4;
const BITMAP_BYTES = 8;

/**
 * The library packs only the MTIs on its own list (0200 and 0210 yes; 0310, 0710 or 0010 no), though the MTI is
 * four ASCII bytes that nothing else in its output depends on. A peer may send any ISO 8583:1987 MTI, and its
 * answer (the response class, 12) must still be written, so every message is packed under this stand-in and its
 * own MTI written over the first four bytes.
 */
const LIBRARY_STAND_IN_MTI = '0200';

export function packMessage(message: Iso8583Message): Buffer {
  checkMessage(message);
  const libraryMessage: Record<string, string> = { '0': LIBRARY_STAND_IN_MTI };
  for (const [key, value] of Object.entries(message.fields)) {
    if (value !== undefined) libraryMessage[key] = value;
  }
  const packed = new Iso8583Library(libraryMessage, formatsForLibrary).getRawMessage();
  if (!Buffer.isBuffer(packed))
    throw new Iso8583MessageError('LIBRARY_REFUSED', `the iso_8583 library refused the message: ${packed.error}`);
  assert(packed.toString('latin1', 0, MTI_BYTES) === LIBRARY_STAND_IN_MTI, 'the library writes the MTI as its first four bytes');
  packed.write(message.mti, 0, MTI_BYTES, 'latin1');
  return packed;
}

/** Throws Iso8583MessageError naming the first field that does not fit the profile. */
export function checkMessage(message: Iso8583Message): void {
  if (!isProfileMti(message.mti))
    throw new Iso8583MessageError('INVALID_MTI', `the MTI must be four digits starting with 0 (ISO 8583:1987), got "${message.mti}"`);
  for (const [key, value] of Object.entries(message.fields)) {
    const field = Number(key);
    const specification = fieldSpecifications.get(field);
    if (specification === undefined) throw new Iso8583MessageError('UNKNOWN_FIELD', `field ${key} is not part of the ISO 8583 profile`);
    if (value === undefined) continue;
    const problem = valueProblem(specification, value);
    if (problem !== null) throw new Iso8583MessageError(problem.code, `field ${field} (${specification.label}) ${problem.sentence}`);
  }
}

function valueProblem(
  specification: FieldSpecification,
  value: string,
): { code: 'INVALID_LENGTH' | 'INVALID_CONTENT'; sentence: string } | null {
  if (specification.lengthType === 'fixed') {
    if (value.length !== specification.lengthMax)
      return { code: 'INVALID_LENGTH', sentence: `must be exactly ${specification.lengthMax} characters, got ${value.length}` };
  } else if (value.length < 1 || value.length > specification.lengthMax) {
    return { code: 'INVALID_LENGTH', sentence: `must be 1 to ${specification.lengthMax} characters, got ${value.length}` };
  }
  if (!matchesContentType(specification.contentType, value))
    return { code: 'INVALID_CONTENT', sentence: `must hold only "${specification.contentType}" characters` };
  return null;
}

export function unpackMessage(body: Buffer): UnpackResult {
  const fields: Record<number, string> = {};
  const fail = (code: UnpackErrorCode, message: string, mti: string | null): UnpackResult => ({
    ok: false,
    failure: { code, message, mti, fields },
  });

  if (body.length < MTI_BYTES) return fail('TRUNCATED', `the message has ${body.length} bytes, too few for an MTI`, null);
  const mti = body.toString('latin1', 0, MTI_BYTES);
  if (!isProfileMti(mti)) return fail('INVALID_MTI', 'the MTI is not four ASCII digits starting with 0 (ISO 8583:1987)', null);
  if (body.length < MTI_BYTES + BITMAP_BYTES) return fail('TRUNCATED', 'the message ends inside the primary bitmap', mti);
  const hasSecondaryBitmap = isBitSet(body, MTI_BYTES, SECONDARY_BITMAP_BIT);
  const bitmapBytes = hasSecondaryBitmap ? 2 * BITMAP_BYTES : BITMAP_BYTES;
  if (body.length < MTI_BYTES + bitmapBytes) return fail('TRUNCATED', 'the message ends inside the secondary bitmap', mti);
  const fieldNumberMax = hasSecondaryBitmap ? FIELD_NUMBER_MAX : FIELD_NUMBER_MAX / 2;

  let offset = MTI_BYTES + bitmapBytes;
  for (let field = 2; field <= fieldNumberMax; field++) {
    if (!isBitSet(body, MTI_BYTES, field)) continue;
    const specification = fieldSpecifications.get(field);
    if (specification === undefined)
      return fail('UNKNOWN_FIELD', `the bitmap announces field ${field}, which is not part of the profile`, mti);
    const read = readField(body, offset, specification);
    if (!read.ok) return fail(read.code, read.message, mti);
    fields[field] = read.value;
    offset = read.nextOffset;
  }
  if (offset !== body.length)
    return fail('TRAILING_BYTES', `${body.length - offset} bytes follow the last field the bitmap announces`, mti);
  return { ok: true, message: { mti, fields } };
}

/** Bit numbers count from 1 at the most significant bit of the first bitmap byte, as ISO 8583 numbers fields. */
function isBitSet(body: Buffer, bitmapOffset: number, bit: number): boolean {
  const byte = body[bitmapOffset + ((bit - 1) >> 3)];
  assert(byte !== undefined, 'bitmap bytes are checked present before their bits are read');
  return ((byte >> (7 - ((bit - 1) & 7))) & 1) === 1;
}

type FieldRead = { ok: true; value: string; nextOffset: number } | { ok: false; code: UnpackErrorCode; message: string };

function readField(body: Buffer, offset: number, specification: FieldSpecification): FieldRead {
  const field = specification.field;
  let length = specification.lengthMax;
  let valueOffset = offset;
  const prefixDigits = lengthPrefixDigits(specification.lengthType);
  if (prefixDigits > 0) {
    if (offset + prefixDigits > body.length)
      return { ok: false, code: 'TRUNCATED', message: `the message ends inside the length prefix of field ${field}` };
    const prefix = body.toString('latin1', offset, offset + prefixDigits);
    if (!/^[0-9]+$/.test(prefix))
      return {
        ok: false,
        code: 'INVALID_LENGTH_PREFIX',
        message: `field ${field} has a length prefix that is not ${prefixDigits} ASCII digits`,
      };
    length = Number(prefix);
    if (length < 1 || length > specification.lengthMax) {
      return {
        ok: false,
        code: 'INVALID_LENGTH',
        message: `field ${field} declares ${length} characters; the profile allows 1 to ${specification.lengthMax}`,
      };
    }
    valueOffset = offset + prefixDigits;
  }
  const end = valueOffset + length;
  if (end > body.length) return { ok: false, code: 'TRUNCATED', message: `the message ends inside field ${field}` };
  const value = body.toString('latin1', valueOffset, end);
  if (!matchesContentType(specification.contentType, value)) {
    return {
      ok: false,
      code: 'INVALID_CONTENT',
      message: `field ${field} (${specification.label}) holds characters outside "${specification.contentType}"`,
    };
  }
  return { ok: true, value, nextOffset: end };
}
