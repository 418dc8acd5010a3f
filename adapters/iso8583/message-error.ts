/**
 * A message that cannot be built or packed within the profile: a field of the wrong length or characters,
 * an amount DE4 cannot hold, a DE90 with a bad part. It names the field in a sentence. Callers that build
 * messages from their own data treat it as a bug or a configuration error; the channels never send such a message.
 */
export type Iso8583MessageErrorCode =
  'INVALID_MTI' | 'UNKNOWN_FIELD' | 'INVALID_LENGTH' | 'INVALID_CONTENT' | 'LIBRARY_REFUSED' | 'AMOUNT_OUT_OF_RANGE' | 'INVALID_ORIGINAL';

export class Iso8583MessageError extends Error {
  readonly code: Iso8583MessageErrorCode;
  constructor(code: Iso8583MessageErrorCode, message: string) {
    super(message);
    this.name = 'Iso8583MessageError';
    this.code = code;
  }
}
