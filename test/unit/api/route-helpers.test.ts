import { decodeCursor, decodeSequenceCursor, encodeCursor, mapBounded } from '../../../api/route-helpers';

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

describe('mapBounded', () => {
  it('keeps the input order and never runs more than the bound at once', async () => {
    let running = 0;
    let runningMax = 0;
    const results = await mapBounded([5, 1, 4, 2, 3], 2, async (delayMs, index) => {
      running += 1;
      runningMax = Math.max(runningMax, running);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      running -= 1;
      return `${index}:${delayMs}`;
    });
    expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3']);
    expect(runningMax).toBe(2);
  });

  it('answers an empty list with an empty list', async () => expect(await mapBounded([], 4, async () => 1)).toEqual([]));
});
