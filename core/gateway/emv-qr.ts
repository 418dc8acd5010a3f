import { assert } from '../assert';
import { currency } from '../money';

/**
 * The EMVCo merchant-presented QR string of a checkout session (the layout SBP's 2022 QR standard follows). Each
 * field is `tag(2) length(2) value`, in the order issue 11 fixes; the last is the CRC over everything before it,
 * its own tag and length included. A wallet app scans it, reads the merchant from tag 26 and the session from
 * tag 62-05, and pays with that session id.
 */
export type EmvQrInput = {
  merchantId: string;
  merchantName: string;
  merchantCity: string;
  mcc: string;
  /** The amount as the session writes it ("1500.00"). */
  amount: string;
  currency: string;
  orderId: string;
  sessionId: string;
};

/** The globally unique identifier of tag 26's template: the switch's reverse domain name. */
export const emvQrGloballyUniqueId = 'pk.hisaab';
const fieldValueLengthMax = 99;

export function emvQrString(input: EmvQrInput): string {
  const payload =
    field('00', '01') +
    // 12: a dynamic QR, made for one payment (11 would be a static one, reused).
    field('01', '12') +
    field('26', field('00', emvQrGloballyUniqueId) + field('01', input.merchantId)) +
    field('52', input.mcc) +
    field('53', currency(input.currency).numericCode) +
    field('54', input.amount) +
    field('58', 'PK') +
    field('59', input.merchantName.slice(0, 25)) +
    field('60', input.merchantCity.slice(0, 15)) +
    field('62', field('01', input.orderId.slice(0, 25)) + field('05', input.sessionId)) +
    '6304';
  return payload + crc16CcittFalse(payload).toString(16).toUpperCase().padStart(4, '0');
}

function field(tag: string, value: string): string {
  assert(
    value.length >= 1 && value.length <= fieldValueLengthMax,
    `an EMV QR field holds 1 to ${fieldValueLengthMax} characters (tag ${tag})`,
  );
  return `${tag}${String(value.length).padStart(2, '0')}${value}`;
}

/**
 * CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR, over the UTF-8 bytes.
 * Bit by bit rather than by table: a QR string is a few hundred bytes, and the plain loop is easy to check.
 */
export function crc16CcittFalse(text: string): number {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
