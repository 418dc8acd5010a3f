import fc from 'fast-check';
import { fieldSpecifications, lengthPrefixDigits } from '../../adapters/iso8583/field-specification';
import {
  buildFinancialAdvice,
  buildReversalAdvice,
  buildTransferRequest,
  CHARGEBACK_CREDIT_PROCESSING_CODE,
  FUNDS_TRANSFER_PROCESSING_CODE,
} from '../../adapters/iso8583/financial-messages';
import type { Iso8583Message } from '../../adapters/iso8583/message';
import { buildNetworkManagementRequest } from '../../adapters/iso8583/network-management';
import { packMessage } from '../../adapters/iso8583/packager';

/**
 * The fuzzer's frames: valid 0200, 0220, 0420 and 0800 messages written by the real packager, then mutated field by
 * field (MTI, bitmap bits and bytes, length prefixes, data element contents, a field removed or added, truncation,
 * extension, bytes overwritten, the frame header), and pure random frames. Each case is plain data drawn by
 * fast-check from a seed, so a run is replayed exactly by its seed.
 */

/** The DE32 every base message carries: the institution the fuzzing bank signs on with. */
export const FUZZ_INSTITUTION_ID = '600001';
/** A payee alias the TCP phase registers, so that base transfers reach the switch's payee routing. */
export const FUZZ_PAYEE_ALIAS = '923001234567';
const MTI_BYTES = 4;
const BITMAPS_BYTES = 16;

export type BaseFrame = { readonly message: Iso8583Message; readonly body: Buffer; readonly layout: readonly FieldSlot[] };
/** Where one data element sits in a packed body: its length prefix (if any) starts at `start`, its value at `valueStart`. */
type FieldSlot = { readonly field: number; readonly start: number; readonly valueStart: number; readonly end: number };

export type Mutation =
  | { readonly kind: 'none' }
  | { readonly kind: 'mti'; readonly value: Buffer }
  | { readonly kind: 'bitmap_bit'; readonly bit: number }
  | { readonly kind: 'bitmap_byte'; readonly index: number; readonly value: number }
  | { readonly kind: 'primary_bitmap_only' }
  | { readonly kind: 'length_prefix'; readonly slot: number; readonly value: string }
  | { readonly kind: 'field_value'; readonly slot: number; readonly value: string; readonly keepPrefix: boolean }
  | { readonly kind: 'field_removed'; readonly slot: number }
  | { readonly kind: 'field_added'; readonly field: number; readonly value: Buffer }
  | { readonly kind: 'truncated'; readonly keepFraction: number }
  | { readonly kind: 'extended'; readonly bytes: Buffer }
  | { readonly kind: 'bytes_overwritten'; readonly writes: readonly (readonly [number, number])[] }
  | { readonly kind: 'random_frame'; readonly bytes: Buffer }
  | { readonly kind: 'frame_header'; readonly declaredBytes: number };

export type MutationKind = Mutation['kind'];

export type FuzzCase = { readonly base: number; readonly mutation: Mutation };

export type GeneratedFrame = {
  readonly baseMti: string;
  readonly mutation: MutationKind;
  readonly body: Buffer;
  /** The length the 2-byte header declares: the body's own, unless the header itself is the mutation. */
  readonly declaredBytes: number;
};

const digits = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
const stan = digits(6).filter((value) => value !== '000000');
const transmission = fc
  .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 86_399 }))
  .map(([month, day, second]) => {
    const pad = (value: number): string => String(value).padStart(2, '0');
    return `${pad(month)}${pad(day)}${pad(Math.floor(second / 3600))}${pad(Math.floor(second / 60) % 60)}${pad(second % 60)}`;
  });
const payee = fc.constantFrom(FUZZ_PAYEE_ALIAS, '03001234567', 'PK36SCBL0000001123456702', 'PK45FUZZ0000001234567890', 'W0001');
const amountMinor = fc.oneof(fc.bigInt({ min: 1n, max: 100_000_000n }), fc.constantFrom(1n, 999_999_999_999n));

const identifiers = fc.record({
  systemTraceAuditNumber: stan,
  transmissionDateTime: transmission,
  acquirerInstitutionId: fc.constant(FUZZ_INSTITUTION_ID),
  retrievalReferenceNumber: digits(12),
  terminalId: fc.constantFrom('TERM0001', 'ATM00042', 'FUZZ    '),
});

const financialRequest = fc.record({
  identifiers,
  amountMinor,
  payeeAccount: payee,
  localTime: digits(6),
  localDate: digits(4),
});

const transferRequestMessage = financialRequest.map((request) =>
  buildTransferRequest({
    ...request.identifiers,
    processingCode: FUNDS_TRANSFER_PROCESSING_CODE,
    amountMinor: request.amountMinor,
    currency: 'PKR',
    localTime: request.localTime,
    localDate: request.localDate,
    payerAccount: 'PK89FUZZ0000001123456702',
    payeeAccount: request.payeeAccount,
  }),
);

const adviceMessage = fc.tuple(financialRequest, fc.boolean(), fc.boolean()).map(([request, chargeback, repeat]) =>
  buildFinancialAdvice(
    {
      ...request.identifiers,
      processingCode: chargeback ? CHARGEBACK_CREDIT_PROCESSING_CODE : FUNDS_TRANSFER_PROCESSING_CODE,
      amountMinor: request.amountMinor,
      currency: 'PKR',
      localTime: request.localTime,
      localDate: request.localDate,
      payerAccount: 'PK89FUZZ0000001123456702',
      payeeAccount: request.payeeAccount,
      additionalData: chargeback ? 'dispute-0001' : undefined,
    },
    { repeat },
  ),
);

const reversalMessage = fc
  .tuple(identifiers, amountMinor, stan, transmission, fc.boolean())
  .map(([ids, amount, originalStan, originalTime, repeat]) =>
    buildReversalAdvice(
      {
        ...ids,
        processingCode: FUNDS_TRANSFER_PROCESSING_CODE,
        amountMinor: amount,
        currency: 'PKR',
        original: {
          mti: '0200',
          systemTraceAuditNumber: originalStan,
          transmissionDateTime: originalTime,
          acquirerInstitutionId: FUZZ_INSTITUTION_ID,
          forwardingInstitutionId: null,
        },
      },
      { repeat },
    ),
  );

const networkMessage = fc.tuple(stan, transmission, fc.constantFrom('001', '002', '301')).map(([trace, time, code]) =>
  buildNetworkManagementRequest({
    code,
    systemTraceAuditNumber: trace,
    transmissionDateTime: time,
    institutionId: FUZZ_INSTITUTION_ID,
    terminalId: 'FUZZ0001',
  }),
);

const baseMessage = fc.oneof(transferRequestMessage, transferRequestMessage, adviceMessage, reversalMessage, networkMessage);

/** Where each field sits in a body the library packed: MTI, both bitmaps, then the fields in ascending order. */
function layoutOf(message: Iso8583Message, body: Buffer): FieldSlot[] {
  const slots: FieldSlot[] = [];
  let offset = MTI_BYTES + BITMAPS_BYTES;
  const fields = Object.keys(message.fields)
    .map(Number)
    .sort((left, right) => left - right);
  for (const field of fields) {
    const specification = fieldSpecifications.get(field);
    const value = message.fields[field];
    if (specification === undefined || value === undefined) throw new Error(`field ${field} is not in the profile`);
    const valueStart = offset + lengthPrefixDigits(specification.lengthType);
    slots.push({ field, start: offset, valueStart, end: valueStart + value.length });
    offset = valueStart + value.length;
  }
  if (offset !== body.length) throw new Error('the layout does not cover the packed body');
  return slots;
}

/** Valid messages from the real builders and packager, drawn once per run from the seed. */
export function baseFrames(seed: number, count: number): BaseFrame[] {
  return fc.sample(baseMessage, { seed, numRuns: count }).map((message) => {
    const body = packMessage(message);
    return { message, body, layout: layoutOf(message, body) };
  });
}

/** Values that sit on the edges of what each data element accepts, tried in every field. */
const interestingValues = [
  '000000000000',
  '999999999999',
  '000000000001',
  '586',
  '840',
  '392',
  '000',
  '400000',
  '200000',
  '000000',
  '310000',
  '001',
  '002',
  '301',
  '161',
  '600001',
  '600002',
  '0',
  FUZZ_PAYEE_ALIAS,
  '92300123456',
  'PK36SCBL0000001123456702',
  'PK00XXXX0000000000000000',
  '020000012300000000000000600001000000000000',
  '042000012300000000000000600001000000000000',
  '020000012311281015300000060000200000000000',
  ' ',
  '@#\\',
  '\u0000\u0000',
  '\u00ff',
  'x'.repeat(28),
  '9'.repeat(29),
];
const byteString = (maxLength: number): fc.Arbitrary<string> =>
  fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes).toString('latin1'));
const fieldValue = fc.oneof(
  fc.constantFrom(...interestingValues),
  fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 30 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
  byteString(30),
);
const bytes = (maxLength: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength }).map((array) => Buffer.from(array));
const mtiValue = fc
  .oneof(
    fc.constantFrom(
      '0200',
      '0210',
      '0220',
      '0221',
      '0230',
      '0420',
      '0421',
      '0430',
      '0800',
      '0810',
      '0100',
      '0300',
      '0000',
      '0990',
      '1200',
      '2200',
    ),
    digits(3).map((rest) => `0${rest}`),
    fc.string({ unit: 'grapheme-ascii', minLength: 4, maxLength: 4 }),
  )
  .map((value) => Buffer.from(value, 'latin1'));

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant<Mutation>({ kind: 'none' }), weight: 1 },
  { arbitrary: mtiValue.map<Mutation>((value) => ({ kind: 'mti', value })), weight: 2 },
  { arbitrary: fc.nat(127).map<Mutation>((bit) => ({ kind: 'bitmap_bit', bit })), weight: 3 },
  {
    arbitrary: fc.record({ index: fc.nat(15), value: fc.nat(255) }).map<Mutation>((draw) => ({ kind: 'bitmap_byte', ...draw })),
    weight: 1,
  },
  { arbitrary: fc.constant<Mutation>({ kind: 'primary_bitmap_only' }), weight: 1 },
  {
    arbitrary: fc
      .record({ slot: fc.nat(), value: fc.oneof(digits(2), digits(3), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 })) })
      .map<Mutation>((draw) => ({ kind: 'length_prefix', ...draw })),
    weight: 2,
  },
  {
    arbitrary: fc
      .record({ slot: fc.nat(), value: fieldValue, keepPrefix: fc.boolean() })
      .map<Mutation>((draw) => ({ kind: 'field_value', ...draw })),
    weight: 6,
  },
  { arbitrary: fc.nat().map<Mutation>((slot) => ({ kind: 'field_removed', slot })), weight: 3 },
  {
    arbitrary: fc
      .record({
        field: fc.integer({ min: 2, max: 128 }),
        value: fc.oneof(
          bytes(40),
          fieldValue.map((value) => Buffer.from(value, 'latin1')),
        ),
      })
      .map<Mutation>((draw) => ({ kind: 'field_added', ...draw })),
    weight: 2,
  },
  {
    arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map<Mutation>((keepFraction) => ({ kind: 'truncated', keepFraction })),
    weight: 2,
  },
  { arbitrary: bytes(64).map<Mutation>((extra) => ({ kind: 'extended', bytes: extra })), weight: 1 },
  {
    arbitrary: fc
      .array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 })
      .map<Mutation>((writes) => ({ kind: 'bytes_overwritten', writes })),
    weight: 2,
  },
  { arbitrary: bytes(300).map<Mutation>((random) => ({ kind: 'random_frame', bytes: random })), weight: 2 },
  {
    arbitrary: fc.oneof(fc.nat(0xffff), fc.nat(300)).map<Mutation>((declaredBytes) => ({ kind: 'frame_header', declaredBytes })),
    weight: 1,
  },
);

export function fuzzCase(baseCount: number): fc.Arbitrary<FuzzCase> {
  return fc.record({ base: fc.nat(baseCount - 1), mutation });
}

function setBit(body: Buffer, bit: number, on: boolean): void {
  const index = MTI_BYTES + ((bit - 1) >> 3);
  const mask = 0x80 >> ((bit - 1) & 7);
  body[index] = on ? (body[index] ?? 0) | mask : (body[index] ?? 0) & ~mask;
}

function slotOf(base: BaseFrame, selector: number): FieldSlot {
  const slot = base.layout[selector % base.layout.length];
  if (slot === undefined) throw new Error('every base message has at least one field');
  return slot;
}

function splice(body: Buffer, start: number, end: number, replacement: Buffer): Buffer {
  return Buffer.concat([body.subarray(0, start), replacement, body.subarray(end)]);
}

/** The frame a case describes: the base's bytes with its mutation applied. */
export function applyCase(bases: readonly BaseFrame[], fuzz: FuzzCase): GeneratedFrame {
  const base = bases[fuzz.base];
  if (base === undefined) throw new Error(`no base frame ${fuzz.base}`);
  const body = mutatedBody(base, fuzz.mutation);
  const declaredBytes = fuzz.mutation.kind === 'frame_header' ? fuzz.mutation.declaredBytes : body.length;
  return { baseMti: base.message.mti, mutation: fuzz.mutation.kind, body, declaredBytes };
}

function mutatedBody(base: BaseFrame, mutation: Mutation): Buffer {
  const body = Buffer.from(base.body);
  switch (mutation.kind) {
    case 'none':
    case 'frame_header':
      return body;
    case 'mti':
      mutation.value.copy(body, 0, 0, MTI_BYTES);
      return body;
    case 'bitmap_bit': {
      const bit = mutation.bit + 1;
      const index = MTI_BYTES + ((bit - 1) >> 3);
      body[index] = (body[index] ?? 0) ^ (0x80 >> ((bit - 1) & 7));
      return body;
    }
    case 'bitmap_byte':
      body[MTI_BYTES + mutation.index] = mutation.value;
      return body;
    case 'primary_bitmap_only':
      setBit(body, 1, false);
      return splice(body, MTI_BYTES + 8, MTI_BYTES + BITMAPS_BYTES, Buffer.alloc(0));
    case 'length_prefix': {
      const slot = slotOf(base, mutation.slot);
      if (slot.valueStart === slot.start) return splice(body, slot.start, slot.start, Buffer.from(mutation.value, 'latin1'));
      return splice(body, slot.start, slot.valueStart, Buffer.from(mutation.value, 'latin1'));
    }
    case 'field_value': {
      const slot = slotOf(base, mutation.slot);
      const value = Buffer.from(mutation.value, 'latin1');
      const prefixDigits = slot.valueStart - slot.start;
      const prefix =
        mutation.keepPrefix || prefixDigits === 0
          ? body.subarray(slot.start, slot.valueStart)
          : Buffer.from(String(value.length).padStart(prefixDigits, '0').slice(-prefixDigits), 'latin1');
      return splice(body, slot.start, slot.end, Buffer.concat([prefix, value]));
    }
    case 'field_removed': {
      const slot = slotOf(base, mutation.slot);
      setBit(body, slot.field, false);
      return splice(body, slot.start, slot.end, Buffer.alloc(0));
    }
    case 'field_added': {
      setBit(body, mutation.field, true);
      const after = base.layout.find((slot) => slot.field > mutation.field);
      const at = after === undefined ? body.length : after.start;
      return splice(body, at, at, mutation.value);
    }
    case 'truncated':
      return body.subarray(0, Math.floor(body.length * mutation.keepFraction));
    case 'extended':
      return Buffer.concat([body, mutation.bytes]);
    case 'bytes_overwritten':
      for (const [position, value] of mutation.writes) body[position % body.length] = value;
      return body;
    case 'random_frame':
      return mutation.bytes;
    default: {
      const unknown: never = mutation;
      throw new Error(`unknown mutation ${JSON.stringify(unknown)}`);
    }
  }
}
