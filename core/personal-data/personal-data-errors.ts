import type { ErrorCodeTable } from '../errors';

/** Codes of personal data and its erasure (issue 15.4). */
export const personalDataErrors = {
  INVALID_DATA_SUBJECT: {
    status: 400,
    meaning: 'A data subject to erase is not of type MSISDN, CNIC, IBAN or ACCOUNT, or its value does not follow that type.',
  },
} as const satisfies ErrorCodeTable;
