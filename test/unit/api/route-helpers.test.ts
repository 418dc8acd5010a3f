import { decodeCursor, decodeSequenceCursor, encodeCursor } from '../../../api/route-helpers';

describe('page cursors', () => {
  it('gives back the position a cursor was made from', () => {
    expect(decodeCursor('p', encodeCursor('p', 'MARGALLA'), /^[A-Z0-9_]{2,16}$/)).toBe('MARGALLA');
    expect(decodeSequenceCursor('t', encodeCursor('t', '42'))).toBe(42n);
    expect(decodeSequenceCursor('w', encodeCursor('w', '9223372036854775807'))).toBe(9_223_372_036_854_775_807n);
  });

  it.each([
    ["another list's kind", encodeCursor('w', '42')],
    ['a position of the wrong shape', encodeCursor('t', '4x2')],
    ['a position past the largest SQLite integer', encodeCursor('t', '9223372036854775808')],
    ['characters outside base64url', `${encodeCursor('t', '42')}!`],
    ['nothing', ''],
  ])('refuses %s', (_what, cursor) => expect(decodeSequenceCursor('t', cursor)).toBeNull());
});
