/**
 * MurmurHash3 x86_128 (Austin Appleby, public domain) of a string's UTF-16LE bytes, written into `out` as four
 * 32-bit words (h1..h4). It reads the string's code units directly: no encoding, no buffer, no allocation, which
 * is why it is written here rather than taken from a library (they hash bytes and return new strings or bigints,
 * and this runs for every transfer). `test/unit/ledger/murmur-hash-128.test.ts` checks it against the reference.
 * It is not a cryptographic hash: callers seed it per process (see TransferIdWindow) and verify what matters.
 */
export function murmurHash128(text: string, seed: number, out: Uint32Array): void {
  const units = text.length;
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blockUnits = units - (units % 8);
  for (let index = 0; index < blockUnits; index += 8) {
    h1 ^= mixK1(pair(text, index));
    h1 = (Math.imul((rotateLeft(h1, 19) + h2) | 0, 5) + 0x561ccd1b) | 0;
    h2 ^= mixK2(pair(text, index + 2));
    h2 = (Math.imul((rotateLeft(h2, 17) + h3) | 0, 5) + 0x0bcaa747) | 0;
    h3 ^= mixK3(pair(text, index + 4));
    h3 = (Math.imul((rotateLeft(h3, 15) + h4) | 0, 5) + 0x96cd1c35) | 0;
    h4 ^= mixK4(pair(text, index + 6));
    h4 = (Math.imul((rotateLeft(h4, 13) + h1) | 0, 5) + 0x32ac3b17) | 0;
  }
  // The tail: at most 7 code units (14 bytes), each 32-bit word mixed only when one of its bytes is present.
  const tailUnits = units - blockUnits;
  if (tailUnits > 6) h4 ^= mixK4(pair(text, blockUnits + 6));
  if (tailUnits > 4) h3 ^= mixK3(pair(text, blockUnits + 4));
  if (tailUnits > 2) h2 ^= mixK2(pair(text, blockUnits + 2));
  if (tailUnits > 0) h1 ^= mixK1(pair(text, blockUnits));

  finish(h1, h2, h3, h4, units * 2, out);
}

/**
 * `murmurHash128` of the string whose code units are `units` bytes of `bytes` from `start`: for ASCII text (ids
 * are, by idPattern) the same hash as of the decoded string, without decoding it. The start-up replay hashes each
 * transfer id straight from its batch record this way. The caller checks the bytes are ASCII.
 */
export function murmurHash128Ascii(bytes: Uint8Array, start: number, units: number, seed: number, out: Uint32Array): void {
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blockUnits = units - (units % 8);
  for (let index = 0; index < blockUnits; index += 8) {
    h1 ^= mixK1(bytePair(bytes, start + units, start + index));
    h1 = (Math.imul((rotateLeft(h1, 19) + h2) | 0, 5) + 0x561ccd1b) | 0;
    h2 ^= mixK2(bytePair(bytes, start + units, start + index + 2));
    h2 = (Math.imul((rotateLeft(h2, 17) + h3) | 0, 5) + 0x0bcaa747) | 0;
    h3 ^= mixK3(bytePair(bytes, start + units, start + index + 4));
    h3 = (Math.imul((rotateLeft(h3, 15) + h4) | 0, 5) + 0x96cd1c35) | 0;
    h4 ^= mixK4(bytePair(bytes, start + units, start + index + 6));
    h4 = (Math.imul((rotateLeft(h4, 13) + h1) | 0, 5) + 0x32ac3b17) | 0;
  }
  // The tail: at most 7 code units (14 bytes), each 32-bit word mixed only when one of its bytes is present.
  const tailUnits = units - blockUnits;
  if (tailUnits > 6) h4 ^= mixK4(bytePair(bytes, start + units, start + blockUnits + 6));
  if (tailUnits > 4) h3 ^= mixK3(bytePair(bytes, start + units, start + blockUnits + 4));
  if (tailUnits > 2) h2 ^= mixK2(bytePair(bytes, start + units, start + blockUnits + 2));
  if (tailUnits > 0) h1 ^= mixK1(bytePair(bytes, start + units, start + blockUnits));

  finish(h1, h2, h3, h4, units * 2, out);
}

/** Two bytes as one little-endian 32-bit word of two code units (past `end` reads as 0, as the tail wants). */
function bytePair(bytes: Uint8Array, end: number, index: number): number {
  const low = bytes[index] as number;
  const high = index + 1 < end ? (bytes[index + 1] as number) : 0;
  return low | (high << 16);
}

/** Two code units as one little-endian 32-bit word (a missing second unit reads as 0, as the tail wants). */
function pair(text: string, index: number): number {
  const low = text.charCodeAt(index);
  const high = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
  return low | (high << 16);
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

function mixK1(k: number): number {
  return Math.imul(rotateLeft(Math.imul(k, 0x239b961b), 15), 0xab0e9789);
}

function mixK2(k: number): number {
  return Math.imul(rotateLeft(Math.imul(k, 0xab0e9789), 16), 0x38b34ae5);
}

function mixK3(k: number): number {
  return Math.imul(rotateLeft(Math.imul(k, 0x38b34ae5), 17), 0xa1e38b93);
}

function mixK4(k: number): number {
  return Math.imul(rotateLeft(Math.imul(k, 0xa1e38b93), 18), 0x239b961b);
}

function finalMix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** MurmurHash3 x86_128's finalisation, shared by both inputs: the length mixed in, the lanes avalanched into `out`. */
function finish(h1: number, h2: number, h3: number, h4: number, byteLength: number, out: Uint32Array): void {
  h1 ^= byteLength;
  h2 ^= byteLength;
  h3 ^= byteLength;
  h4 ^= byteLength;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = finalMix(h1);
  h2 = finalMix(h2);
  h3 = finalMix(h3);
  h4 = finalMix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  out[2] = h3;
  out[3] = h4;
}
