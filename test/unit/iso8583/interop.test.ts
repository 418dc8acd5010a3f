import fc from 'fast-check';
import Iso8583Library from 'iso_8583';
import { encodeFrame, FrameDecoder } from '../../../adapters/iso8583/framing';
import type { Iso8583Message } from '../../../adapters/iso8583/message';
import { packMessage, unpackMessage } from '../../../adapters/iso8583/packager';
import { exampleTransferRequest, profileMessage } from './profile-arbitraries';

/**
 * Interop with the plain `iso_8583` library, used the way a bank's developer would use it: default formats,
 * no configuration, its own 2-byte length header. Both directions, on fixed examples and random messages.
 */

function libraryMessage(message: Iso8583Message): Record<string, string> {
  const plain: Record<string, string> = { '0': message.mti };
  for (const [field, value] of Object.entries(message.fields)) if (value !== undefined) plain[field] = value;
  return plain;
}

/** What the plain library puts on the wire, read back through our framing and our parser. */
function packedByLibraryParsedByUs(message: Iso8583Message): unknown {
  const wire = new Iso8583Library(libraryMessage(message)).getBufferMessage();
  if (!Buffer.isBuffer(wire)) throw new Error(`the library refused: ${wire.error}`);
  const decoder = new FrameDecoder();
  decoder.push(wire);
  const read = decoder.next();
  if (read.kind !== 'frame') throw new Error('the library frame did not frame');
  expect(decoder.bufferedBytes).toBe(0);
  return unpackMessage(read.body);
}

function packedByUsParsedByLibrary(message: Iso8583Message): unknown {
  return new Iso8583Library().getIsoJSON(encodeFrame(packMessage(message)), {});
}

const examples: Array<[string, Iso8583Message]> = [
  ['0800 sign-on', { mti: '0800', fields: { 7: '1128101530', 11: '000001', 32: '600001', 41: 'HISAAB01', 70: '001' } }],
  ['0200 transfer', { mti: '0200', fields: { ...exampleTransferRequest.fields, 42: 'HISAAB SWITCH  ' } }],
  ['0210 approval', { mti: '0210', fields: { 11: '000123', 32: '600001', 37: '512810000123', 38: '123456', 39: '00', 41: 'TERM0001' } }],
  [
    '0420 reversal',
    {
      mti: '0420',
      fields: {
        3: '400000',
        4: '000000150050',
        7: '1128101600',
        11: '000124',
        32: '600001',
        37: '512810000123',
        41: 'TERM0001',
        49: '586',
        90: '0200000123112810153000000600001' + '00000000000',
      },
    },
  ],
];

describe('interop with the plain iso_8583 library', () => {
  it.each(examples)('parses a %s packed by the library', (_name, message) => {
    expect(packedByLibraryParsedByUs(message)).toEqual({ ok: true, message });
  });

  it.each(examples)('packs a %s the library parses', (_name, message) => {
    expect(packedByUsParsedByLibrary(message)).toEqual(libraryMessage(message));
  });

  it('agrees both ways on random messages of the profile', () => {
    fc.assert(
      fc.property(profileMessage, (message) => {
        expect(packedByLibraryParsedByUs(message)).toEqual({ ok: true, message });
        expect(packedByUsParsedByLibrary(message)).toEqual(libraryMessage(message));
      }),
      { numRuns: 200 },
    );
  });

  it('reads a primary-bitmap-only message the same way the library does', () => {
    // How a jPOS ISO87APackagerBBitmap host writes an 0810 with no field above 64: no secondary bitmap.
    const body = Buffer.concat([
      Buffer.from('0810', 'latin1'),
      Buffer.from('0020000002000000', 'hex'),
      Buffer.from('000001' + '00', 'latin1'),
    ]);
    expect(unpackMessage(body)).toEqual({ ok: true, message: { mti: '0810', fields: { 11: '000001', 39: '00' } } });
    expect(new Iso8583Library().getIsoJSON(body, { lenHeader: false })).toEqual({ '0': '0810', '11': '000001', '39': '00' });
  });
});
