import fc from 'fast-check';
import { fieldSpecifications, matchesContentType, type ContentType } from '../../../adapters/iso8583/field-specification';
import type { Iso8583Message } from '../../../adapters/iso8583/message';
import { Iso8583MessageError } from '../../../adapters/iso8583/message-error';
import { checkMessage, packMessage, unpackMessage, type UnpackResult } from '../../../adapters/iso8583/packager';
import { exampleTransferRequest, profileMessage } from './profile-arbitraries';

const transferRequest = exampleTransferRequest;

function failureOf(result: UnpackResult): { code: string; message: string; mti: string | null; fields: Readonly<Record<number, string>> } {
  if (result.ok) throw new Error('expected the message to be refused');
  return result.failure;
}

/** MTI, a primary bitmap with the given bits, and the raw field bytes: how another packager might write it. */
function handPacked(mti: string, bits: readonly number[], data: string, bitmapBytes = 8): Buffer {
  const bitmap = Buffer.alloc(bitmapBytes);
  for (const bit of bits) bitmap[(bit - 1) >> 3] = (bitmap[(bit - 1) >> 3] ?? 0) | (0x80 >> ((bit - 1) & 7));
  return Buffer.concat([Buffer.from(mti, 'latin1'), bitmap, Buffer.from(data, 'latin1')]);
}

describe('the packager', () => {
  it('packs ASCII MTI, binary primary and secondary bitmaps and ASCII fields with ASCII length prefixes', () => {
    const packed = packMessage({ mti: '0800', fields: { 7: '1128101530', 11: '000001', 32: '600001', 70: '001' } });
    expect(packed.subarray(0, 4).toString('latin1')).toBe('0800');
    // Bits 1 (secondary bitmap follows), 7, 11 and 32; then bit 70 in the secondary bitmap.
    expect(packed.subarray(4, 12).toString('hex')).toBe('8220000100000000');
    expect(packed.subarray(12, 20).toString('hex')).toBe('0400000000000000');
    expect(packed.subarray(20).toString('latin1')).toBe('1128101530' + '000001' + '06600001' + '001');
  });

  it('unpacks what it packs', () => {
    expect(unpackMessage(packMessage(transferRequest))).toEqual({ ok: true, message: transferRequest });
  });

  it('packs every ISO 8583:1987 MTI, including those the iso_8583 library does not list, and unpacks it unchanged', () => {
    for (let number = 0; number < 1000; number += 1) {
      const message: Iso8583Message = { mti: `0${String(number).padStart(3, '0')}`, fields: { 11: '000001', 39: '12' } };
      expect(unpackMessage(packMessage(message))).toEqual({ ok: true, message });
    }
  });

  it('unpacks a message that has only a primary bitmap', () => {
    const body = handPacked('0800', [7, 11, 32], '1128101530' + '000001' + '06600001');
    expect(unpackMessage(body)).toEqual({ ok: true, message: { mti: '0800', fields: { 7: '1128101530', 11: '000001', 32: '600001' } } });
  });

  it('round-trips any message that fits the profile', () => {
    fc.assert(
      fc.property(profileMessage, (message) => {
        expect(unpackMessage(packMessage(message))).toEqual({ ok: true, message });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes, and refuses or parses them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = unpackMessage(Buffer.from(bytes));
        if (result.ok) expect(() => checkMessage(result.message)).not.toThrow();
        else expect(result.failure.message.length).toBeGreaterThan(10);
      }),
      { numRuns: 500 },
    );
  });

  describe('refuses a malformed message with a code and a sentence, keeping what it read', () => {
    it('an empty body or a non-numeric MTI', () => {
      expect(failureOf(unpackMessage(Buffer.alloc(0)))).toMatchObject({ code: 'TRUNCATED', mti: null });
      expect(failureOf(unpackMessage(Buffer.from('08A0xxxxxxxx')))).toMatchObject({ code: 'INVALID_MTI', mti: null });
      expect(failureOf(unpackMessage(Buffer.from('1200xxxxxxxx')))).toMatchObject({ code: 'INVALID_MTI', mti: null });
    });

    it('a message that ends inside a bitmap', () => {
      expect(failureOf(unpackMessage(Buffer.from('0200\x80\x00', 'latin1')))).toMatchObject({ code: 'TRUNCATED', mti: '0200' });
      const onlyPrimary = handPacked('0200', [1, 11], '');
      expect(failureOf(unpackMessage(onlyPrimary))).toMatchObject({
        code: 'TRUNCATED',
        message: 'the message ends inside the secondary bitmap',
      });
    });

    it('a bitmap that announces a field outside the profile', () => {
      expect(failureOf(unpackMessage(handPacked('0200', [2], '16' + '4111111111111111')))).toMatchObject({
        code: 'UNKNOWN_FIELD',
        message: expect.stringContaining('field 2'),
      });
      const tertiary = handPacked('0200', [1, 65], '', 16);
      expect(failureOf(unpackMessage(tertiary))).toMatchObject({ code: 'UNKNOWN_FIELD', message: expect.stringContaining('field 65') });
    });

    it('a field cut short, with the fields before it kept for the answer', () => {
      const failure = failureOf(unpackMessage(handPacked('0200', [11, 41], '000777' + 'TERM')));
      expect(failure).toMatchObject({ code: 'TRUNCATED', mti: '0200', fields: { 11: '000777' } });
      expect(failure.message).toBe('the message ends inside field 41');
    });

    it('a length prefix that is not digits, or outside 1..max', () => {
      expect(failureOf(unpackMessage(handPacked('0200', [32], 'x6600001')))).toMatchObject({ code: 'INVALID_LENGTH_PREFIX' });
      expect(failureOf(unpackMessage(handPacked('0200', [32], '00')))).toMatchObject({ code: 'INVALID_LENGTH' });
      expect(failureOf(unpackMessage(handPacked('0200', [32], '12123456789012')))).toMatchObject({
        code: 'INVALID_LENGTH',
        message: expect.stringContaining('1 to 11'),
      });
    });

    it('characters outside the field type', () => {
      expect(failureOf(unpackMessage(handPacked('0200', [11], '00012A')))).toMatchObject({
        code: 'INVALID_CONTENT',
        message: expect.stringContaining('field 11'),
      });
      expect(failureOf(unpackMessage(handPacked('0200', [41], 'TERM\u00e9001')))).toMatchObject({ code: 'INVALID_CONTENT' });
    });

    it('bytes after the last announced field', () => {
      expect(failureOf(unpackMessage(handPacked('0200', [11], '000001' + 'junk')))).toMatchObject({
        code: 'TRAILING_BYTES',
        fields: { 11: '000001' },
      });
    });
  });

  describe('refuses to pack a message outside the profile', () => {
    const cases: Array<[string, Iso8583Message, string, RegExp]> = [
      ['a bad MTI', { mti: '200', fields: {} }, 'INVALID_MTI', /four digits/],
      ['an unknown field', { mti: '0200', fields: { 2: '4111111111111111' } }, 'UNKNOWN_FIELD', /field 2 is not part/],
      [
        'a fixed field of the wrong length',
        { mti: '0200', fields: { 4: '150050' } },
        'INVALID_LENGTH',
        /field 4 .* exactly 12 characters, got 6/,
      ],
      ['a variable field too long', { mti: '0200', fields: { 102: 'X'.repeat(29) } }, 'INVALID_LENGTH', /1 to 28 characters/],
      ['an empty variable field', { mti: '0200', fields: { 103: '' } }, 'INVALID_LENGTH', /1 to 28 characters, got 0/],
      ['letters in a numeric field', { mti: '0200', fields: { 49: 'PKR' } }, 'INVALID_CONTENT', /field 49 .* "n" characters/],
      ['an @ the library cannot carry', { mti: '0200', fields: { 41: 'TERM@001' } }, 'INVALID_CONTENT', /field 41/],
    ];
    it.each(cases)('%s', (_name, message, code, sentence) => {
      let caught: unknown;
      try {
        packMessage(message);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(Iso8583MessageError);
      expect(caught).toMatchObject({ code, message: expect.stringMatching(sentence) });
    });
  });

  it('lists every profile field with the iso_8583 library default format', () => {
    // The library ships no types for its internal tables, so they are required and cast to what they hold.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const libraryDefaults = require('iso_8583/lib/formats') as Record<string, { ContentType: string; LenType: string; MaxLen: number }>;
    expect([...fieldSpecifications.keys()]).toEqual([3, 4, 7, 11, 12, 13, 32, 37, 38, 39, 41, 42, 48, 49, 70, 90, 102, 103]);
    for (const specification of fieldSpecifications.values()) {
      const libraryDefault = libraryDefaults[String(specification.field)];
      expect({
        field: specification.field,
        ContentType: libraryDefault?.ContentType,
        LenType: libraryDefault?.LenType,
        MaxLen: libraryDefault?.MaxLen,
      }).toEqual({
        field: specification.field,
        ContentType: specification.contentType,
        LenType: specification.lengthType,
        MaxLen: specification.lengthMax,
      });
    }
  });

  it('accepts exactly the characters the library accepts, for every content type', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped library internals, as above.
    const libraryCheck = require('iso_8583/lib/types') as (
      format: { ContentType: string },
      data: string,
      field: number,
    ) => true | { error: string };
    const contentTypes: ContentType[] = ['n', 'an', 'anp', 'ans'];
    for (const contentType of contentTypes) {
      for (let code = 0x20; code <= 0x7e; code++) {
        const character = String.fromCharCode(code);
        expect({ contentType, character, ours: matchesContentType(contentType, character) }).toEqual({
          contentType,
          character,
          ours: libraryCheck({ ContentType: contentType }, character, 0) === true,
        });
      }
    }
  });
});
