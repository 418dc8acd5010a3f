import { murmurHash128, murmurHash128Ascii } from '../../../core/ledger/murmur-hash-128';

/** Reference values from the `mmh3` Python package (`mmh3.hash128(text.encode('utf-16le'), seed, False)`). */
const reference: [string, number, string][] = [
  ['', 0, '00000000000000000000000000000000'],
  ['', 0x9747b28c, '5b576a1c5b576a1c5b576a1cf7bed5a1'],
  ['a', 0, 'ccef4fe1ccef4fe1ccef4fe1033bb196'],
  ['a', 0x9747b28c, 'a5d9f9a3a5d9f9a3a5d9f9a32511c556'],
  ['abc', 0, '5012c2b45012c2b420f75fb52b5b97a3'],
  ['abc', 0x9747b28c, '3e7348273e7348276778c095949e2c7f'],
  ['transfer-0001', 0, '167d43724bb98a98fd4532159cdde07b'],
  ['transfer-0001', 0x9747b28c, '56913c531885cc38ebf3a0d30b5529ed'],
  ['The quick brown fox jumps over the lazy dog', 0, '28be6d5bfed4894d0f94f6ca15beb686'],
  ['The quick brown fox jumps over the lazy dog', 0x9747b28c, '8ba57b7b9ccc85a431befb80d338cf66'],
  ['é€😀x', 0, '6abab1fba843f26ab2934342850c412d'],
  ['é€😀x', 0x9747b28c, '8b9432ceca0122a03f40fc509c8662be'],
];

/** mmh3 prints the four words as one little-endian 128-bit number: h4 first. */
function hex(words: Uint32Array): string {
  return [words[3], words[2], words[1], words[0]].map((word) => (word as number).toString(16).padStart(8, '0')).join('');
}

describe('murmurHash128', () => {
  it.each(reference)('hashes %j with seed %d as the reference does', (text, seed, expected) => {
    const out = new Uint32Array(4);
    murmurHash128(text, seed, out);
    expect(hex(out)).toBe(expected);
  });

  it('covers every tail length and block count: 0 to 40 code units all differ', () => {
    const out = new Uint32Array(4);
    const seen = new Set<string>();
    for (let length = 0; length <= 40; length += 1) {
      murmurHash128('x'.repeat(length), 7, out);
      seen.add(hex(out));
    }
    expect(seen.size).toBe(41);
  });

  it('hashes an ASCII id from its bytes exactly as from its string, at any offset and length', () => {
    const fromText = new Uint32Array(4);
    const fromBytes = new Uint32Array(4);
    const wrong: string[] = [];
    for (let length = 0; length <= 70; length += 1) {
      const text = Array.from({ length }, (_, index) => String.fromCharCode(33 + ((index * 37 + length) % 94))).join('');
      const bytes = Buffer.from(`..${text}..`, 'ascii');
      murmurHash128(text, 0x9e3779b9, fromText);
      murmurHash128Ascii(bytes, 2, length, 0x9e3779b9, fromBytes);
      if (hex(fromText) !== hex(fromBytes)) wrong.push(text);
    }
    expect(wrong).toEqual([]);
  });
});
