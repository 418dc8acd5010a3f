import type { ErrorCodeTable } from '../errors';

/** Codes of the participants module: registration, status and the liquidity a participant funds. */
export const participantErrors = {
  PARTICIPANT_NOT_FOUND: {
    status: 404,
    meaning: 'There is no participant with this id (or it does not settle in the currency asked about).',
  },
  PARTICIPANT_EXISTS: { status: 409, meaning: 'A participant with this id is registered already.' },
  BANK_CODE_TAKEN: { status: 409, meaning: 'Another participant is registered with this bank code.' },
  INSTITUTION_ID_TAKEN: { status: 409, meaning: 'Another participant is registered with this ISO 8583 institution id.' },
  ENDPOINT_KIND_MISMATCH: {
    status: 422,
    meaning:
      'The endpoints sent are of another kind than the participant has (HTTP or ISO 8583); a participant keeps the kind it was registered with.',
  },
  PARTICIPANT_INACTIVE: { status: 403, meaning: 'The participant is suspended and cannot send transfers.' },
  INSUFFICIENT_LIQUIDITY: {
    status: 422,
    meaning: 'Moving this much liquidity out would leave less than the position and reservations of the participant need.',
  },
  CLIENT_CERTIFICATE_EXISTS: { status: 409, meaning: 'This client certificate is bound to the participant already; revoke it first.' },
  CLIENT_CERTIFICATE_NOT_FOUND: { status: 404, meaning: 'The participant has no client certificate with this fingerprint.' },
  CLIENT_CERTIFICATE_LIMIT_REACHED: {
    status: 422,
    meaning: 'The participant already has as many client certificates bound as allowed; revoke one first.',
  },
} as const satisfies ErrorCodeTable;
