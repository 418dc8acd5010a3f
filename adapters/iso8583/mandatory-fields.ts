import type { Iso8583Message } from './message';

/**
 * The data elements each message type must carry in the profile. A request without one of them is answered
 * with 30 (format error) before anything else looks at it. Sign-on and sign-off also need DE32; the server
 * checks that, because it depends on DE70.
 */
const financialRequestFields = [3, 4, 7, 11, 12, 13, 32, 37, 41, 49, 102, 103] as const;
const reversalAdviceFields = [3, 4, 7, 11, 32, 37, 41, 49, 90] as const;
const responseFields = [11, 39, 41] as const;

const mandatoryFieldsByMti: ReadonlyMap<string, readonly number[]> = new Map<string, readonly number[]>([
  ['0800', [7, 11, 70]],
  ['0810', [11, 39, 70]],
  ['0200', financialRequestFields],
  ['0220', financialRequestFields],
  ['0221', financialRequestFields],
  ['0420', reversalAdviceFields],
  ['0421', reversalAdviceFields],
  ['0210', responseFields],
  ['0230', responseFields],
  ['0430', responseFields],
]);

export function mandatoryFieldsFor(mti: string): readonly number[] {
  return mandatoryFieldsByMti.get(mti) ?? [];
}

export function missingMandatoryFields(message: Iso8583Message): number[] {
  return mandatoryFieldsFor(message.mti).filter((field) => message.fields[field] === undefined);
}
