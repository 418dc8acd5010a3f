import { crc16CcittFalse, emvQrString } from '../../../core/gateway/emv-qr';

/**
 * An independent CRC-16/CCITT-FALSE, table-driven from the polynomial (the implementation under test goes bit by
 * bit), so that the two agree only if both follow the standard.
 */
const table = Array.from({ length: 256 }, (_unused, index) => {
  let value = index << 8;
  for (let bit = 0; bit < 8; bit += 1) value = value & 0x8000 ? (value << 1) ^ 0x1021 : value << 1;
  return value & 0xffff;
});
function referenceCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) crc = ((crc << 8) ^ (table[((crc >> 8) ^ byte) & 0xff] as number)) & 0xffff;
  return crc;
}

/** Reads `tag(2) length(2) value` fields into [tag, value] pairs. */
function fields(text: string): [string, string][] {
  const result: [string, string][] = [];
  let offset = 0;
  while (offset < text.length) {
    const tag = text.slice(offset, offset + 2);
    const length = Number(text.slice(offset + 2, offset + 4));
    result.push([tag, text.slice(offset + 4, offset + 4 + length)]);
    offset += 4 + length;
  }
  return result;
}

const input = {
  merchantId: 'SHOP1',
  merchantName: 'Shop One General Store of Saddar Karachi',
  merchantCity: 'Karachi Cantonment',
  mcc: '5411',
  amount: '1500.00',
  currency: 'PKR',
  orderId: 'ORD-1-with-a-rather-long-order-reference',
  sessionId: 'cs_AbCdEfGhIjKlMnOpQrStUv',
};

it('has the check value of CRC-16/CCITT-FALSE, and agrees with an independent table-driven CRC', () => {
  expect(crc16CcittFalse('123456789')).toBe(0x29b1);
  expect(referenceCrc(Buffer.from('123456789'))).toBe(0x29b1);
  for (const text of ['', 'A', '000201010212', emvQrString(input).slice(0, -4), 'قیمت ۱۵۰۰']) {
    expect(crc16CcittFalse(text)).toBe(referenceCrc(Buffer.from(text, 'utf8')));
  }
});

it('lays the tags out in the order and with the truncations issue 11 fixes, the CRC over everything up to 6304', () => {
  const qr = emvQrString(input);
  expect(fields(qr)).toEqual([
    ['00', '01'],
    ['01', '12'],
    ['26', '0009pk.hisaab0105SHOP1'],
    ['52', '5411'],
    ['53', '586'],
    ['54', '1500.00'],
    ['58', 'PK'],
    ['59', 'Shop One General Store of'],
    ['60', 'Karachi Cantonm'],
    ['62', '0125ORD-1-with-a-rather-long-0525cs_AbCdEfGhIjKlMnOpQrStUv'],
    [
      '63',
      referenceCrc(Buffer.from(qr.slice(0, -4)))
        .toString(16)
        .toUpperCase()
        .padStart(4, '0'),
    ],
  ]);
  expect(qr.slice(-8, -4)).toBe('6304');
  expect(qr.slice(-4)).toMatch(/^[0-9A-F]{4}$/);
});
