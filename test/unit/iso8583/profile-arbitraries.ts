import fc from 'fast-check';
import { fieldSpecifications, type ContentType, type FieldSpecification } from '../../../adapters/iso8583/field-specification';
import type { Iso8583Message } from '../../../adapters/iso8583/message';

/** A 0200 as a bank host sends it: the fixed example the packager and interop tests start from. */
export const exampleTransferRequest: Iso8583Message = {
  mti: '0200',
  fields: {
    3: '400000',
    4: '000000150050',
    7: '1128101530',
    11: '000123',
    12: '151530',
    13: '1128',
    32: '600001',
    37: '512810000123',
    41: 'TERM0001',
    49: '586',
    102: 'PK36SCBL0000001123456702',
    103: '923001234567',
  },
};

/** Random messages that fit the profile, for property tests of the packager and of the library interop. */
const alphabets: Record<ContentType, string> = {
  n: '0123456789',
  an: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  anp: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *#',
  ans: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -!$%^&*()_+|~=`{}[]:";\'<>?,./',
};

export function fieldValue(specification: FieldSpecification): fc.Arbitrary<string> {
  const character = fc.constantFrom(...alphabets[specification.contentType].split(''));
  const minLength = specification.lengthType === 'fixed' ? specification.lengthMax : 1;
  return fc.array(character, { minLength, maxLength: specification.lengthMax }).map((characters) => characters.join(''));
}

export const profileMti = fc.constantFrom('0200', '0210', '0220', '0221', '0230', '0420', '0421', '0430', '0800', '0810');

export const profileMessage: fc.Arbitrary<Iso8583Message> = fc
  .tuple(profileMti, fc.subarray([...fieldSpecifications.values()], { minLength: 1 }))
  .chain(([mti, specifications]) =>
    fc
      .tuple(...specifications.map((specification) => fieldValue(specification).map((value) => [specification.field, value] as const)))
      .map((entries) => ({
        mti,
        fields: Object.fromEntries(entries),
      })),
  );
