/**
 * An ISO 8583 message as the adapter handles it: the MTI and the data elements by field number, each the
 * exact ASCII text that travels on the wire (no length prefix). Bitmaps are derived when packing.
 */
export type Iso8583Fields = Readonly<Partial<Record<number, string>>>;

export type Iso8583Message = {
  readonly mti: string;
  readonly fields: Iso8583Fields;
};

/** ISO 8583:1987 MTIs: version digit 0, then class, function and origin digits. */
const mtiPattern = /^0[0-9]{3}$/;

export function isProfileMti(mti: string): boolean {
  return mtiPattern.test(mti);
}

/** Requests (function 0), advices (2) and notifications (4) expect an answer; their responses have an odd function digit. */
export function isResponseMti(mti: string): boolean {
  const functionDigit = Number(mti[2]);
  return isProfileMti(mti) && functionDigit % 2 === 1;
}

/**
 * The response MTI for a request MTI: function digit plus one, origin digit 0, so a repeat (0421) is
 * answered like its first send (0430). Null for a response or for an MTI outside the profile.
 */
export function responseMtiFor(mti: string): string | null {
  if (!isProfileMti(mti) || isResponseMti(mti)) return null;
  const functionDigit = Number(mti[2]);
  if (functionDigit > 8) return null;
  return `${mti.slice(0, 2)}${functionDigit + 1}0`;
}

/**
 * The key that pairs a request with its response (docs/ARCHITECTURE.md section 9: MTI class + DE11 + DE41). The
 * response's MTI is used on both sides, so a request 0421 and its answer 0430 share a key.
 */
export function matchKey(responseMti: string, fields: Iso8583Fields): string {
  return `${responseMti}|${fields[11] ?? ''}|${fields[41] ?? ''}`;
}

/** Copies the listed fields that are present; used to echo a request's identifiers in its response. */
export function pickFields(fields: Iso8583Fields, numbers: readonly number[]): Record<number, string> {
  const picked: Record<number, string> = {};
  for (const number of numbers) {
    const value = fields[number];
    if (value !== undefined) picked[number] = value;
  }
  return picked;
}
