import { Iso8583MessageError } from './message-error';

/**
 * DE90, original data elements (n42): original MTI (4), original STAN (6), original transmission date and
 * time (10), original acquiring institution id (11, right-aligned, zero-filled) and original forwarding
 * institution id (11, zeros when there is none). A reversal uses it to name the message it reverses.
 */
export type OriginalDataElements = {
  readonly mti: string;
  readonly systemTraceAuditNumber: string;
  readonly transmissionDateTime: string;
  readonly acquirerInstitutionId: string;
  readonly forwardingInstitutionId: string | null;
};

const institutionIdPattern = /^[0-9]{1,11}$/;

export function originalDataElementsField(original: OriginalDataElements): string {
  if (!/^0[0-9]{3}$/.test(original.mti))
    throw new Iso8583MessageError('INVALID_ORIGINAL', 'the original MTI must be four digits starting with 0');
  if (!/^[0-9]{6}$/.test(original.systemTraceAuditNumber))
    throw new Iso8583MessageError('INVALID_ORIGINAL', 'the original STAN must be six digits');
  if (!/^[0-9]{10}$/.test(original.transmissionDateTime))
    throw new Iso8583MessageError('INVALID_ORIGINAL', 'the original transmission date and time must be ten digits');
  if (!institutionIdPattern.test(original.acquirerInstitutionId))
    throw new Iso8583MessageError('INVALID_ORIGINAL', 'the original acquirer id must be 1 to 11 digits');
  const forwarding = original.forwardingInstitutionId ?? '0';
  if (!institutionIdPattern.test(forwarding))
    throw new Iso8583MessageError('INVALID_ORIGINAL', 'the original forwarding institution id must be 1 to 11 digits');
  return `${original.mti}${original.systemTraceAuditNumber}${original.transmissionDateTime}${original.acquirerInstitutionId.padStart(11, '0')}${forwarding.padStart(11, '0')}`;
}

/** Null unless the field is 42 digits. Institution ids come back without their zero fill. */
export function originalDataElementsFromField(value: string | undefined): OriginalDataElements | null {
  if (value === undefined || !/^0[0-9]{41}$/.test(value)) return null;
  const forwarding = withoutZeroFill(value.slice(31, 42));
  return {
    mti: value.slice(0, 4),
    systemTraceAuditNumber: value.slice(4, 10),
    transmissionDateTime: value.slice(10, 20),
    acquirerInstitutionId: withoutZeroFill(value.slice(20, 31)),
    forwardingInstitutionId: forwarding === '0' ? null : forwarding,
  };
}

/** Institution ids compare without leading zeros, because DE90 zero-fills them and DE32 does not. */
export function sameInstitution(left: string, right: string): boolean {
  return withoutZeroFill(left) === withoutZeroFill(right);
}

function withoutZeroFill(value: string): string {
  const trimmed = value.replace(/^0+/, '');
  return trimmed === '' ? '0' : trimmed;
}
